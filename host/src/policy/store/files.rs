//! Components and precompiled artifacts as files named by content hash, beside the database
//! (`<data>/policies/<sha256>.component` and `.artifact`, packed by `packed`). They are the
//! largest things a tenant stores and never change once written, which suits files: sled keeps
//! values this large in its log and rewrites a tree node with every value in it, which had a
//! tenant's ~0.75 MB take ~1.3–1.7 MB on disk. A file is written under a temporary name,
//! synced and renamed into place, and the directory synced, before the records naming it are
//! written: a crash leaves at worst a file no record names, never a record without its file.

use std::io::{self, Write};
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::data_dir::PRIVATE_DIR_MODE;

/// Which of a policy's two files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The uploaded component bytes.
    Component,
    /// Its precompiled artifact (`Policy::serialize`).
    Artifact,
}

impl Kind {
    fn extension(self) -> &'static str {
        match self {
            Kind::Component => "component",
            Kind::Artifact => "artifact",
        }
    }
}

/// A file of the store could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// Not a content hash (64 lower-case hex digits): never made into a path.
    #[error("not a content hash: {0:?}")]
    BadHash(String),
    /// The file system refused.
    #[error("policy file {path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
}

/// The directory of policy files.
#[derive(Debug)]
pub struct PolicyFiles {
    dir: PathBuf,
    /// Distinguishes temporary names of concurrent writes in this process.
    next_temp: AtomicU64,
}

impl PolicyFiles {
    /// The store in `dir`, created (mode 0700) if missing.
    ///
    /// # Errors
    /// The directory cannot be created.
    pub fn open(dir: &Path) -> Result<Self, FileError> {
        match std::fs::DirBuilder::new()
            .mode(PRIVATE_DIR_MODE)
            .create(dir)
        {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && dir.is_dir() => {}
            Err(source) => {
                return Err(FileError::Io {
                    path: dir.to_owned(),
                    source,
                });
            }
        }
        Ok(Self {
            dir: dir.to_owned(),
            next_temp: AtomicU64::new(0),
        })
    }

    /// The stored bytes of `hash`'s file of `kind`, if written.
    ///
    /// # Errors
    /// A bad hash, or the file cannot be read.
    pub fn get(&self, hash: &str, kind: Kind) -> Result<Option<Vec<u8>>, FileError> {
        let path = self.path(hash, kind)?;
        match std::fs::read(&path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(FileError::Io { path, source }),
        }
    }

    /// The hashes of every file of `kind`, in name order (temporary files left by a crash are
    /// not files of the store).
    ///
    /// # Errors
    /// The directory cannot be read.
    pub fn hashes(&self, kind: Kind) -> Result<Vec<String>, FileError> {
        let io = |source| FileError::Io {
            path: self.dir.clone(),
            source,
        };
        let suffix = format!(".{}", kind.extension());
        let mut out = Vec::new();
        for entry in std::fs::read_dir(&self.dir).map_err(io)? {
            let name = entry.map_err(io)?.file_name();
            if let Some(hash) = name.to_str().and_then(|n| n.strip_suffix(&suffix))
                && self.path(hash, kind).is_ok()
            {
                out.push(hash.to_owned());
            }
        }
        out.sort();
        Ok(out)
    }

    /// Whether `hash`'s file of `kind` is written.
    ///
    /// # Errors
    /// A bad hash.
    pub fn contains(&self, hash: &str, kind: Kind) -> Result<bool, FileError> {
        Ok(self.path(hash, kind)?.is_file())
    }

    /// Writes `bytes` as `hash`'s file of `kind`, durably (replacing any earlier one whole).
    ///
    /// # Errors
    /// A bad hash, or the file system refused.
    pub fn put(&self, hash: &str, kind: Kind, bytes: &[u8]) -> Result<(), FileError> {
        let path = self.path(hash, kind)?;
        let n = self.next_temp.fetch_add(1, Ordering::Relaxed);
        let temp = self.dir.join(format!(
            ".{hash}.{}.{}-{n}.tmp",
            kind.extension(),
            std::process::id()
        ));
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| FileError::Io { path, source }
        };
        let written = (|| {
            let mut file = std::fs::File::create(&temp)?;
            file.write_all(bytes)?;
            file.sync_all()
        })();
        if let Err(e) = written {
            let _ = std::fs::remove_file(&temp);
            return Err(io(&temp)(e));
        }
        std::fs::rename(&temp, &path).map_err(io(&path))?;
        std::fs::File::open(&self.dir)
            .and_then(|dir| dir.sync_all())
            .map_err(io(&self.dir))
    }

    fn path(&self, hash: &str, kind: Kind) -> Result<PathBuf, FileError> {
        let is_hash = hash.len() == 64
            && hash
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if !is_hash {
            return Err(FileError::BadHash(hash.to_owned()));
        }
        Ok(self.dir.join(format!("{hash}.{}", kind.extension())))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    const HASH: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn files_are_written_whole_and_read_back_by_hash_and_kind() {
        let temp = tempfile::tempdir().unwrap();
        let files = PolicyFiles::open(&temp.path().join("policies")).unwrap();
        assert_eq!(files.get(HASH, Kind::Component).unwrap(), None);
        files.put(HASH, Kind::Component, b"component").unwrap();
        files.put(HASH, Kind::Artifact, b"artifact").unwrap();
        assert!(files.contains(HASH, Kind::Artifact).unwrap());
        assert_eq!(
            files.get(HASH, Kind::Component).unwrap().unwrap(),
            b"component"
        );
        files.put(HASH, Kind::Artifact, b"artifact 2").unwrap();
        assert_eq!(
            files.get(HASH, Kind::Artifact).unwrap().unwrap(),
            b"artifact 2"
        );
        let names: Vec<_> = std::fs::read_dir(temp.path().join("policies"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names.len(), 2, "no temporary file left: {names:?}");
    }

    #[test]
    fn only_content_hashes_become_paths() {
        let temp = tempfile::tempdir().unwrap();
        let files = PolicyFiles::open(temp.path()).unwrap();
        for bad in ["../../etc/passwd", "", &HASH.to_uppercase(), &HASH[1..]] {
            assert!(matches!(
                files.get(bad, Kind::Component),
                Err(FileError::BadHash(_))
            ));
        }
    }
}
