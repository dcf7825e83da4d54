//! macOS: native notifications through `mac-notification-sys` (NSUserNotificationCenter, via
//! its Objective-C shim), with the alert buttons, falling back to `osascript` when the native
//! path fails.
//!
//! How it behaves, and why:
//! - **Bundle identifier.** NSUserNotificationCenter only serves a process with a bundle
//!   identifier; a bare binary run by launchd has none. mac-notification-sys swizzles
//!   `NSBundle.bundleIdentifier` to one we name ([`DEFAULT_BUNDLE_ID`], Terminal's), which must
//!   be an installed app that still uses the legacy notification API (newer macOS silently
//!   drops notifications "from" apps that moved to UNUserNotificationCenter). We set it
//!   ourselves, once, before the first send: left unset, the crate would look one up by
//!   running an AppleScript. The notifications carry that app's name, icon and notification
//!   settings (the user must allow Terminal's notifications), and a click on the body
//!   brings that app forward.
//! - **Threads.** `notify()` starts a thread for the notification and returns. That thread
//!   makes the native call (and waits for a button, see below), or runs `osascript` when the
//!   native call fails: setting the bundle identifier failed, the call returned an error, or it
//!   panicked. A press is handed to the [`PressHandler`] from that thread.
//! - **Buttons need the main run loop.** The crate delivers a notification's response on the
//!   main thread's run loop. Operator's main thread runs Tokio, not a Cocoa run loop, so unless
//!   the app calls [`run_main_loop`] on its main thread, no response would ever arrive and a
//!   thread waiting for one would wait forever. So buttons are shown only while
//!   [`run_main_loop`] runs; otherwise notifications are sent without buttons
//!   (fire-and-forget: the thread ends after the crate's own delivery wait, at most ~2 s).
//! - **Bounded waits.** A notification with buttons keeps its thread until the user answers
//!   or it leaves Notification Center, which may be never (the crate has no timeout). At most
//!   [`MAX_WAITING`] such threads exist; past that, notifications are sent without buttons.
//!
//! Not covered by the fallback: a notification macOS accepts and then drops (notifications
//! turned off for the app named by the bundle identifier, Focus mode) reports no error.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use mac_notification_sys::error::{ApplicationError, Error as MacError};
use mac_notification_sys::{MainButton, NotificationResponse};
use objc2::MainThreadMarker;
use objc2_foundation::{NSDate, NSRunLoop};

use super::{BUTTONS, DesktopResponse, Notifier, PressHandler, Shown, osascript, report_press};
use crate::pipeline::Notification;

/// The bundle identifier notifications are sent as: Terminal's, the crate's own fallback,
/// installed on every Mac and still a legacy NSUserNotification client.
pub const DEFAULT_BUNDLE_ID: &str = "com.apple.Terminal";

/// Most notifications waiting for a button at once (each holds a parked thread).
pub const MAX_WAITING: usize = 8;

/// The label of the close button ("no action").
const CLOSE_LABEL: &str = "Close";

/// Native macOS notifications with buttons; `osascript` when the native call fails.
pub struct MacOs {
    sound: String,
    bundle_id: String,
    presses: PressHandler,
    waiting: Arc<AtomicUsize>,
    /// Set once the first native failure was logged at `warn` (later ones at `debug`).
    failure_logged: Arc<AtomicBool>,
}

