//! The engine of the `command` probe (and of `process` where it runs `ps`): runs a program
//! without a shell and watches it until it exits or the deadline passes.
//!
//! Why this file is long: spawning, reading both pipes and ending a program are one protocol
//! (each ending has to know what the readers and the process group are doing); split, the
//! invariants would live in two files.
//!
//! Owns spawning (no shell; `argv[0]` looked up on `PATH`; stdin from `/dev/null`; only
//! [`PASSED_ENV`] from the parent's environment; a process group of its own), reading its
//! output on threads without ever waiting for it past the deadline, and ending it:
//!
//! - **It exits before the deadline.** The exit is seen with `waitid(WNOWAIT)`, which leaves
//!   the program a zombie: its pid, which is also its group's id, cannot be reused yet, so
//!   whatever it left running in its group (`sh -c 'helper & …'`) is killed with one
//!   `SIGKILL` to the group; then it is reaped.
//! - **The deadline passes** (or the expected text was seen while it still runs): `SIGKILL`
//!   to the whole group while the program is still unreaped (same reasoning; if the group
//!   kill is refused, the program alone is killed), then it is reaped, waiting at most
//!   [`REAP_GRACE`]; one stuck in uninterruptible sleep is handed to a thread that reaps it
//!   whenever it dies, so no zombie stays behind.
//!
//! Limits: a helper that left the group (`setsid`, `setpgid`: daemons do, e.g. a tmux server
//! or `tailscaled`) is not killed. If it holds an output pipe open, reading stops at the
//! deadline and that pipe's reader thread stays blocked until the helper closes it (one
//! thread and an 8 KiB buffer). Were `waitid` refused, the exit is seen by reaping instead and
//! leftovers are then not killed, as the group's id could in principle be reused. The
//! program's exit is polled (1 ms, doubling to 20 ms), not signalled.

use std::fmt;
use std::io::{self, ErrorKind, Read};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::mpsc::{self, Sender};
use std::thread;
use std::time::{Duration, Instant};

use rustix::process::{Pid, Signal, WaitId, WaitIdOptions, WaitIdStatus};

use super::{PASSED_ENV, backticked};

/// What to do with the program's output.
pub(super) enum Capture {
    /// Nothing: stdout and stderr go to `/dev/null`.
    Nothing,
    /// Look for these bytes in stdout and in stderr (each on its own, in full, keeping only
    /// a needle-sized tail in memory).
    Search(Vec<u8>),
    /// Keep stdout up to this many bytes (stderr goes to `/dev/null`); the rest is read and
    /// dropped so the program never blocks on a full pipe.
    Collect(usize),
}

/// What became of a program.
pub(super) struct Run {
    pub ending: Ending,
    /// `Capture::Search`: the text was seen.
    pub found: bool,
    /// `Capture::Collect`: stdout, up to the limit.
    pub output: Vec<u8>,
    /// `Capture::Collect`: stdout went past the limit.
    pub truncated: bool,
    /// Every output pipe reached its end before the deadline.
    pub complete: bool,
}

/// How a program ended.
pub(super) enum Ending {
    /// On its own, before the deadline.
    Exited(Exit),
    /// Killed by us: at the deadline, or once the expected text was seen ([`Run::found`]).
    /// `killed` is false if it was still there after the kill and [`REAP_GRACE`].
    Stopped { killed: bool },
}

/// A program's exit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Exit {
    Code(i32),
    Signal(i32),
    Unknown,
}

