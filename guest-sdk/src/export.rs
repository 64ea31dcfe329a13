//! [`export_policy!`](crate::export_policy): turns a [`Policy`](crate::Policy)
//! impl into the component's exports.

/// Exports a [`Policy`](crate::Policy) implementation as the component's
/// `routing-policy` world. Use it once per plugin crate, at the crate root:
///
/// ```
/// struct MyPolicy;
/// impl switchyard_sdk::Policy for MyPolicy {
///     fn route(
///         _host: &mut dyn switchyard_sdk::Host,
///         call: &switchyard_sdk::Call,
///         candidates: &[switchyard_sdk::Candidate],
///         _config: &str,
///     ) -> switchyard_sdk::Decision {
///         switchyard_sdk::decide(
///             switchyard_sdk::RingMode::Simultaneous,
///             switchyard_sdk::eligible(candidates, call),
///             candidates,
///             Default::default(),
///             None,
///         )
///     }
/// }
/// switchyard_sdk::export_policy!(MyPolicy);
/// ```
///
/// The exports are emitted only when compiling for `wasm32`. Natively the
/// macro only checks that the type implements `Policy`, so plugin crates can
/// be linked side by side as ordinary libraries (benchmarks, tests).
#[macro_export]
macro_rules! export_policy {
    ($policy:ty) => {
        #[cfg(target_arch = "wasm32")]
        const _: () = {
            struct __SwitchyardPolicyExport;

            impl $crate::wit::Guest for __SwitchyardPolicyExport {
                fn route(
                    call: $crate::Call,
                    candidates: ::std::vec::Vec<$crate::Candidate>,
                    config: ::std::string::String,
                ) -> $crate::Decision {
                    <$policy as $crate::Policy>::route(
                        &mut $crate::__private::WasmHost,
                        &call,
                        &candidates,
                        &config,
                    )
                }

                fn overflow(
                    call: $crate::Call,
                    reason: $crate::OverflowReason,
                    config: ::std::string::String,
                ) -> $crate::OverflowAction {
                    <$policy as $crate::Policy>::overflow(
                        &mut $crate::__private::WasmHost,
                        &call,
                        reason,
                        &config,
                    )
                }

                fn visibility(
                    viewer: $crate::Viewer,
                    subject: $crate::Subject,
                    config: ::std::string::String,
                ) -> $crate::View {
                    <$policy as $crate::Policy>::visibility(
                        &mut $crate::__private::WasmHost,
                        &viewer,
                        &subject,
                        &config,
                    )
                }

                fn check_config(
                    config: ::std::string::String,
                ) -> ::core::result::Result<(), ::std::string::String> {
                    // The WIT contract carries the message as a string.
                    <$policy as $crate::Policy>::check_config(&config)
                        .map_err(|e| ::std::string::ToString::to_string(&e))
                }
            }

    $crate::wit::export!(__SwitchyardPolicyExport with_types_in $crate::wit);
        };

        #[cfg(not(target_arch = "wasm32"))]
        const _: () = {
            const fn __switchyard_assert_policy<P: $crate::Policy>() {}
            __switchyard_assert_policy::<$policy>();
        };
    };
}
