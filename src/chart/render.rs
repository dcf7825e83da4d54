//! Drawing the two charts: the page geometry, line panels (band, median,
//! line with gaps, today), the tasks bar panel, and the shared day axis.
//!
//! Why this file is long: the page geometry and the three kinds of panel share one set of
//! coordinates and pens; split apart they would pass the geometry through every call.

use chrono::{Datelike, NaiveDate};

use super::canvas::{Canvas, Pen};
use super::scale::{self, YScale};
use super::style::*;
use super::text::{Align, Fonts, Style, Weight};
use super::{ChartError, HealthChart, Rgb, Series, WIDTH, WeekChart, validate};

/// Where everything goes on a chart of `days` days and `panels` panels.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Geometry {
    pub(crate) width: u32,
    pub(crate) height: u32,
    /// Left edge of the plots.
    pub(crate) x0: f32,
    /// Right edge of the plots.
    pub(crate) x1: f32,
    pub(crate) days: usize,
    /// Top of each panel (its header; the plot starts `HEADER_H` lower).
    pub(crate) panel_tops: Vec<f32>,
    /// Top of the day labels (the last plot's bottom).
    pub(crate) axis_top: f32,
}

impl Geometry {
    pub(crate) fn new(days: usize, panels: usize) -> Self {
        let pitch = HEADER_H + PLOT_H + PANEL_GAP;
        let panel_tops: Vec<f32> = (0..panels).map(|p| TITLE_H + p as f32 * pitch).collect();
        let axis_top = TITLE_H + panels as f32 * pitch - PANEL_GAP;
        Geometry {
            width: WIDTH,
            height: (axis_top + AXIS_H).ceil() as u32,
            x0: PAD_X + TICK_W,
            x1: WIDTH as f32 - PAD_X,
            days: days.max(1),
            panel_tops,
            axis_top,
        }
    }

    /// Width of one day's column.
    pub(crate) fn step(&self) -> f32 {
        (self.x1 - self.x0) / self.days as f32
    }

    /// x of day `i`'s centre.
    pub(crate) fn center(&self, i: usize) -> f32 {
        self.x0 + (i as f32 + 0.5) * self.step()
    }

    /// Left and right edges of day `i`'s column.
    pub(crate) fn column(&self, i: usize) -> (f32, f32) {
        let l = self.x0 + i as f32 * self.step();
        (l, l + self.step())
    }

    /// Top and bottom of panel `p`'s plot.
    pub(crate) fn plot(&self, p: usize) -> (f32, f32) {
        let top = self.panel_tops.get(p).copied().unwrap_or(TITLE_H) + HEADER_H;
        (top, top + PLOT_H)
    }

    /// The accent a panel is drawn in.
    pub(crate) fn accent(series: &Series, p: usize) -> Rgb {
        series.accent.unwrap_or(PALETTE[p % PALETTE.len()])
    }
}

/// Renders a [`HealthChart`].
pub(crate) fn health(c: &HealthChart) -> Result<Vec<u8>, ChartError> {
    let n = c.days.len();
    validate::days(n, c.today)?;
    validate::panels(&c.panels, n, false)?;
    let g = Geometry::new(n, c.panels.len());
    let fonts = Fonts::load()?;
    let mut cv = Canvas::new(g.width, g.height, BG)?;
    title(&mut cv, &fonts, &c.title);
    for (p, s) in c.panels.iter().enumerate() {
        line_panel(&mut cv, &fonts, &g, p, s, &c.days, c.today);
    }
    day_axis(
        &mut cv,
        &fonts,
        &g,
        &c.days,
        c.today,
        &empty_days(&c.panels, n),
    );
    cv.into_png()
}

/// Renders a [`WeekChart`].
pub(crate) fn week(c: &WeekChart) -> Result<Vec<u8>, ChartError> {
    let n = c.days.len();
    validate::days(n, c.today)?;
    validate::panels(&c.panels, n, true)?;
    validate::counts("done", &c.done, n)?;
    validate::counts("created", &c.created, n)?;
    let g = Geometry::new(n, c.panels.len() + 1);
    let fonts = Fonts::load()?;
    let mut cv = Canvas::new(g.width, g.height, BG)?;
    title(&mut cv, &fonts, &c.title);
    for (p, s) in c.panels.iter().enumerate() {
        line_panel(&mut cv, &fonts, &g, p, s, &c.days, c.today);
    }
    let tasks = Tasks {
        done: &c.done,
        created: &c.created,
    };
    bar_panel(&mut cv, &fonts, &g, c.panels.len(), &tasks, c.today);
    day_axis(
        &mut cv,
        &fonts,
        &g,
        &c.days,
        c.today,
        &empty_days(&c.panels, n),
    );
    cv.into_png()
}

