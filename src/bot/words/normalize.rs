//! Normalising a message: case, punctuation, apostrophes, extra spaces and politeness, within
//! the caps on its length.

use super::*;

/// The message lower-cased, apostrophes dropped, other punctuation and symbols as spaces,
/// `:` and `.` kept between digits (15:00, 1.5h), dashes kept as a `-` word unless they join
/// two letters (23-7 but do-not-disturb); and whether it was longer than [`MAX_CHARS`].
pub(super) fn normalize(text: &str) -> (String, bool) {
    let mut chars: Vec<char> = text.chars().take(MAX_CHARS + 1).collect();
    let cut = chars.len() > MAX_CHARS;
    chars.truncate(MAX_CHARS);
    let at = |i: Option<usize>| i.and_then(|i| chars.get(i)).copied();
    let mut out = String::with_capacity(chars.len() + 16);
    for (i, &c) in chars.iter().enumerate() {
        let (prev, next) = (at(i.checked_sub(1)), at(i.checked_add(1)));
        let digit = |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit());
        let letter = |c: Option<char>| c.is_some_and(char::is_alphabetic);
        match c {
            '\'' | '\u{2019}' | '\u{2018}' | '`' | '\u{2bc}' | '\u{b4}' => {}
            ':' | '.' if digit(prev) && digit(next) => out.push(c),
            '-' | '\u{2010}'..='\u{2015}' | '\u{2212}' => {
                out.push_str(if letter(prev) && letter(next) {
                    " "
                } else {
                    " - "
                });
            }
            '&' => out.push_str(" and "),
            c if c.is_ascii_alphanumeric() => out.push(c.to_ascii_lowercase()),
            c if c.is_alphanumeric() => out.extend(c.to_lowercase()),
            _ => out.push(' '),
        }
    }
    (out, cut)
}

/// Polite and empty words dropped anywhere.
pub(super) const FILLER: &[&str] = &[
    "please", "pls", "plz", "plse", "kindly", "thanks", "thx", "ty", "cheers", "hey", "just", "um",
    "umm", "uh", "the", "bot", "bye",
];

/// Polite openings dropped from the start of a message, repeatedly.
pub(super) const OPENINGS: &[&[&str]] = &[
    &["ok"],
    &["okay"],
    &["hi"],
    &["hello"],
    &["yo"],
    &["so"],
    &["oh"],
    &["and"],
    &["can", "you"],
    &["could", "you"],
    &["would", "you"],
    &["will", "you"],
    &["can", "u"],
    &["could", "u"],
    &["i", "want", "to"],
    &["i", "need", "to"],
    &["i", "wanna"],
    &["i", "would", "like", "to"],
    &["i", "d", "like", "to"],
    &["id", "like", "to"],
    &["lets"],
    &["go", "ahead", "and"],
];

/// The words without politeness: [`FILLER`], "thank you", "for me" and [`OPENINGS`].
pub(super) fn strip_politeness<'a>(tokens: &[&'a str]) -> Vec<&'a str> {
    let mut kept = Vec::with_capacity(tokens.len());
    let mut rest = tokens;
    while let Some((&first, tail)) = rest.split_first() {
        match rest {
            ["thank", "you", tail @ ..]
            | ["for", "me", tail @ ..]
            | ["a", "lot", tail @ ..]
            | ["so" | "very", "much", tail @ ..] => rest = tail,
            _ if first == "thank" || FILLER.contains(&first) => rest = tail,
            _ => {
                kept.push(first);
                rest = tail;
            }
        }
    }
    let mut start = 0;
    while let Some(opening) = OPENINGS
        .iter()
        .find(|o| kept.get(start..).is_some_and(|w| w.starts_with(o)))
    {
        start += opening.len();
    }
    kept.split_off(start.min(kept.len()))
}
