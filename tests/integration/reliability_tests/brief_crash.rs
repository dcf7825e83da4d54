//! The morning brief through the real `operator run`: once a day per chat across SIGKILL and
//! restart. A SIGKILL while its `sendPhoto` is in flight (Telegram applied it, the answer never
//! came) costs the one duplicate any crash may cost; every later kill, SIGTERM and restart
//! sends nothing more, and the journal has one line for it.

use std::time::Duration;

use super::rig::{Rig, WAIT, kill9, term};
use crate::support::fake_telegram::Fault;

const CHAT: i64 = 4_101;

fn briefs(rig: &Rig) -> usize {
    rig.fake
        .messages(CHAT)
        .iter()
        .filter(|m| m.plain_text.contains("Good morning"))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_brief_goes_once_a_day_across_sigkill_and_restarts() {
    let mut rig = Rig::new(&[CHAT], &[], "critical").await;
    rig.world.no_quiet_hours();
    rig.world.set_brief(true);
    // Due at any hour the test runs: the fallback is midnight.
    rig.edit_config(
        "  not_before: \"06:00\"\n  fallback_time: \"09:30\"\n",
        "  not_before: \"00:00\"\n  fallback_time: \"00:00\"\n",
    );

    rig.fake
        .script(Some("sendPhoto"), Fault::Stall(Duration::from_secs(20)));
    let mut child = rig.spawn();
    rig.fake
        .wait_for_requests("sendphoto", 1, WAIT)
        .await
        .unwrap();
    kill9(&mut child).await;
    assert_eq!(
        briefs(&rig),
        1,
        "Telegram has it; the daemon never heard back"
    );

    let runs = rig.runs();
    let mut child = rig.spawn();
    rig.settle(runs).await.unwrap();
    assert_eq!(
        briefs(&rig),
        2,
        "re-sent once after the crash, like an alert"
    );
    kill9(&mut child).await;

    for stop_cleanly in [false, true] {
        let runs = rig.runs();
        let mut child = rig.spawn();
        rig.settle(runs).await.unwrap();
        if stop_cleanly {
            assert_eq!(term(&mut child).await, Some(0));
        } else {
            kill9(&mut child).await;
        }
    }
    let runs = rig.runs();
    let mut child = rig.spawn();
    rig.settle(runs).await.unwrap();
    assert_eq!(
        briefs(&rig),
        2,
        "nothing more after the crash's one duplicate"
    );
    let lines: Vec<_> = rig
        .world
        .journal_lines_with_backups()
        .into_iter()
        .filter(|l| l["kind"] == "brief")
        .collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["outcome"], "sent");
    assert_eq!(lines[0]["on_demand"], false);
    let report = rig.check_invariant(2);
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    assert_eq!(term(&mut child).await, Some(0));
}
