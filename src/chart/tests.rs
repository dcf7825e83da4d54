//! Pixel tests that need the layout: decode the PNG and look where the
//! geometry says a gap, a line, today's column or a "no data" panel is.

use chrono::NaiveDate;

use super::render::Geometry;
use super::style::{BG, POINT_R, TODAY_BG};
use super::{Band, HealthChart, Rgb, Series, WIDTH, WeekChart, render_health, render_week};

/// A decoded RGB image.
struct Image {
    width: usize,
    height: usize,
    rgb: Vec<u8>,
}

impl Image {
    fn decode(png: &[u8]) -> Image {
        let mut decoder = png::Decoder::new(std::io::Cursor::new(png));
        decoder.set_transformations(png::Transformations::EXPAND);
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!(info.color_type, png::ColorType::Rgb);
        buf.truncate(info.buffer_size());
        Image {
            width: info.width as usize,
            height: info.height as usize,
            rgb: buf,
        }
    }

    fn at(&self, x: f32, y: f32) -> Rgb {
        let (x, y) = (x.round() as usize, y.round() as usize);
        let i = (y * self.width + x) * 3;
        Rgb(self.rgb[i], self.rgb[i + 1], self.rgb[i + 2])
    }

    /// Pixels close to `color` in the box `x0..x1` × `y0..y1`.
    fn count_near(&self, color: Rgb, (x0, x1): (f32, f32), (y0, y1): (f32, f32)) -> usize {
        let mut n = 0;
        for y in y0.ceil() as usize..y1.floor() as usize {
            for x in x0.ceil() as usize..x1.floor() as usize {
                if close(self.at(x as f32, y as f32), color, 40) {
                    n += 1;
                }
            }
        }
        n
    }
}

fn close(a: Rgb, b: Rgb, tolerance: u8) -> bool {
    a.0.abs_diff(b.0) <= tolerance
        && a.1.abs_diff(b.1) <= tolerance
        && a.2.abs_diff(b.2) <= tolerance
}

fn days(n: usize) -> Vec<NaiveDate> {
    let first = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
    first.iter_days().take(n).collect()
}

fn opt(values: &[f64]) -> Vec<Option<f64>> {
    values.iter().map(|&v| (v >= 0.0).then_some(v)).collect()
}

/// 14 days; day 4 and day 10 missing in every panel; today (13) readiness 48.
fn sample() -> HealthChart {
    let r = [
        72., 78., 81., 69., -1., 74., 85., 88., 76., 64., -1., 70., 59., 48.,
    ];
    let h = [
        44., 48., 52., 41., -1., 45., 55., 58., 47., 38., -1., 40., 33., 31.,
    ];
    let s = [
        7.2, 7.8, 8.1, 6.6, -1., 7.0, 8.4, 8.2, 7.1, 6.2, -1., 6.8, 5.6, 5.9,
    ];
    HealthChart {
        title: "Last 14 days · Thu 3 Dec".into(),
        days: days(14),
        today: Some(13),
        panels: vec![
            Series {
                normal: Some(Band {
                    low: 64.0,
                    median: 75.0,
                    high: 84.0,
                }),
                range: Some((0.0, 100.0)),
                ..Series::new("Readiness", "", opt(&r))
            },
            Series {
                normal: Some(Band {
                    low: 36.0,
                    median: 44.0,
                    high: 52.0,
                }),
                ..Series::new("HRV", "ms", opt(&h))
            },
            Series {
                decimals: 1,
                ..Series::new("Sleep", "h", opt(&s))
            },
        ],
    }
}

/// Line pixels of panel `p` strictly between the points of days `a` and `b`.
fn line_pixels_between(img: &Image, g: &Geometry, p: usize, a: usize, b: usize, c: Rgb) -> usize {
    let margin = POINT_R + 4.0;
    let (top, bottom) = g.plot(p);
    img.count_near(
        c,
        (g.center(a) + margin, g.center(b) - margin),
        (top, bottom),
    )
}

