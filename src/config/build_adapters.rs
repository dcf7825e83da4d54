//! `adapters.*`: where Operator reads Oura, WorkOS and the Thanos State files from.
//! Secrets (`database_url`, `access_token`) are read as [`super::Secret`] and never echoed.

use std::path::{Component, Path, PathBuf};

use super::reader::list_items;
use super::reader::{Ctx, Section};
use super::value::to_string;
use super::{Adapters, OuraAdapter, StateFilesAdapter, WorkosAdapter};

pub(super) fn adapters(ctx: &mut Ctx<'_>, mut s: Section<'_>) -> Adapters {
    let out = Adapters {
        oura: oura(ctx, s.child("oura")),
        workos: workos(ctx, s.child("workos")),
        state_files: state_files(ctx, s.child("state_files")),
    };
    s.finish(ctx);
    out
}

/// The `type` key: each adapter has exactly one implementation.
fn kind(ctx: &mut Ctx<'_>, s: &mut Section<'_>, supported: &'static str) -> String {
    s.read(ctx, "type", supported.to_owned(), |v| {
        let text = to_string(v)?;
        if text.trim() == supported {
            Ok(supported.to_owned())
        } else {
            Err(format!(
                "unsupported adapter type {text:?} (supported: {supported})"
            ))
        }
    })
}

/// An `http://` or `https://` URL with a host; the trailing `/` is dropped.
pub(super) fn http_url(
    ctx: &mut Ctx<'_>,
    s: &mut Section<'_>,
    key: &'static str,
    default: &str,
) -> String {
    s.read(ctx, key, default.to_owned(), |v| {
        let text = to_string(v)?;
        let trimmed = text.trim().trim_end_matches('/');
        let host = trimmed
            .strip_prefix("https://")
            .or_else(|| trimmed.strip_prefix("http://"))
            .map(|rest| rest.split('/').next().unwrap_or_default());
        match host {
            Some(host) if !host.is_empty() && !host.contains(char::is_whitespace) => {
                Ok(trimmed.to_owned())
            }
            _ => Err(format!("expected an http:// or https:// URL, got {text:?}")),
        }
    })
}

fn oura(ctx: &mut Ctx<'_>, mut s: Section<'_>) -> OuraAdapter {
    let env_token = [
        (ctx.env)("OURA_PERSONAL_ACCESS_TOKEN"),
        (ctx.env)("OURA_ACCESS_TOKEN"),
    ]
    .into_iter()
    .flatten()
    .find(|t| !t.trim().is_empty());
    let out = OuraAdapter {
        kind: kind(ctx, &mut s, "mcp_cache"),
        cache_db_path: s.path(ctx, "cache_db_path", "${HOME}/.oura-cache/oura-health.db"),
        fallback_api: s.bool(ctx, "fallback_api", true),
        api_timeout: s.seconds(ctx, "api_timeout_seconds", 10, 1, 300),
        access_token: s.secret(ctx, "access_token", env_token),
        api_base_url: http_url(ctx, &mut s, "api_base_url", "https://api.ouraring.com"),
    };
    s.finish(ctx);
    out
}

fn workos(ctx: &mut Ctx<'_>, mut s: Section<'_>) -> WorkosAdapter {
    let kind = kind(ctx, &mut s, "mcp_postgres");
    let url_path = s.key_path("database_url");
    // docs/data-sources.md §3: `WORKOS_DATABASE_URL`, or `DATABASE_URL`, when the key is absent.
    let env_url = [(ctx.env)("WORKOS_DATABASE_URL"), (ctx.env)("DATABASE_URL")]
        .into_iter()
        .flatten()
        .find(|u| !u.trim().is_empty());
    let database_url = s.secret(ctx, "database_url", env_url);
    if let Some(url) = &database_url {
        let scheme_ok = ["postgres://", "postgresql://"]
            .iter()
            .any(|p| url.expose().starts_with(p));
        if !scheme_ok {
            // Never echo the value: it holds a password.
            ctx.problem(url_path, "expected a postgres:// or postgresql:// URL (value not shown: it may hold a password)");
        }
    }
    let out = WorkosAdapter {
        kind,
        database_url,
        cache_enabled: s.bool(ctx, "cache_enabled", true),
        cache_ttl: s.seconds(ctx, "cache_ttl_seconds", 300, 0, 86_400),
        cache_db_path: s.path(ctx, "cache_db_path", "${HOME}/.workos-cache/cache.db"),
    };
    s.finish(ctx);
    out
}

const DEFAULT_STATE_FILES: [&str; 3] = ["patterns.json", "daemon_state.json", "CurrentFocus.md"];

fn state_files(ctx: &mut Ctx<'_>, mut s: Section<'_>) -> StateFilesAdapter {
    let kind = kind(ctx, &mut s, "json");
    let base_path = s.path(ctx, "base_path", "${THANOS_ROOT}/State");
    let files = match list_items(ctx, &mut s, "files") {
        None => DEFAULT_STATE_FILES.iter().map(PathBuf::from).collect(),
        Some(items) => {
            let mut files = Vec::new();
            for (path, item) in items {
                match to_string(item).and_then(|text| inside_base(&text)) {
                    Ok(file) => files.push(file),
                    Err(message) => ctx.problem(path, message),
                }
            }
            files
        }
    };
    s.finish(ctx);
    StateFilesAdapter {
        kind,
        base_path,
        files,
    }
}

/// A file name relative to `base_path` that cannot leave it; returned without `.` parts.
fn inside_base(text: &str) -> Result<PathBuf, String> {
    let escape =
        || format!("{text:?} must be a path inside base_path (relative, no `..` leaving it)");
    if text.trim().is_empty() {
        return Err("expected a file name, got an empty string".to_owned());
    }
    if text.starts_with('~') {
        return Err(escape());
    }
    let mut out = PathBuf::new();
    for part in Path::new(text).components() {
        match part {
            Component::Normal(name) => out.push(name),
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return Err(escape());
                }
            }
            Component::RootDir | Component::Prefix(_) => return Err(escape()),
        }
    }
    if out.as_os_str().is_empty() {
        Err(escape())
    } else {
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_files_must_stay_inside_base_path() {
        let ok = [
            ("patterns.json", "patterns.json"),
            ("./a/b.md", "a/b.md"),
            ("a/../c.json", "c.json"),
        ];
        for (input, want) in ok {
            assert_eq!(inside_base(input), Ok(PathBuf::from(want)), "{input}");
        }
        for bad in [
            "/etc/passwd",
            "../secret",
            "a/../../x",
            "~/x",
            "",
            ".",
            "a/..",
        ] {
            assert!(inside_base(bad).is_err(), "{bad}");
        }
    }
}
