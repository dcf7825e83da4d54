//! Callback data for the bot's buttons: short, opaque, versioned, far under Telegram's
//! 64-byte limit. `o1:<action>:<outbox id>` on alerts: the outbox row names the chat and the
//! alerts, so a button pressed in another chat (forwarded, forged) is recognised and refused.
//! `c1:un:<change id>` undoes a change of a chat's settings (a snooze, quiet hours), and
//! `r1:ap:<suggestion id>` applies a review's suggestion; both rows name their chat too.

/// What a button does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Snooze1h,
    Snooze4h,
    /// Until the end of the next quiet hours, or 9:00 local.
    Tomorrow,
    /// Acknowledge until the condition clears.
    GotIt,
    /// Restore the alert as it was before the last press (the snooze or acknowledgement
    /// removed, the four buttons back).
    Undo,
}

impl Action {
    pub const ALL: [Action; 5] = [
        Action::Snooze1h,
        Action::Snooze4h,
        Action::Tomorrow,
        Action::GotIt,
        Action::Undo,
    ];

    fn code(self) -> &'static str {
        match self {
            Action::Snooze1h => "s1",
            Action::Snooze4h => "s4",
            Action::Tomorrow => "tm",
            Action::GotIt => "ok",
            Action::Undo => "un",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Action::Snooze1h => "Snooze 1h",
            Action::Snooze4h => "Snooze 4h",
            Action::Tomorrow => "Tomorrow",
            Action::GotIt => "Got it",
            Action::Undo => "Undo",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallbackData {
    pub action: Action,
    pub outbox_id: i64,
}

const PREFIX: &str = "o1:";
const UNDO_CHANGE: &str = "c1:un:";
const APPLY: &str = "r1:ap:";

/// Any button the bot makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Button {
    Alert(CallbackData),
    /// Undo the settings change with this id.
    UndoChange(i64),
    /// Apply the review suggestion with this id.
    Apply(i64),
}

impl Button {
    pub fn encode(&self) -> String {
        match self {
            Button::Alert(data) => data.encode(),
            Button::UndoChange(id) => format!("{UNDO_CHANGE}{id}"),
            Button::Apply(id) => format!("{APPLY}{id}"),
        }
    }

    /// `None` for anything that is not exactly what [`Button::encode`] makes.
    pub fn decode(data: &str) -> Option<Button> {
        if let Some(id) = data.strip_prefix(UNDO_CHANGE) {
            return id_of(id).map(Button::UndoChange);
        }
        if let Some(id) = data.strip_prefix(APPLY) {
            return id_of(id).map(Button::Apply);
        }
        CallbackData::decode(data).map(Button::Alert)
    }
}

/// A row id as written in callback data: 1 to 19 ASCII digits, nothing else.
fn id_of(id: &str) -> Option<i64> {
    if id.is_empty() || id.len() > 19 || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    id.parse().ok()
}

impl CallbackData {
    pub fn encode(&self) -> String {
        format!("{PREFIX}{}:{}", self.action.code(), self.outbox_id)
    }

    /// `None` for anything that is not exactly what [`CallbackData::encode`] makes.
    pub fn decode(data: &str) -> Option<CallbackData> {
        let rest = data.strip_prefix(PREFIX)?;
        let (code, id) = rest.split_once(':')?;
        let action = Action::ALL.into_iter().find(|a| a.code() == code)?;
        let outbox_id = id_of(id)?;
        Some(CallbackData { action, outbox_id })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_stays_short() {
        for action in Action::ALL {
            let d = CallbackData {
                action,
                outbox_id: i64::MAX,
            };
            let s = d.encode();
            assert!(s.len() <= 64, "{s}");
            assert_eq!(CallbackData::decode(&s), Some(d));
        }
    }

    #[test]
    fn every_button_round_trips() {
        for b in [
            Button::UndoChange(i64::MAX),
            Button::Apply(7),
            Button::Alert(CallbackData {
                action: Action::Undo,
                outbox_id: 3,
            }),
        ] {
            let s = b.encode();
            assert!(s.len() <= 64, "{s}");
            assert_eq!(Button::decode(&s), Some(b));
        }
        for bad in ["c1:un:", "c1:un:-1", "r1:ap:1x", "r1:xx:1", "c2:un:1"] {
            assert_eq!(Button::decode(bad), None, "{bad}");
        }
    }

    #[test]
    fn rejects_anything_else() {
        for bad in [
            "",
            "o1:",
            "o1:s1:",
            "o1:s1:-5",
            "o1:zz:5",
            "o2:s1:5",
            "o1:s1:5:6",
            "o1:s1:99999999999999999999",
            "o1:s1:9223372036854775808",
            "o1:s1:1e3",
            "o1:s1: 5",
        ] {
            assert_eq!(CallbackData::decode(bad), None, "{bad}");
        }
    }
}
