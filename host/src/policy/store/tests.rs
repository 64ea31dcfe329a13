//! Where the store keeps a policy's bytes: uploads write packed files (never the record trees),
//! a load uses the artifact without the component, and a database written before the files
//! (raw bytes in the record trees) still loads, its artifact then written as a file.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::sync::Arc;

use switchyard_directory::{Directory, RecordStore, RecordTree};
use switchyard_runtime::{EngineConfig, PolicyEngine};

use super::{Kind, PolicyFiles, PolicyStore};
use crate::policy::{DEFAULT_MAX_POLICY_BYTES, PolicyVersion};

/// A store over the database and files in `data` (a fresh one shares nothing in memory with
/// an earlier one).
fn open(data: &Path) -> (PolicyStore, Arc<dyn RecordStore>) {
    let (_directory, records) = Directory::open_with_records(&data.join("db")).unwrap();
    let records: Arc<dyn RecordStore> = Arc::new(records);
    let files = Arc::new(PolicyFiles::open(&data.join("policies")).unwrap());
    let engine = PolicyEngine::new(EngineConfig::default()).unwrap();
    let store = PolicyStore::new(
        Arc::clone(&records),
        Some(files),
        engine,
        DEFAULT_MAX_POLICY_BYTES,
    );
    (store, records)
}

fn longest_idle() -> Vec<u8> {
    std::fs::read(switchyard_artifacts::LONGEST_IDLE).unwrap()
}

#[test]
fn uploads_are_packed_files_and_a_load_needs_only_the_artifact() {
    let temp = tempfile::tempdir().unwrap();
    let bytes = longest_idle();
    let hash = {
        let (store, records) = open(temp.path());
        let uploaded = store.upload(1, "longest-idle", &bytes, "test", 0).unwrap();
        for tree in [RecordTree::PolicyBlobs, RecordTree::PolicyArtifacts] {
            let stored = records.scan(tree, &[], None, false, 10).unwrap();
            assert!(stored.is_empty(), "{tree:?} holds bytes");
        }
        uploaded.hash
    };
    let files = PolicyFiles::open(&temp.path().join("policies")).unwrap();
    let component = files.get(&hash, Kind::Component).unwrap().unwrap();
    let artifact = files.get(&hash, Kind::Artifact).unwrap().unwrap();
    assert!(
        component.len() < bytes.len() / 2,
        "{} packed",
        component.len()
    );
    assert!(artifact.starts_with(b"SYZ\x02"));

    // Without the component, a fresh store still loads the version from its artifact.
    std::fs::remove_file(temp.path().join(format!("policies/{hash}.component"))).unwrap();
    let (store, _) = open(temp.path());
    let policy = store.load_version(1, 1).unwrap();
    assert_eq!(
        (policy.name(), policy.content_hash()),
        ("longest-idle", &*hash)
    );
}

#[test]
fn a_database_from_before_the_files_still_loads_and_gains_an_artifact_file() {
    let temp = tempfile::tempdir().unwrap();
    let bytes = longest_idle();
    let hash = switchyard_runtime::content_hash(&bytes);
    {
        let (_, records) = open(temp.path());
        let version = PolicyVersion {
            company_id: 7,
            version: 1,
            name: "longest-idle".into(),
            hash: hash.clone(),
            size: bytes.len(),
            uploaded_ms: 0,
            uploader: "test".into(),
        };
        let key = [7u64.to_be_bytes().as_slice(), &1u32.to_be_bytes()].concat();
        records
            .write(&[
                (
                    RecordTree::PolicyBlobs,
                    hash.as_bytes().to_vec(),
                    Some(bytes),
                ),
                (
                    RecordTree::PolicyVersions,
                    key,
                    Some(serde_json::to_vec(&version).unwrap()),
                ),
            ])
            .unwrap();
    }
    let (store, _) = open(temp.path());
    assert_eq!(store.load_version(7, 1).unwrap().content_hash(), hash);
    let files = PolicyFiles::open(&temp.path().join("policies")).unwrap();
    assert!(files.contains(&hash, Kind::Artifact).unwrap());
    assert!(!files.contains(&hash, Kind::Component).unwrap());
}