/// Runs `argv` until it exits or `deadline`, whichever comes first; `Err` is the reason it
/// could not be started. Returns by `deadline` plus at most [`REAP_GRACE`].
pub(super) fn run(argv: &[String], capture: Capture, deadline: Instant) -> Result<Run, String> {
    let mut child = spawn(argv, &capture)?;
    let pid = Pid::from_child(&child);

    // `tx` stays alive to the end so that `recv_timeout` waits even with no reader.
    let (tx, rx) = mpsc::channel();
    let mut seen = Seen::default();
    match start_readers(&mut child, capture, &tx) {
        Ok(readers) => seen.open = readers,
        Err(e) => {
            stop(child, pid);
            return Err(format!("cannot start a thread to read the output: {e}"));
        }
    }

    let mut pause = FIRST_PAUSE;
    let exited = loop {
        if seen.found {
            break None;
        }
        match observe(&mut child, pid) {
            Observed::Running => {}
            Observed::Zombie(exit) => {
                // Unreaped, so the group's id is still its own: kill what it left behind.
                let _ = rustix::process::kill_process_group(pid, Signal::KILL);
                break Some(child.wait().map(Exit::from).unwrap_or(exit));
            }
            Observed::Reaped(exit) => break Some(exit),
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break None;
        }
        let closed = rx
            .recv_timeout(pause.min(left))
            .is_ok_and(|event| seen.apply(event));
        // A pipe's end often means the program is exiting: look again soon.
        pause = if closed {
            FIRST_PAUSE
        } else {
            (pause * 2).min(MAX_PAUSE)
        };
    };

    let ending = match exited {
        Some(exit) => {
            // Its group is gone; collect what is still in the pipes, but only until the
            // deadline (a helper outside the group may hold them open).
            while seen.open > 0 && !seen.found {
                let left = deadline.saturating_duration_since(Instant::now());
                match rx.recv_timeout(left) {
                    Ok(event) => {
                        seen.apply(event);
                    }
                    Err(_) => break,
                }
            }
            Ending::Exited(exit)
        }
        None => Ending::Stopped {
            killed: stop(child, pid),
        },
    };
    Ok(Run {
        ending,
        found: seen.found,
        complete: seen.open == 0,
        output: seen.output,
        truncated: seen.truncated,
    })
}

impl Exit {
    pub(super) fn success(self) -> bool {
        self == Exit::Code(0)
    }
}

impl fmt::Display for Exit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Exit::Code(code) => write!(f, "exited with status {code}"),
            Exit::Signal(signal) => match signal_name(signal) {
                Some(name) => write!(f, "killed by signal {signal} ({name})"),
                None => write!(f, "killed by signal {signal}"),
            },
            Exit::Unknown => write!(f, "ended with an unknown status"),
        }
    }
}

impl From<ExitStatus> for Exit {
    fn from(status: ExitStatus) -> Self {
        match (status.code(), status.signal()) {
            (Some(code), _) => Exit::Code(code),
            (None, Some(signal)) => Exit::Signal(signal),
            (None, None) => Exit::Unknown,
        }
    }
}

/// Finds `text` in a stream fed in pieces, keeping only the last `text.len() - 1` bytes
/// between pieces.
pub(super) struct Searcher {
    text: Arc<[u8]>,
    window: Vec<u8>,
}

impl Searcher {
    pub(super) fn new(text: Arc<[u8]>) -> Self {
        Searcher {
            text,
            window: Vec::new(),
        }
    }

    /// Whether `text` has appeared in everything fed so far (an empty text always has).
    pub(super) fn feed(&mut self, bytes: &[u8]) -> bool {
        let len = self.text.len();
        if len == 0 {
            return true;
        }
        self.window.extend_from_slice(bytes);
        if self.window.windows(len).any(|w| *w == *self.text) {
            return true;
        }
        let cut = self.window.len().saturating_sub(len - 1);
        self.window.drain(..cut);
        false
    }
}

/// How long the kill at the deadline may take to be seen before the program is left to a
/// reaper thread.
const REAP_GRACE: Duration = Duration::from_millis(500);
/// The exit poll's first and longest pauses.
const FIRST_PAUSE: Duration = Duration::from_millis(1);
const MAX_PAUSE: Duration = Duration::from_millis(20);
/// Output is read in pieces of this size, into a buffer on the heap.
const READ_CHUNK: usize = 8 * 1024;
/// Reader threads do little: a small stack is plenty.
const READER_STACK: usize = 64 * 1024;

