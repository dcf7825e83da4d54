//! The charts people see, decoded: a real PNG of a sensible size, far from blank, and days
//! the ring missed are gaps in the data the chart draws (the pixel-level gap is checked in
//! `chart`'s own tests).

use chrono::Duration;
use operator::render::charts;
use operator::sources::oura::OuraCache;

use super::harness::{today, withhold_oura_day};
use crate::support::{DemoWorld, morning};

fn decode(png: &[u8]) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(std::io::Cursor::new(png));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf)
}

#[test]
fn the_health_chart_is_a_real_picture_with_gaps_for_missed_days() {
    let world = DemoWorld::new(morning());
    let missed = today() - Duration::days(3);
    drop(withhold_oura_day(&world, missed));
    let oura = OuraCache::open(&world.files.oura_db)
        .unwrap()
        .read(today() - Duration::days(30), today())
        .unwrap();

    let data = charts::health_chart(&oura, today());
    assert_eq!(data.days.len(), 14);
    assert_eq!(data.today, Some(13));
    let at = data.days.iter().position(|d| *d == missed).unwrap();
    for panel in &data.panels {
        assert_eq!(
            panel.values[at], None,
            "{}: the missed day is a gap",
            panel.label
        );
        assert!(
            panel.values.iter().filter(|v| v.is_some()).count() >= 10,
            "{}",
            panel.label
        );
        assert!(panel.normal.is_some(), "{}: a normal band", panel.label);
    }

    let png = charts::health_png(&oura, today()).unwrap();
    assert!(
        (5_000..120_000).contains(&png.len()),
        "a few tens of KB: {} bytes",
        png.len()
    );
    let (w, h, pixels) = decode(&png);
    assert!(w >= 600 && h >= 400 && w <= 2000 && h <= 2000, "{w}×{h}");
    let distinct: std::collections::BTreeSet<&[u8]> = pixels.chunks(3).collect();
    assert!(distinct.len() >= 8, "not blank: {} colours", distinct.len());
}

#[test]
fn the_week_chart_draws_health_and_tasks() {
    let world = DemoWorld::new(morning());
    let oura = OuraCache::open(&world.files.oura_db)
        .unwrap()
        .read(today() - Duration::days(30), today())
        .unwrap();
    let data = charts::week_chart(Some(&oura), None, today(), crate::support::new_york());
    assert_eq!(data.days.len(), 7);
    assert_eq!(data.done, vec![0; 7], "no WorkOS: no tasks, not an error");
    let png = operator::chart::render_week(&data).unwrap();
    let (w, h, _) = decode(&png);
    assert!(w >= 600 && h >= 300, "{w}×{h}");
    let summary = operator::render::week(&data);
    let text = summary.plain();
    assert!(text.contains("Readiness averaged"), "{text}");
    assert!(text.contains("0 done, 0 created"), "{text}");
}
