//! Desktop notifications, behind the [`Notifier`] trait so the pipeline and the Telegram
//! fallback do not care how they are shown. On macOS: `osascript`; elsewhere there is no
//! notifier yet and the desktop recipient is not used.

use std::process::Command;

use crate::pipeline::Notification;

/// Shows a notification on the user's desktop.
pub trait Notifier: Send + Sync {
    fn notify(&self, notification: &Notification) -> Result<(), String>;
}

/// Whether this platform has a desktop notifier.
pub fn available() -> bool {
    cfg!(target_os = "macos")
}

/// The configured desktop notifier: `alerters.macos` enabled, on a system that has one.
pub fn notifier_for(config: &crate::config::Config) -> Option<Box<dyn Notifier>> {
    let macos = &config.alerters.macos;
    (macos.enabled && available()).then(|| {
        Box::new(Osascript {
            sound: macos.sound.clone(),
        }) as Box<dyn Notifier>
    })
}

/// macOS notifications through `osascript -e 'display notification …'`.
pub struct Osascript {
    pub sound: String,
}

impl Notifier for Osascript {
    fn notify(&self, n: &Notification) -> Result<(), String> {
        let script = applescript_notification(&n.title, &n.lines.join("\n"), &self.sound);
        let status = Command::new("osascript")
            .arg("-e")
            .arg(script)
            .status()
            .map_err(|e| format!("cannot run osascript: {e}"))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("osascript exited with {status}"))
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
}
