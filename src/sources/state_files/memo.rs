//! The last parse of each JSON State file, reused while the file's text is byte-for-byte the
//! same. The file is still read every time (so any change, whatever its size or timestamp,
//! is seen at once); only the parse is skipped. The parsers are pure functions of the text,
//! so a reused result is exactly what parsing again would give. One entry per file kind:
//! at 100× the user's data the commitments file is 1.8 MB, and parsing it was most of a
//! cycle (BENCHMARKS.md).

use std::sync::{Mutex, PoisonError};

use crate::sources::{BrainDump, Commitment};

/// The text last parsed and what it gave.
pub(super) struct Memo<T> {
    last: Mutex<Option<(String, Result<T, String>)>>,
}

impl<T: Clone> Memo<T> {
    pub(super) const fn new() -> Memo<T> {
        Memo {
            last: Mutex::new(None),
        }
    }

    /// `parse(text)`, or the stored result when `text` is the text parsed last time.
    pub(super) fn parse(
        &self,
        text: &str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<T, String> {
        // A panic elsewhere cannot leave the entry half-written: it is replaced whole.
        let mut last = self.last.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((previous, result)) = last.as_ref()
            && previous == text
        {
            return result.clone();
        }
        let result = parse(text);
        *last = Some((text.to_owned(), result.clone()));
        result
    }
}

pub(super) static COMMITMENT_DATA: Memo<Vec<Commitment>> = Memo::new();
pub(super) static BRAIN_DUMPS: Memo<Vec<BrainDump>> = Memo::new();

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn parses_again_only_when_the_text_changes() {
        let memo: Memo<usize> = Memo::new();
        let calls = Cell::new(0);
        let count = |t: &str| {
            calls.set(calls.get() + 1);
            if t.is_empty() {
                Err("empty".to_owned())
            } else {
                Ok(t.len())
            }
        };
        assert_eq!(memo.parse("abc", count), Ok(3));
        assert_eq!(memo.parse("abc", count), Ok(3));
        assert_eq!(calls.get(), 1);
        // Same length, other bytes: parsed again.
        assert_eq!(memo.parse("abd", count), Ok(3));
        assert_eq!(memo.parse("", count), Err("empty".to_owned()));
        assert_eq!(memo.parse("", count), Err("empty".to_owned()));
        assert_eq!(calls.get(), 3);
    }
}
