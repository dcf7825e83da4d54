//! Sending, editing, answering callbacks and setting commands: Telegram's
//! limits at their boundaries and its state rules.

use teloxide::ApiError;
use teloxide::prelude::*;
use teloxide::types::{
    BotCommand, CallbackQueryId, InlineKeyboardButton, InlineKeyboardMarkup, MessageId, ParseMode,
};

use super::{CHAT, USER, api_error, started};

fn keyboard(data: &str) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new([[InlineKeyboardButton::callback("Got it", data)]])
}

#[tokio::test]
async fn text_length_is_measured_after_parsing_in_utf16_units() {
    let (_fake, bot) = started();
    let a = |n| "a".repeat(n);
    let emoji = |n| "😀".repeat(n);
    let cases: Vec<(&str, String, Option<ParseMode>, bool)> = vec![
        ("4096 chars", a(4096), None, true),
        ("4097 chars", a(4097), None, false),
        ("2048 emoji are 4096 units", emoji(2048), None, true),
        ("2048 emoji and one char", emoji(2048) + "a", None, false),
        (
            "tags are not counted",
            format!("<b>{}</b>", a(4096)),
            Some(ParseMode::Html),
            true,
        ),
        (
            "raw tags count without parse_mode",
            format!("<b>{}</b>", a(4093)),
            None,
            false,
        ),
        (
            "an entity counts as one",
            "&amp;".repeat(4096),
            Some(ParseMode::Html),
            true,
        ),
        (
            "4097 decoded entities",
            "&amp;".repeat(4097),
            Some(ParseMode::Html),
            false,
        ),
        (
            "surrounding whitespace is trimmed",
            format!("  {}\n", a(4096)),
            None,
            true,
        ),
    ];
    for (name, text, mode, accepted) in cases {
        let request = bot.send_message(ChatId(CHAT), text);
        let result = match mode {
            Some(mode) => request.parse_mode(mode).await,
            None => request.await,
        };
        match accepted {
            true => assert!(result.is_ok(), "{name}: {result:?}"),
            false => assert_eq!(api_error(result), ApiError::MessageIsTooLong, "{name}"),
        }
    }
}

#[tokio::test]
async fn empty_text_is_refused() {
    let (_fake, bot) = started();

    for text in ["", " \n\t", "<b> </b>"] {
        let result = bot
            .send_message(ChatId(CHAT), text)
            .parse_mode(ParseMode::Html)
            .await;
        assert_eq!(api_error(result), ApiError::MessageTextIsEmpty, "{text:?}");
    }
}

#[tokio::test]
async fn callback_data_is_limited_to_64_bytes() {
    let (fake, bot) = started();
    let cases = [
        ("x".repeat(64), true),
        ("x".repeat(65), false),
        ("é".repeat(32), true),
        ("é".repeat(32) + "x", false),
        (String::new(), false),
    ];
    for (data, accepted) in cases {
        let result = bot
            .send_message(ChatId(CHAT), "pick")
            .reply_markup(keyboard(&data))
            .await;
        match accepted {
            true => assert_eq!(
                result.expect("valid").reply_markup(),
                Some(&keyboard(&data)),
                "echoed back"
            ),
            false => assert_eq!(
                api_error(result),
                ApiError::ButtonDataInvalid,
                "{} bytes",
                data.len()
            ),
        }
    }
    assert_eq!(fake.messages(CHAT).len(), 2);
    assert_eq!(
        fake.messages(CHAT)[0]
            .reply_markup
            .as_ref()
            .map(|m| m["inline_keyboard"][0][0]["text"].clone()),
        Some("Got it".into())
    );
}