#[test]
fn size_and_dimensions() {
    let chart = sample();
    let png = render_health(&chart).unwrap();
    let img = Image::decode(&png);
    let g = Geometry::new(14, 3);
    assert_eq!((img.width, img.height), (WIDTH as usize, g.height as usize));
    assert!(png.len() < 80_000, "{} bytes", png.len());
    assert!(png.len() > 5_000, "{} bytes", png.len());
}

#[test]
fn not_blank() {
    let img = Image::decode(&render_health(&sample()).unwrap());
    let ink = img
        .rgb
        .chunks(3)
        .filter(|p| !close(Rgb(p[0], p[1], p[2]), BG, 8))
        .count();
    let total = img.width * img.height;
    assert!(
        ink > total / 20,
        "only {ink} of {total} pixels are not background"
    );
}

#[test]
fn a_missing_day_is_a_gap() {
    let chart = sample();
    let img = Image::decode(&render_health(&chart).unwrap());
    let g = Geometry::new(14, 3);
    for (p, s) in chart.panels.iter().enumerate() {
        let accent = Geometry::accent(s, p);
        // Days 3 and 5 have values, day 4 has none: nothing joins them.
        assert_eq!(
            line_pixels_between(&img, &g, p, 3, 5, accent),
            0,
            "panel {p}"
        );
        assert_eq!(
            line_pixels_between(&img, &g, p, 9, 11, accent),
            0,
            "panel {p}"
        );
        // Days 1 and 2 both have values: the line is there (the test can see lines).
        assert!(
            line_pixels_between(&img, &g, p, 1, 2, accent) > 20,
            "panel {p}"
        );
        // No point is drawn on the missing day itself.
        let (l, r) = g.column(4);
        let (top, bottom) = g.plot(p);
        assert_eq!(
            img.count_near(accent, (l, r), (top, bottom)),
            0,
            "panel {p}"
        );
    }
}

#[test]
fn today_is_highlighted() {
    let chart = sample();
    let img = Image::decode(&render_health(&chart).unwrap());
    let g = Geometry::new(14, 3);
    // Inside today's column, just above the plot's bottom (below every value).
    let (_, bottom) = g.plot(0);
    let (l, r) = g.column(13);
    let px = img.at((l + r) / 2.0, bottom - 6.0);
    assert!(close(px, TODAY_BG, 24), "{px:?}");
    // The same height in another column is plain background.
    let (l, r) = g.column(6);
    assert_eq!(img.at((l + r) / 2.0, bottom - 6.0), BG);
}

#[test]
fn an_all_missing_panel_draws_no_line() {
    let mut chart = sample();
    chart.panels[1].values = vec![None; 14];
    let img = Image::decode(&render_health(&chart).unwrap());
    let g = Geometry::new(14, 3);
    let accent = Geometry::accent(&chart.panels[1], 1);
    let (top, bottom) = g.plot(1);
    assert_eq!(img.count_near(accent, (g.x0, g.x1), (top, bottom)), 0);
}

#[test]
fn week_bars_use_both_colours() {
    let h = sample();
    let chart = WeekChart {
        title: "This week".into(),
        days: h.days[7..].to_vec(),
        today: Some(6),
        panels: h
            .panels
            .iter()
            .map(|s| Series {
                values: s.values[7..].to_vec(),
                ..s.clone()
            })
            .collect(),
        done: vec![5, 3, 7, 2, 6, 4, 1],
        created: vec![4, 6, 5, 5, 3, 7, 2],
    };
    let png = render_week(&chart).unwrap();
    assert!(png.len() < 80_000, "{} bytes", png.len());
    let img = Image::decode(&png);
    let g = Geometry::new(7, 4);
    assert_eq!(img.height, g.height as usize);
    let (top, bottom) = g.plot(3);
    let x = (g.x0, g.x1);
    assert!(img.count_near(Rgb::DONE, x, (top, bottom)) > 500);
    assert!(img.count_near(Rgb::CREATED, x, (top, bottom)) > 500);
}
