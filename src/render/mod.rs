//! The text people read: alert messages and the `/status`, `/readiness` and `/overdue`
//! replies, built once as [`Text`] that renders both as Telegram HTML (every piece of data
//! escaped) and as plain text for the terminal. The bot and the CLI use the same functions.
//! No IO: views are gathered elsewhere and passed in.

pub mod brief;
pub mod charts;
mod overdue;
mod readiness;
mod status;
mod week;

pub use overdue::overdue;
pub use readiness::{readiness, sparkline};
pub use status::{quiet_hours_text, snooze_scope_text, status, status_json};
pub use week::week;

use crate::pipeline::{Notification, NotificationKind};

/// Text with light formatting, kept as HTML and as plain text side by side.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Text {
    html: String,
    plain: String,
}

impl Text {
    pub fn new() -> Text {
        Text::default()
    }

    /// Text this builder rendered earlier and that was kept as its two forms (an outbox row's
    /// `html` and `plain`), to append to.
    pub fn rendered(html: String, plain: String) -> Text {
        Text { html, plain }
    }

    /// Telegram HTML (parse mode `HTML`): data escaped, tags only from this builder.
    pub fn html(&self) -> &str {
        &self.html
    }

    pub fn plain(&self) -> &str {
        &self.plain
    }

    pub fn text(&mut self, s: &str) -> &mut Text {
        self.html.push_str(&escape_html(s));
        self.plain.push_str(s);
        self
    }

    pub fn bold(&mut self, s: &str) -> &mut Text {
        self.html.push_str("<b>");
        self.html.push_str(&escape_html(s));
        self.html.push_str("</b>");
        self.plain.push_str(s);
        self
    }

    pub fn italic(&mut self, s: &str) -> &mut Text {
        self.html.push_str("<i>");
        self.html.push_str(&escape_html(s));
        self.html.push_str("</i>");
        self.plain.push_str(s);
        self
    }

    pub fn code(&mut self, s: &str) -> &mut Text {
        self.html.push_str("<code>");
        self.html.push_str(&escape_html(s));
        self.html.push_str("</code>");
        self.plain.push_str(s);
        self
    }

    pub fn newline(&mut self) -> &mut Text {
        self.html.push('\n');
        self.plain.push('\n');
        self
    }

    /// A line of plain data followed by a newline.
    pub fn line(&mut self, s: &str) -> &mut Text {
        self.text(s).newline()
    }

    /// A bold heading line.
    pub fn heading(&mut self, s: &str) -> &mut Text {
        self.bold(s).newline()
    }

    pub fn append(&mut self, other: &Text) -> &mut Text {
        self.html.push_str(&other.html);
        self.plain.push_str(&other.plain);
        self
    }

    /// Drops trailing newlines.
    pub fn trimmed(mut self) -> Text {
        while self.html.ends_with('\n') {
            self.html.pop();
        }
        while self.plain.ends_with('\n') {
            self.plain.pop();
        }
        self
    }
}

/// Escapes `<`, `>` and `&` for Telegram's HTML parse mode (the only three it requires).
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            c => out.push(c),
        }
    }
    out
}

/// An alert message as the user sees it: marker and bold title, then the body lines.
pub use crate::alert::{MAX_TITLE_CHARS, clip};

pub fn notification(n: &Notification) -> Text {
    let mut t = Text::new();
    let marker = match n.kind {
        NotificationKind::Digest => "🌅",
        NotificationKind::Overflow => "➕",
        NotificationKind::Alert => n.priority.emoji(),
        NotificationKind::Brief => "☀️",
        NotificationKind::Review => "📊",
    };
    t.text(marker).text(" ");
    if n.back_from_snooze.is_some() {
        t.text("↺ ");
    }
    t.bold(&clip(&n.title, MAX_TITLE_CHARS)).newline();
    for line in &n.lines {
        if n.alerts.len() > 1 && n.kind == NotificationKind::Alert {
            t.text("• ").line(line);
        } else {
            t.line(line);
        }
    }
    if n.back_from_snooze.is_some() {
        t.italic("↺ Back after your snooze: this still holds.")
            .newline();
    }
    t.trimmed()
}

/// A duration as people say it: "3 days", "5 h 10 min", "12 min".
pub fn human_duration(d: chrono::Duration) -> String {
    let mins = d.num_minutes().max(0);
    let (days, hours, m) = (mins / 1440, (mins % 1440) / 60, mins % 60);
    match (days, hours) {
        (0, 0) => format!("{m} min"),
        (0, h) if m == 0 => format!("{h} h"),
        (0, h) => format!("{h} h {m} min"),
        (1, _) => "1 day".to_owned(),
        (d, _) => format!("{d} days"),
    }
}

/// A number without noise: `62`, `5.4`.
pub fn num(x: f64) -> String {
    if (x - x.round()).abs() < 0.05 {
        format!("{:.0}", x.round())
    } else {
        format!("{x:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_data_but_not_markup() {
        let mut t = Text::new();
        t.bold("<b>&").text(" x < y");
        assert_eq!(t.html(), "<b>&lt;b&gt;&amp;</b> x &lt; y");
        assert_eq!(t.plain(), "<b>& x < y");
    }

    #[test]
    fn durations_and_numbers_read_naturally() {
        assert_eq!(human_duration(chrono::Duration::minutes(12)), "12 min");
        assert_eq!(human_duration(chrono::Duration::minutes(310)), "5 h 10 min");
        assert_eq!(human_duration(chrono::Duration::days(3)), "3 days");
        assert_eq!(num(62.0), "62");
        assert_eq!(num(5.44), "5.4");
    }
}
