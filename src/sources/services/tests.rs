//! Tests of the services runner against real child processes, sockets and the system's
//! process list (no mocks). Waits are bounded polls on conditions, never bare sleeps.
//!
//! Why this file is long: every way a program, a socket or a process list can answer is a
//! case here, with the helpers that find and clean up the processes they start.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use super::command::{self, Capture, Searcher};
use super::*;

fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s)
}

fn check(name: &str, probe: Probe, timeout: Duration) -> Check {
    Check {
        name: name.to_owned(),
        probe,
        timeout,
    }
}

fn cmd(argv: &[&str], expect: Expect) -> Probe {
    Probe::Command {
        argv: argv.iter().map(|s| (*s).to_owned()).collect(),
        expect,
    }
}

fn contains(text: &str) -> Expect {
    Expect::OutputContains(text.to_owned())
}

fn run(argv: &[&str], expect: Expect, timeout: Duration) -> Outcome {
    run_check(&check("test", cmd(argv, expect), timeout))
}

fn reason(outcome: &Outcome) -> &str {
    outcome.verdict.reason().unwrap_or("(up)")
}

/// A number no other test in this run uses.
fn unique() -> u32 {
    static NEXT: AtomicU32 = AtomicU32::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// A `sleep` argument (about 30 s) that marks one test's process, to find it in the process
/// list: `29.<pid><n>`.
fn sleep_marker() -> String {
    format!("29.{}{}", std::process::id(), unique())
}

/// Polls `condition` every 10 ms for at most `limit`; whether it came true.
fn wait_until(limit: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let until = Instant::now() + limit;
    loop {
        if condition() {
            return true;
        }
        if Instant::now() >= until {
            return false;
        }
        thread::sleep(Duration::from_millis(10));
    }
}

/// The processes with `arg` among their arguments: (pid, is a zombie).
#[cfg(target_os = "linux")]
fn with_arg(arg: &str) -> Vec<(i32, bool)> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return found;
    };
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<i32>().ok())
        else {
            continue;
        };
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        if cmdline.split(|&b| b == 0).any(|a| a == arg.as_bytes()) {
            let stat = std::fs::read(entry.path().join("stat")).unwrap_or_default();
            let zombie = process::linux::parse_stat(&stat).is_some_and(|(_, s)| s == b'Z');
            found.push((pid, zombie));
        }
    }
    found
}

/// The processes with `arg` among their arguments: (pid, is a zombie).
#[cfg(not(target_os = "linux"))]
fn with_arg(arg: &str) -> Vec<(i32, bool)> {
    let Ok(out) = Command::new("/bin/ps")
        .args(["-axo", "pid=,stat=,args="])
        .output()
    else {
        return Vec::new();
    };
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let pid = fields.next()?.parse().ok()?;
            let stat = fields.next()?;
            fields
                .any(|a| a == arg)
                .then_some((pid, stat.starts_with('Z')))
        })
        .collect()
}

/// Whether a live (not zombie) process has `arg` among its arguments.
fn alive_with(arg: &str) -> bool {
    with_arg(arg).iter().any(|&(_, zombie)| !zombie)
}

/// Kills, at the end of a test even if it fails, the processes marked with an argument.
struct KillMarked(String);

impl Drop for KillMarked {
    fn drop(&mut self) {
        for (pid, _) in with_arg(&self.0) {
            if let Some(pid) = rustix::process::Pid::from_raw(pid) {
                let _ = rustix::process::kill_process(pid, rustix::process::Signal::KILL);
            }
        }
    }
}

/// A child of the test itself, killed and reaped at the end of the test.
struct Spawned(Child);

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A fresh directory under the system's temporary directory, removed at the end.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        let dir = std::env::temp_dir().join(format!(
            "operator-services-test-{}-{}",
            std::process::id(),
            unique()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Where `program` is on `PATH`, for tests that copy a system program.
fn on_path(program: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(program))
        .find(|path| path.is_file())
}

// ---- command: exit status -------------------------------------------------------------

#[test]
fn true_is_up() {
    let outcome = run(&["true"], Expect::ExitZero, secs(5.0));
    assert_eq!(outcome.verdict, Verdict::Up);
    assert_eq!(outcome.name, "test");
}

