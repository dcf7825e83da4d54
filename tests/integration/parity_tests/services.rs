//! The services monitor through the real app and bot against the strict fake Bot API, with
//! real child processes and sockets: a check that fails alerts once under `services:<name>`,
//! `/status` lists every check, a check that passes again resolves its message, and a check
//! that hangs until its timeout holds up neither the other monitors nor the bot. (The runner's
//! own cases, `true`, `false`, a `sleep` killed at its timeout, a missing binary, a port open
//! and closed, a process present and absent, are unit tests in `src/sources/services/`.)

use std::net::TcpListener;
use std::sync::Arc;

use operator::cycle::{Selection, check_services};
#[cfg(target_os = "linux")]
use tokio_util::sync::CancellationToken;

use crate::day_tests::harness::{Day, at};

/// Runs the service checks at the clock's time, then a cycle that evaluates them, and
/// delivers what it queued (what `scheduler::run_services` does on its interval).
async fn services_cycle(day: &Day, now: chrono::DateTime<chrono::Utc>) {
    day.clock.set(now);
    let app = Arc::clone(&day.app);
    let read = tokio::task::spawn_blocking(move || check_services(&app.config, now))
        .await
        .unwrap();
    assert!(read.is_some(), "checks are configured");
    day.app.set_services(read);
    day.app
        .run_cycle("test", Selection::SERVICES)
        .await
        .unwrap();
    day.deliver().await;
}

fn find(day: &Day, text: &str) -> Option<i32> {
    day.messages()
        .into_iter()
        .find(|m| m.plain_text.contains(text))
        .map(|m| m.message_id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_down_service_alerts_once_is_listed_in_status_and_resolves_when_back() {
    let flags = tempfile::tempdir().unwrap();
    let flag = flags.path().join("up");
    // A port nothing listens on (bound, then released).
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let checks = [
        format!(
            "- {{name: flagged, command: [\"test\", \"-e\", {:?}], timeout_seconds: 5, priority: high}}",
            flag.display().to_string()
        ),
        format!("- {{name: web terminal, tcp: \"127.0.0.1:{port}\", priority: critical}}"),
        "- {name: always, command: [\"true\"]}".to_owned(),
    ];
    let day = Day::start_with(at(10, 0), at(10, 0), false, |w| {
        w.set_services(&checks.iter().map(String::as_str).collect::<Vec<_>>());
    })
    .await;

    services_cycle(&day, at(10, 0)).await;
    let flagged = find(&day, "flagged is down").expect("an alert for the failing command");
    let web = find(&day, "web terminal is down").expect("an alert for the closed port");
    assert!(
        day.message(web)
            .plain_text
            .contains("nothing answers (connection refused"),
        "{}",
        day.message(web).plain_text
    );
    assert!(find(&day, "always is down").is_none());
    let mut keys: Vec<String> = day
        .world
        .journal_lines()
        .into_iter()
        .filter(|l| l["outcome"] == "queued")
        .filter_map(|l| l["dedup_key"].as_str().map(str::to_owned))
        .filter(|k| k.starts_with("services:"))
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        ["services:flagged", "services:web terminal"],
        "{keys:?}"
    );

    // Still down five minutes later: deduplicated, no second push.
    let pushed = day.messages().len();
    services_cycle(&day, at(10, 5)).await;
    assert_eq!(day.messages().len(), pushed);

    let status = day.ask("/status", 1).await.remove(0).plain_text;
    assert!(
        status.contains("always ✓") && status.contains("flagged ✗"),
        "{status}"
    );

    // Both come back: their messages say so, with no new push.
    std::fs::write(&flag, "").unwrap();
    let _listening = TcpListener::bind(("127.0.0.1", port)).unwrap();
    services_cycle(&day, at(10, 20)).await;
    for id in [flagged, web] {
        let m = day.message(id);
        assert!(
            m.plain_text.contains("✓ Resolved 10:20"),
            "{}",
            m.plain_text
        );
    }
    assert_eq!(day.messages().len(), pushed + 1, "only the /status reply");
    day.stop().await;
}

#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_check_holds_up_neither_the_other_monitors_nor_the_bot() {
    // A `sleep` that outlives its 20 s timeout, marked so this test can find it.
    let marker = format!("25.{}", std::process::id());
    let check =
        format!("- {{name: hang, command: [\"sleep\", \"{marker}\"], timeout_seconds: 20}}");
    let day = Day::start_with(at(10, 0), at(10, 0), false, |w| w.set_services(&[&check])).await;
    let cancel = CancellationToken::new();
    let services = tokio::spawn(operator::scheduler::run_services(
        Arc::clone(&day.app),
        cancel.clone(),
    ));
    let hanging = wait_for_process(&marker).await;

    // While it hangs: a full cycle runs and delivers, and the bot answers.
    let report = day.cycle_at(at(10, 5)).await;
    assert!(!report.alerts.is_empty());
    assert!(
        report.monitors.iter().all(|m| m.monitor != "services"),
        "the hanging check's outcome is not in yet: {:?}",
        report.monitors
    );
    let status = day.ask("/status", 1).await.remove(0).plain_text;
    assert!(status.contains("Monitors"), "{status}");
    assert!(
        std::path::Path::new(&format!("/proc/{hanging}")).exists(),
        "the check was still running throughout"
    );

    // End it early rather than wait out the timeout; the loop then stops.
    let _ = std::process::Command::new("kill")
        .arg(hanging.to_string())
        .status();
    cancel.cancel();
    tokio::time::timeout(std::time::Duration::from_secs(30), services)
        .await
        .expect("the services loop stops")
        .unwrap();
    day.stop().await;
}

