//! The task monitor: commitment deadlines, the size of today's WorkOS list and the day's pace.
//!
//! Deadlines come only from commitments (`CommitmentData.json` and `Commitments.md`, through
//! [`StateSnapshot::commitments`]); WorkOS tasks have no due dates. A commitment is open until
//! it is completed or cancelled. "Today" and the hour are the user's local ones (`now`).
//! A commitment file that could not be read simply contributes nothing here.
//!
//! Rules (class `tasks`), each only when its [`TaskCheck`] is enabled:
//!
//! | key | fires when | priority | announced |
//! |---|---|---|---|
//! | `tasks:commitment_violated:<id>` | due ≥ `violation_days` days ago | critical | every check |
//! | `tasks:overdue:<id>` | due before today, not violated (or violations check off) | high | every check |
//! | `tasks:due_today:<id>` | due today | medium | hours in `commitment_check_hours` before the last |
//! | `tasks:due_tomorrow:<id>` | due tomorrow | low | the last `commitment_check_hours` hour |
//! | `tasks:pile_up` | active WorkOS tasks ≥ `pile_up_threshold` (> 0) | medium | `pile_up_hour` |
//! | `tasks:daily_pace` | today's goal earned < half its target | low | the last check hour |
//!
//! Outside its hours a due-today, due-tomorrow or pile-up condition is still recorded with
//! [`Findings::hold`], so an acknowledgement keeps holding until the condition ends. Due-today
//! reminders carry a 4-hour renotify cap so the afternoon reminder passes the 24-hour window.

use std::collections::BTreeSet;

use crate::zone::Zone;
use chrono::{DateTime, Duration, NaiveDate, Timelike, Utc};

use super::health::text;
use crate::alert::{Alert, AlertClass, Findings, Priority, dedup_key};
use crate::config::{TaskCheck, TaskMonitor};
use crate::sources::{Commitment, StateSnapshot, WorkosSnapshot};

/// How many task titles a pile-up message names.
const PILE_UP_TITLES: usize = 3;
/// How long a due-today reminder blocks the next one.
const DUE_TODAY_RENOTIFY_HOURS: i64 = 4;

/// Evaluates every task rule for `now` (the user's local time).
pub fn tasks(
    state: &StateSnapshot,
    workos: Option<&WorkosSnapshot>,
    now: DateTime<Zone>,
    cfg: &TaskMonitor,
) -> Findings {
    let ctx = Ctx::new(now, cfg);
    let mut findings = Findings::default();
    let mut seen = BTreeSet::new();
    for c in state.commitments().filter(|c| c.is_open()) {
        if seen.insert(c.id.as_str()) {
            commitment(c, &ctx, &mut findings);
        }
    }
    if let Some(workos) = workos {
        pile_up(workos, &ctx, &mut findings);
        daily_pace(workos, &ctx, &mut findings);
    }
    findings
}

struct Ctx<'a> {
    cfg: &'a TaskMonitor,
    today: NaiveDate,
    hour: u8,
    at: DateTime<Utc>,
    /// The last of `commitment_check_hours`: the evening hour.
    last_check_hour: Option<u8>,
}

