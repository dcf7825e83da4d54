//! Splitting a message that is too long for one Telegram message.
//!
//! Telegram allows 4096 characters of text per message. Length is counted conservatively, in
//! UTF-16 code units of the *source* (HTML tags and entities included), which is never less
//! than what Telegram counts. Text is split on line boundaries; the HTML that rows carry only
//! has tags within a line, so every part is well formed. A single line longer than the limit
//! is hard-split at character boundaries from its *plain* text, each piece escaped on its own,
//! so no tag or entity is ever cut in half (that line loses its bold, nothing else).

use crate::render::escape_html;

/// Telegram's limit on the text of one message.
pub const MAX_MESSAGE_LEN: usize = 4096;

/// Length as Telegram counts it at most: UTF-16 code units.
pub fn utf16_len(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
}

/// Splits a message for HTML parse mode into parts of at most `limit` UTF-16 units each.
/// `plain` is the same message as plain text, line for line; it supplies the text of any line
/// that has to be hard-split. Never returns an empty list or a blank part.
pub fn split_html(html: &str, plain: &str, limit: usize) -> Vec<String> {
    let limit = limit.max(MIN_LIMIT);
    let html_lines: Vec<&str> = html.split('\n').collect();
    let plain_lines: Vec<&str> = plain.split('\n').collect();
    let aligned = html_lines.len() == plain_lines.len();
    let mut lines = Vec::with_capacity(html_lines.len());
    for (i, line) in html_lines.iter().enumerate() {
        if utf16_len(line) <= limit {
            lines.push((*line).to_owned());
        } else {
            // Rows keep HTML and plain text line for line; if they ever disagree, fall back to
            // the plain text with its markup dropped rather than cut a tag.
            let source = if aligned {
                plain_lines[i].to_owned()
            } else {
                strip_tags(line)
            };
            lines.extend(hard_split(&source, limit, true));
        }
    }
    pack(lines, limit, || escape_html("(empty message)"))
}

/// Splits plain text (no parse mode) into parts of at most `limit` UTF-16 units each.
pub fn split_plain(plain: &str, limit: usize) -> Vec<String> {
    let limit = limit.max(MIN_LIMIT);
    let mut lines = Vec::new();
    for line in plain.split('\n') {
        if utf16_len(line) <= limit {
            lines.push(line.to_owned());
        } else {
            lines.extend(hard_split(line, limit, false));
        }
    }
    pack(lines, limit, || "(empty message)".to_owned())
}

/// The smallest limit that always fits one escaped character (`&amp;` is 5 units).
const MIN_LIMIT: usize = 8;

/// Cuts `text` into pieces at character boundaries; with `escape`, each piece is escaped
/// for HTML and the escaped form is what must fit.
fn hard_split(text: &str, limit: usize, escape: bool) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut piece = String::new();
    let mut len = 0;
    let mut buf = [0u8; 4];
    for c in text.chars() {
        let encoded: &str = if escape {
            match c {
                '<' => "&lt;",
                '>' => "&gt;",
                '&' => "&amp;",
                _ => c.encode_utf8(&mut buf),
            }
        } else {
            c.encode_utf8(&mut buf)
        };
        let cost = utf16_len(encoded);
        if len + cost > limit && !piece.is_empty() {
            pieces.push(std::mem::take(&mut piece));
            len = 0;
        }
        piece.push_str(encoded);
        len += cost;
    }
    if !piece.is_empty() {
        pieces.push(piece);
    }
    pieces
}

/// Packs lines greedily into parts of at most `limit` units, dropping blank parts.
fn pack(lines: Vec<String>, limit: usize, empty: impl FnOnce() -> String) -> Vec<String> {
    let mut parts = Vec::new();
    let mut part = String::new();
    let mut len = 0;
    let mut started = false;
    for line in lines {
        let line_len = utf16_len(&line);
        if started && len + 1 + line_len > limit {
            parts.push(std::mem::take(&mut part));
            len = 0;
            started = false;
        }
        if started {
            part.push('\n');
            len += 1;
        }
        part.push_str(&line);
        len += line_len;
        started = true;
    }
    if started {
        parts.push(part);
    }
    parts.retain(|p| !p.trim().is_empty());
    if parts.is_empty() {
        parts.push(empty());
    }
    parts
}

/// Drops `<…>` tags from one line of the renderer's HTML (entities are kept as they are,
/// already escaped).
fn strip_tags(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut in_tag = false;
    for c in line.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    // The result is already escaped HTML; unescape so `hard_split` can escape once.
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn balanced(part: &str) -> bool {
        part.matches("<b>").count() == part.matches("</b>").count()
            && !part.ends_with('&')
            && part.rfind('&').is_none_or(|i| part[i..].contains(';'))
    }

    #[test]
    fn short_text_is_one_part_unchanged() {
        let html = "🔴 <b>A &amp; B</b>\nline";
        assert_eq!(split_html(html, "🔴 A & B\nline", 4096), vec![html]);
    }

    #[test]
    fn splits_on_line_boundaries_within_the_limit() {
        // Table: (line length, line count, limit) → every part within the limit, text intact.
        for (line_len, count, limit) in [(10, 30, 50), (49, 7, 50), (50, 3, 50), (1, 200, 16)] {
            let lines: Vec<String> = (0..count)
                .map(|i| format!("{:0>w$}", i, w = line_len))
                .collect();
            let text = lines.join("\n");
            let parts = split_html(&text, &text, limit);
            assert!(parts.iter().all(|p| utf16_len(p) <= limit), "{parts:?}");
            assert_eq!(parts.join("\n"), text, "no line is lost or cut");
        }
    }

    #[test]
    fn exactly_at_the_limit_is_not_split_one_more_is() {
        let at = "a".repeat(4096);
        assert_eq!(split_html(&at, &at, 4096).len(), 1);
        let over = format!("{}\nb", "a".repeat(4095));
        assert_eq!(
            split_html(&over, &over, 4096),
            vec!["a".repeat(4095), "b".to_owned()]
        );
    }

    #[test]
    fn an_over_long_line_is_hard_split_from_plain_without_cutting_entities() {
        let plain = "x&<".repeat(40);
        let html = format!("<b>{}</b>", escape_html(&plain));
        let parts = split_html(&html, &plain, 20);
        assert!(
            parts.iter().all(|p| utf16_len(p) <= 20 && balanced(p)),
            "{parts:?}"
        );
        let joined: String = parts.concat();
        assert_eq!(joined, escape_html(&plain));
    }

    #[test]
    fn emoji_count_as_two_units_and_are_never_cut() {
        let plain = "🔥".repeat(5000);
        let parts = split_plain(&plain, 4096);
        assert_eq!(parts.len(), 3);
        assert!(parts.iter().all(|p| utf16_len(p) <= 4096));
        assert_eq!(parts.concat(), plain);
    }

    #[test]
    fn blank_input_still_gives_one_part() {
        assert_eq!(split_plain("\n\n", 4096), vec!["(empty message)"]);
        assert_eq!(split_html("", "", 4096).len(), 1);
    }
}