#[test]
fn false_is_down_with_its_status() {
    let outcome = run(&["false"], Expect::ExitZero, secs(5.0));
    assert_eq!(reason(&outcome), "exited with status 1");
}

#[test]
fn a_program_killed_by_a_signal_says_which() {
    let outcome = run(&["sh", "-c", "kill -9 $$"], Expect::ExitZero, secs(5.0));
    assert_eq!(reason(&outcome), "killed by signal 9 (SIGKILL)");
}

// ---- command: timeouts and kills ------------------------------------------------------

#[test]
fn a_hanging_program_is_killed_and_reaped_at_its_timeout() {
    let marker = sleep_marker();
    let _cleanup = KillMarked(marker.clone());
    let hanging = check(
        "sleep",
        cmd(&["sleep", &marker], Expect::ExitZero),
        secs(1.0),
    );
    let runner = thread::spawn(move || run_check(&hanging));
    assert!(
        wait_until(secs(5.0), || alive_with(&marker)),
        "the sleep never showed up in the process list"
    );

    let outcome = runner.join().unwrap();
    assert_eq!(reason(&outcome), "timed out after 1 s (killed)");
    assert!(outcome.elapsed >= secs(1.0), "{:?}", outcome.elapsed);
    assert!(
        outcome.elapsed <= secs(1.0) + GRACE,
        "{:?}",
        outcome.elapsed
    );
    // Reaped by the runner: not even a zombie is left.
    assert_eq!(with_arg(&marker), vec![]);
}

#[test]
fn the_whole_process_group_is_killed_at_the_timeout() {
    let marker = sleep_marker();
    let _cleanup = KillMarked(marker.clone());
    let script = format!("sleep {marker} & wait");
    let outcome = run(&["sh", "-c", &script], Expect::ExitZero, secs(1.0));
    assert_eq!(reason(&outcome), "timed out after 1 s (killed)");
    assert!(
        outcome.elapsed <= secs(1.0) + GRACE,
        "{:?}",
        outcome.elapsed
    );
    // The grandchild was killed too (its new parent reaps it, or it stays a zombie).
    assert!(
        wait_until(secs(2.0), || !alive_with(&marker)),
        "the grandchild sleep survived: {:?}",
        with_arg(&marker)
    );
}

#[test]
fn a_grandchild_holding_stdout_does_not_hold_the_check() {
    for (expect, up) in [
        (Expect::ExitZero, true),
        (contains("hi"), true),
        (contains("bye"), false),
    ] {
        let marker = sleep_marker();
        let _cleanup = KillMarked(marker.clone());
        let script = format!("sleep {marker} & echo hi");
        let outcome = run(&["sh", "-c", &script], expect.clone(), secs(5.0));
        assert_eq!(outcome.verdict.is_up(), up, "{expect:?}: {outcome:?}");
        if !up {
            assert_eq!(reason(&outcome), "output did not contain \"bye\"");
        }
        // Well before the 5 s timeout: what `sh` left in its group is killed when it exits.
        assert!(
            outcome.elapsed < secs(2.0),
            "{expect:?}: {:?}",
            outcome.elapsed
        );
        assert!(
            wait_until(secs(2.0), || !alive_with(&marker)),
            "{expect:?}: the leftover sleep survived"
        );
    }
}

#[test]
fn a_helper_outside_the_group_holding_stdout_stops_the_wait_at_the_deadline() {
    if on_path("setsid").is_none() {
        eprintln!("skipped: no setsid program");
        return;
    }
    let marker = sleep_marker();
    let _cleanup = KillMarked(marker.clone());
    // `sh` waits until the helper has its own session (else the group kill at `sh`'s exit
    // could catch it before it leaves).
    let dir = TempDir::new();
    let left = dir.0.join("left-the-group");
    let script = format!(
        "setsid sh -c 'touch \"$0\"; exec sleep {marker}' '{}' & \
         while [ ! -e '{}' ]; do sleep 0.01; done; echo hi",
        left.display(),
        left.display()
    );
    let outcome = run(&["sh", "-c", &script], contains("bye"), secs(1.0));
    assert_eq!(reason(&outcome), "output did not contain \"bye\"");
    assert!(outcome.elapsed >= secs(1.0), "{:?}", outcome.elapsed);
    assert!(
        outcome.elapsed <= secs(1.0) + GRACE,
        "{:?}",
        outcome.elapsed
    );
}

