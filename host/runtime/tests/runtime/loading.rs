//! Loading: components that do not fit are refused with errors naming what is
//! wrong; compiled policies round-trip through their serialized form.

use switchyard_runtime::{EngineConfig, LoadError, PolicyEngine, PolicyState};

use crate::common::{call, engine, load, rung, team};

#[test]
fn the_wrong_world_is_refused_naming_the_missing_export() {
    let engine = engine();
    let bytes = std::fs::read(switchyard_artifacts::WRONG_WORLD).unwrap();
    let err = engine.load("wrong-world", "1", &bytes).unwrap_err();
    assert_eq!(
        err,
        LoadError::MissingExport {
            export: "overflow".into()
        }
    );
    assert!(
        err.to_string().contains("missing export `overflow`"),
        "{err}"
    );
}

#[test]
fn an_export_with_the_wrong_signature_is_named() {
    // All four names exported, all as `func(x: u32) -> u32`.
    let component = r#"(component
        (core module $m (func (export "f") (param i32) (result i32) local.get 0))
        (core instance $i (instantiate $m))
        (func $f (param "x" u32) (result u32) (canon lift (core func $i "f")))
        (export "route" (func $f))
        (export "overflow" (func $f))
        (export "visibility" (func $f))
        (export "check-config" (func $f)))"#;
    let err = engine()
        .load("typed", "1", component.as_bytes())
        .unwrap_err();
    let LoadError::ExportType { export, .. } = &err else {
        panic!("expected a wrong-type error, got {err}");
    };
    assert!(
        ["route", "overflow", "visibility", "check-config"].contains(&export.as_str()),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains(&format!("export `{export}` has the wrong type")),
        "{err}"
    );
}

#[test]
fn a_forbidden_import_is_named() {
    let component = r#"(component
        (import "wasi:http/outgoing-handler@0.2.0" (instance (export "handle" (func)))))"#;
    let err = engine()
        .load("http", "1", component.as_bytes())
        .unwrap_err();
    assert_eq!(
        err,
        LoadError::ForbiddenImport {
            import: "wasi:http/outgoing-handler@0.2.0".into()
        }
    );
}

#[test]
fn a_core_module_is_refused_with_a_hint() {
    let engine = engine();
    for bytes in [&b"(module)"[..], b"\0asm\x01\0\0\0"] {
        let err = engine.load("core", "1", bytes).unwrap_err();
        assert_eq!(err, LoadError::CoreModule);
        let message = err.to_string();
        assert!(message.contains("wasm32-wasip2") && message.contains("wasm-tools component new"));
    }
}

#[test]
fn non_wasm_and_broken_components_are_refused() {
    let engine = engine();
    assert_eq!(
        engine.load("zip", "1", b"PK\x03\x04").unwrap_err(),
        LoadError::NotWasm
    );
    assert_eq!(
        engine.load("empty", "1", b"").unwrap_err(),
        LoadError::NotWasm
    );
    let truncated = b"\0asm\x0d\0\x01\0\x01\xff";
    let err = engine.load("broken", "1", truncated).unwrap_err();
    assert!(matches!(err, LoadError::Compile { .. }), "{err}");
}

#[test]
fn metadata_names_the_exact_component() {
    let engine = engine();
    let bytes = std::fs::read(switchyard_artifacts::LONGEST_IDLE).unwrap();
    let a = engine.load("longest-idle", "1.2.0", &bytes).unwrap();
    assert_eq!((a.name(), a.version()), ("longest-idle", "1.2.0"));
    assert_eq!(a.content_hash().len(), 64);
    let other = load(&engine, "round-robin", switchyard_artifacts::ROUND_ROBIN);
    assert_ne!(a.content_hash(), other.content_hash());
    let again = engine.load("renamed", "9", &bytes).unwrap();
    assert_eq!(a.content_hash(), again.content_hash());
}

#[test]
fn a_serialized_policy_loads_without_recompiling_and_decides_the_same() {
    let engine = engine();
    let policy = load(&engine, "longest-idle", switchyard_artifacts::LONGEST_IDLE);
    let bytes = policy.serialize().unwrap();
    let cached = engine.load_precompiled(&bytes).unwrap();
    assert_eq!(cached.meta(), policy.meta());
    let mut state = PolicyState::new();
    let fresh = engine.route(&policy, 1, &call(), &team(), "", &mut state);
    let again = engine.route(&cached, 1, &call(), &team(), "", &mut state);
    assert_eq!(rung(&fresh), rung(&again));

    let mut corrupt = bytes.clone();
    let last = corrupt.len() - 1;
    corrupt[last] ^= 0xff;
    let err = engine.load_precompiled(&corrupt).unwrap_err();
    assert!(matches!(err, LoadError::Precompiled { .. }), "{err}");
    assert!(engine.load_precompiled(&bytes[..bytes.len() / 2]).is_err());
}

#[test]
fn serialized_code_is_refused_by_an_incompatible_engine() {
    let policy = load(
        &engine(),
        "longest-idle",
        switchyard_artifacts::LONGEST_IDLE,
    );
    let bytes = policy.serialize().unwrap();
    // Fuel metering changes the generated code.
    let fueled = PolicyEngine::new(EngineConfig {
        fuel_per_call: Some(1_000_000),
        ..EngineConfig::default()
    })
    .unwrap();
    let err = fueled.load_precompiled(&bytes).unwrap_err();
    assert!(matches!(err, LoadError::Precompiled { .. }), "{err}");
}

#[test]
fn one_compiled_component_serves_several_identities_and_is_freed_with_the_last() {
    let engine = engine();
    let bytes = std::fs::read(switchyard_artifacts::LONGEST_IDLE).unwrap();
    let policy = engine.load("longest-idle", "1", &bytes).unwrap();
    assert_eq!(
        policy.content_hash(),
        switchyard_runtime::content_hash(&bytes)
    );
    let other = policy.with_identity("company-7-policy", "3");
    assert_eq!((other.name(), other.version()), ("company-7-policy", "3"));
    assert_eq!(other.content_hash(), policy.content_hash());
    let mut state = PolicyState::new();
    let a = engine.route(&policy, 1, &call(), &team(), "", &mut state);
    let b = engine.route(&other, 1, &call(), &team(), "", &mut state);
    assert_eq!(rung(&a), rung(&b));

    let weak = policy.downgrade();
    drop(policy);
    let back = weak.upgrade().expect("kept alive by `other`");
    assert_eq!(back.name(), "longest-idle");
    drop((back, other));
    assert!(!weak.is_alive());
    assert!(weak.upgrade().is_none());
}
