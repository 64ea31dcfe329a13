//! Weekly availability schedules, in the company's own time zone, and the helper that turns a
//! unix instant into a company-local weekday and minute of the day.
//!
//! A schedule is a list of windows `{day, start, end}` with times written `"HH:MM"`; `end` is
//! exclusive and may be `"24:00"`. A window never crosses midnight: 22:00–02:00 is written as
//! two windows (`22:00`–`24:00` and `00:00`–`02:00` the next day). Windows of the same day must
//! not overlap.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{DirectoryError, Result};

/// Day of the week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Day {
    /// Monday.
    Mon,
    /// Tuesday.
    Tue,
    /// Wednesday.
    Wed,
    /// Thursday.
    Thu,
    /// Friday.
    Fri,
    /// Saturday.
    Sat,
    /// Sunday.
    Sun,
}

impl Day {
    /// The day for a jiff weekday.
    pub fn from_jiff(day: jiff::civil::Weekday) -> Self {
        use jiff::civil::Weekday as W;
        match day {
            W::Monday => Self::Mon,
            W::Tuesday => Self::Tue,
            W::Wednesday => Self::Wed,
            W::Thursday => Self::Thu,
            W::Friday => Self::Fri,
            W::Saturday => Self::Sat,
            W::Sunday => Self::Sun,
        }
    }
}

/// A time of day in minutes since midnight, `0..=1440`, written `"HH:MM"` in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimeOfDay(u16);

impl TimeOfDay {
    /// Minutes since midnight (1440 is the end of the day).
    pub fn minutes(self) -> u16 {
        self.0
    }

    /// `hh:mm`, with `24:00` allowed as the end of the day.
    pub fn new(hour: u16, minute: u16) -> Option<Self> {
        let total = hour.checked_mul(60)?.checked_add(minute)?;
        (minute < 60 && total <= 1440).then_some(Self(total))
    }

    fn parse(text: &str) -> Option<Self> {
        let (h, m) = text.split_once(':')?;
        if h.len() != 2 || m.len() != 2 || !h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
            return None;
        }
        Self::new(h.parse().ok()?, m.parse().ok()?)
    }
}

impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

impl Serialize for TimeOfDay {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for TimeOfDay {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "invalid time \"{text}\", expected \"HH:MM\" between 00:00 and 24:00"
            ))
        })
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for TimeOfDay {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::Type::String)
            .pattern(Some("^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$"))
            .examples([serde_json::json!("09:30")])
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for TimeOfDay {}

/// One availability window on one day, `start` inclusive, `end` exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Window {
    /// Day of the week, company-local.
    pub day: Day,
    /// Start, `"HH:MM"`.
    pub start: TimeOfDay,
    /// End (exclusive), `"HH:MM"`; `"24:00"` is the end of the day.
    pub end: TimeOfDay,
}

/// A weekly availability schedule: the windows in which a member takes calls.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct Schedule(pub Vec<Window>);

/// Most windows one schedule may hold.
pub const MAX_WINDOWS: usize = 64;

impl Schedule {
    /// Whether `minute` (0..=1439) of `day` falls inside a window.
    pub fn contains(&self, day: Day, minute: u16) -> bool {
        self.0
            .iter()
            .any(|w| w.day == day && w.start.minutes() <= minute && minute < w.end.minutes())
    }

    /// Checks the windows: each ends after it starts, none overlaps another of the same day.
    pub fn validate(&self) -> Result<()> {
        if self.0.len() > MAX_WINDOWS {
            return Err(DirectoryError::invalid(
                "schedule_too_long",
                format!(
                    "a schedule holds at most {MAX_WINDOWS} windows, got {}",
                    self.0.len()
                ),
                "merge adjacent windows",
            ));
        }
        for w in &self.0 {
            if w.end <= w.start {
                return Err(DirectoryError::invalid(
                    "invalid_schedule",
                    format!(
                        "window {:?} {}-{} ends before it starts",
                        w.day, w.start, w.end
                    ),
                    "a window cannot cross midnight: split it into one window ending at 24:00 and one starting at 00:00 the next day",
                ));
            }
        }
        let mut sorted = self.0.clone();
        sorted.sort_by_key(|w| (w.day, w.start));
        for pair in sorted.windows(2) {
            if let [a, b] = pair
                && a.day == b.day
                && b.start < a.end
            {
                return Err(DirectoryError::invalid(
                    "schedule_overlap",
                    format!(
                        "windows {:?} {}-{} and {}-{} overlap",
                        a.day, a.start, a.end, b.start, b.end
                    ),
                    "make windows of the same day disjoint, or merge them into one",
                ));
            }
        }
        Ok(())
    }
}