// ---- command: programs that cannot run ------------------------------------------------

#[test]
fn a_missing_program_is_down() {
    let name = format!("operator-no-such-program-{}", unique());
    let outcome = run(&[&name], Expect::ExitZero, secs(5.0));
    assert_eq!(reason(&outcome), format!("`{name}` not found on PATH"));

    let outcome = run(&["/nonexistent/operator-tool"], Expect::ExitZero, secs(5.0));
    assert_eq!(reason(&outcome), "`/nonexistent/operator-tool` not found");
}

#[test]
fn a_file_that_is_not_executable_is_down() {
    use std::os::unix::fs::PermissionsExt;

    let dir = TempDir::new();
    let path = dir.0.join("not-a-program");
    std::fs::write(&path, "#!/bin/sh\ntrue\n").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let outcome = run(&[path.to_str().unwrap()], Expect::ExitZero, secs(5.0));
    assert_eq!(
        reason(&outcome),
        format!("`{}` is not executable (permission denied)", path.display())
    );
}

#[test]
fn an_empty_command_is_down_not_a_panic() {
    let outcome = run(&[], Expect::ExitZero, secs(5.0));
    assert_eq!(reason(&outcome), "invalid check: `command` is empty");
    let outcome = run(&["", "x"], Expect::ExitZero, secs(5.0));
    assert_eq!(
        reason(&outcome),
        "invalid check: `command` starts with an empty program name"
    );
    // The engine itself refuses them too, without validation in front.
    let deadline = Instant::now() + secs(5.0);
    assert!(command::run(&[], Capture::Nothing, deadline).is_err());
    assert!(command::run(&[String::new()], Capture::Nothing, deadline).is_err());
    let nul = ["tr\0ue".to_owned()];
    assert!(command::run(&nul, Capture::Nothing, deadline).is_err());
}

// ---- command: output_contains -----------------------------------------------------------

#[test]
fn output_contains_hit_and_miss() {
    let hit = run(&["echo", "Running"], contains("Running"), secs(5.0));
    assert_eq!(hit.verdict, Verdict::Up);

    let miss = run(&["echo", "Stopped"], contains("Running"), secs(5.0));
    assert_eq!(reason(&miss), "output did not contain \"Running\"");
}

#[test]
fn output_contains_reads_stderr_and_ignores_the_exit_status() {
    let outcome = run(
        &["sh", "-c", "echo Running >&2; exit 3"],
        contains("Running"),
        secs(5.0),
    );
    assert_eq!(outcome.verdict, Verdict::Up);

    let outcome = run(
        &["sh", "-c", "echo Logged out; exit 3"],
        contains("Running"),
        secs(5.0),
    );
    assert_eq!(
        reason(&outcome),
        "output did not contain \"Running\" (exited with status 3)"
    );
}

#[test]
fn output_contains_is_up_as_soon_as_the_text_shows_and_the_program_is_killed() {
    let marker = sleep_marker();
    let _cleanup = KillMarked(marker.clone());
    let script = format!("echo Running; exec sleep {marker}");
    let outcome = run(&["sh", "-c", &script], contains("Running"), secs(5.0));
    assert_eq!(outcome.verdict, Verdict::Up);
    assert!(outcome.elapsed < secs(2.0), "{:?}", outcome.elapsed);
    assert_eq!(with_arg(&marker), vec![]);
}

#[test]
fn output_contains_searches_past_a_large_output() {
    // About 1.2 MB before the text: all of it is read and searched, in bounded memory.
    let script = "i=0; while [ $i -lt 2000 ]; do echo 'padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding padding'; i=$((i+1)); done; echo Running";
    let outcome = run(&["sh", "-c", script], contains("Running"), secs(20.0));
    assert_eq!(outcome.verdict, Verdict::Up, "{outcome:?}");
}

