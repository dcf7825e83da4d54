//! A day with Operator, through the real app (cycles, the outbox sender, the bot's
//! dispatcher) against the strict fake Bot API on a clock the tests set: the morning brief
//! (once a day, when the data lands or at the fallback, across restarts), its chart, living
//! alert messages (Undo, Resolved, the ↺ return, early snooze ends, stale presses), the
//! commands that re-evaluate at once, and the new rules on fixtures in the real Oura shapes.

mod brief;
mod charts;
pub mod harness;
mod living;
mod rules;
