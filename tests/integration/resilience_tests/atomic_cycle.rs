//! A cycle is all or nothing in the state database and the journal: one that fails at its
//! last write (the run record, as a full disk would fail it) leaves no outbox row, no dedup
//! entry and no journal line behind, and the next cycle decides the same alerts again, once.

use operator::cycle::{self, Options, Selection};
use rusqlite::Connection;

use super::{Runner, fast_env};
use crate::support::{DemoWorld, morning};

fn count(db: &Connection, table: &str) -> i64 {
    db.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .expect("count")
}

#[test]
fn a_cycle_failing_at_its_last_write_leaves_no_row_and_no_journal_line() {
    let world = DemoWorld::new(morning());
    world.enable_telegram("http://127.0.0.1:9/", "123:secret", &[42], &[42]);
    world.no_quiet_hours();
    let mut runner = Runner::new(&world);
    let db = Connection::open(&runner.config.state.db_path).expect("state db");
    db.execute_batch(
        "CREATE TRIGGER no_room BEFORE INSERT ON runs \
         BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;",
    )
    .expect("trigger");
    let journal_before = world.journal_lines().len();

    let now = morning();
    let env = fast_env();
    let mut chain =
        operator::sources::chain::ChainState::load(&runner.store, now).expect("breakers");
    let reads = cycle::SourceReads {
        snapshots: cycle::read_sources(&runner.config, &mut chain, &env, now),
        chain,
        started: std::time::Instant::now(),
    };
    let options = Options {
        now,
        dry_run: false,
        trigger: "test",
        monitors: Selection::ALL,
    };
    let failed = cycle::run_with(
        &runner.config,
        &mut runner.store,
        Some(&mut runner.journal),
        None,
        &options,
        reads,
    );
    let error = format!(
        "{:#}",
        failed.expect_err("the run record cannot be written")
    );
    assert!(error.contains("database or disk is full"), "{error}");
    for table in [
        "outbox",
        "dedup_ledger",
        "runs",
        "item_snapshots",
        "source_status",
    ] {
        assert_eq!(
            count(&db, table),
            0,
            "{table} keeps nothing of the failed cycle"
        );
    }
    assert_eq!(
        world.journal_lines().len(),
        journal_before,
        "no journal line for a cycle that did not commit"
    );

    db.execute_batch("DROP TRIGGER no_room;")
        .expect("drop trigger");
    let report = runner.cycle(now, &env);
    let queued: usize = report.recipients.iter().map(|r| r.delivered.len()).sum();
    assert!(queued > 0, "the demo world's alerts are queued now");
    assert_eq!(
        count(&db, "outbox") as usize,
        queued,
        "each message queued once"
    );
    assert_eq!(count(&db, "runs"), 1);
    let journaled_queued = world
        .journal_lines()
        .iter()
        .filter(|l| l["outcome"] == "queued")
        .count();
    let alerts_queued: usize = report
        .recipients
        .iter()
        .flat_map(|r| &r.delivered)
        .map(|(n, _)| n.alerts.len())
        .sum();
    assert_eq!(
        journaled_queued, alerts_queued,
        "every queued alert journaled once"
    );
}
