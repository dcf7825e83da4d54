//! The alert pipeline, table-driven: quiet hours across midnight and DST, every dedup window,
//! snoozes, acknowledgements, the storm cap, routing, grouping and the morning digest.
//!
//! Every table row renders its result as text and goes through one [`check`] helper, in the
//! manner of rust-analyzer's data-driven tests: the expectation reads like the outcome.

mod decide_cases;
mod digest_cases;
mod quiet_cases;
mod screen_cases;
mod snooze_cases;

use chrono::{DateTime, Duration, TimeZone, Utc};
use operator::zone::Zone;

use crate::support::new_york;

use operator::alert::{Alert, AlertClass, Priority};
use operator::config::{DedupWindows, QuietHours};
use operator::pipeline::{
    ChatState, NotificationKind, Plan, RecipientPolicy, SentRecord, Snooze, SnoozeScope, decide,
};

/// Compares a rendered result with its expectation, line by line with indentation ignored,
/// and names the case when they differ.
fn check(name: &str, actual: &str, expect: &str) {
    let (actual, expect) = (normalize(actual), normalize(expect));
    assert!(
        actual == expect,
        "case `{name}`\n--- expected\n{expect}\n--- actual\n{actual}\n"
    );
}

fn normalize(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// One `decide` scenario: who, when, what came in, and the rendered plan expected.
struct Case {
    name: &'static str,
    now: DateTime<Utc>,
    state: ChatState,
    policy: RecipientPolicy,
    alerts: Vec<Alert>,
    expect: &'static str,
}

impl Case {
    fn new(
        name: &'static str,
        now: DateTime<Utc>,
        alerts: Vec<Alert>,
        expect: &'static str,
    ) -> Case {
        Case {
            name,
            now,
            state: ChatState::default(),
            policy: policy(),
            alerts,
            expect,
        }
    }

    fn state(mut self, state: State) -> Case {
        self.state = state.0;
        self
    }

    fn policy(mut self, change: impl FnOnce(&mut RecipientPolicy)) -> Case {
        change(&mut self.policy);
        self
    }
}

fn check_cases(cases: Vec<Case>) {
    for case in cases {
        let plan = decide(&case.alerts, &case.state, case.now, &case.policy);
        check(case.name, &render(&plan), case.expect);
    }
}

/// The plan as text:
/// `<outcome>: <keys in input order>` per outcome, then `=> <kind> <priority> "<title>"` per
/// notification with its `| lines` (and `keys:` when it is not a single alert), then
/// `hold: <keys>` and `release held`.
fn render(plan: &Plan) -> String {
    let mut out = Vec::new();
    let mut by_outcome: Vec<(&str, Vec<&str>)> = Vec::new();
    for (alert, outcome) in &plan.decisions {
        let name = outcome.as_str();
        match by_outcome.iter_mut().find(|(o, _)| *o == name) {
            Some((_, keys)) => keys.push(&alert.dedup_key),
            None => by_outcome.push((name, vec![&alert.dedup_key])),
        }
    }
    out.extend(
        by_outcome
            .iter()
            .map(|(o, keys)| format!("{o}: {}", keys.join(" "))),
    );
    for n in &plan.deliver {
        let kind = match n.kind {
            NotificationKind::Alert => "alert",
            NotificationKind::Digest => "digest",
            NotificationKind::Overflow => "overflow",
            NotificationKind::Brief => "brief",
            NotificationKind::Review => "review",
        };
        out.push(format!("=> {kind} {} {:?}", n.priority, n.title));
        out.extend(n.lines.iter().map(|l| format!("| {l}")));
        if n.kind != NotificationKind::Alert || n.alerts.len() > 1 {
            out.push(format!(
                "keys: {}",
                n.dedup_keys().collect::<Vec<_>>().join(" ")
            ));
        }
    }
    if !plan.hold.is_empty() {
        let keys: Vec<&str> = plan.hold.iter().map(|a| a.dedup_key.as_str()).collect();
        out.push(format!("hold: {}", keys.join(" ")));
    }
    if plan.release_held {
        out.push("release held".to_owned());
    }
    out.join("\n")
}

// ---- fixtures -------------------------------------------------------------------------------

use Priority::{Critical, High, Info, Low, Medium};

/// A wall-clock instant in New York (must exist and be unambiguous).
fn ny(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    new_york()
        .with_ymd_and_hms(y, mo, d, h, mi, 0)
        .single()
        .expect("an unambiguous New York time")
        .with_timezone(&Utc)
}

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}

/// Noon on an ordinary winter day in New York: no quiet hours, no DST change.
fn noon() -> DateTime<Utc> {
    ny(2026, 1, 15, 12, 0)
}

fn mins(m: i64) -> Duration {
    Duration::minutes(m)
}

fn hours(h: i64) -> Duration {
    Duration::hours(h)
}

fn quiet(start: u8, end: u8) -> QuietHours {
    QuietHours {
        enabled: true,
        start,
        end,
    }
}

/// The design's windows (section 6.5), the system class on the 1-hour default.
fn policy() -> RecipientPolicy {
    RecipientPolicy {
        timezone: new_york().clone(),
        windows: DedupWindows {
            health_warning: hours(4),
            health_critical: hours(1),
            tasks: hours(24),
            patterns: Duration::days(7),
            services: hours(1),
            system: hours(1),
        },
        max_alerts_per_run: 20,
        min_priority: Info,
    }
}

/// An alert whose title is its dedup key (`class:kind[:subject]`) and whose message is empty,
/// so rendered plans stay short.
fn al(key: &str, priority: Priority) -> Alert {
    alert_at(key, priority, noon())
}

fn alert_at(key: &str, priority: Priority, created_at: DateTime<Utc>) -> Alert {
    let mut parts = key.splitn(3, ':');
    let class: AlertClass = parts.next().unwrap_or("").parse().expect("a class");
    let kind = parts.next().expect("a kind");
    Alert::new(class, kind, parts.next(), priority, key, "", created_at)
}

/// A builder for a recipient's [`ChatState`].
struct State(ChatState);

fn state() -> State {
    State(ChatState::default())
}

impl State {
    fn quiet(mut self, q: QuietHours) -> State {
        self.0.quiet = Some(q);
        self
    }

    fn sent(mut self, key: &str, priority: Priority, at: DateTime<Utc>) -> State {
        self.0
            .sent
            .insert(key.to_owned(), SentRecord { at, priority });
        self
    }

    fn snooze(mut self, scope: SnoozeScope, until: DateTime<Utc>) -> State {
        self.0.snoozes.push(Snooze {
            scope,
            until,
            priority: None,
        });
        self
    }

    fn ack(mut self, key: &str) -> State {
        self.0.acks.insert(key.to_owned());
        self
    }

    fn held(mut self, alert: Alert) -> State {
        self.0.held.push(alert);
        self
    }
}

fn tz_time(t: DateTime<Utc>, tz: &Zone) -> String {
    t.with_timezone(tz).format("%Y-%m-%d %H:%M %Z").to_string()
}
