//! The four exports of world `routing-policy`, found once per policy and type-checked
//! per decision only for the one export the decision calls.
//!
//! bindgen's `RoutingPolicyPre::instantiate` type-checks all four exports against the
//! WIT types on every instantiation (~7,400 instructions, a tenth of a bare
//! instantiation), though a decision calls one of them (`route`'s check alone is
//! ~3,500). The checks at load stay (`RoutingPolicyPre::new` in `load`); a decision
//! instantiates through the plain `InstancePre` and checks the one function it calls,
//! which wasmtime requires before a typed call.

use wasmtime::component::{Component, ComponentExportIndex, Instance};
use wasmtime::{AsContextMut, Store};

use crate::bindings::{
    Call, Candidate, Decision, OverflowAction, OverflowReason, Subject, View, Viewer,
};
use crate::error::LoadError;
use crate::store::StoreData;

/// Where each export lives in one compiled component.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Exports {
    route: ComponentExportIndex,
    overflow: ComponentExportIndex,
    visibility: ComponentExportIndex,
    check_config: ComponentExportIndex,
}

/// A policy's export called in a fresh instance.
pub(crate) struct Exported<'a> {
    exports: &'a Exports,
    instance: Instance,
}

impl Exports {
    /// Finds the exports of `component` (already checked against the world).
    ///
    /// # Errors
    /// [`LoadError::MissingExport`] if one is missing.
    pub(crate) fn find(component: &Component) -> Result<Self, LoadError> {
        let find = |name: &str| {
            component
                .get_export_index(None, name)
                .ok_or_else(|| LoadError::MissingExport {
                    export: name.to_owned(),
                })
        };
        Ok(Self {
            route: find("route")?,
            overflow: find("overflow")?,
            visibility: find("visibility")?,
            check_config: find("check-config")?,
        })
    }

    /// The exports of `instance`, an instance of the component they were found in.
    pub(crate) fn of(&self, instance: Instance) -> Exported<'_> {
        Exported {
            exports: self,
            instance,
        }
    }
}

impl Exported<'_> {
    /// Calls `route`.
    pub(crate) fn route(
        &self,
        store: &mut Store<StoreData>,
        call: &Call,
        candidates: &[Candidate],
        config: &str,
    ) -> wasmtime::Result<Decision> {
        let func = self
            .instance
            .get_typed_func::<(&Call, &[Candidate], &str), (Decision,)>(
                store.as_context_mut(),
                &self.exports.route,
            )?;
        Ok(func.call(store, (call, candidates, config))?.0)
    }

    /// Calls `overflow`.
    pub(crate) fn overflow(
        &self,
        store: &mut Store<StoreData>,
        call: &Call,
        reason: OverflowReason,
        config: &str,
    ) -> wasmtime::Result<OverflowAction> {
        let func = self
            .instance
            .get_typed_func::<(&Call, OverflowReason, &str), (OverflowAction,)>(
                store.as_context_mut(),
                &self.exports.overflow,
            )?;
        Ok(func.call(store, (call, reason, config))?.0)
    }

    /// Calls `visibility`.
    pub(crate) fn visibility(
        &self,
        store: &mut Store<StoreData>,
        viewer: Viewer,
        subject: Subject,
        config: &str,
    ) -> wasmtime::Result<View> {
        let func = self
            .instance
            .get_typed_func::<(Viewer, Subject, &str), (View,)>(
                store.as_context_mut(),
                &self.exports.visibility,
            )?;
        Ok(func.call(store, (viewer, subject, config))?.0)
    }

    /// Calls `check-config`.
    pub(crate) fn check_config(
        &self,
        store: &mut Store<StoreData>,
        config: &str,
    ) -> wasmtime::Result<Result<(), String>> {
        let func = self
            .instance
            .get_typed_func::<(&str,), (Result<(), String>,)>(
                store.as_context_mut(),
                &self.exports.check_config,
            )?;
        Ok(func.call(store, (config,))?.0)
    }
}