/// Days on which no line panel has a value (their labels are drawn faint).
fn empty_days(panels: &[Series], n: usize) -> Vec<bool> {
    (0..n)
        .map(|i| {
            !panels.is_empty()
                && panels
                    .iter()
                    .all(|s| s.values.get(i).is_none_or(Option::is_none))
        })
        .collect()
}

/// The two task counts of the week chart.
struct Tasks<'a> {
    done: &'a [u32],
    created: &'a [u32],
}

fn title(cv: &mut Canvas, fonts: &Fonts, text: &str) {
    let max = WIDTH as f32 - 2.0 * PAD_X;
    let text = fonts.fit(text, TITLE_SIZE, Weight::Bold, max);
    let style = Style::new(TITLE_SIZE, Weight::Bold, TEXT);
    fonts.draw(cv, &text, PAD_X, 54.0, style);
}

fn line_panel(
    cv: &mut Canvas,
    fonts: &Fonts,
    g: &Geometry,
    p: usize,
    s: &Series,
    days: &[NaiveDate],
    today: Option<usize>,
) {
    let accent = Geometry::accent(s, p);
    let (top, bottom) = g.plot(p);
    let has_data = s.values.iter().any(Option::is_some);
    let sc = YScale::fit(&s.values, s.normal.as_ref(), s.range);

    if has_data || s.normal.is_some() || s.range.is_some() {
        grid(cv, fonts, g, &sc, top, bottom);
    }
    if let Some(b) = s.normal {
        let y_hi = sc.y(b.high, top, bottom);
        let y_lo = sc.y(b.low, top, bottom);
        let h = (y_lo - y_hi).max(2.0);
        cv.rect(g.x0, y_hi, g.x1 - g.x0, h, accent, BAND_ALPHA);
    }
    today_column(cv, g, today, top, bottom);
    if let Some(b) = s.normal {
        let y_med = sc.y(b.median, top, bottom);
        let pen = Pen {
            color: accent,
            alpha: MEDIAN_ALPHA,
            width: 2.0,
            dash: Some((9.0, 7.0)),
        };
        cv.line((g.x0, y_med), (g.x1, y_med), pen);
    }
    axis_line(cv, g, bottom);

    // The line: one polyline per run of consecutive days with data.
    let pen = Pen {
        color: accent,
        alpha: 1.0,
        width: LINE_W,
        dash: None,
    };
    let mut run: Vec<(f32, f32)> = Vec::with_capacity(s.values.len());
    for (i, v) in s.values.iter().enumerate() {
        match v {
            Some(v) => run.push((g.center(i), sc.y(*v, top, bottom))),
            None => {
                cv.polyline(&run, pen);
                run.clear();
            }
        }
    }
    cv.polyline(&run, pen);

    // Points, today's larger and ringed. When days are packed tight, only
    // today's and lone points (no neighbour to draw a line to) are marked.
    let roomy = g.step() >= 28.0;
    let has = |i: Option<usize>| i.and_then(|i| s.values.get(i)).is_some_and(Option::is_some);
    for (i, v) in s.values.iter().enumerate() {
        let Some(v) = v else { continue };
        let (x, y) = (g.center(i), sc.y(*v, top, bottom));
        if Some(i) == today {
            cv.circle(x, y, TODAY_POINT_R + 3.0, BG);
            cv.circle(x, y, TODAY_POINT_R, accent);
            cv.circle(x, y, TODAY_POINT_R - 4.0, BG);
        } else if roomy || !(has(i.checked_sub(1)) || has(Some(i + 1))) {
            cv.circle(x, y, POINT_R + 2.0, BG);
            cv.circle(x, y, POINT_R, accent);
        }
    }

    if !has_data {
        let style = Style::new(NOTE_SIZE, Weight::Regular, MUTED).align(Align::Center);
        let (mid_x, mid_y) = ((g.x0 + g.x1) / 2.0, (top + bottom) / 2.0);
        let w = fonts.width(NO_DATA, NOTE_SIZE, Weight::Regular) + 28.0;
        cv.round_rect(mid_x - w / 2.0, mid_y - 19.0, w, 38.0, 19.0, BG);
        fonts.draw(cv, NO_DATA, mid_x, mid_y + 8.0, style);
    }
    line_header(cv, fonts, g, p, s, days, today);
}

