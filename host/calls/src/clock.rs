//! Company-local time for policies: weekday, minute of day and a day number, computed from the
//! company's IANA time zone.

use jiff::tz::TimeZone;
use switchyard_runtime::Weekday;

/// Company-local view of an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalTime {
    /// Day of the week.
    pub weekday: Weekday,
    /// Minute of the day, 0..=1439.
    pub minute: u16,
    /// Day number (year * 1000 + day of year), for "today" counters.
    pub day: i32,
}

/// The local time in `time_zone` at `now_ms`; UTC if the zone is unknown (zones are validated
/// when a company is saved, so that only happens with a tz database that lost a zone).
pub fn local_time(time_zone: &str, now_ms: u64) -> LocalTime {
    let tz = TimeZone::get(time_zone).unwrap_or(TimeZone::UTC);
    let ts = jiff::Timestamp::from_millisecond(i64::try_from(now_ms).unwrap_or(i64::MAX))
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let z = ts.to_zoned_datetime(tz);
    let weekday = match z.weekday() {
        jiff::civil::Weekday::Monday => Weekday::Monday,
        jiff::civil::Weekday::Tuesday => Weekday::Tuesday,
        jiff::civil::Weekday::Wednesday => Weekday::Wednesday,
        jiff::civil::Weekday::Thursday => Weekday::Thursday,
        jiff::civil::Weekday::Friday => Weekday::Friday,
        jiff::civil::Weekday::Saturday => Weekday::Saturday,
        jiff::civil::Weekday::Sunday => Weekday::Sunday,
    };
    let minute = u16::try_from(i32::from(z.hour()) * 60 + i32::from(z.minute())).unwrap_or(0);
    let day = i32::from(z.year()) * 1000 + i32::from(z.day_of_year());
    LocalTime {
        weekday,
        minute,
        day,
    }
}

/// Milliseconds since the unix epoch, now.
pub use switchyard_directory::now_ms;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kolkata_is_five_and_a_half_hours_ahead() {
        // 2026-11-23T00:00:00Z is a Monday; 05:30 in Kolkata.
        let t = local_time("Asia/Kolkata", 1_795_392_000_000);
        assert_eq!(t.weekday, Weekday::Monday);
        assert_eq!(t.minute, 5 * 60 + 30);
        let ny = local_time("America/New_York", 1_795_392_000_000);
        assert_eq!(ny.weekday, Weekday::Sunday);
        assert_eq!(ny.minute, 19 * 60);
    }
}
