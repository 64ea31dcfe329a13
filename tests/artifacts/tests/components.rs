//! Every artifact exists and is a component, and every crate under `plugins/`
//! is listed in `SHIPPED`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{fs, path::Path};

use switchyard_artifacts::{
    ALWAYS_LOOPS, ALWAYS_TRAPS, BUSINESS_HOURS, FEWEST_CALLS, HOSTILE, LONGEST_IDLE, RING_ALL,
    ROUND_ROBIN, SHIPPED, SKILLS_TIER, WRONG_WORLD,
};

/// `\0asm` followed by the component-model version and layer (0x0d 0x00 0x01 0x00).
const COMPONENT_HEADER: [u8; 8] = [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00];

#[test]
fn every_artifact_is_a_component() {
    let all = [
        LONGEST_IDLE,
        ROUND_ROBIN,
        RING_ALL,
        FEWEST_CALLS,
        SKILLS_TIER,
        BUSINESS_HOURS,
        HOSTILE,
        WRONG_WORLD,
        ALWAYS_TRAPS,
        ALWAYS_LOOPS,
    ];
    for path in all.iter().chain(SHIPPED.iter().map(|(_, p)| p)) {
        let bytes = fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert!(
            bytes.starts_with(&COMPONENT_HEADER),
            "{path} is not a component: starts with {:02x?}",
            &bytes[..bytes.len().min(8)]
        );
    }
}

#[test]
fn shipped_components_declare_the_policy_exports() {
    for (name, path) in SHIPPED {
        let bytes = fs::read(path).unwrap();
        for export in ["route", "overflow", "visibility", "check-config"] {
            assert!(
                contains(&bytes, export.as_bytes()),
                "{name} does not mention `{export}`"
            );
        }
        assert!(
            contains(&bytes, b"switchyard:policy/host@0.2.0"),
            "{name} does not import the host interface"
        );
    }
}

#[test]
fn every_plugin_crate_is_shipped() {
    let plugins = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../plugins");
    let mut found = Vec::new();
    for entry in fs::read_dir(&plugins).unwrap() {
        let manifest = entry.unwrap().path().join("Cargo.toml");
        if !manifest.is_file() {
            continue;
        }
        let text = fs::read_to_string(&manifest).unwrap();
        let name = package_name(&text).unwrap_or_else(|| panic!("no name in {manifest:?}"));
        assert!(
            SHIPPED.iter().any(|(shipped, _)| *shipped == name),
            "plugin `{name}` is missing from SHIPPED: add it to tests/artifacts/build.rs"
        );
        found.push(name);
    }
    assert_eq!(
        found.len(),
        SHIPPED.len(),
        "SHIPPED lists a plugin that does not exist"
    );
}

#[test]
fn default_policy_comes_first() {
    assert_eq!(SHIPPED[0], ("longest-idle", LONGEST_IDLE));
}

/// The `name = "..."` of the `[package]` section.
fn package_name(manifest: &str) -> Option<String> {
    let package = manifest.split("[package]").nth(1)?;
    package.lines().find_map(|line| {
        let value = line.trim().strip_prefix("name")?.trim().strip_prefix('=')?;
        Some(value.trim().trim_matches('"').to_string())
    })
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
