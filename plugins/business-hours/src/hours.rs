//! Opening hours: weekdays and `"HH:MM"` times as read from the config, and
//! whether a company-local (weekday, minute) is inside them.

use std::fmt;

use serde::Deserialize;
use switchyard_sdk::Weekday;

/// A day of the week as written in the config: `"mon"` … `"sun"` (full names
/// such as `"monday"` are accepted too).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Day {
    /// Monday.
    #[serde(alias = "monday")]
    Mon,
    /// Tuesday.
    #[serde(alias = "tuesday")]
    Tue,
    /// Wednesday.
    #[serde(alias = "wednesday")]
    Wed,
    /// Thursday.
    #[serde(alias = "thursday")]
    Thu,
    /// Friday.
    #[serde(alias = "friday")]
    Fri,
    /// Saturday.
    #[serde(alias = "saturday")]
    Sat,
    /// Sunday.
    #[serde(alias = "sunday")]
    Sun,
}

impl Day {
    /// Whether this is the call's company-local weekday.
    pub fn is(self, weekday: Weekday) -> bool {
        let day = match weekday {
            Weekday::Monday => Self::Mon,
            Weekday::Tuesday => Self::Tue,
            Weekday::Wednesday => Self::Wed,
            Weekday::Thursday => Self::Thu,
            Weekday::Friday => Self::Fri,
            Weekday::Saturday => Self::Sat,
            Weekday::Sunday => Self::Sun,
        };
        self == day
    }
}

/// A time of day written `"HH:MM"` (24-hour clock, `"24:00"` meaning end of
/// day), held as minutes since midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(try_from = "String")]
pub struct Time(u16);

impl Time {
    /// Minutes since midnight, 0..=1440.
    pub fn minute(self) -> u16 {
        self.0
    }
}

/// Why a time or window in the config is refused (serde puts the message into the
/// config error, with the field's path).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HoursError {
    /// Not `"HH:MM"` on a 24-hour clock.
    #[error("`{text}` is not a time of day; write it as \"HH:MM\", e.g. \"09:00\"")]
    NotATime {
        /// What the config said.
        text: String,
    },
    /// A window that closes before (or when) it opens.
    #[error("closes at {close} before it opens at {open}; split overnight hours into two windows")]
    ClosesBeforeOpening {
        /// Opening time.
        open: Time,
        /// Closing time.
        close: Time,
    },
}

impl TryFrom<String> for Time {
    type Error = HoursError;

    fn try_from(text: String) -> Result<Self, HoursError> {
        let Some(minute) = minute_of_day(&text) else {
            return Err(HoursError::NotATime { text });
        };
        Ok(Self(minute))
    }
}

/// Minutes since midnight of `"HH:MM"` (up to `"24:00"`), if it is one.
fn minute_of_day(text: &str) -> Option<u16> {
    let (h, m) = text.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let h: u16 = h.parse().ok()?;
    let m: u16 = m.parse().ok()?;
    if m > 59 || h > 24 || (h == 24 && m != 0) {
        return None;
    }
    Some(h * 60 + m)
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

/// Opening hours on some days: open at `open`, closed from `close` on.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "RawWindow")]
pub struct Window {
    days: Vec<Day>,
    open: Time,
    close: Time,
}

/// A [`Window`] before checking that it closes after it opens.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWindow {
    days: Vec<Day>,
    open: Time,
    close: Time,
}

impl TryFrom<RawWindow> for Window {
    type Error = HoursError;

    fn try_from(raw: RawWindow) -> Result<Self, HoursError> {
        if raw.close <= raw.open {
            return Err(HoursError::ClosesBeforeOpening {
                open: raw.open,
                close: raw.close,
            });
        }
        Ok(Self {
            days: raw.days,
            open: raw.open,
            close: raw.close,
        })
    }
}

impl Window {
    /// Monday to Friday, `open` to `close`.
    pub fn weekdays(open: u16, close: u16) -> Self {
        Self {
            days: vec![Day::Mon, Day::Tue, Day::Wed, Day::Thu, Day::Fri],
            open: Time(open),
            close: Time(close),
        }
    }

    /// Whether `minute` of `weekday` falls in this window (open inclusive,
    /// close exclusive).
    pub fn contains(&self, weekday: Weekday, minute: u16) -> bool {
        self.days.iter().any(|d| d.is(weekday)) && self.open.0 <= minute && minute < self.close.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn time(s: &str) -> Result<Time, HoursError> {
        Time::try_from(s.to_string())
    }

    #[test]
    fn parses_times() {
        assert_eq!(time("09:00").unwrap().minute(), 540);
        assert_eq!(time("17:30").unwrap().minute(), 1050);
        assert_eq!(time("24:00").unwrap().minute(), 1440);
        for bad in [
            "9:00", "09:60", "24:01", "25:00", "0900", "ab:cd", "09:00:00",
        ] {
            assert_eq!(
                time(bad),
                Err(HoursError::NotATime { text: bad.into() }),
                "{bad}"
            );
        }
    }

    #[test]
    fn window_contains_open_but_not_close() {
        let w = Window::weekdays(540, 1050);
        assert!(w.contains(Weekday::Monday, 540));
        assert!(w.contains(Weekday::Friday, 1049));
        assert!(!w.contains(Weekday::Friday, 1050));
        assert!(!w.contains(Weekday::Monday, 539));
        assert!(!w.contains(Weekday::Saturday, 600));
    }

    #[test]
    fn window_must_close_after_it_opens() {
        let err = serde_json::from_str::<Window>(
            r#"{"days": ["sat"], "open": "22:00", "close": "06:00"}"#,
        )
        .unwrap_err();
        assert!(err.to_string().contains("overnight"), "{err}");
        let w: Window = serde_json::from_str(
            r#"{"days": ["saturday", "sun"], "open": "10:00", "close": "14:00"}"#,
        )
        .unwrap();
        assert!(w.contains(Weekday::Sunday, 600));
    }
}
