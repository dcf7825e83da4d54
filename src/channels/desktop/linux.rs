//! Linux and the BSDs: the freedesktop notification service over the D-Bus session bus, with
//! notify-rust on zbus (pure Rust, on Tokio), and the alert buttons when the notification
//! server offers actions.
//!
//! - **No session bus**, known at once: `DBUS_SESSION_BUS_ADDRESS` unset or empty, or naming
//!   only `unix:path=` sockets that do not exist. `notify()` then returns `Err` at once
//!   without starting anything, and logs it once (not per notification). zbus's own fallback
//!   to `$XDG_RUNTIME_DIR/bus` is deliberately not used: no variable, no desktop.
//! - **Threads.** The first `notify()` starts one thread of the notifier's own, running a
//!   single-threaded Tokio runtime; each notification is a task there: ask the server's
//!   capabilities, subscribe to its signals (with buttons), show, and wait for the answer.
//!   `notify()` only queues.
//!   A bus that cannot be reached, or has no notification server, is logged once until it
//!   works again.
//! - **Bounded waits.** Every D-Bus call has [`CALL_TIMEOUT`]; the wait for a button
//!   [`ACTION_WAIT`]; at most [`MAX_WAITING`] notifications wait at once (the oldest wait is
//!   dropped for a new one). Dropping the notifier ends the thread and every wait.
//!
//! Why this file is long: the probe, the worker thread and each notification's bounded
//! conversation (capabilities, subscribe before show, the answer) share the connection and
//! its time limits; split, each part would lean on the others' details.

use std::collections::VecDeque;
use std::ffi::{OsStr, OsString};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::Duration;

use futures_lite::StreamExt;
use notify_rust::{NotificationResponse, Urgency};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tokio::task::AbortHandle;
use tokio::time::timeout;

use super::bus_address::{AddressSource, SessionBus, session_bus};
use super::{BUTTONS, DesktopResponse, Notifier, PressHandler, Shown, action_key, report_press};
use crate::alert::Priority;
use crate::pipeline::Notification;

/// The longest any one D-Bus step may take (connect, ask, show, close).
pub const CALL_TIMEOUT: Duration = Duration::from_secs(5);

/// The longest [`available()`] takes (a bus that accepts and never answers).
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// How long a notification with buttons is watched for a press.
pub const ACTION_WAIT: Duration = Duration::from_secs(8 * 3600);

/// Most notifications watched for a press at once (each holds a D-Bus connection).
pub const MAX_WAITING: usize = 16;

/// The notification service's well-known name, object and interface.
const SERVICE: &str = "org.freedesktop.Notifications";
const OBJECT: &str = "/org/freedesktop/Notifications";

/// Desktop notifications over D-Bus; see the module doc.
pub struct Dbus {
    presses: PressHandler,
    /// Where the session bus address comes from (the process environment, or a fixed value
    /// in tests).
    address: AddressSource,
    /// Queue to the worker thread, started by the first notification that can be shown.
    queue: Mutex<Option<UnboundedSender<Job>>>,
    /// Set while "no session bus" / "bus unreachable" has been logged and not yet recovered.
    skip_logged: Arc<AtomicBool>,
}

impl Dbus {
    /// A notifier on the session bus named by `DBUS_SESSION_BUS_ADDRESS`, giving presses to
    /// `presses`.
    pub fn new(presses: PressHandler) -> Dbus {
        Dbus::with_address(presses, AddressSource::Environment)
    }

    fn with_address(presses: PressHandler, address: AddressSource) -> Dbus {
        Dbus {
            presses,
            address,
            queue: Mutex::new(None),
            skip_logged: Arc::new(AtomicBool::new(false)),
        }
    }
}

impl Notifier for Dbus {
    fn notify(&self, n: &Notification) -> Result<(), String> {
        if let SessionBus::Absent(why) = session_bus(self.address.get().as_deref()) {
            if !self.skip_logged.swap(true, Ordering::SeqCst) {
                tracing::info!("desktop notifications skipped: {why}");
            }
            return Err(format!("desktop notifications skipped: {why}"));
        }
        let job = Job {
            shown: Shown::of(n),
            urgency: urgency(n.priority),
        };
        let mut queue = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        let job = match queue.as_ref() {
            Some(tx) => match tx.send(job) {
                Ok(()) => return Ok(()),
                // The worker is gone (it could not build its runtime): start a new one.
                Err(returned) => returned.0,
            },
            None => job,
        };
        let tx = start_worker(
            self.address.clone(),
            self.presses.clone(),
            self.skip_logged.clone(),
        )?;
        tx.send(job)
            .map_err(|_| "the desktop notification thread stopped".to_owned())?;
        *queue = Some(tx);
        Ok(())
    }
}

