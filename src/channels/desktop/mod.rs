//! Desktop notifications, behind the [`Notifier`] trait so the pipeline and the Telegram
//! fallback do not care how they are shown, with the alert buttons (Snooze 1h, Snooze 4h,
//! Tomorrow, Got it) where the platform offers them.
//!
//! This file owns what is the same on every platform: the trait, what a notification shows
//! ([`Shown`]), the buttons ([`BUTTONS`]), how a platform's answer becomes an alert [`Action`]
//! ([`DesktopResponse`], [`action_for`]) and how that reaches the app ([`DesktopPress`] through
//! a [`PressHandler`]). Per platform:
//! - `macos.rs`: native notifications (mac-notification-sys), falling back to `osascript`;
//! - `linux.rs`: the freedesktop notification service over D-Bus (notify-rust on zbus), on
//!   Linux and the BSDs;
//! - `osascript.rs`: the AppleScript builder and runner (compiled everywhere, so its pure
//!   builder is tested on Linux too).
//!
//! `notify()` never waits for the user: it hands the notification to a thread of the
//! notifier's own and returns. A button press comes back later, on that thread, as a
//! [`DesktopPress`] given to the [`PressHandler`] passed at construction; the app applies it
//! like a Telegram button (snooze or acknowledge those keys for `Recipient::Desktop`).

use std::sync::Arc;

use crate::alert::Priority;
use crate::channels::telegram::callback::Action;
use crate::config::Config;
use crate::pipeline::Notification;

#[cfg(target_os = "macos")]
pub mod macos;

#[cfg(all(unix, not(target_os = "macos")))]
mod bus_address;
#[cfg(all(unix, not(target_os = "macos")))]
pub mod linux;

pub mod osascript;

pub use osascript::{Osascript, applescript_notification, applescript_string};

/// Shows a notification on the user's desktop.
pub trait Notifier: Send + Sync {
    /// Starts showing `notification` and returns at once: the native call, any fallback and
    /// the wait for a button run on the notifier's own thread. `Err` when it is known at once
    /// that nothing can be shown (no session bus, no thread could be started).
    fn notify(&self, notification: &Notification) -> Result<(), String>;
}

/// A button the user pressed on a desktop notification: apply `action` to `keys` for the
/// desktop recipient, exactly as a Telegram button press on the same alerts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesktopPress {
    /// The dedup keys of the notification's alerts (never empty: a notification without
    /// alerts gets no buttons).
    pub keys: Vec<String>,
    pub action: Action,
}

/// Where presses go. Called on a notifier thread, never on the caller of `notify()`; it must
/// not block for long (send on a channel: `Arc::new(move |p| { let _ = tx.send(p); })` with a
/// `std::sync::mpsc::Sender` or a Tokio `UnboundedSender`).
pub type PressHandler = Arc<dyn Fn(DesktopPress) + Send + Sync>;

/// What a platform reports when a notification ends, in a platform-neutral form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DesktopResponse {
    /// A button: its label (macOS) or action key (D-Bus).
    Action(String),
    /// The notification itself was clicked (macOS `Click`, D-Bus `"default"`).
    Clicked,
    /// Closed by the user (macOS close button, D-Bus `"__closed"`).
    Closed,
    /// Gone without an interaction (expired, auto-dismissed, or a reply we never asked for).
    Dismissed,
}

/// The buttons, in the order shown (the same as Telegram's). On macOS the first is the main
/// button and all four are in its drop-down; an accidental click on the main part snoozes
/// for an hour, the mildest choice.
pub const BUTTONS: [Action; 4] = [
    Action::Snooze1h,
    Action::Snooze4h,
    Action::Tomorrow,
    Action::GotIt,
];

/// Whether this system has a desktop to notify: on macOS always (osascript at least); on
/// Linux and the BSDs when `DBUS_SESSION_BUS_ADDRESS` names a session bus that answers and a
/// notification server is on it (bounded: at most ~2 s, immediate when the variable is unset
/// or its socket is missing); elsewhere never. Meant for start-up, to decide whether the
/// desktop recipient exists.
pub fn available() -> bool {
    #[cfg(target_os = "macos")]
    {
        true
    }
    #[cfg(all(unix, not(target_os = "macos")))]
    {
        linux::available()
    }
    #[cfg(not(unix))]
    {
        false
    }
}

/// [`available`], asked once per process (on Linux it is a D-Bus round trip): for the
/// cycle's choice of recipients.
pub fn available_once() -> bool {
    static AVAILABLE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *AVAILABLE.get_or_init(available)
}

