//! Pure decoders of Oura API v2 documents, shared by the cache reader and the API fallback.
//!
//! Every field may be null, missing or of another type: such a number is `None`, never an
//! error. A document that is not a JSON object (or, for the public `parse_*` functions, has no
//! valid `day`) decodes to `None`. [`select_nights`] picks one night per day from sleep
//! periods and legacy `daily_sleep` documents.
//!
//! The readiness, sleep and activity decoders read only the fields the monitors use, straight
//! from the JSON text (the cache) or from a parsed [`Value`] (the API) through one serde
//! visitor: the large parts of a document (a sleep period's heart-rate and HRV series, its
//! 5-minute phases) are skipped without being built. A repeated key counts once, the last
//! time, as in a parsed `Value`.
//!
//! Why this file is long: the three documents' field lists, the one visitor that reads them
//! and the lenient scalar decoding it needs are one mechanism; split, each part would be
//! unreadable without the others.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::sources::{Activity, Readiness, ReadinessContributors, SleepNight, Stress};

/// The `kind` given to legacy `daily_sleep` documents.
pub const LEGACY_SLEEP_KIND: &str = "daily_sleep";

/// Decodes a `daily_readiness` document.
pub fn parse_readiness_doc(doc: &Value) -> Option<Readiness> {
    from_value::<ReadinessFields>(doc, doc_day(doc)?)
}

/// Decodes a sleep period document or a legacy `daily_sleep` document (kind `daily_sleep`).
pub fn parse_sleep_doc(doc: &Value) -> Option<SleepNight> {
    from_value::<SleepFields>(doc, doc_day(doc)?)
}

/// Decodes a `daily_activity` document.
pub fn parse_activity_doc(doc: &Value) -> Option<Activity> {
    from_value::<ActivityFields>(doc, doc_day(doc)?)
}

/// Decodes a `daily_stress` document (`stress_high` / `recovery_high` in seconds).
pub fn parse_stress_doc(doc: &Value) -> Option<Stress> {
    let obj = doc.as_object()?;
    Some(Stress {
        day: doc_day(doc)?,
        stress_high_seconds: number_of(obj, "stress_high"),
        recovery_high_seconds: number_of(obj, "recovery_high"),
        day_summary: obj
            .get("day_summary")
            .and_then(Value::as_str)
            .map(str::to_owned),
    })
}

/// One night per day, ascending: the `long_sleep` period, else the longest period by
/// `total_sleep_duration`, else a legacy `daily_sleep` document (the first with a score).
/// A period always wins over a legacy document of the same day; the other periods of the day
/// are counted in `naps`. Ties keep the earlier candidate.
pub fn select_nights(candidates: impl IntoIterator<Item = SleepNight>) -> Vec<SleepNight> {
    let mut by_day: BTreeMap<NaiveDate, Vec<SleepNight>> = BTreeMap::new();
    for night in candidates {
        by_day.entry(night.day).or_default().push(night);
    }
    by_day.into_values().filter_map(choose_night).collect()
}

fn choose_night(day: Vec<SleepNight>) -> Option<SleepNight> {
    let (periods, legacy): (Vec<_>, Vec<_>) =
        day.into_iter().partition(|n| n.kind != LEGACY_SLEEP_KIND);
    if periods.is_empty() {
        let with_score = legacy.iter().position(|n| n.score.is_some()).unwrap_or(0);
        return legacy.into_iter().nth(with_score);
    }
    let naps = u32::try_from(periods.len() - 1).unwrap_or(u32::MAX);
    let has_long = periods.iter().any(|n| n.kind == "long_sleep");
    let mut chosen = periods
        .into_iter()
        .filter(|n| !has_long || n.kind == "long_sleep")
        .reduce(|best, n| {
            if duration(&n) > duration(&best) {
                n
            } else {
                best
            }
        })?;
    chosen.naps = naps;
    Some(chosen)
}

fn duration(night: &SleepNight) -> f64 {
    night.total_sleep_seconds.unwrap_or(-1.0)
}

/// The document `D` in a parsed `Value` (the API's), on `day`; `None` unless an object.
pub(crate) fn from_value<D: Document>(doc: &Value, day: NaiveDate) -> Option<D::Item> {
    Some(Doc::<D>::deserialize(doc).ok()?.0.on(day))
}