#[tokio::test]
async fn buttons_need_text_and_an_action() {
    let (_fake, bot) = started();
    let empty_text = InlineKeyboardMarkup::new([[InlineKeyboardButton::callback(" ", "d")]]);
    let url = reqwest::Url::parse("https://example.com").expect("url");
    let link = InlineKeyboardMarkup::new([[InlineKeyboardButton::url("Open", url)]]);

    let refused = bot
        .send_message(ChatId(CHAT), "x")
        .reply_markup(empty_text)
        .await;
    let accepted = bot.send_message(ChatId(CHAT), "x").reply_markup(link).await;

    assert!(
        matches!(api_error(refused), ApiError::Unknown(d) if d.contains("Text must be non-empty"))
    );
    assert!(accepted.is_ok(), "{accepted:?}");
}

#[tokio::test]
async fn message_ids_increase_per_chat() {
    let (fake, bot) = started();
    fake.know_chat(2002);

    let ids = [
        bot.send_message(ChatId(CHAT), "a").await.expect("a").id,
        bot.send_message(ChatId(CHAT), "b").await.expect("b").id,
        bot.send_message(ChatId(2002), "c").await.expect("c").id,
    ];

    assert_eq!(ids, [MessageId(1), MessageId(2), MessageId(1)]);
    assert_eq!(
        fake.messages(CHAT)
            .iter()
            .map(|m| m.plain_text.as_str())
            .collect::<Vec<_>>(),
        ["a", "b"]
    );
}

#[tokio::test]
async fn edits_change_the_message_and_identical_edits_are_refused() {
    let (fake, bot) = started();
    let sent = bot
        .send_message(ChatId(CHAT), "<b>Alert</b>")
        .parse_mode(ParseMode::Html)
        .reply_markup(keyboard("s:1"))
        .await;
    let id = sent.expect("send").id;

    let edited = bot
        .edit_message_text(ChatId(CHAT), id, "Snoozed until 10:00")
        .await
        .expect("edit");
    let again = bot
        .edit_message_text(ChatId(CHAT), id, "Snoozed until 10:00")
        .await;
    let missing = bot
        .edit_message_text(ChatId(CHAT), MessageId(99), "x")
        .await;

    assert_eq!(edited.text(), Some("Snoozed until 10:00"));
    assert!(edited.edit_date().is_some());
    assert_eq!(api_error(again), ApiError::MessageNotModified);
    assert_eq!(api_error(missing), ApiError::MessageToEditNotFound);
    let now = &fake.messages(CHAT)[0];
    assert!(now.edited);
    assert_eq!(
        now.reply_markup, None,
        "editMessageText without a keyboard drops the keyboard, as Telegram does"
    );
}

#[tokio::test]
async fn reply_markup_edits_follow_the_same_rules() {
    let (fake, bot) = started();
    let id = bot
        .send_message(ChatId(CHAT), "alert")
        .reply_markup(keyboard("a"))
        .await
        .expect("send")
        .id;

    let same = bot
        .edit_message_reply_markup(ChatId(CHAT), id)
        .reply_markup(keyboard("a"))
        .await;
    bot.edit_message_reply_markup(ChatId(CHAT), id)
        .reply_markup(keyboard("b"))
        .await
        .expect("new keyboard");
    bot.edit_message_reply_markup(ChatId(CHAT), id)
        .await
        .expect("no keyboard");
    let removed_twice = bot.edit_message_reply_markup(ChatId(CHAT), id).await;

    assert_eq!(api_error(same), ApiError::MessageNotModified);
    assert_eq!(api_error(removed_twice), ApiError::MessageNotModified);
    assert_eq!(fake.messages(CHAT)[0].reply_markup, None);
}

#[tokio::test]
async fn a_users_message_cannot_be_edited() {
    let (fake, bot) = started();
    fake.push_text(CHAT, USER, "hello");

    let result = bot
        .edit_message_text(ChatId(CHAT), MessageId(1), "hijacked")
        .await;

    assert_eq!(api_error(result), ApiError::MessageCantBeEdited);
}

/// Telegram says "query ID is invalid"; teloxide 0.17's `InvalidQueryId`
/// expects "query id is invalid", so real answers arrive as `Unknown`.
fn is_invalid_query(error: &ApiError) -> bool {
    matches!(error, ApiError::Unknown(d)
        if d == "Bad Request: query is too old and response timeout expired or query ID is invalid")
}

