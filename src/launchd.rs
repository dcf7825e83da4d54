//! `operator launchd print|install|uninstall`: renders the LaunchAgent plist from
//! `launchd/com.thanos.operator.plist` for this binary and config, and installs it with
//! `launchctl bootstrap gui/<uid>` (removes it with `bootout`). Install and uninstall refuse
//! off macOS.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context;

use crate::config::Config;

pub const LABEL: &str = "com.thanos.operator";
const TEMPLATE: &str = include_str!("../launchd/com.thanos.operator.plist");

/// The values the template needs.
#[derive(Debug, Clone)]
pub struct PlistValues {
    pub binary: PathBuf,
    pub config: PathBuf,
    pub thanos_root: String,
    pub home: String,
    pub working_directory: PathBuf,
    pub log_dir: PathBuf,
}

impl PlistValues {
    /// For this running binary and `config`.
    pub fn for_config(config: &Config) -> anyhow::Result<PlistValues> {
        let binary = std::env::current_exe().context("finding this binary's path")?;
        let binary = binary.canonicalize().unwrap_or(binary);
        let home = std::env::var("HOME").unwrap_or_default();
        let thanos_root = std::env::var("THANOS_ROOT").unwrap_or_default();
        let working_directory = config
            .source_path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("/"));
        let log_dir = config
            .alerters
            .journal
            .log_path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| working_directory.clone());
        Ok(PlistValues {
            binary,
            config: config.source_path.clone(),
            thanos_root,
            home,
            working_directory,
            log_dir,
        })
    }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// The plist text with every value XML-escaped.
pub fn render(v: &PlistValues) -> String {
    let path = |p: &Path| xml_escape(&p.display().to_string());
    TEMPLATE
        .replace("{{LABEL}}", LABEL)
        .replace("{{BINARY}}", &path(&v.binary))
        .replace("{{CONFIG}}", &path(&v.config))
        .replace("{{THANOS_ROOT}}", &xml_escape(&v.thanos_root))
        .replace("{{HOME}}", &xml_escape(&v.home))
        .replace("{{WORKING_DIRECTORY}}", &path(&v.working_directory))
        .replace("{{LOG_DIR}}", &path(&v.log_dir))
}

fn agent_path(home: &str) -> PathBuf {
    Path::new(home)
        .join("Library/LaunchAgents")
        .join(format!("{LABEL}.plist"))
}

fn require_macos(action: &str) -> anyhow::Result<()> {
    if cfg!(target_os = "macos") {
        Ok(())
    } else {
        anyhow::bail!(
            "`operator launchd {action}` only works on macOS (launchd); on this system run `operator run` under your service manager, and use `operator launchd print` to see the plist"
        )
    }
}

fn uid() -> anyhow::Result<String> {
    let out = Command::new("id")
        .arg("-u")
        .output()
        .context("running `id -u`")?;
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn launchctl(args: &[&str]) -> anyhow::Result<std::process::Output> {
    Command::new("launchctl")
        .args(args)
        .output()
        .context("running launchctl")
}

pub fn install(config: &Config) -> anyhow::Result<PathBuf> {
    require_macos("install")?;
    let values = PlistValues::for_config(config)?;
    let path = agent_path(&values.home);
    std::fs::create_dir_all(&values.log_dir)
        .with_context(|| format!("creating {}", values.log_dir.display()))?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    std::fs::write(&path, render(&values))
        .with_context(|| format!("writing {}", path.display()))?;
    let domain = format!("gui/{}", uid()?);
    // Replace a loaded older version; an error here just means it was not loaded.
    let _ = launchctl(&["bootout", &format!("{domain}/{LABEL}")]);
    let out = launchctl(&["bootstrap", &domain, &path.display().to_string()])?;
    if !out.status.success() {
        anyhow::bail!(
            "launchctl bootstrap failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(path)
}

/// Whether the LaunchAgent is loaded (`launchctl print gui/<uid>/<label>` succeeds), on
/// macOS; `Ok(None)` elsewhere. Read-only.
pub fn loaded() -> anyhow::Result<Option<bool>> {
    if !cfg!(target_os = "macos") {
        return Ok(None);
    }
    let target = format!("gui/{}/{LABEL}", uid()?);
    Ok(Some(launchctl(&["print", &target])?.status.success()))
}

pub fn uninstall() -> anyhow::Result<PathBuf> {
    require_macos("uninstall")?;
    let home = std::env::var("HOME").context("HOME is not set")?;
    let path = agent_path(&home);
    let domain = format!("gui/{}", uid()?);
    let out = launchctl(&["bootout", &format!("{domain}/{LABEL}")])?;
    if !out.status.success() {
        tracing::warn!(stderr = %String::from_utf8_lossy(&out.stderr).trim(), "launchctl bootout reported an error (was it loaded?)");
    }
    if path.exists() {
        std::fs::remove_file(&path).with_context(|| format!("removing {}", path.display()))?;
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped_and_every_placeholder_filled() {
        let v = PlistValues {
            binary: PathBuf::from("/Users/j & k/bin/operator"),
            config: PathBuf::from("/Users/j/<cfg>.yaml"),
            thanos_root: "/Users/j/Thanos".into(),
            home: "/Users/j".into(),
            working_directory: PathBuf::from("/Users/j"),
            log_dir: PathBuf::from("/Users/j/logs"),
        };
        let text = render(&v);
        assert!(!text.contains("{{"), "{text}");
        assert!(text.contains("/Users/j &amp; k/bin/operator") && text.contains("&lt;cfg&gt;"));
    }
}