/// Whether a notification server answers on the session bus named by
/// `DBUS_SESSION_BUS_ADDRESS`: false at once when the variable is unset or its socket is
/// missing, else after connecting and one D-Bus call (a few milliseconds), bounded by
/// [`PROBE_TIMEOUT`] when the bus does not answer.
pub fn available() -> bool {
    available_at(AddressSource::Environment.get().as_deref())
}

/// What notify-rust reports, in the platform-neutral form (through the same keys its
/// `wait_for_action` gives: `"default"`, `"__closed"` or the action key).
impl From<&NotificationResponse> for DesktopResponse {
    fn from(r: &NotificationResponse) -> DesktopResponse {
        match r {
            NotificationResponse::Default => DesktopResponse::from_dbus_key("default"),
            NotificationResponse::Action(key) => DesktopResponse::from_dbus_key(key),
            NotificationResponse::Closed(_) => DesktopResponse::from_dbus_key("__closed"),
            // XDG has no replies.
            NotificationResponse::Reply(_) => DesktopResponse::Dismissed,
        }
    }
}

fn available_at(address: Option<&OsStr>) -> bool {
    let address = address.map(OsStr::to_os_string);
    if let SessionBus::Absent(why) = session_bus(address.as_deref()) {
        tracing::debug!("no desktop notifications: {why}");
        return false;
    }
    // On a thread of its own, so that a caller inside a Tokio runtime is fine, and so that a
    // hung connect cannot outlive the bound.
    let (tx, rx) = mpsc::channel();
    let probe = thread::Builder::new()
        .name("desktop-probe".to_owned())
        .spawn(move || {
            let connected = runtime().and_then(|rt| rt.block_on(connect(address)));
            let _ = tx.send(connected.map(drop));
        });
    if let Err(e) = probe {
        tracing::debug!("no desktop notifications: cannot start a thread: {e}");
        return false;
    }
    // The probe thread ends on its own within CALL_TIMEOUT.
    match rx.recv_timeout(PROBE_TIMEOUT) {
        Ok(Ok(_)) => true,
        Ok(Err(e)) => {
            tracing::debug!("no desktop notifications: {e}");
            false
        }
        Err(_) => {
            tracing::debug!("no desktop notifications: the session bus did not answer");
            false
        }
    }
}

/// The D-Bus urgency of a priority: critical ones should not expire on their own.
fn urgency(p: Priority) -> Urgency {
    match p {
        Priority::Critical => Urgency::Critical,
        Priority::High | Priority::Medium => Urgency::Normal,
        Priority::Low | Priority::Info => Urgency::Low,
    }
}

