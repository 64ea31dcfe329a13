//! `wrong-world`: a test-only component that does NOT implement
//! `switchyard:policy/routing-policy`. It exports only
//! `route: func(x: u32) -> u32` (the right name, the wrong signature) and
//! lacks `overflow`, `visibility` and `check-config`, so the host must refuse
//! to load it. Its tiny inline WIT is deliberately not our contract.

mod bindings {
    wit_bindgen::generate!({
        inline: r#"
            package test:wrong-world;

            world wrong {
                export route: func(x: u32) -> u32;
            }
        "#,
    });
}

/// The component's only export.
struct Wrong;

impl bindings::Guest for Wrong {
    fn route(x: u32) -> u32 {
        x.wrapping_add(1)
    }
}

bindings::export!(Wrong with_types_in bindings);