/// The pid of the process with `marker` among its arguments, waiting up to 10 s for it.
#[cfg(target_os = "linux")]
async fn wait_for_process(marker: &str) -> u32 {
    for _ in 0..1000 {
        for entry in std::fs::read_dir("/proc").unwrap().flatten() {
            let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
                continue;
            };
            let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
            if cmdline.split(|b| *b == 0).any(|a| a == marker.as_bytes()) {
                return pid;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("no process with {marker}");
}

/// `operator check` runs the checks inline; a program it runs never sees Operator's secrets
/// (here a bot token, and a cloud key the user happens to have exported), only PATH, HOME,
/// LANG and TZ.
#[test]
fn operator_check_runs_the_checks_and_children_never_see_a_secret() {
    let world = crate::support::DemoWorld::new(at(9, 0));
    world.set_services(&[
        "- {name: token leak, command: [\"env\"], expect: {output_contains: TELEGRAM_BOT_TOKEN}}",
        "- {name: aws leak, command: [\"env\"], expect: {output_contains: AWS_SECRET_ACCESS_KEY}}",
        "- {name: path, command: [\"env\"], expect: {output_contains: \"PATH=\"}}",
        "- {name: missing, command: [\"operator-no-such-program\"]}",
    ]);
    let out = crate::support::run_operator(
        world.dir.path(),
        &[
            "--config",
            &world.config_arg(),
            "check",
            "--json",
            "--now",
            "2026-11-27T09:05:00-05:00",
        ],
        &[
            ("TELEGRAM_BOT_TOKEN", "424242:BOT-secret-never-for-children"),
            ("AWS_SECRET_ACCESS_KEY", "aws-secret-never-for-children"),
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut down: Vec<String> = stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|l| l["dedup_key"].as_str().map(str::to_owned))
        .filter(|k| k.starts_with("services:"))
        .collect();
    down.sort();
    assert_eq!(
        down,
        [
            "services:aws leak",
            "services:missing",
            "services:token leak"
        ],
        "{stdout}"
    );
    assert!(!stdout.contains("secret-never"), "{stdout}");
}
