//! Input checks run before anything is drawn: lengths, `today`, finiteness,
//! magnitudes, bands and fixed ranges. Whatever passes here is safe to draw.

use super::{Band, ChartError, MAX_ABS_VALUE, MAX_DAYS, MAX_PANELS, Series};

/// Checks the day count and `today`.
pub(crate) fn days(n: usize, today: Option<usize>) -> Result<(), ChartError> {
    if n == 0 {
        return Err(ChartError::NoDays);
    }
    if n > MAX_DAYS {
        return Err(ChartError::TooManyDays {
            got: n,
            max: MAX_DAYS,
        });
    }
    if let Some(t) = today
        && t >= n
    {
        return Err(ChartError::TodayOutOfRange { today: t, days: n });
    }
    Ok(())
}

/// Checks the panel count and every panel against `n` days.
pub(crate) fn panels(panels: &[Series], n: usize, allow_none: bool) -> Result<(), ChartError> {
    if panels.is_empty() && !allow_none {
        return Err(ChartError::NoPanels);
    }
    if panels.len() > MAX_PANELS {
        return Err(ChartError::TooManyPanels {
            got: panels.len(),
            max: MAX_PANELS,
        });
    }
    panels.iter().try_for_each(|s| series(s, n))
}

/// Checks one per-day count list's length.
pub(crate) fn counts(what: &str, counts: &[u32], n: usize) -> Result<(), ChartError> {
    if counts.len() == n {
        Ok(())
    } else {
        Err(ChartError::LengthMismatch {
            what: what.to_owned(),
            expected: n,
            got: counts.len(),
        })
    }
}

fn series(s: &Series, n: usize) -> Result<(), ChartError> {
    let name = || format!("panel {:?}", s.label);
    if s.values.len() != n {
        return Err(ChartError::LengthMismatch {
            what: name(),
            expected: n,
            got: s.values.len(),
        });
    }
    for (i, v) in s.values.iter().enumerate() {
        if let Some(v) = *v {
            number(v, &name, Some(i))?;
        }
    }
    if let Some(band) = s.normal {
        self::band(&band, &s.label)?;
    }
    if let Some((low, high)) = s.range {
        number(low, &|| format!("panel {:?} range low", s.label), None)?;
        number(high, &|| format!("panel {:?} range high", s.label), None)?;
        if low >= high {
            return Err(ChartError::BadRange {
                panel: s.label.clone(),
                low,
                high,
            });
        }
    }
    Ok(())
}

fn band(b: &Band, label: &str) -> Result<(), ChartError> {
    let what = || format!("panel {label:?} band");
    number(b.low, &what, None)?;
    number(b.median, &what, None)?;
    number(b.high, &what, None)?;
    let reason = if b.low > b.high {
        "has low above high"
    } else if b.median < b.low || b.median > b.high {
        "has its median outside low..high"
    } else {
        return Ok(());
    };
    Err(ChartError::BadBand {
        panel: label.to_owned(),
        reason,
    })
}

fn number(v: f64, what: &dyn Fn() -> String, index: Option<usize>) -> Result<(), ChartError> {
    if !v.is_finite() {
        return Err(ChartError::NotFinite {
            what: what(),
            index,
        });
    }
    if v.abs() > MAX_ABS_VALUE {
        return Err(ChartError::TooLarge {
            what: what(),
            index,
            value: v,
        });
    }
    Ok(())
}
