//! Embedded schema migrations, applied in order and keyed on `PRAGMA user_version`.

use std::path::Path;

use rusqlite::Connection;

use super::{Result, StoreError};

/// Migration `i` brings the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE dedup_ledger (
    recipient TEXT NOT NULL,
    dedup_key TEXT NOT NULL,
    sent_at   INTEGER NOT NULL,
    priority  TEXT NOT NULL,
    PRIMARY KEY (recipient, dedup_key)
) WITHOUT ROWID;

CREATE TABLE snoozes (
    recipient  TEXT NOT NULL,
    scope      TEXT NOT NULL,
    until      INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (recipient, scope)
) WITHOUT ROWID;

CREATE TABLE acks (
    recipient TEXT NOT NULL,
    dedup_key TEXT NOT NULL,
    acked_at  INTEGER NOT NULL,
    PRIMARY KEY (recipient, dedup_key)
) WITHOUT ROWID;

CREATE TABLE quiet_settings (
    recipient  TEXT PRIMARY KEY,
    enabled    INTEGER NOT NULL,
    start_hour INTEGER NOT NULL,
    end_hour   INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE held_alerts (
    recipient  TEXT NOT NULL,
    dedup_key  TEXT NOT NULL,
    alert_json TEXT NOT NULL,
    held_at    INTEGER NOT NULL,
    PRIMARY KEY (recipient, dedup_key)
) WITHOUT ROWID;

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    recipient       TEXT NOT NULL,
    channel         TEXT NOT NULL,
    priority        TEXT NOT NULL,
    kind            TEXT NOT NULL DEFAULT 'alert',
    title           TEXT NOT NULL,
    body            TEXT NOT NULL,
    html            TEXT NOT NULL DEFAULT '',
    plain           TEXT NOT NULL DEFAULT '',
    alerts_json     TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending',
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT,
    message_id      INTEGER,
    delivered_at    INTEGER,
    fallback_at     INTEGER
);
CREATE INDEX outbox_by_status ON outbox (status, next_attempt_at);

CREATE TABLE item_snapshots (
    item_key TEXT PRIMARY KEY,
    title    TEXT NOT NULL,
    due_date TEXT,
    status   TEXT NOT NULL,
    seen_at  INTEGER NOT NULL
);

CREATE TABLE punts (
    id       INTEGER PRIMARY KEY,
    item_key TEXT NOT NULL,
    title    TEXT NOT NULL,
    at       INTEGER NOT NULL,
    reason   TEXT NOT NULL
);
CREATE INDEX punts_by_time ON punts (at, item_key);

CREATE TABLE runs (
    id          INTEGER PRIMARY KEY,
    started_at  INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL,
    trigger     TEXT NOT NULL,
    alerts      INTEGER NOT NULL,
    delivered   INTEGER NOT NULL,
    status      TEXT NOT NULL,
    error       TEXT
);
CREATE INDEX runs_by_time ON runs (started_at);

CREATE TABLE monitor_results (
    monitor    TEXT PRIMARY KEY,
    run_id     INTEGER NOT NULL,
    ran_at     INTEGER NOT NULL,
    status     TEXT NOT NULL,
    alerts     INTEGER NOT NULL,
    detail     TEXT NOT NULL
);

CREATE TABLE source_status (
    source     TEXT PRIMARY KEY,
    state      TEXT NOT NULL,
    last_ok    INTEGER,
    data_as_of INTEGER,
    last_error TEXT,
    updated_at INTEGER NOT NULL
);

CREATE TABLE deliveries (
    at        INTEGER NOT NULL,
    recipient TEXT NOT NULL,
    priority  TEXT NOT NULL
);
CREATE INDEX deliveries_by_time ON deliveries (at);
"#,
    // 2: circuit breakers per source link, the Oura API response cache, and which link
    // served each source.
    r#"
