//! [`Fault`]: why one link of a fallback chain (a cache file, the Oura API, WorkOS Postgres)
//! failed, classified for the retry loop and the circuit breaker. The readers produce it; the
//! chain decides from [`FaultKind`] whether to retry now, how much the breaker counts it, and
//! whether the failure means "not there" rather than "broken".

use std::time::Duration;

use super::SourceError;

/// The class of a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    /// Not there at all (no cache file): the link is skipped, the breaker is untouched.
    Missing,
    /// Network error, timeout, 5xx, busy or locked file: retried with backoff, counted once.
    Transient,
    /// HTTP 429: retried after `Retry-After` when that is short, else counted and the breaker
    /// stays open at least that long.
    RateLimited(Option<Duration>),
    /// Bad data: malformed JSON, a corrupt file, a drifted schema. Not retried this cycle
    /// (it will not fix itself in a second), counted once.
    Invalid,
    /// Wrong credentials, forbidden, unknown database, bad URL: not retried, and the breaker
    /// opens at once, so a wrong password is not hammered every cycle.
    Permanent,
}

impl FaultKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FaultKind::Missing => "missing",
            FaultKind::Transient => "transient",
            FaultKind::RateLimited(_) => "rate_limited",
            FaultKind::Invalid => "invalid",
            FaultKind::Permanent => "permanent",
        }
    }
}

/// A classified failure with a message that never holds a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Fault {
    pub kind: FaultKind,
    pub message: String,
}

impl Fault {
    pub fn new(kind: FaultKind, message: impl Into<String>) -> Fault {
        Fault {
            kind,
            message: message.into(),
        }
    }

    pub fn transient(message: impl Into<String>) -> Fault {
        Fault::new(FaultKind::Transient, message)
    }

    pub fn invalid(message: impl Into<String>) -> Fault {
        Fault::new(FaultKind::Invalid, message)
    }

    pub fn permanent(message: impl Into<String>) -> Fault {
        Fault::new(FaultKind::Permanent, message)
    }
}

impl From<SourceError> for Fault {
    /// Cache errors: missing → `Missing`, busy/locked → `Transient`, corrupt or drifted →
    /// `Invalid` (the writer may replace the file, so the breaker counts rather than trips).
    fn from(e: SourceError) -> Fault {
        let kind = match e {
            SourceError::Missing { .. } => FaultKind::Missing,
            SourceError::Transient { .. } => FaultKind::Transient,
            SourceError::Permanent { .. } => FaultKind::Invalid,
        };
        Fault::new(kind, e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_errors_map_to_fault_kinds() {
        let cases = [
            (
                SourceError::Missing {
                    what: "Oura cache",
                    path: "/x".into(),
                },
                FaultKind::Missing,
            ),
            (
                SourceError::Transient {
                    what: "Oura cache",
                    reason: "locked".into(),
                },
                FaultKind::Transient,
            ),
            (
                SourceError::Permanent {
                    what: "Oura cache",
                    reason: "not a database".into(),
                },
                FaultKind::Invalid,
            ),
        ];
        for (err, want) in cases {
            let text = err.to_string();
            let fault = Fault::from(err);
            assert_eq!(fault.kind, want);
            assert_eq!(fault.message, text);
        }
    }
}