/// The configured desktop notifier: `alerters.macos` enabled, on a system that has one.
/// Presses on its buttons go to `presses`.
pub fn notifier_for(config: &Config, presses: PressHandler) -> Option<Box<dyn Notifier>> {
    let desktop = &config.alerters.macos;
    if !desktop.enabled || !available() {
        return None;
    }
    #[cfg(target_os = "macos")]
    {
        Some(Box::new(macos::MacOs::new(&desktop.sound, presses)))
    }
    #[cfg(all(unix, not(target_os = "macos")))]
    {
        let _ = &desktop.sound; // freedesktop servers have no named system sounds
        Some(Box::new(linux::Dbus::new(presses)))
    }
    #[cfg(not(unix))]
    {
        let _ = presses;
        None
    }
}

/// The alert action a response stands for: a button, by its label or its D-Bus key. Clicks,
/// closes, dismissals and unknown buttons are no action.
pub fn action_for(response: &DesktopResponse) -> Option<Action> {
    match response {
        DesktopResponse::Action(name) => BUTTONS
            .into_iter()
            .find(|a| a.label() == name || action_key(*a) == name),
        DesktopResponse::Clicked | DesktopResponse::Closed | DesktopResponse::Dismissed => None,
    }
}

/// The D-Bus action key of a button (the freedesktop spec's action identifier).
pub fn action_key(action: Action) -> &'static str {
    match action {
        Action::Snooze1h => "snooze-1h",
        Action::Snooze4h => "snooze-4h",
        Action::Tomorrow => "tomorrow",
        Action::GotIt => "got-it",
        Action::Undo => "undo",
    }
}

impl DesktopResponse {
    /// What notify-rust's `wait_for_action` hands its closure: an action key, `"default"` for
    /// a click on the notification, `"__closed"` when it was closed.
    pub fn from_dbus_key(key: &str) -> DesktopResponse {
        match key {
            "default" => DesktopResponse::Clicked,
            "__closed" => DesktopResponse::Closed,
            other => DesktopResponse::Action(other.to_owned()),
        }
    }
}

/// Gives the press `response` stands for, if any, to `presses`. Returns whether it did.
pub fn report_press(presses: &PressHandler, keys: &[String], response: &DesktopResponse) -> bool {
    match action_for(response) {
        Some(action) if !keys.is_empty() => {
            presses(DesktopPress {
                keys: keys.to_vec(),
                action,
            });
            true
        }
        _ => false,
    }
}

/// What a desktop notification shows, the same on every platform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    /// "Operator: <title>".
    pub title: String,
    /// The priority, capitalised ("High").
    pub subtitle: String,
    /// The body lines, joined by newlines.
    pub body: String,
    /// The dedup keys of the alerts; buttons only when there are some.
    pub keys: Vec<String>,
}

impl Shown {
    /// Control characters other than newlines are dropped (tabs become spaces) and long
    /// texts cut, so any input is safe for every platform's API (a D-Bus string may hold no
    /// NUL).
    pub fn of(n: &Notification) -> Shown {
        Shown {
            title: clean(&format!("Operator: {}", n.title), MAX_TITLE_CHARS, false),
            subtitle: priority_label(n.priority).to_owned(),
            body: clean(&n.lines.join("\n"), MAX_BODY_CHARS, true),
            keys: n.dedup_keys().map(str::to_owned).collect(),
        }
    }

    /// Whether this notification gets buttons at all.
    pub fn has_buttons(&self) -> bool {
        !self.keys.is_empty()
    }
}

/// "High", "Critical", ….
pub fn priority_label(p: Priority) -> &'static str {
    match p {
        Priority::Info => "Info",
        Priority::Low => "Low",
        Priority::Medium => "Medium",
        Priority::High => "High",
        Priority::Critical => "Critical",
    }
}

/// Longest title and body kept (characters); a notification shows far less.
const MAX_TITLE_CHARS: usize = 256;
const MAX_BODY_CHARS: usize = 4096;

