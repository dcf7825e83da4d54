//! Y scales and number formatting: fitting a range to values and a band,
//! choosing round tick steps, mapping values to pixels, and printing numbers.

use super::Band;

/// A y range with its tick values, mapped onto a plot's pixel rows.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct YScale {
    pub(crate) lo: f64,
    pub(crate) hi: f64,
    pub(crate) step: f64,
    pub(crate) ticks: Vec<f64>,
}

impl YScale {
    /// A scale for `values` and `band`, or the fixed `range` when given.
    ///
    /// Inputs are assumed validated (finite, bounded, `range.0 < range.1`).
    pub(crate) fn fit(
        values: &[Option<f64>],
        band: Option<&Band>,
        range: Option<(f64, f64)>,
    ) -> Self {
        let (lo, hi) = match range {
            Some((lo, hi)) if lo < hi => (lo, hi),
            _ => padded(values, band),
        };
        let step = nice_step((hi - lo) / 3.5);
        let mut ticks = Vec::new();
        let mut k = (lo / step).ceil();
        // At most a dozen ticks, whatever the arithmetic does.
        while ticks.len() < 12 {
            let t = k * step;
            if t > hi + step * 1e-9 {
                break;
            }
            ticks.push(if t == 0.0 { 0.0 } else { t });
            k += 1.0;
        }
        YScale {
            lo,
            hi,
            step,
            ticks,
        }
    }

    /// A scale from 0 for counts up to `max`: whole-number ticks and room above
    /// the tallest bar for its label.
    pub(crate) fn counts(max: u32) -> Self {
        let top = (f64::from(max) * 1.15).max(4.0);
        // 1, 2 or 5 times a power of ten, and never a fraction.
        let step = nice_step(top / 3.5).max(1.0);
        let step = if step.fract() == 0.0 {
            step
        } else {
            step.floor()
        };
        let ticks = (0..12)
            .map(|k| f64::from(k) * step)
            .take_while(|t| *t <= top)
            .collect();
        YScale {
            lo: 0.0,
            hi: top,
            step,
            ticks,
        }
    }

    /// The pixel row of `v` in a plot from `top` to `bottom`, clamped to the plot.
    pub(crate) fn y(&self, v: f64, top: f32, bottom: f32) -> f32 {
        let span = self.hi - self.lo;
        let f = if span > 0.0 {
            (v - self.lo) / span
        } else {
            0.5
        };
        let f = if f.is_finite() {
            f.clamp(0.0, 1.0)
        } else {
            0.5
        };
        bottom - (f as f32) * (bottom - top)
    }
}

/// `v` with `decimals` decimals (at most 3), halves rounded away from zero
/// (7.25 → "7.3", as a person rounds), a real minus sign, and no "-0".
pub(crate) fn value(v: f64, decimals: u8) -> String {
    let d = decimals.min(3);
    let m = 10f64.powi(i32::from(d));
    let rounded = (v * m).round() / m;
    let v = if rounded.is_finite() { rounded } else { v };
    let d = usize::from(d);
    let s = format!("{v:.d$}");
    match s.strip_prefix('-') {
        Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_owned(),
        Some(rest) => format!("\u{2212}{rest}"),
        None => s,
    }
}

/// A tick label for `v` on a scale stepping by `step`: as few decimals as the
/// step needs, and k/M/B suffixes for large numbers.
pub(crate) fn tick(v: f64, step: f64) -> String {
    let a = v.abs();
    // From this size up, in these units (4-digit numbers stay as they are).
    for (from, div, suffix) in [
        (1e12, 1e12, "T"),
        (1e9, 1e9, "B"),
        (1e6, 1e6, "M"),
        (1e4, 1e3, "k"),
    ] {
        if a >= from {
            let d = decimals_for(step / div);
            return format!("{}{suffix}", value(v / div, d));
        }
    }
    value(v, decimals_for(step))
}