CREATE TABLE breakers (
    name           TEXT PRIMARY KEY,
    failures       INTEGER NOT NULL,
    opened_at      INTEGER,
    open_until     INTEGER,
    open_period_s  INTEGER NOT NULL DEFAULT 0,
    trial_failures INTEGER NOT NULL DEFAULT 0,
    last_ok        INTEGER,
    last_failure   INTEGER,
    last_error     TEXT,
    alerted_open   INTEGER NOT NULL DEFAULT 0,
    updated_at     INTEGER NOT NULL
);

CREATE TABLE api_cache (
    key        TEXT PRIMARY KEY,
    body       TEXT NOT NULL,
    fetched_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX api_cache_by_expiry ON api_cache (expires_at);

ALTER TABLE source_status ADD COLUMN via TEXT;
"#,
    r#"
CREATE TABLE kv (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX outbox_by_delivery ON outbox (delivered_at) WHERE delivered_at IS NOT NULL;
"#,
    // The day with Operator: living alert messages (their state after a press, their
    // resolution, edits queued like sends), photos (the brief's chart), snoozes that know the
    // priority they held (an escalation ends them early) and stay a day after they end (so
    // the alert can come back marked), and one brief a day per recipient.
    r#"
ALTER TABLE outbox ADD COLUMN photo BLOB;
ALTER TABLE outbox ADD COLUMN edit_of INTEGER;
ALTER TABLE outbox ADD COLUMN press_state TEXT;
ALTER TABLE outbox ADD COLUMN resolved_at INTEGER;
ALTER TABLE snoozes ADD COLUMN priority TEXT;
CREATE TABLE briefs (
    recipient TEXT NOT NULL,
    day       TEXT NOT NULL,
    outbox_id INTEGER,
    queued_at INTEGER NOT NULL,
    PRIMARY KEY (recipient, day)
) WITHOUT ROWID;
"#,
    // Talking to it: a one-off quiet period per recipient; every change of a chat's settings
    // kept with what it replaced (for its Undo button); feedback on every alert message
    // (presses, reactions, resolutions) for the weekly review; the review's suggestions (each
    // applied at most once) and one review a week per recipient.
    r#"
CREATE TABLE quiet_until (
    recipient TEXT PRIMARY KEY,
    until     INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE changes (
    id         INTEGER PRIMARY KEY,
    recipient  TEXT NOT NULL,
    what       TEXT NOT NULL,
    before     TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    undone_at  INTEGER
);
CREATE TABLE feedback (
    id        INTEGER PRIMARY KEY,
    recipient TEXT NOT NULL,
    outbox_id INTEGER NOT NULL,
    rule      TEXT NOT NULL,
    kind      TEXT NOT NULL,
    at        INTEGER NOT NULL,
    minutes   INTEGER
);
CREATE INDEX feedback_by_time ON feedback (at);
CREATE INDEX feedback_by_row ON feedback (outbox_id);
CREATE TABLE suggestions (
    id         INTEGER PRIMARY KEY,
    recipient  TEXT NOT NULL,
    key        TEXT NOT NULL,
    from_value TEXT NOT NULL,
    to_value   TEXT NOT NULL,
    reason     TEXT NOT NULL,
    outbox_id  INTEGER,
    created_at INTEGER NOT NULL,
    applied_at INTEGER
);
CREATE TABLE reviews (
    recipient TEXT NOT NULL,
    week      TEXT NOT NULL,
    outbox_id INTEGER,
    queued_at INTEGER NOT NULL,
    PRIMARY KEY (recipient, week)
) WITHOUT ROWID;
CREATE INDEX outbox_by_message ON outbox (recipient, message_id) WHERE message_id IS NOT NULL;
"#,
];

pub const LATEST: i64 = MIGRATIONS.len() as i64;

pub fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version > LATEST {
        return Err(StoreError::TooNew {
            path: path.to_owned(),
            found: version,
            supported: LATEST,
        });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", index as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}