fn spawn(argv: &[String], capture: &Capture) -> Result<Child, String> {
    let Some((program, args)) = argv.split_first() else {
        return Err("the command is empty".to_owned());
    };
    if program.is_empty() {
        return Err("the command's program name is empty".to_owned());
    }
    let mut command = Command::new(program);
    command
        .args(args)
        .env_clear()
        .stdin(Stdio::null())
        .process_group(0);
    for key in PASSED_ENV {
        if let Some(value) = std::env::var_os(key) {
            command.env(key, value);
        }
    }
    let (stdout, stderr) = match capture {
        Capture::Nothing => (Stdio::null(), Stdio::null()),
        Capture::Search(_) => (Stdio::piped(), Stdio::piped()),
        Capture::Collect(_) => (Stdio::piped(), Stdio::null()),
    };
    command.stdout(stdout).stderr(stderr);
    command.spawn().map_err(|e| spawn_failure(program, &e))
}

/// Why `program` could not be started, without the environment or the search path.
fn spawn_failure(program: &str, error: &io::Error) -> String {
    let name = backticked(program);
    match error.kind() {
        ErrorKind::NotFound if program.contains('/') => format!("{name} not found"),
        ErrorKind::NotFound => format!("{name} not found on PATH"),
        ErrorKind::PermissionDenied => format!("{name} is not executable (permission denied)"),
        _ => format!("cannot run {name}: {error}"),
    }
}

/// What a reader thread reports.
enum Event {
    /// The searched text was seen (the reader then stops).
    Found,
    /// The pipe reached its end (or failed); `Capture::Collect`'s output comes with it.
    Closed { output: Vec<u8>, truncated: bool },
}

/// What the watch loop has heard from the readers.
#[derive(Default)]
struct Seen {
    found: bool,
    /// Readers that have not reported `Closed` (or `Found`).
    open: usize,
    output: Vec<u8>,
    truncated: bool,
}

impl Seen {
    /// Takes in `event`; true if a pipe closed.
    fn apply(&mut self, event: Event) -> bool {
        match event {
            Event::Found => {
                self.found = true;
                self.open = self.open.saturating_sub(1);
                false
            }
            Event::Closed { output, truncated } => {
                self.open = self.open.saturating_sub(1);
                if !output.is_empty() || truncated {
                    self.output = output;
                    self.truncated = truncated;
                }
                true
            }
        }
    }
}

/// Starts a reader thread per captured pipe; returns how many.
fn start_readers(child: &mut Child, capture: Capture, tx: &Sender<Event>) -> io::Result<usize> {
    let mut started = 0;
    match capture {
        Capture::Nothing => {}
        Capture::Search(text) => {
            let text: Arc<[u8]> = text.into();
            if let Some(stdout) = child.stdout.take() {
                start_reader(stdout, Reading::Search(Arc::clone(&text)), tx)?;
                started += 1;
            }
            if let Some(stderr) = child.stderr.take() {
                start_reader(stderr, Reading::Search(text), tx)?;
                started += 1;
            }
        }
        Capture::Collect(limit) => {
            if let Some(stdout) = child.stdout.take() {
                start_reader(stdout, Reading::Collect(limit), tx)?;
                started += 1;
            }
        }
    }
    Ok(started)
}

enum Reading {
    Search(Arc<[u8]>),
    Collect(usize),
}

fn start_reader<R: Read + Send + 'static>(
    pipe: R,
    reading: Reading,
    tx: &Sender<Event>,
) -> io::Result<()> {
    let tx = tx.clone();
    thread::Builder::new()
        .name("services-output".to_owned())
        .stack_size(READER_STACK)
        .spawn(move || read_pipe(pipe, reading, &tx))
        .map(drop)
}