/// Company-local weekday and minute of the day (0..=1439) at `unix_ms`, in the IANA time zone
/// `time_zone`. Fails only if the zone is unknown (zones are validated when a company is saved).
pub fn local_day_minute(time_zone: &str, unix_ms: u64) -> Result<(Day, u16)> {
    let tz = crate::validate::time_zone(time_zone)?;
    let millis = i64::try_from(unix_ms).map_err(|_| out_of_range(unix_ms))?;
    let instant = jiff::Timestamp::from_millisecond(millis).map_err(|_| out_of_range(unix_ms))?;
    let local = instant.to_zoned_datetime(tz);
    let minute =
        u16::from(local.hour().unsigned_abs()) * 60 + u16::from(local.minute().unsigned_abs());
    Ok((Day::from_jiff(local.weekday()), minute))
}

fn out_of_range(unix_ms: u64) -> DirectoryError {
    DirectoryError::invalid(
        "invalid_time",
        format!("instant {unix_ms} ms is outside the supported range"),
        "give milliseconds since 1970-01-01T00:00:00Z",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(day: Day, start: &str, end: &str) -> Window {
        Window {
            day,
            start: TimeOfDay::parse(start).unwrap(),
            end: TimeOfDay::parse(end).unwrap(),
        }
    }

    #[test]
    fn contains_is_start_inclusive_end_exclusive() {
        let s = Schedule(vec![
            w(Day::Mon, "09:00", "17:30"),
            w(Day::Tue, "22:00", "24:00"),
        ]);
        assert!(s.validate().is_ok());
        assert!(s.contains(Day::Mon, 9 * 60));
        assert!(s.contains(Day::Mon, 17 * 60 + 29));
        assert!(!s.contains(Day::Mon, 17 * 60 + 30));
        assert!(!s.contains(Day::Wed, 10 * 60));
        assert!(s.contains(Day::Tue, 1439));
    }

    #[test]
    fn overlapping_and_reversed_windows_are_refused() {
        let overlap = Schedule(vec![
            w(Day::Mon, "09:00", "12:00"),
            w(Day::Mon, "11:00", "13:00"),
        ]);
        assert_eq!(overlap.validate().unwrap_err().code(), "schedule_overlap");
        let touching = Schedule(vec![
            w(Day::Mon, "09:00", "12:00"),
            w(Day::Mon, "12:00", "13:00"),
        ]);
        assert!(touching.validate().is_ok());
        let reversed = Schedule(vec![w(Day::Fri, "18:00", "09:00")]);
        assert_eq!(reversed.validate().unwrap_err().code(), "invalid_schedule");
    }

    #[test]
    fn times_parse_strictly() {
        assert!(TimeOfDay::parse("24:00").is_some());
        for bad in ["24:01", "9:00", "09:60", "0900", "ab:cd", ""] {
            assert!(TimeOfDay::parse(bad).is_none(), "{bad}");
        }
        let json = serde_json::to_string(&w(Day::Sun, "08:05", "24:00")).unwrap();
        assert_eq!(json, r#"{"day":"sun","start":"08:05","end":"24:00"}"#);
    }

    #[test]
    fn local_time_follows_the_zone() {
        // 2026-11-23T00:00:00Z is a Monday: 05:30 in Kolkata, 19:00 Sunday in New York.
        assert_eq!(
            local_day_minute("Asia/Kolkata", 1_795_392_000_000).unwrap(),
            (Day::Mon, 330)
        );
        assert_eq!(
            local_day_minute("America/New_York", 1_795_392_000_000).unwrap(),
            (Day::Sun, 1140)
        );
        assert_eq!(
            local_day_minute("Mars/Olympus", 0).unwrap_err().code(),
            "invalid_time_zone"
        );
    }
}