impl MacOs {
    /// A notifier playing `sound` (a system sound name, "" for none), sending as
    /// [`DEFAULT_BUNDLE_ID`], giving presses to `presses`.
    pub fn new(sound: &str, presses: PressHandler) -> MacOs {
        MacOs {
            sound: sound.to_owned(),
            bundle_id: DEFAULT_BUNDLE_ID.to_owned(),
            presses,
            waiting: Arc::new(AtomicUsize::new(0)),
            failure_logged: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Sends as another installed app (for example `com.apple.Finder`). Only the first
    /// identifier a process uses takes effect: the crate sets it once per process.
    pub fn with_bundle_id(mut self, bundle_id: &str) -> MacOs {
        self.bundle_id = bundle_id.to_owned();
        self
    }
}

impl Notifier for MacOs {
    fn notify(&self, n: &Notification) -> Result<(), String> {
        let shown = Shown::of(n);
        // A slot for a thread that waits for a button, if buttons make sense now.
        let slot = (shown.has_buttons() && main_loop_running())
            .then(|| WaitSlot::take(&self.waiting))
            .flatten();
        let job = Job {
            shown,
            sound: self.sound.clone(),
            bundle_id: self.bundle_id.clone(),
            presses: self.presses.clone(),
            failure_logged: self.failure_logged.clone(),
            slot,
        };
        thread::Builder::new()
            .name("desktop-notify".to_owned())
            .spawn(move || job.run())
            .map(drop)
            .map_err(|e| format!("cannot start the desktop notification thread: {e}"))
    }
}

/// Runs the main thread's run loop until `stop` is set, so that the responses to
/// notifications (delivered there by the crate) arrive and buttons can be offered. Call it
/// on the main thread, with Tokio and everything else on other threads; returns at once with
/// `Err` on any other thread. Returns within ~0.25 s of `stop` being set.
pub fn run_main_loop(stop: &AtomicBool) -> Result<(), String> {
    if MainThreadMarker::new().is_none() {
        return Err("run_main_loop must be called on the main thread".to_owned());
    }
    let run_loop = NSRunLoop::mainRunLoop();
    MAIN_LOOP.store(true, Ordering::SeqCst);
    while !stop.load(Ordering::SeqCst) {
        let started = Instant::now();
        run_loop.runUntilDate(&NSDate::dateWithTimeIntervalSinceNow(0.25));
        // A run loop with nothing to wait on returns at once; never spin.
        if started.elapsed() < Duration::from_millis(10) {
            thread::sleep(Duration::from_millis(50));
        }
    }
    MAIN_LOOP.store(false, Ordering::SeqCst);
    Ok(())
}

/// What mac-notification-sys reports, in the platform-neutral form.
impl From<NotificationResponse> for DesktopResponse {
    fn from(r: NotificationResponse) -> DesktopResponse {
        match r {
            NotificationResponse::ActionButton(label) => DesktopResponse::Action(label),
            NotificationResponse::CloseButton(_) => DesktopResponse::Closed,
            NotificationResponse::Click => DesktopResponse::Clicked,
            // We never ask for a reply; `None` is an auto-dismissal.
            NotificationResponse::Reply(_) | NotificationResponse::None => {
                DesktopResponse::Dismissed
            }
        }
    }
}

/// Whether [`run_main_loop`] is running.
static MAIN_LOOP: AtomicBool = AtomicBool::new(false);

fn main_loop_running() -> bool {
    MAIN_LOOP.load(Ordering::SeqCst)
}

/// One of the [`MAX_WAITING`] places for a thread waiting on a button; freed on drop (also
/// when the thread panics).
struct WaitSlot(Arc<AtomicUsize>);

impl WaitSlot {
    fn take(waiting: &Arc<AtomicUsize>) -> Option<WaitSlot> {
        waiting
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n < MAX_WAITING).then_some(n + 1)
            })
            .ok()
            .map(|_| WaitSlot(waiting.clone()))
    }
}

impl Drop for WaitSlot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// One notification, on its own thread.
struct Job {
    shown: Shown,
    sound: String,
    bundle_id: String,
    presses: PressHandler,
    failure_logged: Arc<AtomicBool>,
    /// Present when this notification offers buttons and waits for one.
    slot: Option<WaitSlot>,
}

impl Job {
    fn run(self) {
        match self.native() {
            Ok(response) => {
                let response = DesktopResponse::from(response);
                if report_press(&self.presses, &self.shown.keys, &response) {
                    tracing::debug!(?response, "desktop notification button pressed");
                }
            }
            Err(e) => {
                if self.failure_logged.swap(true, Ordering::SeqCst) {
                    tracing::debug!("native notification failed ({e}); using osascript");
                } else {
                    tracing::warn!("native notification failed ({e}); using osascript");
                }
                let body = if self.shown.subtitle.is_empty() {
                    self.shown.body.clone()
                } else {
                    format!("{}: {}", self.shown.subtitle, self.shown.body)
                };
                // `applescript_notification` adds "Operator: " itself.
                let title = self
                    .shown
                    .title
                    .strip_prefix("Operator: ")
                    .unwrap_or(&self.shown.title);
                if let Err(e) = osascript::show(title, &body, &self.sound) {
                    tracing::warn!("desktop notification not shown: {e}");
                }
            }
        }
        drop(self.slot);
    }

    /// The native notification; with buttons (waiting for the answer) when this job holds a
    /// wait slot, else fire-and-forget.
    fn native(&self) -> Result<NotificationResponse, String> {
        ensure_bundle_id(&self.bundle_id)?;
        let labels = BUTTONS.map(|a| a.label());
        let sent = catch_unwind(AssertUnwindSafe(|| {
            let mut n = mac_notification_sys::Notification::new();
            n.title(&self.shown.title)
                .subtitle(&self.shown.subtitle)
                .message(&self.shown.body);
            if !self.sound.is_empty() {
                n.sound(self.sound.as_str());
            }
            if self.slot.is_some() {
                n.main_button(MainButton::DropdownActions(labels[0], &labels))
                    .close_button(CLOSE_LABEL);
            } else {
                n.asynchronous(true);
            }
            n.send()
        }));
        match sent {
            Ok(Ok(response)) => Ok(response),
            Ok(Err(e)) => Err(e.to_string()),
            Err(_) => Err("mac-notification-sys panicked".to_owned()),
        }
    }
}

/// Sets the bundle identifier once per process; later calls give the first outcome. Another
/// part of the process having set one already counts as set.
fn ensure_bundle_id(bundle_id: &str) -> Result<(), String> {
    static SET: OnceLock<Result<(), String>> = OnceLock::new();
    SET.get_or_init(
        || match catch_unwind(|| mac_notification_sys::set_application(bundle_id)) {
            Ok(Ok(())) | Ok(Err(MacError::Application(ApplicationError::AlreadySet(_)))) => Ok(()),
            Ok(Err(e)) => Err(format!("bundle identifier {bundle_id}: {e}")),
            Err(_) => Err("mac-notification-sys panicked setting the bundle identifier".into()),
        },
    )
    .clone()
}