#[test]
fn the_searcher_finds_text_split_across_pieces() {
    let mut searcher = Searcher::new(b"Running".as_slice().into());
    assert!(!searcher.feed(b"status: Run"));
    assert!(!searcher.feed(b"n"));
    assert!(searcher.feed(b"ing\n"));

    let mut searcher = Searcher::new(b"abc".as_slice().into());
    assert!(!searcher.feed(b"ab"));
    assert!(!searcher.feed(b"xabxab"));
    assert!(searcher.feed(b"c"));

    let mut searcher = Searcher::new(b"x".as_slice().into());
    assert!(!searcher.feed(b""));
    assert!(searcher.feed(b"..x.."));
}

// ---- command: the environment -----------------------------------------------------------

/// The child sees only [`PASSED_ENV`], with the parent's values, whatever else the parent
/// holds (under `cargo test`, `CARGO_*` and more). The daemon end to end, with a bot token in
/// its environment, is `parity_tests::services` in the integration tests.
#[test]
fn the_environment_is_scrubbed() {
    let others: Vec<String> = std::env::vars_os()
        .filter_map(|(k, _)| k.into_string().ok())
        .filter(|k| !PASSED_ENV.contains(&k.as_str()))
        .collect();
    assert!(
        !others.is_empty(),
        "the test process has more than PASSED_ENV"
    );

    let argv = ["env".to_owned()];
    let deadline = Instant::now() + secs(5.0);
    let done = command::run(&argv, Capture::Collect(1 << 20), deadline).unwrap();
    assert!(done.complete && !done.truncated);
    let listing = String::from_utf8(done.output).unwrap();
    let mut keys = Vec::new();
    for line in listing.lines() {
        let (key, value) = line.split_once('=').unwrap();
        assert!(PASSED_ENV.contains(&key), "{key} was passed on");
        assert_eq!(std::env::var(key).as_deref(), Ok(value), "{key}");
        keys.push(key);
    }
    assert!(keys.contains(&"PATH"), "{listing}");
    // Through the public API too.
    let outcome = run(&["env"], contains(&format!("{}=", others[0])), secs(5.0));
    assert!(!outcome.verdict.is_up(), "{outcome:?}");
    assert!(run(&["env"], contains("PATH="), secs(5.0)).verdict.is_up());
}

// ---- tcp ----------------------------------------------------------------------------

#[test]
fn tcp_is_up_while_listening_then_refused() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let probe = Probe::Tcp { addr: addr.clone() };
    let outcome = run_check(&check("ttyd", probe.clone(), secs(5.0)));
    assert_eq!(outcome.verdict, Verdict::Up);

    drop(listener);
    let outcome = run_check(&check("ttyd", probe, secs(5.0)));
    assert_eq!(reason(&outcome), format!("connection refused on {addr}"));
}

#[test]
fn tcp_to_an_ipv6_literal() {
    let Ok(listener) = TcpListener::bind("[::1]:0") else {
        eprintln!("skipped: no IPv6 loopback");
        return;
    };
    let port = listener.local_addr().unwrap().port();
    let probe = Probe::Tcp {
        addr: format!("[::1]:{port}"),
    };
    assert_eq!(
        run_check(&check("v6", probe, secs(5.0))).verdict,
        Verdict::Up
    );
}

#[test]
fn tcp_to_an_unresolvable_host_is_down() {
    let probe = Probe::Tcp {
        addr: "operator-test.invalid:7681".to_owned(),
    };
    let outcome = run_check(&check("dns", probe, secs(3.0)));
    // "cannot resolve …", or "timed out resolving …" where the resolver hangs.
    assert!(reason(&outcome).contains("resolv"), "{outcome:?}");
    assert!(
        reason(&outcome).contains("`operator-test.invalid`"),
        "{outcome:?}"
    );
    assert!(
        outcome.elapsed <= secs(3.0) + GRACE,
        "{:?}",
        outcome.elapsed
    );
}