#[tokio::test]
async fn a_callback_query_is_answered_at_most_once() {
    let (fake, bot) = started();
    let id = bot
        .send_message(ChatId(CHAT), "alert")
        .reply_markup(keyboard("ack"))
        .await
        .expect("send")
        .id;
    let query = fake.push_callback(CHAT, USER, id.0, "ack");

    bot.answer_callback_query(CallbackQueryId(query.clone()))
        .text("Got it")
        .await
        .expect("first answer");
    let second = api_error(
        bot.answer_callback_query(CallbackQueryId(query.clone()))
            .await,
    );
    let unknown = api_error(
        bot.answer_callback_query(CallbackQueryId("123".into()))
            .await,
    );

    assert!(is_invalid_query(&second), "{second:?}");
    assert!(is_invalid_query(&unknown), "{unknown:?}");
    assert_eq!(
        fake.callback_answers(),
        [(query, Some("Got it".to_owned()))]
    );
}

#[tokio::test]
async fn a_callback_answer_text_is_at_most_200_chars() {
    let (fake, bot) = started();
    let first = fake.push_callback(CHAT, USER, 1, "a");
    let second = fake.push_callback(CHAT, USER, 1, "b");

    let too_long = bot
        .answer_callback_query(CallbackQueryId(first.clone()))
        .text("é".repeat(201))
        .await;
    bot.answer_callback_query(CallbackQueryId(first))
        .text("é".repeat(200))
        .await
        .expect("200 chars fit, and the query is still open");
    bot.answer_callback_query(CallbackQueryId(second))
        .await
        .expect("no text at all");

    // teloxide names "Bad Request: MESSAGE_TOO_LONG" after edits, but it is what Telegram says here.
    assert_eq!(api_error(too_long), ApiError::EditedMessageIsTooLong);
    assert_eq!(fake.callback_answers().len(), 2);
}

#[tokio::test]
async fn commands_are_validated_and_stored() {
    let (fake, bot) = started();
    let command = |name: &str, description: &str| BotCommand::new(name, description);
    let limit = "d".repeat(256);
    let valid = vec![
        command("status", "Show status"),
        command(&"a".repeat(32), &limit),
        command("check_2", "Run"),
    ];

    bot.set_my_commands(valid.clone())
        .await
        .expect("valid commands");
    let invalid = [
        (vec![command("Status", "x")], "BOT_COMMAND_INVALID"),
        (vec![command(&"a".repeat(33), "x")], "BOT_COMMAND_INVALID"),
        (vec![command("snooze-all", "x")], "BOT_COMMAND_INVALID"),
        (vec![command("", "x")], "BOT_COMMAND_INVALID"),
        (
            vec![command("quiet", "")],
            "BOT_COMMAND_DESCRIPTION_INVALID",
        ),
        (
            vec![command("quiet", &"d".repeat(257))],
            "BOT_COMMAND_DESCRIPTION_INVALID",
        ),
        (
            (0..101).map(|i| command(&format!("c{i}"), "x")).collect(),
            "BOT_COMMANDS_TOO_MUCH",
        ),
    ];
    for (commands, description) in invalid {
        let error = api_error(bot.set_my_commands(commands).await);
        assert!(
            matches!(&error, ApiError::Unknown(d) if d == &format!("Bad Request: {description}")),
            "{error:?}"
        );
    }
    let hundred: Vec<_> = (0..100).map(|i| command(&format!("c{i}"), "x")).collect();
    bot.set_my_commands(hundred)
        .await
        .expect("100 commands fit");
    bot.set_my_commands(valid.clone()).await.expect("reset");

    let expected: Vec<_> = valid
        .iter()
        .map(|c| (c.command.clone(), c.description.clone()))
        .collect();
    assert_eq!(
        fake.commands(),
        expected,
        "failed calls leave the stored list alone"
    );
    assert_eq!(bot.get_my_commands().await.expect("get"), valid);
}
