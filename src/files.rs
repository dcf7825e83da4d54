//! Files Operator writes whole, for the person to keep: written to a temporary file in the
//! same folder (created mode 0600), synced, then renamed over the target, so a crash leaves
//! the old file or the new one, never half of either. The one owner of that rule for `setup`
//! (`.env`, the config) and the review's `Apply` (the config and its backup).
//!
//! Does not own: the state database (`store`) or the journal (`channels::rotating`), which
//! append rather than replace.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

/// Writes `content` to `path` whole or not at all, mode 0600: a temporary file in the same
/// folder (created 0600), synced, then renamed over `path`.
pub fn write_private(path: &Path, content: impl AsRef<[u8]>) -> anyhow::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(".operator-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o600));
    }
    let mut temp = builder
        .tempfile_in(&dir)
        .with_context(|| format!("creating a temporary file in {}", dir.display()))?;
    temp.write_all(content.as_ref())
        .and_then(|()| temp.as_file().sync_all())
        .with_context(|| format!("writing {}", path.display()))?;
    temp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}