#[test]
fn tcp_addresses_must_be_host_and_port() {
    for bad in [
        "localhost",
        "localhost:",
        "localhost:0",
        "localhost:70000",
        ":80",
        "::1:80",
        "[::1:80",
        "[]:80",
    ] {
        let probe = Probe::Tcp {
            addr: bad.to_owned(),
        };
        let outcome = run_check(&check("bad", probe, secs(5.0)));
        assert!(
            reason(&outcome).starts_with("invalid check: `tcp` must be host:port"),
            "{bad}: {outcome:?}"
        );
    }
    for good in [
        "localhost:7681",
        "127.0.0.1:22",
        "[::1]:7681",
        "my-mac.tail1234.ts.net:443",
    ] {
        assert!(
            crate::config::services::split_host_port(good).is_some(),
            "{good}"
        );
    }
}

// ---- process ------------------------------------------------------------------------

#[test]
fn a_running_process_is_found_by_name_and_a_missing_one_is_not() {
    let _sleep = Spawned(Command::new("sleep").arg(sleep_marker()).spawn().unwrap());
    let probe = Probe::Process {
        name: "sleep".to_owned(),
    };
    assert_eq!(
        run_check(&check("p", probe, secs(5.0))).verdict,
        Verdict::Up
    );

    let name = format!("opnx{}", unique());
    let outcome = run_check(&check(
        "p",
        Probe::Process { name: name.clone() },
        secs(5.0),
    ));
    assert_eq!(reason(&outcome), format!("no process named `{name}`"));
}

#[cfg(target_os = "linux")]
#[test]
fn a_process_whose_name_is_longer_than_comm_is_found_by_its_argv0() {
    let Some(sleep) = on_path("sleep") else {
        eprintln!("skipped: no sleep program");
        return;
    };
    let dir = TempDir::new();
    let long = format!("operator-test-long-sleeper-{}", unique());
    let program = dir.0.join(&long);
    std::fs::copy(sleep, &program).unwrap();
    let _running = Spawned(Command::new(&program).arg("30").spawn().unwrap());

    let found = |name: &str| {
        let probe = Probe::Process {
            name: name.to_owned(),
        };
        run_check(&check("p", probe, secs(5.0))).verdict.is_up()
    };
    assert!(wait_until(secs(5.0), || found(&long)));
    assert!(!found(&format!("{long}x")));
    assert!(!found(&long[..20]));
}

#[test]
fn the_ps_path_finds_a_running_process() {
    if !Path::new("/bin/ps").exists() {
        eprintln!("skipped: no /bin/ps");
        return;
    }
    let _sleep = Spawned(Command::new("sleep").arg(sleep_marker()).spawn().unwrap());
    let deadline = Instant::now() + secs(5.0);
    assert_eq!(process::ps::running("sleep", deadline, secs(5.0)), Ok(true));
    let name = format!("opnx{}", unique());
    assert_eq!(process::ps::running(&name, deadline, secs(5.0)), Ok(false));
}

#[test]
fn a_ps_listing_is_matched_by_base_name() {
    let listing = b"/sbin/launchd\n/usr/libexec/logd\n/opt/homebrew/bin/ttyd\n\
        /Applications/Tailscale.app/Contents/MacOS/Tailscale\ntmux\n  zsh  \n";
    for name in ["ttyd", "Tailscale", "tmux", "zsh", "launchd"] {
        assert!(process::ps::lists(listing, name), "{name}");
    }
    for name in ["ttyd2", "tailscale", "bin", "Contents", "opt"] {
        assert!(!process::ps::lists(listing, name), "{name}");
    }
}

#[cfg(target_os = "linux")]
#[test]
fn proc_stat_lines_are_parsed_with_odd_names() {
    use process::linux::parse_stat;
    assert_eq!(
        parse_stat(b"42 (ttyd) S 1 42 42 0 -1"),
        Some((b"ttyd".as_slice(), b'S'))
    );
    assert_eq!(
        parse_stat(b"7 (a) b (c) Z 1 7"),
        Some((b"a) b (c".as_slice(), b'Z'))
    );
    assert_eq!(parse_stat(b"7 (x"), None);
    assert_eq!(parse_stat(b"7 (x)"), None);
    assert_eq!(parse_stat(b""), None);
}

// ---- run_checks ---------------------------------------------------------------------