/// The body as sent: escaped for servers that read markup (the spec's subset of HTML), so
/// `<`, `>` and `&` in alert text show as themselves.
fn dbus_body(shown: &Shown, markup: bool) -> String {
    let body = format!("{}\n{}", shown.subtitle, shown.body);
    if !markup {
        return body;
    }
    let mut out = String::with_capacity(body.len());
    for c in body.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// One notification for the worker.
#[derive(Debug, Clone)]
struct Job {
    shown: Shown,
    urgency: Urgency,
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .map_err(|e| format!("cannot build the D-Bus runtime: {e}"))
}

fn start_worker(
    address: AddressSource,
    presses: PressHandler,
    skip_logged: Arc<AtomicBool>,
) -> Result<UnboundedSender<Job>, String> {
    let (tx, rx) = unbounded_channel();
    thread::Builder::new()
        .name("desktop-notify".to_owned())
        .spawn(move || match runtime() {
            Ok(rt) => rt.block_on(worker(rx, address, presses, skip_logged)),
            Err(e) => tracing::warn!("desktop notifications stopped: {e}"),
        })
        .map_err(|e| format!("cannot start the desktop notification thread: {e}"))?;
    Ok(tx)
}

/// Runs until the notifier (the queue's sender) is dropped; then every wait ends with it.
async fn worker(
    mut rx: UnboundedReceiver<Job>,
    address: AddressSource,
    presses: PressHandler,
    skip_logged: Arc<AtomicBool>,
) {
    let mut waiting: VecDeque<AbortHandle> = VecDeque::new();
    while let Some(job) = rx.recv().await {
        waiting.retain(|h| !h.is_finished());
        while waiting.len() >= MAX_WAITING {
            if let Some(oldest) = waiting.pop_front() {
                oldest.abort();
            }
        }
        let task = tokio::spawn(show(
            job,
            address.get(),
            presses.clone(),
            skip_logged.clone(),
        ));
        waiting.push_back(task.abort_handle());
    }
    for h in waiting {
        h.abort();
    }
}

/// Shows one notification and, when it has buttons and the server offers actions, waits for
/// the answer.
async fn show(
    job: Job,
    address: Option<OsString>,
    presses: PressHandler,
    skip_logged: Arc<AtomicBool>,
) {
    let (connection, caps) = match connect(address).await {
        Ok(ok) => {
            if skip_logged.swap(false, Ordering::SeqCst) {
                tracing::info!("desktop notifications: the session bus answers again");
            }
            ok
        }
        Err(e) => {
            if !skip_logged.swap(true, Ordering::SeqCst) {
                tracing::info!("desktop notifications skipped: {e}");
            }
            return;
        }
    };
    let has = |c: &str| caps.iter().any(|x| x == c);
    let buttons = job.shown.has_buttons() && has("actions");
    // Subscribed before the notification exists, so no answer can come before we listen.
    let mut signals = None;
    if buttons {
        match timeout(CALL_TIMEOUT, subscribe(&connection)).await {
            Ok(Ok(stream)) => signals = Some(stream),
            Ok(Err(e)) => tracing::warn!("desktop notification buttons unavailable: {e}"),
            Err(_) => tracing::warn!("desktop notification buttons unavailable: no answer"),
        }
    }

    let mut n = notify_rust::Notification::new();
    n.appname("Operator")
        .summary(&job.shown.title)
        .body(&dbus_body(&job.shown, has("body-markup")))
        .urgency(job.urgency);
    if signals.is_some() {
        for a in BUTTONS {
            n.action(action_key(a), a.label());
        }
    }
    // notify-rust sends on a connection of its own (to the bus `DBUS_SESSION_BUS_ADDRESS`
    // names, as ours outside tests), kept (in `handle`) while we wait: some servers drop a
    // notification's actions when its sender disconnects.
    let handle = match timeout(CALL_TIMEOUT, n.show_async()).await {
        Ok(Ok(handle)) => handle,
        Ok(Err(e)) => {
            tracing::warn!("desktop notification not shown: {e}");
            return;
        }
        Err(_) => {
            tracing::warn!("desktop notification not shown: the server did not answer");
            return;
        }
    };
    let id = handle.id();
    tracing::debug!(
        id,
        buttons = signals.is_some(),
        "desktop notification shown"
    );
    let Some(mut signals) = signals else {
        return;
    };
    match timeout(ACTION_WAIT, answer(&mut signals, id)).await {
        Ok(Some(response)) => {
            let response = DesktopResponse::from(&response);
            if report_press(&presses, &job.shown.keys, &response) {
                tracing::debug!(id, ?response, "desktop notification button pressed");
            }
        }
        Ok(None) => tracing::debug!(id, "the session bus went away before an answer"),
        Err(_) => {
            // Nobody answered in time: take the buttons away with the notification.
            let _ = timeout(CALL_TIMEOUT, handle.close_async()).await;
        }
    }
}

/// A connection to the session bus at `address` and the notification server's capabilities
/// (`GetCapabilities`); fails when the bus cannot be reached in time or has no notification
/// server.
async fn connect(address: Option<OsString>) -> Result<(zbus::Connection, Vec<String>), String> {
    let address = address
        .and_then(|a| a.into_string().ok())
        .unwrap_or_default();
    let call = async {
        let connection = zbus::connection::Builder::address(address.as_str())
            .build()
            .await
            .map_err(|e| format!("cannot connect to the session bus: {e}"))?;
        let reply = connection
            .call_method(Some(SERVICE), OBJECT, Some(SERVICE), "GetCapabilities", &())
            .await
            .map_err(|e| format!("no notification server on the session bus: {e}"))?;
        let caps = reply
            .body()
            .deserialize::<Vec<String>>()
            .map_err(|e| format!("unexpected GetCapabilities reply: {e}"))?;
        Ok((connection, caps))
    };
    timeout(CALL_TIMEOUT, call)
        .await
        .unwrap_or_else(|_| Err("the session bus did not answer in time".to_owned()))
}

/// The notification service's signals (`ActionInvoked`, `NotificationClosed`) on
/// `connection`, from now on.
async fn subscribe(connection: &zbus::Connection) -> Result<zbus::MessageStream, String> {
    let rule = zbus::MatchRule::builder()
        .msg_type(zbus::message::Type::Signal)
        .interface(SERVICE)
        .path(OBJECT)
        .build()
        .map_err(|e| e.to_string())?;
    zbus::MessageStream::for_match_rule(rule, connection, None)
        .await
        .map_err(|e| e.to_string())
}

/// The first answer about notification `id`, in notify-rust's terms (as its own
/// `wait_for_action` reads it); `None` when the stream ends. Signals about other
/// notifications, ours or other programs', are skipped.
///
/// Not notify-rust's `wait_for_action`: in 4.19 it makes a new message stream for every
/// signal it reads, and a signal arriving between two streams is lost, so with a few
/// notifications waiting at once most presses went missing (seen with scripts/fake_notifyd.py).
async fn answer(signals: &mut zbus::MessageStream, id: u32) -> Option<NotificationResponse> {
    while let Some(msg) = signals.next().await {
        let Ok(msg) = msg else { continue };
        let header = msg.header();
        match header.member().map(|m| m.as_str()) {
            Some("ActionInvoked") => {
                if let Ok((nid, key)) = msg.body().deserialize::<(u32, String)>()
                    && nid == id
                {
                    return Some(if key == "default" {
                        NotificationResponse::Default
                    } else {
                        NotificationResponse::Action(key)
                    });
                }
            }
            Some("NotificationClosed") => {
                if let Ok((nid, reason)) = msg.body().deserialize::<(u32, u32)>()
                    && nid == id
                {
                    return Some(NotificationResponse::Closed(reason.into()));
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};
    use std::time::Instant;

    use super::*;
    use crate::alert::Alert;
    use crate::pipeline::NotificationKind;

    fn missing_socket() -> OsString {
        let dir = std::env::temp_dir().join(format!("no-such-dir-{}", std::process::id()));
        OsString::from(format!("unix:path={}/bus", dir.display()))
    }

    fn notification() -> Notification {
        Notification {
            priority: Priority::High,
            title: "T".into(),
            lines: vec!["a < b & c".into()],
            alerts: vec![{
                let mut a = Alert::new(
                    crate::alert::AlertClass::Health,
                    "x",
                    None,
                    Priority::High,
                    "t",
                    "m",
                    chrono::Utc::now(),
                );
                a.dedup_key = "k".into();
                a
            }],
            kind: NotificationKind::Alert,
            back_from_snooze: None,
        }
    }

    /// Captures what `tracing` writes on this thread.
    #[derive(Clone, Default)]
    struct Log(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Log {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn reads_session_bus_addresses() {
        assert!(matches!(session_bus(None), SessionBus::Absent(_)));
        assert!(matches!(
            session_bus(Some(OsStr::new(""))),
            SessionBus::Absent(_)
        ));
        assert!(matches!(
            session_bus(Some(OsStr::new(" ; "))),
            SessionBus::Absent(_)
        ));
        assert!(matches!(
            session_bus(Some(&missing_socket())),
            SessionBus::Absent(_)
        ));
        // An existing path (any file will do for the check), escaped or not.
        let here = std::env::temp_dir();
        let plain = format!("unix:path={}", here.display());
        assert_eq!(session_bus(Some(OsStr::new(&plain))), SessionBus::Maybe);
        let escaped = format!("unix:path={}", here.display()).replace('/', "%2f");
        assert_eq!(session_bus(Some(OsStr::new(&escaped))), SessionBus::Maybe);
        // A missing socket first, then one that exists.
        let both = format!("{};{plain}", missing_socket().to_string_lossy());
        assert_eq!(session_bus(Some(OsStr::new(&both))), SessionBus::Maybe);
        // Other transports are for the connection to judge.
        for other in [
            "unix:abstract=/tmp/dbus-x,guid=0123",
            "tcp:host=localhost,port=1",
            "unix:dir=/tmp",
        ] {
            assert_eq!(session_bus(Some(OsStr::new(other))), SessionBus::Maybe);
        }
        // Malformed escapes never panic.
        for bad in [
            "unix:path=%",
            "unix:path=%zz",
            "unix:path=%c3",
            "unix:path=%e2%82",
        ] {
            assert!(matches!(
                session_bus(Some(OsStr::new(bad))),
                SessionBus::Maybe | SessionBus::Absent(_)
            ));
        }
    }

    #[test]
    fn unavailable_without_a_bus_and_fast() {
        for address in [None, Some(missing_socket())] {
            let started = Instant::now();
            assert!(!available_at(address.as_deref()));
            assert!(started.elapsed() < Duration::from_millis(50), "{address:?}");
        }
    }

    /// A bus socket that accepts connections and never answers: `available()` gives up after
    /// PROBE_TIMEOUT, and `notify()` (which only queues) returns at once.
    #[test]
    fn a_hung_bus_is_bounded() {
        let dir = std::env::temp_dir().join(format!("hung-bus-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let socket = dir.join("bus");
        let _ = std::fs::remove_file(&socket);
        let listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
        let address = OsString::from(format!("unix:path={}", socket.display()));

        let started = Instant::now();
        assert!(!available_at(Some(&address)));
        let took = started.elapsed();
        assert!(
            took >= PROBE_TIMEOUT && took < PROBE_TIMEOUT + Duration::from_millis(500),
            "{took:?}"
        );

        let presses: PressHandler = Arc::new(|_| {});
        let notifier = Dbus::with_address(presses, AddressSource::Fixed(Some(address)));
        let started = Instant::now();
        assert_eq!(notifier.notify(&notification()), Ok(()));
        assert!(started.elapsed() < Duration::from_millis(50));
        drop(notifier);
        drop(listener);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn notify_without_a_bus_skips_at_once_and_logs_once() {
        for address in [None, Some(missing_socket())] {
            let log = Log::default();
            let writer = log.clone();
            let subscriber = tracing_subscriber::fmt()
                .with_writer(move || writer.clone())
                .with_ansi(false)
                .finish();
            let presses: PressHandler = Arc::new(|_| {});
            let notifier = Dbus::with_address(presses, AddressSource::Fixed(address.clone()));
            tracing::subscriber::with_default(subscriber, || {
                for _ in 0..5 {
                    let started = Instant::now();
                    let e = notifier.notify(&notification()).unwrap_err();
                    assert!(e.starts_with("desktop notifications skipped"), "{e}");
                    assert!(started.elapsed() < Duration::from_millis(50));
                }
            });
            let text = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
            assert_eq!(text.lines().count(), 1, "{text}");
            assert!(text.contains("desktop notifications skipped"), "{text}");
            // No worker was started.
            assert!(notifier.queue.lock().unwrap().is_none());
        }
    }

    #[test]
    fn converts_notify_rust_responses() {
        use notify_rust::CloseReason;
        assert_eq!(
            DesktopResponse::from(&NotificationResponse::Default),
            DesktopResponse::Clicked
        );
        assert_eq!(
            DesktopResponse::from(&NotificationResponse::Action("got-it".into())),
            DesktopResponse::Action("got-it".into())
        );
        for reason in [
            CloseReason::Expired,
            CloseReason::Dismissed,
            CloseReason::CloseAction,
            CloseReason::Other(9),
        ] {
            assert_eq!(
                DesktopResponse::from(&NotificationResponse::Closed(reason)),
                DesktopResponse::Closed
            );
        }
        assert_eq!(
            DesktopResponse::from(&NotificationResponse::Reply("x".into())),
            DesktopResponse::Dismissed
        );
    }

    #[test]
    fn escapes_the_body_only_for_markup_servers() {
        let shown = Shown::of(&notification());
        assert_eq!(dbus_body(&shown, false), "High\na < b & c");
        assert_eq!(dbus_body(&shown, true), "High\na &lt; b &amp; c");
    }

    #[test]
    fn urgencies() {
        assert_eq!(urgency(Priority::Critical), Urgency::Critical);
        assert_eq!(urgency(Priority::High), Urgency::Normal);
        assert_eq!(urgency(Priority::Info), Urgency::Low);
    }
}