/// The document `D` in JSON text (the cache's), on `day`; `None` unless an object.
pub(crate) fn from_json<D: Document>(json: &str, day: NaiveDate) -> Option<D::Item> {
    Some(serde_json::from_str::<Doc<D>>(json).ok()?.0.on(day))
}

/// A kind of document: its [`Fields`], and what they make on a day.
pub(crate) trait Document: Fields {
    type Item;
    fn on(self, day: NaiveDate) -> Self::Item;
}

/// A `daily_readiness` document.
#[derive(Default)]
pub(crate) struct ReadinessFields {
    score: Option<f64>,
    contributors: ReadinessContributors,
    temperature_deviation: Option<f64>,
}

impl Document for ReadinessFields {
    type Item = Readiness;

    fn on(self, day: NaiveDate) -> Readiness {
        Readiness {
            day,
            score: self.score,
            contributors: self.contributors,
            temperature_deviation: self.temperature_deviation,
        }
    }
}

impl Fields for ReadinessFields {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "score" => self.score = number(map)?,
            "temperature_deviation" => self.temperature_deviation = number(map)?,
            "contributors" => {
                self.contributors = map
                    .next_value::<Lenient<ReadinessContributors>>()?
                    .0
                    .unwrap_or_default();
            }
            _ => skip(map)?,
        }
        Ok(())
    }
}

impl Fields for ReadinessContributors {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        let slot = match key {
            "activity_balance" => &mut self.activity_balance,
            "body_temperature" => &mut self.body_temperature,
            "hrv_balance" => &mut self.hrv_balance,
            "previous_day_activity" => &mut self.previous_day_activity,
            "previous_night" => &mut self.previous_night,
            "recovery_index" => &mut self.recovery_index,
            "resting_heart_rate" => &mut self.resting_heart_rate,
            "sleep_balance" => &mut self.sleep_balance,
            _ => return skip(map),
        };
        *slot = number(map)?;
        Ok(())
    }
}

/// A sleep period or a legacy `daily_sleep` document. One with a string `type` is a sleep
/// period of that kind; one without `type` but with durations is a period of kind `sleep`;
/// anything else is a legacy `daily_sleep`.
#[derive(Default)]
pub(crate) struct SleepFields {
    kind: Option<String>,
    total: Option<f64>,
    in_bed: Option<f64>,
    efficiency: Option<f64>,
    average_hrv: Option<f64>,
    average_heart_rate: Option<f64>,
    lowest_heart_rate: Option<f64>,
    bedtime_start: Option<String>,
    bedtime_end: Option<String>,
    score: Option<f64>,
}

impl Document for SleepFields {
    type Item = SleepNight;

    fn on(self, day: NaiveDate) -> SleepNight {
        let kind = match self.kind {
            Some(kind) => kind,
            None if self.total.is_some() || self.in_bed.is_some() => "sleep".to_owned(),
            None => LEGACY_SLEEP_KIND.to_owned(),
        };
        let legacy = kind == LEGACY_SLEEP_KIND;
        SleepNight {
            day,
            total_sleep_seconds: self.total,
            time_in_bed_seconds: self.in_bed,
            efficiency: self.efficiency,
            average_hrv: self.average_hrv,
            average_heart_rate: self.average_heart_rate,
            lowest_heart_rate: self.lowest_heart_rate,
            bedtime_start: self.bedtime_start.as_deref().and_then(instant),
            bedtime_end: self.bedtime_end.as_deref().and_then(instant),
            score: if legacy { self.score } else { None },
            naps: 0,
            kind,
        }
    }
}

impl Fields for SleepFields {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "type" => self.kind = text(map)?,
            "total_sleep_duration" => self.total = number(map)?,
            "time_in_bed" => self.in_bed = number(map)?,
            "efficiency" => self.efficiency = number(map)?,
            "average_hrv" => self.average_hrv = number(map)?,
            "average_heart_rate" => self.average_heart_rate = number(map)?,
            "lowest_heart_rate" => self.lowest_heart_rate = number(map)?,
            "bedtime_start" => self.bedtime_start = text(map)?,
            "bedtime_end" => self.bedtime_end = text(map)?,
            "score" => self.score = number(map)?,
            _ => skip(map)?,
        }
        Ok(())
    }
}

