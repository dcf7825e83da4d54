//! The morning brief: sent once, when last night's data lands (07:40 here) or at the
//! fallback time saying what is missing; never twice across a restart; nothing on a day it
//! is off; it carries what quiet hours held (cleared items marked) instead of a digest;
//! `/brief` on demand; one journal line each.

use chrono::Duration;

use super::harness::{Day, at, complete_commitments, today, withhold_oura_day};

fn brief_lines(day: &Day, on_demand: bool) -> Vec<serde_json::Value> {
    day.world
        .journal_lines()
        .into_iter()
        .filter(|l| l["kind"] == "brief" && l["on_demand"] == on_demand)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_brief_goes_once_when_the_night_lands_and_never_twice() {
    let mut day = Day::start(at(6, 0), at(6, 0), true).await;
    let night = withhold_oura_day(&day.world, today());

    day.cycle_at(at(6, 30)).await; // quiet hours until 7
    day.cycle_at(at(7, 10)).await; // the ring has not synced
    assert!(day.briefs().is_empty(), "no brief before the data");

    night.land();
    day.cycle_at(at(7, 40)).await;
    let briefs = day.briefs();
    assert_eq!(briefs.len(), 1, "{briefs:#?}");
    let brief = &briefs[0];
    let png = brief.photo.as_ref().expect("the brief carries its chart");
    assert!(png.starts_with(b"\x89PNG"), "a PNG");
    for expected in [
        "Good morning · Fri 27 Nov",
        "Readiness 48",
        "usual",
        "Today",
    ] {
        assert!(
            brief.plain_text.contains(expected),
            "lacks {expected:?}:\n{}",
            brief.plain_text
        );
    }
    assert!(
        !brief.plain_text.contains("No data from your ring"),
        "{}",
        brief.plain_text
    );

    day.cycle_at(at(8, 0)).await;
    day.restart().await;
    day.cycle_at(at(8, 30)).await;
    day.cycle_at(at(12, 0)).await;
    assert_eq!(day.briefs().len(), 1, "once a day, across a restart");
    let lines = brief_lines(&day, false);
    assert_eq!(lines.len(), 1, "one journal line: {lines:?}");
    assert_eq!(lines[0]["chat_id"], super::harness::CHAT);
    assert_eq!(
        lines[0]["outcome"], "sent",
        "one line, with the delivery's outcome"
    );
    assert!(lines[0]["created_at"].is_string());

    // The next morning it goes again.
    day.cycle_at(at(7, 40) + Duration::days(1)).await;
    let later = day.briefs();
    assert!(later.len() <= 2, "{later:#?}");
    day.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_data_the_brief_goes_at_the_fallback_and_says_so() {
    let day = Day::start(at(6, 0), at(6, 0), true).await;
    let night = withhold_oura_day(&day.world, today());
    let conn = operator::fixtures::create_oura_cache(&day.world.files.oura_db).unwrap();
    operator::fixtures::set_oura_last_sync(&conn, at(21, 40) - Duration::days(1)).unwrap();
    drop(conn);

    day.cycle_at(at(7, 10)).await;
    day.cycle_at(at(9, 29)).await;
    assert!(day.briefs().is_empty());
    day.cycle_at(at(9, 30)).await;
    let briefs = day.briefs();
    assert_eq!(briefs.len(), 1);
    let text = &briefs[0].plain_text;
    assert!(
        text.contains("No data from your ring since 21:40 yesterday: open the Oura app to sync"),
        "{text}"
    );
    assert!(
        !text.contains("Readiness 48"),
        "a missing night is not read: {text}"
    );

    night.land();
    day.cycle_at(at(10, 0)).await;
    assert_eq!(
        day.briefs().len(),
        1,
        "the late data does not send a second brief"
    );
    day.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_day_with_the_brief_off_has_none() {
    let day = Day::start(at(6, 0), at(6, 0), false).await;
    for (h, m) in [(7, 10), (7, 40), (9, 30), (12, 0)] {
        day.cycle_at(at(h, m)).await;
    }
    assert!(day.briefs().is_empty());
    assert!(brief_lines(&day, false).is_empty());
    assert!(!day.messages().is_empty(), "alerts still flow");
    day.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_brief_carries_what_quiet_hours_held_with_cleared_items_marked() {
    let day = Day::start(at(3, 0), at(3, 0), true).await;
    day.cycle_at(at(3, 0)).await;
    let overnight: Vec<String> = day
        .messages()
        .iter()
        .map(|m| m.plain_text.clone())
        .collect();
    assert!(
        overnight.iter().all(|t| !t.contains("commitments overdue")),
        "quiet hours hold the high alerts: {overnight:#?}"
    );
    let pushed_at_night = day.messages().len();

    // Overnight, the two overdue commitments were done.
    complete_commitments(&day.world, &["Memphis report", "Raleigh follow-up"]);
    day.cycle_at(at(7, 5)).await;
    let morning = &day.messages()[pushed_at_night..];
    assert!(
        morning
            .iter()
            .all(|m| !m.plain_text.contains("While you were in quiet hours")),
        "one morning message, not a digest too: {morning:#?}"
    );
    let briefs: Vec<_> = morning
        .iter()
        .filter(|m| m.plain_text.contains("Good morning"))
        .collect();
    assert_eq!(briefs.len(), 1, "{morning:#?}");
    let text = &briefs[0].plain_text;
    assert!(
        text.contains("Good morning") && text.contains("held by quiet hours"),
        "{text}"
    );
    assert!(text.contains("(cleared since)"), "{text}");
    assert!(
        text.contains("Your body looks strained"),
        "still holding, listed: {text}"
    );
    day.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn brief_on_demand_and_week_send_charts_and_are_journaled() {
    let day = Day::start(at(10, 0), at(10, 0), false).await;
    let replies = day.ask("/brief", 1).await;
    let brief = &replies[0];
    assert!(
        brief.plain_text.contains("Good morning"),
        "{}",
        brief.plain_text
    );
    assert!(brief.photo.is_some(), "the brief has its chart");
    // The line is written once the send returns, just after the fake stored the message.
    let deadline = tokio::time::Instant::now() + super::harness::WAIT;
    while brief_lines(&day, true).is_empty() && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let lines = brief_lines(&day, true);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["outcome"], "sent");

    let week = day.ask("/week", 1).await;
    assert!(
        week[0].plain_text.contains("Your week"),
        "{}",
        week[0].plain_text
    );
    assert!(
        week[0].plain_text.contains("done"),
        "{}",
        week[0].plain_text
    );
    assert!(week[0].photo.is_some());

    let readiness = day.ask("/readiness", 1).await;
    assert!(
        readiness[0].photo.is_some(),
        "/readiness answers with a chart"
    );
    assert!(
        readiness[0].plain_text.contains("Readiness"),
        "{}",
        readiness[0].plain_text
    );
    day.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_health_is_critical_the_nudges_wait_in_the_brief() {
    let day = Day::start(at(9, 5), at(9, 5), true).await;
    let config = std::fs::read_to_string(&day.world.files.config).unwrap();
    let config = config.replace(
        "    min_priority: \"high\"\n    retry_attempts",
        "    min_priority: \"low\"\n    retry_attempts",
    ) + "monitors:\n  tasks:\n    pile_up_threshold: 1\n";
    std::fs::write(&day.world.files.config, config).unwrap();
    let mut day = day;
    day.restart().await;

    day.cycle_at(at(9, 10)).await;
    let held: Vec<_> = day
        .world
        .journal_lines()
        .into_iter()
        .filter(|l| l["outcome"] == "held_for_brief")
        .collect();
    assert!(
        held.iter().any(|l| l["dedup_key"] == "tasks:pile_up"),
        "the pile-up is held for the brief: {held:?}"
    );
    let title = held[0]["title"]
        .as_str()
        .unwrap_or("tasks:pile_up")
        .to_owned();
    let texts: Vec<String> = day
        .messages()
        .iter()
        .map(|m| m.plain_text.clone())
        .collect();
    let briefs: Vec<&String> = texts
        .iter()
        .filter(|t| t.contains("Good morning"))
        .collect();
    assert_eq!(briefs.len(), 1, "{texts:#?}");
    assert!(
        briefs[0].contains("Held back while your health needs you first"),
        "{}",
        briefs[0]
    );
    assert!(
        texts
            .iter()
            .filter(|t| t.contains(&title))
            .all(|t| t.contains("Good morning")),
        "{title} is only in the brief: {texts:#?}"
    );
    assert!(
        texts
            .iter()
            .any(|t| t.contains("Readiness 48") && !t.contains("Good morning")),
        "the critical alert itself is pushed"
    );
    day.stop().await;
}