fn clean(s: &str, max_chars: usize, keep_newlines: bool) -> String {
    let mut out = String::with_capacity(s.len().min(max_chars));
    for c in s.chars().take(max_chars) {
        match c {
            '\n' if keep_newlines => out.push('\n'),
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::alert::Alert;
    use crate::pipeline::NotificationKind;

    fn notification(keys: &[&str]) -> Notification {
        Notification {
            priority: Priority::High,
            title: "Sleep score low".to_owned(),
            lines: vec!["Score 58".to_owned(), "3rd night".to_owned()],
            alerts: keys
                .iter()
                .map(|k| {
                    let mut a = Alert::new(
                        crate::alert::AlertClass::Health,
                        "x",
                        None,
                        Priority::High,
                        "t",
                        "m",
                        chrono::Utc::now(),
                    );
                    a.dedup_key = (*k).to_owned();
                    a
                })
                .collect(),
            kind: NotificationKind::Alert,
            back_from_snooze: None,
        }
    }

    /// Every shape either platform reports, and the action it means.
    #[test]
    fn maps_both_platforms_responses() {
        use DesktopResponse as R;
        let table: &[(R, Option<Action>)] = &[
            // mac-notification-sys: ActionButton(label) from the main button or drop-down.
            (R::Action("Snooze 1h".into()), Some(Action::Snooze1h)),
            (R::Action("Snooze 4h".into()), Some(Action::Snooze4h)),
            (R::Action("Tomorrow".into()), Some(Action::Tomorrow)),
            (R::Action("Got it".into()), Some(Action::GotIt)),
            // notify-rust: the action keys we registered.
            (R::from_dbus_key("snooze-1h"), Some(Action::Snooze1h)),
            (R::from_dbus_key("snooze-4h"), Some(Action::Snooze4h)),
            (R::from_dbus_key("tomorrow"), Some(Action::Tomorrow)),
            (R::from_dbus_key("got-it"), Some(Action::GotIt)),
            // Neither a click, a close, nor a dismissal acts on the alerts.
            (R::from_dbus_key("default"), None),
            (R::from_dbus_key("__closed"), None),
            (R::Clicked, None),
            (R::Closed, None),
            (R::Dismissed, None),
            // Unknown buttons and near misses are nothing.
            (R::Action(String::new()), None),
            (R::Action("snooze 1h".into()), None),
            (R::Action("Snooze 1h ".into()), None),
            (R::Action("Close".into()), None),
            (R::from_dbus_key(""), None),
            (R::from_dbus_key("got_it"), None),
        ];
        for (response, want) in table {
            assert_eq!(action_for(response), *want, "{response:?}");
        }
    }

    #[test]
    fn dbus_keys_convert() {
        assert_eq!(
            DesktopResponse::from_dbus_key("default"),
            DesktopResponse::Clicked
        );
        assert_eq!(
            DesktopResponse::from_dbus_key("__closed"),
            DesktopResponse::Closed
        );
        assert_eq!(
            DesktopResponse::from_dbus_key("x"),
            DesktopResponse::Action("x".into())
        );
    }

    #[test]
    fn every_button_round_trips_by_label_and_key() {
        for a in BUTTONS {
            assert_eq!(
                action_for(&DesktopResponse::Action(a.label().into())),
                Some(a)
            );
            assert_eq!(
                action_for(&DesktopResponse::from_dbus_key(action_key(a))),
                Some(a)
            );
            // The macOS drop-down is a comma-separated list inside mac-notification-sys.
            assert!(!a.label().contains(','), "{a:?}");
        }
    }

    #[test]
    fn reports_a_press_with_the_keys() {
        let got = Arc::new(Mutex::new(Vec::new()));
        let sink = got.clone();
        let presses: PressHandler = Arc::new(move |p| sink.lock().unwrap().push(p));
        let keys = vec!["health:sleep".to_owned(), "health:hrv".to_owned()];

        assert!(report_press(
            &presses,
            &keys,
            &DesktopResponse::Action("Got it".into())
        ));
        assert!(!report_press(&presses, &keys, &DesktopResponse::Closed));
        // No keys, no press (the "+N more" notification).
        assert!(!report_press(
            &presses,
            &[],
            &DesktopResponse::Action("Got it".into())
        ));
        assert_eq!(
            *got.lock().unwrap(),
            vec![DesktopPress {
                keys,
                action: Action::GotIt
            }]
        );
    }

    #[test]
    fn shows_title_priority_body_and_keys() {
        let s = Shown::of(&notification(&["health:sleep"]));
        assert_eq!(s.title, "Operator: Sleep score low");
        assert_eq!(s.subtitle, "High");
        assert_eq!(s.body, "Score 58\n3rd night");
        assert_eq!(s.keys, vec!["health:sleep".to_owned()]);
        assert!(s.has_buttons());
        assert!(!Shown::of(&notification(&[])).has_buttons());
    }

    #[test]
    fn cleans_any_input() {
        let mut n = notification(&[]);
        n.title = "a\nb\0c\u{7}\t☕".to_owned();
        n.lines = vec!["x\0y".to_owned(), "z\r\tw".to_owned(), "x".repeat(10_000)];
        let s = Shown::of(&n);
        assert_eq!(s.title, "Operator: a bc ☕");
        assert!(s.body.starts_with("xy\nz  w\nxxx"));
        // Cut to the limit, then the NUL dropped.
        assert_eq!(s.body.chars().count(), MAX_BODY_CHARS - 1);
        assert!(!s.body.contains('\0') && !s.title.contains('\0'));
        // Multi-byte characters are cut on a character boundary.
        n.title = "é".repeat(1000);
        assert_eq!(Shown::of(&n).title.chars().count(), MAX_TITLE_CHARS);
    }

    #[test]
    fn priority_labels() {
        assert_eq!(priority_label(Priority::Info), "Info");
        assert_eq!(priority_label(Priority::Critical), "Critical");
    }
}
