//! The monitor scheduler: a first cycle at start, then each monitor on its own interval
//! (`intervals.*`). Monitors due at the same moment share one cycle; cycles never overlap
//! (the app serialises them) and one that runs too long is cut off and reported. The service
//! checks run on their own loop ([`run_services`]).

use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::app::App;
use crate::cycle::Selection;

/// A cycle still running after this long is abandoned (and reported); the next one starts
/// when it finishes.
pub const CYCLE_DEADLINE: Duration = Duration::from_secs(120);

/// When each monitor is next due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    pub health: Instant,
    pub tasks: Instant,
    pub patterns: Instant,
}

impl Plan {
    pub fn all_at(t: Instant) -> Plan {
        Plan {
            health: t,
            tasks: t,
            patterns: t,
        }
    }

    pub fn next(&self) -> Instant {
        self.health.min(self.tasks).min(self.patterns)
    }

    /// The monitors due at `now`.
    pub fn due(&self, now: Instant) -> Selection {
        Selection {
            health: self.health <= now,
            tasks: self.tasks <= now,
            patterns: self.patterns <= now,
            // On their own loop ([`run_services`]).
            services: false,
        }
    }

    /// Moves each monitor that ran forward by its interval, past `now` (skipping missed runs
    /// after a sleep instead of bursting).
    pub fn advance(&mut self, ran: Selection, now: Instant, intervals: [Duration; 3]) {
        let step = |at: &mut Instant, ran: bool, every: Duration| {
            if ran {
                while *at <= now {
                    *at += every;
                }
            }
        };
        step(&mut self.health, ran.health, intervals[0]);
        step(&mut self.tasks, ran.tasks, intervals[1]);
        step(&mut self.patterns, ran.patterns, intervals[2]);
    }
}

fn intervals(app: &App) -> [Duration; 3] {
    let i = &app.config.intervals;
    [i.health, i.tasks, i.patterns].map(|d| d.to_std().unwrap_or(Duration::from_secs(900)))
}

/// Runs cycles until `cancel`. A running cycle is allowed to finish.
pub async fn run(app: Arc<App>, cancel: CancellationToken) {
    let every = intervals(&app);
    let mut plan = Plan::all_at(Instant::now());
    loop {
        let next = plan.next();
        app.set_next_cycle(Some(
            app.now()
                + chrono::Duration::from_std(next.saturating_duration_since(Instant::now()))
                    .unwrap_or_default(),
        ));
        tokio::select! {
            () = cancel.cancelled() => return,
            () = tokio::time::sleep_until(next) => {}
        }
        let now = Instant::now();
        let due = plan.due(now);
        match tokio::time::timeout(CYCLE_DEADLINE, app.run_cycle("schedule", due)).await {
            Ok(Ok(report)) => tracing::info!(
                alerts = report.alerts.len(),
                elapsed_ms = report.elapsed.as_millis() as u64,
                "check cycle done"
            ),
            Ok(Err(e)) => tracing::error!(error = %format!("{e:#}"), "check cycle failed"),
            Err(_) => {
                tracing::error!(
                    deadline_s = CYCLE_DEADLINE.as_secs(),
                    "check cycle cut off: it ran past its deadline"
                );
                journal_cut_off(&app);
            }
        }
        plan.advance(due, Instant::now().max(now), every);
    }
}

/// Runs the service checks every `monitors.services.interval_seconds` until `cancel`, each
/// time outside the cycle (on blocking threads, every check bounded by its timeout) and then
/// a cycle that evaluates only their outcomes: a check that hangs until its timeout never
/// holds up the other monitors or the bot. Returns at once when there is nothing to check.
pub async fn run_services(app: Arc<App>, cancel: CancellationToken) {
    let m = &app.config.monitors.services;
    if !m.enabled || m.checks.is_empty() {
        return;
    }
    let every = m.interval;
    loop {
        let started = Instant::now();
        let config = Arc::clone(&app);
        let now = app.now();
        let checked =
            tokio::task::spawn_blocking(move || crate::cycle::check_services(&config.config, now))
                .await;
        match checked {
            Ok(read) => app.set_services(read),
            Err(e) => tracing::error!(error = %e, "the service checks stopped unexpectedly"),
        }
        match tokio::time::timeout(
            CYCLE_DEADLINE,
            app.run_cycle("services", Selection::SERVICES),
        )
        .await
        {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::error!(error = %format!("{e:#}"), "services cycle failed"),
            Err(_) => {
                tracing::error!("services cycle cut off: it ran past its deadline");
                journal_cut_off(&app);
            }
        }
        tokio::select! {
            () = cancel.cancelled() => return,
            () = tokio::time::sleep_until(started + every) => {}
        }
    }
}

/// Journals a cycle that ran past [`CYCLE_DEADLINE`] as a `system` entry.
fn journal_cut_off(app: &App) {
    let alert = crate::alert::Alert::new(
        crate::alert::AlertClass::System,
        "cycle_cut_off",
        None,
        crate::alert::Priority::High,
        "Check cycle cut off",
        format!(
            "A check cycle ran past {} s and was abandoned; the next one starts when it finishes.",
            CYCLE_DEADLINE.as_secs()
        ),
        app.now(),
    );
    let now = app.now();
    let entry = crate::channels::journal::Entry::new(&alert, None, "failed", "journal", now)
        .with_reason("cycle deadline passed");
    app.journal(&[entry]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_monitor_keeps_its_own_interval_and_skips_missed_runs() {
        let t0 = Instant::now();
        let every = [
            Duration::from_secs(900),
            Duration::from_secs(900),
            Duration::from_secs(1800),
        ];
        let mut plan = Plan::all_at(t0);
        let all = Selection {
            services: false,
            ..Selection::ALL
        };
        assert_eq!(plan.due(t0), all);
        plan.advance(all, t0, every);
        assert_eq!(plan.next(), t0 + Duration::from_secs(900));
        let at = t0 + Duration::from_secs(900);
        assert_eq!(
            plan.due(at),
            Selection {
                health: true,
                tasks: true,
                patterns: false,
                services: false,
            }
        );
        plan.advance(plan.due(at), at, every);
        assert_eq!(plan.patterns, t0 + Duration::from_secs(1800));
        // Asleep for two hours: one cycle, then back on the grid.
        let late = t0 + Duration::from_secs(9000);
        plan.advance(plan.due(late), late, every);
        assert!(plan.next() > late);
    }
}