impl<'a> Ctx<'a> {
    fn new(now: DateTime<Zone>, cfg: &'a TaskMonitor) -> Ctx<'a> {
        Ctx {
            cfg,
            today: now.date_naive(),
            hour: u8::try_from(now.hour()).unwrap_or(u8::MAX),
            at: now.with_timezone(&Utc),
            last_check_hour: cfg.commitment_check_hours.iter().copied().max(),
        }
    }

    fn enabled(&self, check: TaskCheck) -> bool {
        self.cfg.checks.contains(&check)
    }

    /// Whether this hour sends the due-today reminder: a check hour other than the last.
    fn due_today_hour(&self) -> bool {
        self.cfg.commitment_check_hours.contains(&self.hour)
            && Some(self.hour) != self.last_check_hour
    }

    fn evening_hour(&self) -> bool {
        Some(self.hour) == self.last_check_hour
    }

    fn alert(
        &self,
        kind: &str,
        subject: Option<&str>,
        priority: Priority,
        title: String,
        message: String,
    ) -> Alert {
        Alert::new(
            AlertClass::Tasks,
            kind,
            subject,
            priority,
            title,
            message,
            self.at,
        )
    }
}

/// Adds the deadline alert (or hold) for one open commitment, if its due date calls for one.
fn commitment(c: &Commitment, ctx: &Ctx, findings: &mut Findings) {
    let Some(due) = c.due_date else { return };
    let days_late = (ctx.today - due).num_days();
    let violated = days_late > 0 && days_late >= i64::from(ctx.cfg.violation_days);
    let id = Some(c.id.as_str());
    let name = &*crate::alert::clip(&c.title, crate::alert::MAX_TITLE_CHARS);
    if violated && ctx.enabled(TaskCheck::CommitmentViolations) {
        let message = format!(
            "Commitment violated: '{name}' was due {} ({}).",
            text::days_ago(days_late),
            text::day(due)
        );
        let title = format!("Commitment violated: {name}");
        findings.push(
            ctx.alert(
                "commitment_violated",
                id,
                Priority::Critical,
                title,
                message,
            )
            .with_subject_label(name),
        );
    } else if days_late > 0 && ctx.enabled(TaskCheck::OverdueTasks) {
        let message = format!(
            "'{name}' was due {} ({}).",
            text::days_ago(days_late),
            text::day(due)
        );
        let title = format!("Overdue: {name}");
        findings.push(
            ctx.alert("overdue", id, Priority::High, title, message)
                .with_subject_label(name),
        );
    } else if days_late == 0 && ctx.enabled(TaskCheck::DueToday) {
        if ctx.due_today_hour() {
            let message = format!("'{name}' is due today.");
            let alert = ctx
                .alert(
                    "due_today",
                    id,
                    Priority::Medium,
                    format!("Due today: {name}"),
                    message,
                )
                .with_subject_label(name)
                .with_renotify_after(Duration::hours(DUE_TODAY_RENOTIFY_HOURS));
            findings.push(alert);
        } else {
            findings.hold(dedup_key(AlertClass::Tasks, "due_today", id));
        }
    } else if days_late == -1 && ctx.enabled(TaskCheck::DueTomorrow) {
        if ctx.evening_hour() {
            let message = format!("'{name}' is due tomorrow ({}).", text::day(due));
            let title = format!("Due tomorrow: {name}");
            findings.push(
                ctx.alert("due_tomorrow", id, Priority::Low, title, message)
                    .with_subject_label(name),
            );
        } else {
            findings.hold(dedup_key(AlertClass::Tasks, "due_tomorrow", id));
        }
    }
}

/// Too many tasks on today's WorkOS list, announced once a day at `pile_up_hour`.
fn pile_up(workos: &WorkosSnapshot, ctx: &Ctx, findings: &mut Findings) {
    let threshold = ctx.cfg.pile_up_threshold;
    let titles: Vec<std::borrow::Cow<'_, str>> = workos
        .tasks
        .iter()
        .filter(|t| t.status == "active")
        .map(|t| crate::alert::clip(&t.title, crate::alert::MAX_TITLE_CHARS))
        .collect();
    let active: Vec<&str> = titles.iter().map(|t| &**t).collect();
    if threshold == 0 || active.len() < threshold as usize {
        return;
    }
    if ctx.hour != ctx.cfg.pile_up_hour {
        findings.hold(dedup_key(AlertClass::Tasks, "pile_up", None));
        return;
    }
    let n = active.len();
    let message = format!(
        "{n} active tasks on today's list ({threshold}+ is a pile-up): {}. Trim the list?",
        text::list_some(&active, PILE_UP_TITLES)
    );
    findings.push(ctx.alert(
        "pile_up",
        None,
        Priority::Medium,
        format!("{n} active tasks"),
        message,
    ));
}

/// Under half of today's point target by the evening check hour.
fn daily_pace(workos: &WorkosSnapshot, ctx: &Ctx, findings: &mut Findings) {
    if !ctx.evening_hour() {
        return;
    }
    let Some(goal) = workos.goals.iter().rev().find(|g| g.date == ctx.today) else {
        return;
    };
    if goal.target_points <= 0 || goal.earned_points.saturating_mul(2) >= goal.target_points {
        return;
    }
    let summary = format!(
        "{} of {} points earned today",
        goal.earned_points, goal.target_points
    );
    let message = format!("{summary}. Pick one small task to close the day on?");
    findings.push(ctx.alert("daily_pace", None, Priority::Low, summary, message));
}