#[test]
fn run_checks_runs_all_at_once_and_keeps_the_order() {
    let first = sleep_marker();
    let second = sleep_marker();
    let _cleanup = (KillMarked(first.clone()), KillMarked(second.clone()));
    let checks = [
        check(
            "hang-1",
            cmd(&["sleep", &first], Expect::ExitZero),
            secs(1.0),
        ),
        check("quick", cmd(&["true"], Expect::ExitZero), secs(5.0)),
        check(
            "hang-2",
            cmd(&["sleep", &second], Expect::ExitZero),
            secs(1.0),
        ),
        check(
            "invalid",
            Probe::Tcp {
                addr: "nope".to_owned(),
            },
            secs(1.0),
        ),
    ];
    let start = Instant::now();
    let outcomes = run_checks(&checks);
    let took = start.elapsed();

    // About the hanging ones' timeout, not their sum.
    assert!(took >= secs(1.0) && took <= secs(1.0) + GRACE, "{took:?}");
    let names: Vec<&str> = outcomes.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(names, ["hang-1", "quick", "hang-2", "invalid"]);
    assert_eq!(reason(&outcomes[0]), "timed out after 1 s (killed)");
    assert_eq!(outcomes[1].verdict, Verdict::Up);
    assert!(outcomes[1].elapsed < secs(1.0), "{:?}", outcomes[1].elapsed);
    assert_eq!(reason(&outcomes[2]), "timed out after 1 s (killed)");
    assert!(reason(&outcomes[3]).starts_with("invalid check:"));
    assert!(!alive_with(&first) && !alive_with(&second));
}

#[test]
fn run_checks_of_nothing_is_nothing() {
    assert_eq!(run_checks(&[]), vec![]);
}

// ---- validation and wording ---------------------------------------------------------

#[test]
fn validation_names_the_problem() {
    let ok = check("ttyd", cmd(&["true"], Expect::ExitZero), secs(5.0));
    assert_eq!(ok.validate(), Ok(()));

    let cases = [
        (
            check(" ", cmd(&["true"], Expect::ExitZero), secs(5.0)),
            CheckError::NoName,
        ),
        (
            check("t", cmd(&["true"], Expect::ExitZero), Duration::ZERO),
            CheckError::ZeroTimeout,
        ),
        (
            check(
                "t",
                cmd(&["true"], Expect::ExitZero),
                MAX_TIMEOUT + secs(1.0),
            ),
            CheckError::TimeoutTooLong,
        ),
        (
            check("t", cmd(&[], Expect::ExitZero), secs(5.0)),
            CheckError::EmptyCommand,
        ),
        (
            check("t", cmd(&["true"], contains("")), secs(5.0)),
            CheckError::EmptyExpectedText,
        ),
        (
            check(
                "t",
                Probe::Process {
                    name: "/usr/bin/ttyd".to_owned(),
                },
                secs(5.0),
            ),
            CheckError::BadProcessName("/usr/bin/ttyd".to_owned()),
        ),
        (
            check(
                "t",
                Probe::Process {
                    name: String::new(),
                },
                secs(5.0),
            ),
            CheckError::BadProcessName(String::new()),
        ),
    ];
    for (bad, problem) in cases {
        assert_eq!(bad.validate(), Err(problem), "{bad:?}");
    }
    let outcome = run_check(&check(
        "t",
        cmd(&["true"], Expect::ExitZero),
        Duration::ZERO,
    ));
    assert_eq!(
        reason(&outcome),
        "invalid check: the timeout must be more than zero"
    );
}

#[test]
fn reasons_are_short() {
    assert_eq!(human(secs(5.0)), "5 s");
    assert_eq!(human(secs(1.5)), "1.5 s");
    assert_eq!(human(secs(0.25)), "250 ms");
    assert_eq!(clip("Running"), "Running");
    assert_eq!(clip("Running\n"), "Running");
    assert_eq!(clip("first\nsecond"), "first…");
    assert_eq!(clip(&"x".repeat(500)).chars().count(), 121);

    let long = "R".repeat(500);
    let outcome = run(&["true"], contains(&long), secs(5.0));
    assert!(reason(&outcome).chars().count() < 160, "{outcome:?}");
}
