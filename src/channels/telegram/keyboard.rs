//! The inline keyboard under every alert: `Snooze 1h`, `Snooze 4h`, `Tomorrow`, `Got it`,
//! each carrying short, versioned callback data that names the outbox row
//! ([`CallbackData`]).

use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

use super::callback::{Action, Button, CallbackData};
use crate::store::OutboxRow;

/// Telegram's limit on callback data.
pub const MAX_CALLBACK_BYTES: usize = 64;

/// The keyboard for a row, or `None` when there is nothing to act on (the "+N more" line,
/// the brief, an alert that has resolved).
pub fn for_row(row: &OutboxRow) -> Option<InlineKeyboardMarkup> {
    let actionable = matches!(row.kind.as_str(), "alert" | "digest");
    if !actionable || row.alerts.is_empty() || row.resolved_at.is_some() {
        return None;
    }
    Some(alert_keyboard(row.id))
}

/// `Undo` under the confirmation of a settings change.
pub fn change_undo_keyboard(change_id: i64) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new([[InlineKeyboardButton::callback(
        "Undo",
        Button::UndoChange(change_id).encode(),
    )]])
}

/// One `Apply` button per suggestion of a review: (suggestion id, short label).
pub fn apply_keyboard(suggestions: &[(i64, String)]) -> Option<InlineKeyboardMarkup> {
    if suggestions.is_empty() {
        return None;
    }
    Some(InlineKeyboardMarkup::new(suggestions.iter().map(
        |(id, label)| {
            [InlineKeyboardButton::callback(
                label.clone(),
                Button::Apply(*id).encode(),
            )]
        },
    )))
}

/// The one button left after a press: `Undo`.
pub fn undo_keyboard(outbox_id: i64) -> InlineKeyboardMarkup {
    let action = Action::Undo;
    InlineKeyboardMarkup::new([[InlineKeyboardButton::callback(
        action.label(),
        CallbackData { action, outbox_id }.encode(),
    )]])
}

/// Two rows of two buttons, so the labels fit on a phone.
pub fn alert_keyboard(outbox_id: i64) -> InlineKeyboardMarkup {
    let button = |action: Action| {
        InlineKeyboardButton::callback(action.label(), CallbackData { action, outbox_id }.encode())
    };
    InlineKeyboardMarkup::new([
        [button(Action::Snooze1h), button(Action::Snooze4h)],
        [button(Action::Tomorrow), button(Action::GotIt)],
    ])
}

/// The `Apply` button's label under a review's suggestion: `Apply: sleep_hours_warning → 5.5`.
pub fn apply_label(key: &str, to: &str) -> String {
    let leaf = key.rsplit('.').next().unwrap_or(key);
    format!("Apply: {leaf} → {to}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use teloxide::types::InlineKeyboardButtonKind;

    #[test]
    fn four_labelled_buttons_with_short_decodable_data() {
        // Ten years of alerts every minute is still a 7-digit id; 15 digits is plenty of margin.
        let kb = alert_keyboard(999_999_999_999_999);
        let buttons: Vec<&InlineKeyboardButton> = kb.inline_keyboard.iter().flatten().collect();
        let labels: Vec<&str> = buttons.iter().map(|b| b.text.as_str()).collect();
        assert_eq!(labels, ["Snooze 1h", "Snooze 4h", "Tomorrow", "Got it"]);
        for b in buttons {
            let InlineKeyboardButtonKind::CallbackData(data) = &b.kind else {
                panic!("not a callback button");
            };
            assert!(data.len() <= MAX_CALLBACK_BYTES, "{data}");
            assert_eq!(
                CallbackData::decode(data).map(|d| d.outbox_id),
                Some(999_999_999_999_999)
            );
        }
    }
}
