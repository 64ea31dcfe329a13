//! The data directory is private: it holds the database (call logs with callers' numbers,
//! hashed tokens) and the generated operator token, so it and the database directory in it are
//! created with mode 0700, and tightened to 0700 when an earlier version (or an operator) left
//! them open to the group or to others.

use std::io;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::Path;

/// The database directory inside the data directory (where `server::start` opens sled).
pub const DB_DIR: &str = "db";

/// The directory of policy components and artifacts inside the data directory
/// (`policy::store::PolicyFiles`).
pub const POLICIES_DIR: &str = "policies";

/// Mode of the data and database directories: the service's user only.
pub const PRIVATE_DIR_MODE: u32 = 0o700;

/// Creates `data` and `data/db` (with any missing parents of `data`) with mode 0700, or
/// tightens them to 0700 if they exist. sled finds its directory already there and keeps the
/// mode. Parents created on the way keep the process's default mode.
pub fn create_private(data: &Path) -> io::Result<()> {
    if let Some(parent) = data.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    private_dir(data)?;
    private_dir(&data.join(DB_DIR))
}

/// One directory: created 0700, or its mode set to 0700.
fn private_dir(dir: &Path) -> io::Result<()> {
    match std::fs::DirBuilder::new()
        .mode(PRIVATE_DIR_MODE)
        .create(dir)
    {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists && dir.is_dir() => {}
        Err(e) => return Err(e),
    }
    // The umask may have narrowed the mode further than asked, never widened it; set it exactly.
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(PRIVATE_DIR_MODE))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn creates_and_tightens() {
        let temp = tempfile::tempdir().unwrap();
        let data = temp.path().join("a/b/data");
        create_private(&data).unwrap();
        assert_eq!(mode(&data), 0o700);
        assert_eq!(mode(&data.join(DB_DIR)), 0o700);

        std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::set_permissions(data.join(DB_DIR), std::fs::Permissions::from_mode(0o775))
            .unwrap();
        create_private(&data).unwrap();
        assert_eq!(mode(&data), 0o700);
        assert_eq!(mode(&data.join(DB_DIR)), 0o700);
    }

    #[test]
    fn a_file_in_the_way_is_an_error() {
        let temp = tempfile::tempdir().unwrap();
        let data = temp.path().join("data");
        std::fs::write(&data, b"not a directory").unwrap();
        assert!(create_private(&data).is_err());
    }
}
