//! macOS notifications through `osascript -e 'display notification …'`: the pure AppleScript
//! builder (compiled and tested on every platform) and a runner with a bounded wait. The
//! native notifier (`macos.rs`) falls back to this; [`Osascript`] is also a [`Notifier`] of
//! its own, synchronous, as before the native one existed.

use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use super::Notifier;
use crate::pipeline::Notification;

/// How long `osascript` may take before it is killed (it normally takes a fraction of a
/// second).
pub const OSASCRIPT_TIMEOUT: Duration = Duration::from_secs(10);

/// macOS notifications through `osascript`, without buttons. Blocks the caller while
/// `osascript` runs (at most [`OSASCRIPT_TIMEOUT`]).
pub struct Osascript {
    pub sound: String,
}

impl Notifier for Osascript {
    fn notify(&self, n: &Notification) -> Result<(), String> {
        show(&n.title, &n.lines.join("\n"), &self.sound)
    }
}

/// Runs `osascript` for one notification: `Ok` when it exited successfully in time.
pub fn show(title: &str, body: &str, sound: &str) -> Result<(), String> {
    let script = applescript_notification(title, body, sound);
    let mut child = Command::new("osascript")
        .arg("-e")
        .arg(script)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run osascript: {e}"))?;
    let deadline = Instant::now() + OSASCRIPT_TIMEOUT;
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return Ok(()),
            Ok(Some(status)) => return Err(format!("osascript exited with {status}")),
            Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(20)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "osascript took longer than {}s and was killed",
                    OSASCRIPT_TIMEOUT.as_secs()
                ));
            }
            Err(e) => return Err(format!("waiting for osascript: {e}")),
        }
    }
}

/// The AppleScript that displays a notification; every string is escaped for an AppleScript
/// string literal.
pub fn applescript_notification(title: &str, body: &str, sound: &str) -> String {
    let mut script = format!(
        "display notification {} with title {}",
        applescript_string(body),
        applescript_string(&format!("Operator: {title}"))
    );
    if !sound.is_empty() {
        script.push_str(&format!(" sound name {}", applescript_string(sound)));
    }
    script
}

/// An AppleScript string literal: backslashes and quotes escaped, control characters turned
/// into spaces (a newline would end the statement).
pub fn applescript_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_applescript_strings() {
        assert_eq!(
            applescript_string(r#"say "hi" \ now"#),
            r#""say \"hi\" \\ now""#
        );
        assert_eq!(applescript_string("a\nb\u{7}c ☕"), "\"a bc ☕\"");
        let s = applescript_notification("T", "B", "Glass");
        assert_eq!(
            s,
            r#"display notification "B" with title "Operator: T" sound name "Glass""#
        );
    }

    #[test]
    fn no_sound_when_empty() {
        assert_eq!(
            applescript_notification("T", "B", ""),
            r#"display notification "B" with title "Operator: T""#
        );
    }

    /// Where there is no `osascript` (Linux, CI), the runner reports it, quickly.
    #[cfg(not(target_os = "macos"))]
    #[test]
    fn missing_osascript_is_an_error() {
        let e = show("T", "B", "").unwrap_err();
        assert!(e.starts_with("cannot run osascript"), "{e}");
    }
}
