//! The D-Bus session bus address (`DBUS_SESSION_BUS_ADDRESS`) read without connecting:
//! whether there is certainly no bus (unset, empty, or only `unix:path=` sockets that do not
//! exist), so that a headless machine skips desktop notifications at once.

use std::ffi::{OsStr, OsString};
use std::path::PathBuf;

/// Where the session bus address is read.
#[derive(Debug, Clone)]
pub(super) enum AddressSource {
    Environment,
    #[cfg_attr(not(test), allow(dead_code))]
    Fixed(Option<OsString>),
}

impl AddressSource {
    pub(super) fn get(&self) -> Option<OsString> {
        match self {
            AddressSource::Environment => std::env::var_os("DBUS_SESSION_BUS_ADDRESS"),
            AddressSource::Fixed(v) => v.clone(),
        }
    }
}

/// What `DBUS_SESSION_BUS_ADDRESS` says about the session bus, without connecting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum SessionBus {
    /// Certainly no bus; why.
    Absent(String),
    /// Maybe a bus: connecting will tell.
    Maybe,
}

/// Reads a D-Bus address list (`transport:key=value,…;…`): absent when empty, not UTF-8, or
/// when every entry is a `unix:path=` socket that does not exist. Any other transport
/// (`unix:abstract=`, `tcp:`, …) is left to the connection to judge.
pub(super) fn session_bus(address: Option<&OsStr>) -> SessionBus {
    let Some(address) = address else {
        return SessionBus::Absent("DBUS_SESSION_BUS_ADDRESS is not set".to_owned());
    };
    let Some(address) = address.to_str() else {
        return SessionBus::Absent("DBUS_SESSION_BUS_ADDRESS is not UTF-8".to_owned());
    };
    let mut missing = Vec::new();
    for entry in address.split(';').map(str::trim).filter(|e| !e.is_empty()) {
        match unix_path(entry) {
            Some(path) if path.exists() => return SessionBus::Maybe,
            Some(path) => missing.push(path),
            None => return SessionBus::Maybe,
        }
    }
    if missing.is_empty() {
        SessionBus::Absent("DBUS_SESSION_BUS_ADDRESS is empty".to_owned())
    } else {
        let paths: Vec<String> = missing.iter().map(|p| p.display().to_string()).collect();
        SessionBus::Absent(format!("no session bus socket at {}", paths.join(", ")))
    }
}

/// The socket of a `unix:path=…` entry (its value unescaped); `None` for anything else.
pub(super) fn unix_path(entry: &str) -> Option<PathBuf> {
    let params = entry.strip_prefix("unix:")?;
    params.split(',').find_map(|kv| {
        let value = kv.strip_prefix("path=")?;
        Some(PathBuf::from(OsString::from(unescape(value)?)))
    })
}

/// Undoes D-Bus address escaping (`%XX`); `None` when malformed.
pub(super) fn unescape(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}
