//! The `process` probe: is a process with exactly this name running?
//!
//! Linux reads `/proc/<pid>/stat` for the kernel's name of each process (`comm`, cut at 15
//! bytes; zombies do not count) and, for a longer name whose first 15 bytes match, compares
//! the base name of `argv[0]` from `/proc/<pid>/cmdline`. The scan runs on a thread bounded by
//! the deadline, since reading another process's `cmdline` can block. Elsewhere (macOS) it
//! runs `/bin/ps -axo comm=` like a command check (scrubbed environment, same deadline) and
//! compares the base name of each line; Linux falls back to that when `/proc` cannot be
//! read. Only processes this user can see count (a `/proc`
//! mounted with `hidepid` hides other users'). A program that rewrites its own title (the
//! tmux server calls itself `tmux: server` on Linux) is better checked with a command.

use std::time::{Duration, Instant};

/// Whether a process named `name` runs; `Err` is why that could not be told.
#[cfg(target_os = "linux")]
pub(super) fn running(name: &str, deadline: Instant, timeout: Duration) -> Result<bool, String> {
    use super::{Late, human, on_thread};

    let owned = name.to_owned();
    match on_thread(deadline, "services-proc", move || linux::scan(&owned)) {
        Ok(Ok(found)) => Ok(found),
        // No readable /proc (an unusual sandbox): `ps` may still work.
        Ok(Err(e)) => ps::running(name, deadline, timeout)
            .map_err(|_| format!("cannot list processes: /proc: {e}")),
        Err(Late::TimedOut) => Err(format!(
            "timed out listing processes after {}",
            human(timeout)
        )),
        Err(Late::Failed(why)) => Err(why),
    }
}

/// Whether a process named `name` runs; `Err` is why that could not be told.
#[cfg(not(target_os = "linux"))]
pub(super) fn running(name: &str, deadline: Instant, timeout: Duration) -> Result<bool, String> {
    ps::running(name, deadline, timeout)
}

#[cfg(target_os = "linux")]
pub(super) mod linux {
    use std::fs;
    use std::io;
    use std::path::Path;

    /// `comm` holds at most this many bytes of the name.
    const COMM_BYTES: usize = 15;

    pub(in super::super) fn scan(name: &str) -> io::Result<bool> {
        let name = name.as_bytes();
        for entry in fs::read_dir("/proc")? {
            let Ok(entry) = entry else { continue };
            let file_name = entry.file_name();
            let bytes = file_name.as_encoded_bytes();
            if !bytes.is_empty()
                && bytes.iter().all(u8::is_ascii_digit)
                && named(&entry.path(), name)
            {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// `comm` and the state letter from a `/proc/<pid>/stat`: `pid (comm) S …`, where `comm`
    /// may itself hold spaces and parentheses.
    pub(in super::super) fn parse_stat(stat: &[u8]) -> Option<(&[u8], u8)> {
        let open = stat.iter().position(|&b| b == b'(')?;
        let close = stat.iter().rposition(|&b| b == b')')?;
        let comm = stat.get(open + 1..close)?;
        let state = *stat.get(close + 2)?;
        Some((comm, state))
    }

    /// Whether the process in `dir` is alive and named `name`. One that ends while being
    /// read simply does not count.
    fn named(dir: &Path, name: &[u8]) -> bool {
        let Ok(stat) = fs::read(dir.join("stat")) else {
            return false;
        };
        let Some((comm, state)) = parse_stat(&stat) else {
            return false;
        };
        if matches!(state, b'Z' | b'X' | b'x') {
            return false;
        }
        if comm == name {
            return true;
        }
        name.len() > COMM_BYTES
            && name.get(..COMM_BYTES) == Some(comm)
            && fs::read(dir.join("cmdline")).is_ok_and(|cmdline| {
                let argv0 = cmdline.split(|&b| b == 0).next().unwrap_or_default();
                super::base_name(argv0) == name
            })
    }
}

pub(super) mod ps {
    use std::time::{Duration, Instant};

    use super::super::command::{self, Capture, Ending};
    use super::super::human;

    const PS: &str = "/bin/ps";
    /// `ps` output beyond this is not read (a few hundred processes print a few dozen KiB).
    const OUTPUT_LIMIT: usize = 4 * 1024 * 1024;

    pub(in super::super) fn running(
        name: &str,
        deadline: Instant,
        timeout: Duration,
    ) -> Result<bool, String> {
        let argv = [PS, "-axo", "comm="].map(str::to_owned);
        let run = command::run(&argv, Capture::Collect(OUTPUT_LIMIT), deadline)?;
        match run.ending {
            Ending::Stopped { .. } => {
                return Err(format!(
                    "timed out listing processes after {}",
                    human(timeout)
                ));
            }
            Ending::Exited(exit) if !exit.success() => {
                return Err(format!("cannot list processes: `{PS}` {exit}"));
            }
            Ending::Exited(_) => {}
        }
        if lists(&run.output, name) {
            Ok(true)
        } else if !run.complete || run.truncated {
            Err(format!(
                "cannot list processes: could not read all of `{PS}`'s output"
            ))
        } else {
            Ok(false)
        }
    }

    /// Whether a `ps -o comm=` listing (one command name or path a line) has `name`.
    pub(in super::super) fn lists(listing: &[u8], name: &str) -> bool {
        listing
            .split(|&b| b == b'\n')
            .any(|line| super::base_name(line.trim_ascii()) == name.as_bytes())
    }
}

/// The last `/`-separated part of `path`.
fn base_name(path: &[u8]) -> &[u8] {
    path.rsplit(|&b| b == b'/').next().unwrap_or(path)
}
