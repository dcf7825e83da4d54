//! Telegram's HTML parse mode: what parses into which text and entities, and
//! what is refused with which "can't parse entities" message.

use serde_json::{Value, json};
use teloxide::ApiError;
use teloxide::prelude::*;
use teloxide::types::{MessageEntityKind, ParseMode};

use super::{CHAT, api_error, started};
use crate::support::fake_telegram::parse_html;

fn entity(kind: &str, offset: usize, length: usize) -> Value {
    json!({ "type": kind, "offset": offset, "length": length })
}

#[test]
fn valid_html_becomes_plain_text_and_entities() {
    let cases: Vec<(&str, &str, Vec<Value>)> = vec![
        (
            "<b>bold</b> and <i>it</i>",
            "bold and it",
            vec![entity("bold", 0, 4), entity("italic", 9, 2)],
        ),
        ("<B>caps</B>", "caps", vec![entity("bold", 0, 4)]),
        (
            "<strong><em>x</em></strong>",
            "x",
            vec![entity("bold", 0, 1), entity("italic", 0, 1)],
        ),
        (
            "a &lt; b &amp;&amp; c &gt; d &quot;q&quot;",
            "a < b && c > d \"q\"",
            vec![],
        ),
        ("&#65;&#x42;&lt", "AB<", vec![]),
        ("2 > 1", "2 > 1", vec![]),
        ("<b>😀</b>x", "😀x", vec![entity("bold", 0, 2)]),
        (
            "<u>u</u><ins>i</ins><s>s</s><del>d</del>",
            "uisd",
            vec![
                entity("underline", 0, 1),
                entity("underline", 1, 1),
                entity("strikethrough", 2, 1),
                entity("strikethrough", 3, 1),
            ],
        ),
        (
            "<tg-spoiler>a</tg-spoiler><span class=\"tg-spoiler\">b</span>",
            "ab",
            vec![entity("spoiler", 0, 1), entity("spoiler", 1, 1)],
        ),
        (
            "<blockquote>q</blockquote><blockquote expandable>e</blockquote>",
            "qe",
            vec![
                entity("blockquote", 0, 1),
                entity("expandable_blockquote", 1, 1),
            ],
        ),
        ("<b>x</>", "x", vec![entity("bold", 0, 1)]),
        ("<b></b>empty", "empty", vec![]),
        ("<code>c</code>", "c", vec![entity("code", 0, 1)]),
    ];
    for (input, text, entities) in cases {
        let parsed = parse_html(input).unwrap_or_else(|e| panic!("{input:?} should parse: {e}"));
        assert_eq!(
            (parsed.text.as_str(), &parsed.entities),
            (text, &entities),
            "{input:?}"
        );
    }
}