/// Values and band padded by a margin; never an empty span.
fn padded(values: &[Option<f64>], band: Option<&Band>) -> (f64, f64) {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    let band_ends = band.map(|b| [b.low, b.high]).unwrap_or([f64::NAN; 2]);
    for v in values.iter().flatten().chain(band_ends.iter()) {
        if v.is_finite() {
            lo = lo.min(*v);
            hi = hi.max(*v);
        }
    }
    if !(lo.is_finite() && hi.is_finite()) {
        return (0.0, 1.0);
    }
    let span = hi - lo;
    let pad = if span > 1e-9 * lo.abs().max(hi.abs()).max(1.0) {
        span * 0.12
    } else {
        (lo.abs() * 0.1).max(1.0)
    };
    (lo - pad, hi + pad)
}

/// A round step (1, 2, 2.5 or 5 times a power of ten) near `raw`.
fn nice_step(raw: f64) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let mag = 10f64.powf(raw.log10().floor());
    let norm = raw / mag;
    let nice = if norm < 1.5 {
        1.0
    } else if norm < 2.25 {
        2.0
    } else if norm < 3.5 {
        2.5
    } else if norm < 7.5 {
        5.0
    } else {
        10.0
    };
    nice * mag
}

/// Decimals needed to print multiples of `step` exactly (0 to 3).
fn decimals_for(step: f64) -> u8 {
    let mut d = 0;
    let mut s = step.abs();
    while d < 3 && s.is_finite() && s > 0.0 && (s - s.round()).abs() > 1e-6 * s.max(1.0) {
        s *= 10.0;
        d += 1;
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_range_ticks() {
        let s = YScale::fit(&[Some(48.0)], None, Some((0.0, 100.0)));
        assert_eq!(s.ticks, vec![0.0, 25.0, 50.0, 75.0, 100.0]);
    }

    #[test]
    fn auto_range_covers_values_and_band() {
        let band = Band {
            low: 32.0,
            median: 40.0,
            high: 70.0,
        };
        let s = YScale::fit(&[Some(25.0), None, Some(60.0)], Some(&band), None);
        assert!(s.lo < 25.0 && s.hi > 70.0);
        assert!(s.ticks.len() >= 3 && s.ticks.len() <= 7, "{:?}", s.ticks);
    }

    #[test]
    fn single_and_missing_values_give_a_span() {
        let s = YScale::fit(&[Some(5.0)], None, None);
        assert!(s.hi > s.lo);
        let s = YScale::fit(&[None, None], None, None);
        assert_eq!((s.lo, s.hi), (0.0, 1.0));
        let s = YScale::fit(&[Some(1e12), Some(-1e12)], None, None);
        assert!(s.hi > s.lo && !s.ticks.is_empty());
    }

    #[test]
    fn count_ticks_are_whole() {
        for max in [0, 1, 3, 7, 12, 99, 1000, u32::MAX] {
            let s = YScale::counts(max);
            assert!(s.hi >= f64::from(max), "{max}");
            assert!(
                s.ticks.iter().all(|t| t.fract() == 0.0),
                "{max}: {:?}",
                s.ticks
            );
            assert!((2..=12).contains(&s.ticks.len()), "{max}: {:?}", s.ticks);
        }
    }

    #[test]
    fn formats() {
        assert_eq!(value(5.94, 1), "5.9");
        assert_eq!(value(7.25, 1), "7.3");
        assert_eq!(value(47.5, 0), "48");
        assert_eq!(value(1e12, 3), "1000000000000.000");
        assert_eq!(value(-0.01, 1), "0.0");
        assert_eq!(value(-3.0, 0), "\u{2212}3");
        assert_eq!(value(48.0, 9), "48.000");
        assert_eq!(tick(7.5, 0.5), "7.5");
        assert_eq!(tick(60.0, 10.0), "60");
        assert_eq!(tick(250_000.0, 50_000.0), "250k");
        assert_eq!(tick(2.5e12, 5e11), "2.5T");
        assert_eq!(tick(9.5e11, 5e10), "950B");
        assert_eq!(tick(1500.0, 500.0), "1500");
    }
}
