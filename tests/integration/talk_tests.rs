//! Talking to it (issue 15), through the real bot against the strict fake Bot API on a clock
//! the tests set: plain words that change settings (confirmed until when, with `Undo`) or ask
//! questions, reactions on alerts (👍, 👎, taken back), the weekly review (figures checked by
//! hand, suggestions, `Apply` editing one value of the config in place), and personal
//! thresholds.

mod apply;
mod personal;
mod plain_words;
mod reactions;
mod review;
