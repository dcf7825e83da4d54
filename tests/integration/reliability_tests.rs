//! Issue 7's reliability suite: the real `operator run` binary against the fake Bot API and
//! demo data under injected faults and crashes, with the no-lost-alert invariant checked after
//! each scenario; the secret scan; hostile sources; load. See RELIABILITY.md for the table.

mod brief_crash;
mod crash;
mod load;
mod oura_lock;
mod postgres_faults;
mod rig;
mod secrets;
mod sources;
mod state_db;
mod telegram_faults;