/// Reads `pipe` to its end (or until the text is found), then reports. Sends fail only
/// once the watch loop has stopped listening, which is fine.
fn read_pipe(mut pipe: impl Read, reading: Reading, tx: &Sender<Event>) {
    let mut chunk = vec![0; READ_CHUNK];
    let (mut searcher, limit) = match reading {
        Reading::Search(text) => (Some(Searcher::new(text)), 0),
        Reading::Collect(limit) => (None, limit),
    };
    let mut output = Vec::new();
    let mut truncated = false;
    loop {
        let n = match pipe.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(_) => break,
        };
        let bytes = &chunk[..n];
        match searcher.as_mut() {
            Some(searcher) => {
                if searcher.feed(bytes) {
                    let _ = tx.send(Event::Found);
                    return;
                }
            }
            None => {
                let room = limit.saturating_sub(output.len());
                output.extend_from_slice(&bytes[..n.min(room)]);
                truncated |= n > room;
            }
        }
    }
    let _ = tx.send(Event::Closed { output, truncated });
}

enum Observed {
    Running,
    /// Exited but not reaped (its pid still reserved); the exit as `waitid` saw it.
    Zombie(Exit),
    /// Exited and already reaped (only when `waitid` is refused).
    Reaped(Exit),
}

/// Whether the program has exited, without reaping it when the system allows.
fn observe(child: &mut Child, pid: Pid) -> Observed {
    let options = WaitIdOptions::EXITED | WaitIdOptions::NOHANG | WaitIdOptions::NOWAIT;
    match rustix::process::waitid(WaitId::Pid(pid), options) {
        Ok(None) | Err(rustix::io::Errno::INTR) => Observed::Running,
        Ok(Some(status)) => Observed::Zombie(exit_of(&status)),
        Err(_) => match child.try_wait() {
            Ok(Some(status)) => Observed::Reaped(Exit::from(status)),
            Ok(None) => Observed::Running,
            // Not waitable (e.g. SIGCHLD ignored, so the system reaped it): it is gone.
            Err(_) => Observed::Reaped(Exit::Unknown),
        },
    }
}

fn exit_of(status: &WaitIdStatus) -> Exit {
    match (status.exit_status(), status.terminating_signal()) {
        (Some(code), _) => Exit::Code(code),
        (None, Some(signal)) => Exit::Signal(signal),
        (None, None) => Exit::Unknown,
    }
}

/// Kills the program's group (the program alone if that is refused) and reaps it; false if
/// it is still there after [`REAP_GRACE`]. Only called while the program is unreaped.
fn stop(mut child: Child, pid: Pid) -> bool {
    if rustix::process::kill_process_group(pid, Signal::KILL).is_err() {
        let _ = child.kill();
    }
    reap(child)
}

/// Reaps `child`, waiting at most [`REAP_GRACE`]; after that a thread waits for it, so it does
/// not stay a zombie (false is returned then).
fn reap(mut child: Child) -> bool {
    let until = Instant::now() + REAP_GRACE;
    let mut pause = FIRST_PAUSE;
    loop {
        match child.try_wait() {
            Ok(Some(_)) | Err(_) => return true,
            Ok(None) => {}
        }
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        thread::sleep(pause.min(left));
        pause = (pause * 2).min(MAX_PAUSE);
    }
    let _ = thread::Builder::new()
        .name("services-reaper".to_owned())
        .stack_size(READER_STACK)
        .spawn(move || {
            let _ = child.wait();
        });
    false
}

/// The usual name of a signal whose number is the same on Linux and macOS.
fn signal_name(signal: i32) -> Option<&'static str> {
    Some(match signal {
        1 => "SIGHUP",
        2 => "SIGINT",
        3 => "SIGQUIT",
        4 => "SIGILL",
        6 => "SIGABRT",
        8 => "SIGFPE",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        13 => "SIGPIPE",
        14 => "SIGALRM",
        15 => "SIGTERM",
        _ => return None,
    })
}