#[test]
fn entities_with_arguments_carry_them() {
    let cases = [
        (
            "<a href=\"https://example.com/?a=1&amp;b=2\">l</a>",
            json!({ "url": "https://example.com/?a=1&b=2" }),
        ),
        (
            "<a href='example.com'>l</a>",
            json!({ "url": "http://example.com" }),
        ),
        (
            "<pre><code class=\"language-rust\">l</code></pre>",
            json!({ "language": "rust" }),
        ),
        (
            "<tg-emoji emoji-id=\"5368324170671202286\">l</tg-emoji>",
            json!({ "custom_emoji_id": "5368324170671202286" }),
        ),
    ];
    for (input, extra) in cases {
        let parsed = parse_html(input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
        let [entity] = parsed.entities.as_slice() else {
            panic!("{input:?}: one entity, got {:?}", parsed.entities)
        };
        for (key, value) in extra.as_object().into_iter().flatten() {
            assert_eq!(&entity[key], value, "{input:?}");
        }
    }
    let unlinkable = parse_html("<a href=\"nothing\">x</a>").expect("Telegram keeps the text");
    assert_eq!(
        unlinkable.entities,
        Vec::<Value>::new(),
        "an uncheckable link is dropped, not an error"
    );
}

#[test]
fn malformed_html_is_refused_with_telegrams_wording() {
    let cases = [
        ("<b>x", "Can't find end tag corresponding to start tag b"),
        ("a < b", "Unsupported start tag \"\" at byte offset 2"),
        (
            "<foo>x</foo>",
            "Unsupported start tag \"foo\" at byte offset 0",
        ),
        (
            "&foo;",
            "Unsupported HTML entity \"&foo;\" at byte offset 0",
        ),
        (
            "Tom & Jerry",
            "Character \"&\" at byte offset 4 must be escaped as \"&amp;\"",
        ),
        ("</b>", "Unexpected end tag at byte offset 0"),
        (
            "<b><i>x</b></i>",
            "Unmatched end tag at byte offset 7, expected \"</i>\", found \"</b>\"",
        ),
        (
            "<span>x</span>",
            "Tag \"span\" must have class \"tg-spoiler\" at byte offset 0",
        ),
        (
            "<a>x</a>",
            "Tag \"a\" must have attribute \"href\" at byte offset 0",
        ),
        ("x <b", "Unclosed start tag at byte offset 2"),
        ("<b>x</b", "Unclosed end tag at byte offset 4"),
        (
            "<a href=x:y>z</a>",
            "Unexpected end of name token at byte offset 8",
        ),
        (
            "<a href>x</a>",
            "Expected equal sign in declaration of an attribute of the tag \"a\" at byte offset 0",
        ),
        (
            "<b =x>y</b>",
            "Empty attribute name in the tag \"b\" at byte offset 0",
        ),
        (
            "<a href=\"https://x.org",
            "Unclosed start tag at byte offset 0",
        ),
        (
            "<tg-emoji emoji-id=\"abc\">x</tg-emoji>",
            "Invalid custom emoji identifier specified",
        ),
    ];
    for (input, error) in cases {
        assert_eq!(
            parse_html(input).map(|p| p.text),
            Err(error.to_owned()),
            "{input:?}"
        );
    }
}

#[tokio::test]
async fn teloxide_sees_malformed_html_as_cant_parse_entities() {
    let (fake, bot) = started();

    for text in ["<b>x", "a < b", "&foo;", "<foo>"] {
        let error = api_error(
            bot.send_message(ChatId(CHAT), text)
                .parse_mode(ParseMode::Html)
                .await,
        );
        let ApiError::CantParseEntities(description) = error else {
            panic!("{text:?}: got {error:?}")
        };
        assert!(
            description.starts_with("Bad Request: can't parse entities: "),
            "{description}"
        );
    }
    for text in ["a < b", "&foo;"] {
        bot.send_message(ChatId(CHAT), text)
            .await
            .expect("without parse_mode the text is not parsed");
    }
    assert_eq!(
        fake.messages(CHAT).len(),
        2,
        "rejected messages are not stored"
    );
}

#[tokio::test]
async fn a_sent_html_message_comes_back_with_its_entities() {
    let (fake, bot) = started();

    let message = bot
        .send_message(ChatId(CHAT), "<b>Sleep</b> 5h &lt; 7h")
        .parse_mode(ParseMode::Html)
        .await
        .expect("valid HTML");

    assert_eq!(message.text(), Some("Sleep 5h < 7h"));
    let kinds: Vec<_> = message
        .entities()
        .unwrap_or_default()
        .iter()
        .map(|e| (e.kind.clone(), e.offset, e.length))
        .collect();
    assert_eq!(kinds, [(MessageEntityKind::Bold, 0, 5)]);
    let stored = &fake.messages(CHAT)[0];
    assert_eq!(
        (stored.text.as_str(), stored.plain_text.as_str()),
        ("<b>Sleep</b> 5h &lt; 7h", "Sleep 5h < 7h")
    );
    assert_eq!(stored.parse_mode.as_deref(), Some("HTML"));
}
