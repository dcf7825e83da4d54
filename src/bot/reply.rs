//! Sending a reply: HTML, split under Telegram's length limit on line boundaries, re-sent as
//! plain text if Telegram cannot parse it.

use teloxide::prelude::*;
use teloxide::types::{ChatId, ParseMode};

use crate::render::{Text, escape_html};

/// Telegram's limit on one message's text.
pub const MAX_MESSAGE: usize = 4096;

fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

/// Splits `text` into message-sized parts on line boundaries, as (html, plain) pairs. A
/// single line too long for one message is split at character boundaries from its plain
/// form (escaped again), so no tag or entity is ever cut.
pub fn split(text: &Text, limit: usize) -> Vec<(String, String)> {
    let mut parts = Vec::new();
    let (mut html, mut plain) = (String::new(), String::new());
    for (h, p) in text.html().split('\n').zip(text.plain().split('\n')) {
        let pieces: Vec<(String, String)> = if utf16_len(h) <= limit {
            vec![(h.to_owned(), p.to_owned())]
        } else {
            hard_split(p, limit)
        };
        for (h, p) in pieces {
            let extra = if html.is_empty() { 0 } else { 1 };
            if !html.is_empty() && utf16_len(&html) + extra + utf16_len(&h) > limit {
                parts.push((std::mem::take(&mut html), std::mem::take(&mut plain)));
            }
            if !html.is_empty() {
                html.push('\n');
                plain.push('\n');
            }
            html.push_str(&h);
            plain.push_str(&p);
        }
    }
    if !html.trim().is_empty() {
        parts.push((html, plain));
    }
    parts
}

fn hard_split(plain: &str, limit: usize) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let (mut h, mut p) = (String::new(), String::new());
    for c in plain.chars() {
        let escaped = escape_html(c.encode_utf8(&mut [0; 4]));
        if utf16_len(&h) + utf16_len(&escaped) > limit {
            out.push((std::mem::take(&mut h), std::mem::take(&mut p)));
        }
        h.push_str(&escaped);
        p.push(c);
    }
    if !h.is_empty() {
        out.push((h, p));
    }
    out
}

/// Sends `text` to `chat` as one or more HTML messages.
pub async fn send(bot: &Bot, chat: ChatId, text: &Text) -> anyhow::Result<()> {
    for (html, plain) in split(text, MAX_MESSAGE) {
        let sent = bot
            .send_message(chat, html)
            .parse_mode(ParseMode::Html)
            .await;
        if let Err(teloxide::RequestError::Api(teloxide::ApiError::CantParseEntities(_))) = sent {
            tracing::warn!(
                chat_id = chat.0,
                "Telegram could not parse a reply's HTML; sending it as plain text"
            );
            bot.send_message(chat, plain).await?;
        } else {
            sent?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_lines_and_never_inside_an_entity() {
        let mut t = Text::new();
        for i in 0..400 {
            t.bold(&format!("item {i}")).line(" <&> detail");
        }
        t.line(&"&".repeat(5000));
        let parts = split(&t, 4096);
        assert!(parts.len() > 2);
        for (h, p) in &parts {
            assert!(utf16_len(h) <= 4096, "{}", utf16_len(h));
            assert!(!h.ends_with('&') && !h.contains("&am\n"));
            assert_eq!(h.matches("<b>").count(), h.matches("</b>").count());
            assert!(!p.is_empty());
        }
        let joined: String = parts
            .iter()
            .map(|(_, p)| p.as_str())
            .collect::<Vec<_>>()
            .join("");
        assert_eq!(joined.matches('&').count(), 400 + 5000);
    }
}
