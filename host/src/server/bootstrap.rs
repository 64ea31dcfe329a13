//! The operator token on an empty database: taken from the configuration, or generated and
//! written to `<data>/operator-token` (mode 0600), never logged.

use std::io::Write;
use std::path::Path;

use switchyard_directory::{Bootstrap, Directory};

use super::{OPERATOR_TOKEN_FILE, ServerError, io};

/// Makes sure an operator token exists; a generated one goes to `<data>/operator-token`
/// (mode 0600) and only its path is logged.
pub(super) fn bootstrap(
    directory: &Directory,
    data: &Path,
    configured: Option<&str>,
) -> Result<(), ServerError> {
    match directory.bootstrap_operator(configured)? {
        Bootstrap::Existing => {}
        Bootstrap::Configured => tracing::info!("operator token taken from the configuration"),
        Bootstrap::Generated(secret) => {
            let path = data.join(OPERATOR_TOKEN_FILE);
            write_secret(&path, &secret)?;
            tracing::info!(path = %path.display(), "empty database: generated an operator token, written to this file");
        }
    }
    Ok(())
}

/// Writes `secret` to a new file at `path` that only its owner reads, synced to disk.
fn write_secret(path: &Path, secret: &str) -> Result<(), ServerError> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(|source| io("writing", path.display(), source))?;
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(std::fs::Permissions::from_mode(0o600))
        .and_then(|()| writeln!(file, "{secret}"))
        .and_then(|()| file.sync_all())
        .map_err(|source| io("writing", path.display(), source))
}
