//! Tests of the fake Telegram Bot API server, driven mostly by a real teloxide
//! `Bot`: the protocol basics here, then HTML parsing, sending and editing,
//! updates and long polling, and scripted faults in the submodules.

mod faults;
mod html;
mod photos;
mod polling;
mod sending;
mod updates;

use serde_json::{Value, json};
use teloxide::prelude::*;
use teloxide::{ApiError, RequestError};

use crate::support::fake_telegram::FakeTelegram;

const TOKEN: &str = "123456:AAF-secret_fake_token";
const CHAT: i64 = 1001;
const USER: i64 = 1001;

/// A fake that knows `CHAT`, and a teloxide bot pointed at it.
fn started() -> (FakeTelegram, Bot) {
    let fake = FakeTelegram::start(TOKEN);
    fake.know_chat(CHAT);
    let bot = fake.bot();
    (fake, bot)
}

fn api_error<T: std::fmt::Debug>(result: Result<T, RequestError>) -> ApiError {
    match result {
        Err(RequestError::Api(error)) => error,
        other => panic!("expected a Telegram API error, got {other:?}"),
    }
}

/// POSTs a JSON body to `method` with any token; returns status and body.
async fn post_json(fake: &FakeTelegram, token: &str, method: &str, body: Value) -> (u16, Value) {
    let url = format!("{}/bot{token}/{method}", fake.api_url());
    let response = reqwest::Client::new()
        .post(url)
        .json(&body)
        .send()
        .await
        .expect("the fake answers");
    let status = response.status().as_u16();
    (status, response.json().await.expect("a JSON body"))
}

#[tokio::test]
async fn get_me_gives_a_bot_user_teloxide_accepts() {
    let (fake, bot) = started();

    let me = bot.get_me().await.expect("getMe");

    assert_eq!(me.username(), "operator_fake_bot");
    assert!(me.user.is_bot);
    assert_eq!(
        me.user.id,
        UserId(123_456),
        "the bot id is the token's numeric prefix"
    );
    assert!(!me.has_main_web_app);
    assert_eq!(fake.requests_for("getMe").len(), 1);
}

#[tokio::test]
async fn a_wrong_token_is_unauthorized_and_no_token_is_recorded() {
    let fake = FakeTelegram::start(TOKEN);
    let url = reqwest::Url::parse(&fake.api_url()).expect("url");
    let intruder = Bot::new("999:wrong_token_value").set_api_url(url);

    assert_eq!(api_error(intruder.get_me().await), ApiError::InvalidToken);
    let (status, body) = post_json(&fake, "999:wrong_token_value", "getMe", json!({})).await;
    assert_eq!(status, 401);
    assert_eq!(
        body,
        json!({ "ok": false, "error_code": 401, "description": "Unauthorized" })
    );

    fake.know_chat(CHAT);
    fake.bot()
        .send_message(ChatId(CHAT), "hello")
        .await
        .expect("the right token works");
    let log = format!("{:?}", fake.requests());
    assert!(
        !log.contains("secret_fake_token") && !log.contains("wrong_token_value"),
        "{log}"
    );
    assert_eq!(
        fake.requests_for("getme")
            .iter()
            .map(|r| r.status)
            .collect::<Vec<_>>(),
        [Some(401), Some(401)]
    );
}

#[tokio::test]
async fn method_names_are_case_insensitive_and_unknown_ones_are_not_found() {
    let (fake, _bot) = started();

    for method in ["sendMessage", "SendMessage", "SENDMESSAGE", "sendmessage"] {
        let (status, body) = post_json(
            &fake,
            TOKEN,
            method,
            json!({ "chat_id": CHAT, "text": method }),
        )
        .await;
        assert_eq!(
            (status, &body["ok"]),
            (200, &json!(true)),
            "{method}: {body}"
        );
    }
    let (status, body) = post_json(&fake, TOKEN, "frobnicate", json!({})).await;
    assert_eq!(status, 404);
    assert_eq!(
        body,
        json!({ "ok": false, "error_code": 404, "description": "Not Found" })
    );
    assert_eq!(fake.requests_for("sendMessage").len(), 4);
    assert!(
        fake.requests()
            .iter()
            .all(|r| r.method == r.method.to_lowercase())
    );
}

#[tokio::test]
async fn form_bodies_and_query_strings_are_accepted_too() {
    let (fake, _bot) = started();
    let client = reqwest::Client::new();
    let base = format!("{}/bot{TOKEN}", fake.api_url());
    let keyboard = json!({ "inline_keyboard": [[{ "text": "Got it", "callback_data": "ack:1" }]] })
        .to_string();

    let form = [
        ("chat_id", CHAT.to_string()),
        ("text", "<b>a+b & c</b>".replace('&', "&amp;")),
        ("parse_mode", "HTML".to_owned()),
        ("reply_markup", keyboard),
    ];
    let sent: Value = client
        .post(format!("{base}/sendMessage"))
        .form(&form)
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    let me: Value = client
        .get(format!("{base}/getMe"))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    let query: Value = client
        .get(format!("{base}/sendMessage?chat_id={CHAT}&text=hi%20there"))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");

    assert_eq!(sent["result"]["text"], "a+b & c");
    assert_eq!(
        sent["result"]["reply_markup"]["inline_keyboard"][0][0]["callback_data"],
        "ack:1"
    );
    assert_eq!(me["result"]["username"], "operator_fake_bot");
    assert_eq!(query["result"]["text"], "hi there");
    let recorded = fake.requests_for("sendmessage");
    assert_eq!(
        recorded[0].params["chat_id"],
        json!(CHAT.to_string()),
        "form values are recorded as sent"
    );
    assert!(
        recorded[0].params["reply_markup"].is_object(),
        "JSON-valued form fields are parsed"
    );
}

#[tokio::test]
async fn requests_are_recorded_in_order_with_arrival_times() {
    let (fake, bot) = started();

    bot.get_me().await.expect("getMe");
    bot.send_message(ChatId(CHAT), "one").await.expect("send");
    let _rejected = bot.send_message(ChatId(CHAT), " ").await;

    let log = fake.requests();
    assert_eq!(
        log.iter().map(|r| r.method.as_str()).collect::<Vec<_>>(),
        ["getme", "sendmessage", "sendmessage"]
    );
    assert_eq!(
        log.iter().map(|r| r.status).collect::<Vec<_>>(),
        [Some(200), Some(200), Some(400)]
    );
    assert_eq!(log[1].params["text"], "one");
    assert!(log.windows(2).all(|pair| pair[0].at <= pair[1].at));
}

#[tokio::test]
async fn waiting_for_requests_reports_what_it_saw_when_it_gives_up() {
    let (fake, bot) = started();
    bot.get_me().await.expect("getMe");

    let outcome = fake
        .wait_for_requests("sendMessage", 1, std::time::Duration::from_millis(50))
        .await;

    let error = outcome.expect_err("nothing was sent");
    assert!(
        error.contains("saw 0") && error.contains("getme"),
        "{error}"
    );
    assert_eq!(
        fake.wait_for_requests("getMe", 1, std::time::Duration::from_secs(5))
            .await
            .map(|r| r.len()),
        Ok(1)
    );
}

#[tokio::test]
async fn shutdown_stops_serving() {
    let (fake, bot) = started();
    bot.get_me().await.expect("getMe");

    fake.shutdown().await;

    let after = reqwest::Client::new()
        .get(format!("{}/bot{TOKEN}/getMe", fake.api_url()))
        .send()
        .await;
    assert!(after.is_err(), "the port no longer answers: {after:?}");
}