/// A `daily_activity` document.
#[derive(Default)]
pub(crate) struct ActivityFields {
    score: Option<f64>,
    steps: Option<f64>,
    active_calories: Option<f64>,
}

impl Document for ActivityFields {
    type Item = Activity;

    fn on(self, day: NaiveDate) -> Activity {
        Activity {
            day,
            score: self.score,
            steps: self.steps,
            active_calories: self.active_calories,
        }
    }
}

impl Fields for ActivityFields {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "score" => self.score = number(map)?,
            "steps" => self.steps = number(map)?,
            "active_calories" => self.active_calories = number(map)?,
            _ => skip(map)?,
        }
        Ok(())
    }
}

/// The fields of one kind of document: each known key's value is taken (leniently), every
/// other value skipped.
pub(crate) trait Fields: Default {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error>;
}

fn number<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Option<f64>, A::Error> {
    Ok(map.next_value::<Lenient<f64>>()?.0)
}

fn text<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Option<String>, A::Error> {
    Ok(map.next_value::<Lenient<String>>()?.0)
}

fn skip<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<IgnoredAny>().map(|_| ())
}

/// A whole document: a JSON object, else an error (the row is skipped).
struct Doc<F>(F);

impl<'de, F: Fields> Deserialize<'de> for Doc<F> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_map(FieldsVisitor(PhantomData))
            .map(Doc)
    }
}

/// Visits an object into the fields `F`.
struct FieldsVisitor<F>(PhantomData<F>);

impl<'de, F: Fields> Visitor<'de> for FieldsVisitor<F> {
    type Value = F;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<F, A::Error> {
        let mut fields = F::default();
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            fields.field(&key, &mut map)?;
        }
        Ok(fields)
    }
}

/// An object key, borrowed from the JSON text where it has no escapes.
struct Key<'de>(std::borrow::Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(v.into()))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(v.to_owned().into()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(v.into()))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// A value of type `T` where the document has one of that JSON type, else `None` (null, a
/// string for a number, an array, …): a wrong field never fails its document.
struct Lenient<T>(Option<T>);

/// Which JSON values a [`Lenient`] takes: by default none (each is skipped).
trait Accept: Sized {
    fn number(_: f64) -> Option<Self> {
        None
    }
    fn text(_: &str) -> Option<Self> {
        None
    }
    fn object<'de, A: MapAccess<'de>>(mut map: A) -> Result<Option<Self>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(None)
    }
}

/// Readiness `contributors`: an object's fields (anything else: none, as if absent).
impl Accept for ReadinessContributors {
    fn object<'de, A: MapAccess<'de>>(map: A) -> Result<Option<Self>, A::Error> {
        FieldsVisitor(PhantomData).visit_map(map).map(Some)
    }
}

impl Accept for f64 {
    fn number(n: f64) -> Option<f64> {
        Some(n)
    }
}

impl Accept for String {
    fn text(s: &str) -> Option<String> {
        Some(s.to_owned())
    }
}

impl<'de, T: Accept> Deserialize<'de> for Lenient<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(LenientVisitor(PhantomData))
    }
}

struct LenientVisitor<T>(PhantomData<T>);

impl<'de, T: Accept> Visitor<'de> for LenientVisitor<T> {
    type Value = Lenient<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Lenient(T::number(v as f64)))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Lenient(T::number(v as f64)))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Lenient(T::number(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Lenient(T::text(v)))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Lenient(None))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Lenient(None))
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Lenient(None))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Lenient(None))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        T::object(map).map(Lenient)
    }
}

/// `YYYY-MM-DD` (surrounding spaces tolerated).
pub(crate) fn parse_day(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
}

fn doc_day(doc: &Value) -> Option<NaiveDate> {
    doc.get("day").and_then(Value::as_str).and_then(parse_day)
}

fn number_of(obj: &Map<String, Value>, key: &str) -> Option<f64> {
    obj.get(key).and_then(Value::as_f64)
}

fn instant(text: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(text.trim()).ok()
}