/// "Readiness 48 below usual" on the left, "usual 62–81" on the right.
fn line_header(
    cv: &mut Canvas,
    fonts: &Fonts,
    g: &Geometry,
    p: usize,
    s: &Series,
    days: &[NaiveDate],
    today: Option<usize>,
) {
    let base = g.panel_tops.get(p).copied().unwrap_or(TITLE_H) + 40.0;
    let x = latest_value(cv, fonts, base, s, days, today);
    let Some(b) = s.normal else { return };
    let usual = format!(
        "usual {}\u{2013}{}",
        scale::value(b.low, s.decimals),
        scale::value(b.high, s.decimals)
    );
    if x + 24.0 + fonts.width(&usual, NOTE_SIZE, Weight::Regular) <= g.x1 {
        let note = Style::new(NOTE_SIZE, Weight::Regular, MUTED).align(Align::Right);
        fonts.draw(cv, &usual, g.x1, base, note);
    }
}

/// The header's left side: label, latest value, its day if not today, and
/// whether it is outside the usual range. Returns where it ends.
fn latest_value(
    cv: &mut Canvas,
    fonts: &Fonts,
    base: f32,
    s: &Series,
    days: &[NaiveDate],
    today: Option<usize>,
) -> f32 {
    let label = fonts.fit(&s.label, LABEL_SIZE, Weight::Regular, 360.0);
    let mut x = PAD_X;
    let text = Style::new(LABEL_SIZE, Weight::Regular, TEXT);
    x += fonts.draw(cv, &label, x, base, text);

    let last = today.unwrap_or(s.values.len().saturating_sub(1));
    let latest = s
        .values
        .iter()
        .enumerate()
        .take(last.saturating_add(1))
        .rev()
        .find_map(|(i, v)| v.map(|v| (i, v)));
    let Some((i, v)) = latest else { return x };

    x += 12.0;
    let mut value = scale::value(v, s.decimals);
    if value.len() > 9 {
        // Three significant digits with a k/M/B/T suffix for absurdly large values.
        value = scale::tick(v, 10f64.powf(v.abs().log10().floor() - 2.0));
    }
    let value = fonts.fit(&value, VALUE_SIZE, Weight::Bold, 300.0);
    x += fonts.draw(
        cv,
        &value,
        x,
        base,
        Style::new(VALUE_SIZE, Weight::Bold, TEXT),
    );
    if !s.unit.is_empty() {
        let unit = fonts.fit(&s.unit, LABEL_SIZE, Weight::Regular, 120.0);
        x += 7.0;
        x += fonts.draw(
            cv,
            &unit,
            x,
            base,
            Style {
                color: MUTED,
                ..text
            },
        );
    }
    let note = Style::new(NOTE_SIZE, Weight::Regular, MUTED);
    if i != last
        && let Some(day) = days.get(i)
    {
        x += 14.0;
        x += fonts.draw(cv, &format!("on {}", short_day(*day)), x, base, note);
    }
    let status = match s.normal {
        Some(b) if v < b.low => Some(("below usual", ALERT)),
        Some(b) if v > b.high => Some(("above usual", MUTED)),
        _ => None,
    };
    if let Some((word, color)) = status {
        x += 14.0;
        x += fonts.draw(cv, word, x, base, Style { color, ..note });
    }
    x
}

fn bar_panel(
    cv: &mut Canvas,
    fonts: &Fonts,
    g: &Geometry,
    p: usize,
    tasks: &Tasks<'_>,
    today: Option<usize>,
) {
    let (top, bottom) = g.plot(p);
    let max = tasks
        .done
        .iter()
        .chain(tasks.created)
        .copied()
        .max()
        .unwrap_or(0);
    let sc = YScale::counts(max);

    today_column(cv, g, today, top, bottom);
    grid(cv, fonts, g, &sc, top, bottom);

    let step = g.step();
    let bw = (step * 0.3).clamp(2.0, 34.0);
    let gap = (step * 0.04).clamp(1.0, 4.0);
    let labels = step >= 2.0 * bw + 2.0 * gap + 24.0;
    let count_style = Style::new(TICK_SIZE, Weight::Regular, MUTED).align(Align::Center);
    let bars = tasks.done.iter().zip(tasks.created).enumerate();
    for (i, (&done, &created)) in bars {
        let c = g.center(i);
        for (count, x, color) in [
            (done, c - gap / 2.0 - bw, Rgb::DONE),
            (created, c + gap / 2.0, Rgb::CREATED),
        ] {
            if count == 0 {
                continue;
            }
            let y = sc.y(f64::from(count), top, bottom);
            let h = bottom - y;
            cv.bar(x, y, bw, h, 4.0, color);
            if labels {
                let text = scale::tick(f64::from(count), 1.0);
                fonts.draw(cv, &text, x + bw / 2.0, y - 7.0, count_style);
            }
        }
    }
    axis_line(cv, g, bottom);

    // Header: "Tasks  ■ 23 done  ■ 31 created", the squares being the legend.
    let base = g.panel_tops.get(p).copied().unwrap_or(TITLE_H) + 40.0;
    let mut x = PAD_X;
    x += fonts.draw(
        cv,
        "Tasks",
        x,
        base,
        Style::new(LABEL_SIZE, Weight::Regular, TEXT),
    );
    let total = |v: &[u32]| v.iter().map(|&c| u64::from(c)).sum::<u64>();
    for (n, word, color) in [
        (total(tasks.done), "done", Rgb::DONE),
        (total(tasks.created), "created", Rgb::CREATED),
    ] {
        x += 22.0;
        cv.round_rect(x, base - 20.0, 20.0, 20.0, 4.0, color);
        x += 30.0;
        x += fonts.draw(
            cv,
            &n.to_string(),
            x,
            base,
            Style::new(VALUE_SIZE, Weight::Bold, TEXT),
        );
        x += 8.0;
        x += fonts.draw(
            cv,
            word,
            x,
            base,
            Style::new(LABEL_SIZE, Weight::Regular, MUTED),
        );
    }
}

