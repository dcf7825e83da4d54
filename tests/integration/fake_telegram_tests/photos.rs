//! `sendPhoto` as Telegram takes it: a multipart upload in the `photo` field (or named by
//! `attach://`), at most 10 MB, an image it can read, a caption of at most 1,024 characters
//! whose HTML parses. And the send path's answer to a refused picture: the text goes alone.

use teloxide::prelude::*;
use teloxide::types::{InputFile, ParseMode};

use super::{CHAT, TOKEN, api_error, started};
use operator::channels::telegram::{OnRateLimit, Outgoing, Telegram};
use operator::config::Redactor;
use operator::render::Text;

/// A 2×1 PNG (valid signature and IHDR).
fn tiny_png() -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend_from_slice(&2u32.to_be_bytes());
    png.extend_from_slice(&1u32.to_be_bytes());
    png.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
    png
}

fn photo(bytes: Vec<u8>) -> InputFile {
    InputFile::memory(bytes).file_name("chart.png")
}

#[tokio::test]
async fn a_photo_with_a_caption_is_stored_with_its_bytes() {
    let (fake, bot) = started();
    let sent = bot
        .send_photo(ChatId(CHAT), photo(tiny_png()))
        .caption("<b>Readiness 48</b> · usual 62–78")
        .parse_mode(ParseMode::Html)
        .await
        .unwrap();
    assert_eq!(sent.caption(), Some("Readiness 48 · usual 62–78"));
    assert!(sent.photo().is_some_and(|sizes| sizes[0].width == 2));
    let stored = &fake.messages(CHAT)[0];
    assert_eq!(stored.photo.as_deref(), Some(tiny_png().as_slice()));
    assert_eq!(stored.plain_text, "Readiness 48 · usual 62–78");
}

#[tokio::test]
async fn what_telegram_refuses_the_fake_refuses() {
    let (fake, bot) = started();
    /// (case, file, caption, parse mode, the error expected)
    type Case = (
        &'static str,
        Vec<u8>,
        String,
        Option<ParseMode>,
        &'static str,
    );
    let cases: Vec<Case> = vec![
        (
            "caption over 1024",
            tiny_png(),
            "a".repeat(1025),
            None,
            "caption is too long",
        ),
        (
            "bad caption HTML",
            tiny_png(),
            "<b>unclosed".to_owned(),
            Some(ParseMode::Html),
            "can't parse entities",
        ),
        (
            "over 10 MB",
            {
                let mut big = tiny_png();
                big.resize(10 * 1024 * 1024 + 1, 0);
                big
            },
            String::new(),
            None,
            "too big",
        ),
        (
            "not an image",
            b"hello".to_vec(),
            String::new(),
            None,
            "IMAGE_PROCESS_FAILED",
        ),
    ];
    for (name, bytes, caption, mode, expected) in cases {
        let mut request = bot.send_photo(ChatId(CHAT), photo(bytes)).caption(caption);
        if let Some(mode) = mode {
            request = request.parse_mode(mode);
        }
        let error = api_error(request.await);
        assert!(error.to_string().contains(expected), "{name}: {error}");
    }
    // 1024 characters exactly is fine.
    bot.send_photo(ChatId(CHAT), photo(tiny_png()))
        .caption("a".repeat(1024))
        .await
        .unwrap();

    // A multipart request without the file.
    let boundary = "b0undary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"chat_id\"\r\n\r\n{CHAT}\r\n--{boundary}--\r\n"
    );
    let response = reqwest::Client::new()
        .post(format!("{}/bot{TOKEN}/sendPhoto", fake.api_url()))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let json: serde_json::Value = response.json().await.unwrap();
    assert!(
        json["description"]
            .as_str()
            .unwrap_or_default()
            .contains("no photo"),
        "{json}"
    );
    assert_eq!(
        fake.messages(CHAT).len(),
        1,
        "only the valid one was stored"
    );
}

#[tokio::test]
async fn a_refused_picture_leaves_the_text_to_go_alone() {
    let (fake, bot) = started();
    let telegram = Telegram::standalone(bot, Redactor::new([]));
    let mut text = Text::new();
    text.bold("Good morning").newline().text("Readiness 48");
    let sent = telegram
        .send_with_photo(
            CHAT,
            b"not a png",
            Outgoing::text(&text),
            OnRateLimit::GiveUp,
        )
        .await
        .unwrap();
    let messages = fake.messages(CHAT);
    assert_eq!(messages.len(), 1);
    assert_eq!(i64::from(messages[0].message_id), sent.message_id);
    assert!(messages[0].photo.is_none());
    assert_eq!(messages[0].plain_text, "Good morning\nReadiness 48");

    // Too long for a caption: the text first, the picture right after.
    let mut long = Text::new();
    long.text(&"word ".repeat(300));
    telegram
        .send_with_photo(
            CHAT,
            &tiny_png(),
            Outgoing::text(&long),
            OnRateLimit::GiveUp,
        )
        .await
        .unwrap();
    let messages = fake.messages(CHAT);
    assert_eq!(messages.len(), 3);
    assert!(messages[1].photo.is_none() && messages[1].plain_text.starts_with("word"));
    assert!(messages[2].photo.is_some() && messages[2].plain_text.is_empty());
}