/// Today's column behind a plot.
fn today_column(cv: &mut Canvas, g: &Geometry, today: Option<usize>, top: f32, bottom: f32) {
    if let Some(t) = today {
        let (l, r) = g.column(t);
        cv.rect(
            l,
            top - 8.0,
            r - l,
            bottom - top + 8.0,
            TODAY_BG,
            TODAY_ALPHA,
        );
    }
}

/// Horizontal grid lines with their labels left of the plot.
fn grid(cv: &mut Canvas, fonts: &Fonts, g: &Geometry, sc: &YScale, top: f32, bottom: f32) {
    let pen = Pen {
        color: GRID,
        alpha: 1.0,
        width: 1.5,
        dash: None,
    };
    let style = Style::new(TICK_SIZE, Weight::Regular, FAINT).align(Align::Right);
    for &t in &sc.ticks {
        let y = sc.y(t, top, bottom);
        cv.line((g.x0, y), (g.x1, y), pen);
        let label = scale::tick(t, sc.step);
        // Shrink a long label to fit rather than cut a number short.
        let width = fonts.width(&label, TICK_SIZE, Weight::Regular);
        let size = TICK_SIZE * ((TICK_W - 8.0) / width.max(1.0)).clamp(0.6, 1.0);
        let label = fonts.fit(&label, size, Weight::Regular, TICK_W - 8.0);
        fonts.draw(cv, &label, g.x0 - 10.0, y + 7.0, Style { size, ..style });
    }
}

fn axis_line(cv: &mut Canvas, g: &Geometry, y: f32) {
    let pen = Pen {
        color: AXIS,
        alpha: 1.0,
        width: 2.0,
        dash: None,
    };
    cv.line((g.x0, y), (g.x1, y), pen);
}

/// Day numbers with weekday names under the last plot; today in a pill.
fn day_axis(
    cv: &mut Canvas,
    fonts: &Fonts,
    g: &Geometry,
    days: &[NaiveDate],
    today: Option<usize>,
    empty: &[bool],
) {
    let step = g.step();
    let stride = ((56.0 / step).ceil() as usize).max(1);
    let anchor = today.unwrap_or(days.len().saturating_sub(1));
    let num_y = g.axis_top + 32.0;
    let name_y = g.axis_top + 57.0;
    for (i, day) in days.iter().enumerate() {
        if i.abs_diff(anchor) % stride != 0 {
            continue;
        }
        let x = g.center(i);
        let is_today = Some(i) == today;
        let (num_color, name_color, weight) = if is_today {
            (TODAY_TEXT, TODAY_TEXT, Weight::Bold)
        } else if empty.get(i).copied().unwrap_or(false) {
            (FAINT, FAINT, Weight::Regular)
        } else {
            (TEXT, MUTED, Weight::Regular)
        };
        let name = if is_today {
            "Today".to_owned()
        } else {
            weekday(*day).to_owned()
        };
        if is_today {
            let w = fonts
                .width(&name, TICK_SIZE, weight)
                .max(step - 8.0)
                .max(40.0)
                + 16.0;
            let left = (x - w / 2.0).clamp(4.0, WIDTH as f32 - 4.0 - w);
            cv.round_rect(left, g.axis_top + 6.0, w, 62.0, 10.0, TODAY_BG);
        }
        let num = Style::new(DAY_SIZE, weight, num_color).align(Align::Center);
        fonts.draw(cv, &day.day().to_string(), x, num_y, num);
        let nm = Style::new(TICK_SIZE, weight, name_color).align(Align::Center);
        fonts.draw(cv, &name, x, name_y, nm);
    }
}

const NO_DATA: &str = "no data";

fn weekday(d: NaiveDate) -> &'static str {
    ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        [d.weekday().num_days_from_monday() as usize % 7]
}

/// "Tue 1" for a value that is not today's.
fn short_day(d: NaiveDate) -> String {
    format!("{} {}", weekday(d), d.day())
}
