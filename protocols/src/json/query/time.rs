//! Time units, relative times and time-zone ids of a query (Java `TimeUnit`,
//! `RelativeTime`, Joda `DateTimeZone.forID`).

use std::sync::OnceLock;

use super::gson::java_eq_ignore_case;
use crate::series::java_cmp;

/// The list printed in the invalid time unit message (`TimeUnit.toValueNames()`).
pub(super) const UNIT_NAMES: &str = "MILLISECONDS,SECONDS,MINUTES,HOURS,DAYS,WEEKS,MONTHS,YEARS";

/// A KairosDB `TimeUnit`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum TimeUnit {
    Milliseconds,
    Seconds,
    Minutes,
    Hours,
    Days,
    Weeks,
    Months,
    Years,
}

const UNITS: [(TimeUnit, &str); 8] = [
    (TimeUnit::Milliseconds, "MILLISECONDS"),
    (TimeUnit::Seconds, "SECONDS"),
    (TimeUnit::Minutes, "MINUTES"),
    (TimeUnit::Hours, "HOURS"),
    (TimeUnit::Days, "DAYS"),
    (TimeUnit::Weeks, "WEEKS"),
    (TimeUnit::Months, "MONTHS"),
    (TimeUnit::Years, "YEARS"),
];

impl TimeUnit {
    /// `TimeUnit.from`: a case-insensitive constant name; `None` for anything else.
    pub(super) fn from_java(s: &str) -> Option<TimeUnit> {
        UNITS
            .iter()
            .find(|(_, name)| java_eq_ignore_case(name, s))
            .map(|(u, _)| *u)
    }

    /// The constant name, e.g. `DAYS`.
    pub(super) fn name(self) -> &'static str {
        UNITS
            .iter()
            .find(|(u, _)| *u == self)
            .map_or("", |(_, name)| name)
    }
}

/// A `start_relative` / `end_relative` member: Java `RelativeTime` (a `Duration`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct RelativeTime {
    /// `value` (a Java `long`; `0` when absent).
    pub value: i64,
    /// `unit`; `None` when absent or null (a validation error).
    pub unit: Option<TimeUnit>,
}

impl RelativeTime {
    /// `Duration.toString()`, used in the cache string.
    pub(super) fn cache_text(&self) -> String {
        let unit = self.unit.map_or("null", TimeUnit::name);
        format!("Duration{{value={}, unit={unit}}}", self.value)
    }

    /// `getTimeRelativeTo(now)`: now minus the duration on a UTC `GregorianCalendar`.
    pub(super) fn time_relative_to(&self, now: i64) -> i64 {
        let Some(unit) = self.unit else {
            return now;
        };
        if unit == TimeUnit::Milliseconds {
            return now.wrapping_sub(self.value);
        }
        // Calendar.add takes an int: the value is cast, then negated.
        let amount = (self.value as i32).wrapping_neg() as i64;
        if amount == 0 {
            return now;
        }
        let fixed_ms = |unit_ms: i64| now.wrapping_add(amount.wrapping_mul(unit_ms));
        match unit {
            TimeUnit::Milliseconds => now,
            TimeUnit::Seconds => fixed_ms(1_000),
            TimeUnit::Minutes => fixed_ms(60_000),
            TimeUnit::Hours => fixed_ms(3_600_000),
            TimeUnit::Days => fixed_ms(DAY_MS),
            TimeUnit::Weeks => fixed_ms(7 * DAY_MS),
            TimeUnit::Months => add_months(now, amount),
            TimeUnit::Years => add_months(now, amount.wrapping_mul(12)),
        }
    }
}

const DAY_MS: i64 = 86_400_000;

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn gregorian_days(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian date of a day number.
fn gregorian_date(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    month_day(yoe + era * 400, doe - (365 * yoe + yoe / 4 - yoe / 100))
}

/// Year, month and day from a March-based year and day of that year.
fn month_day(y: i64, doy: i64) -> (i64, i64, i64) {
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Days since 1970-01-01 of a proleptic Julian date.
fn julian_days(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(4);
    let yoe = y - era * 4;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    // 719_470: Julian 0000-03-01 to 1970-01-01 (Gregorian), i.e. Julian 1969-12-19.
    era * 1461 + yoe * 365 + doy - 719_470
}

/// The proleptic Julian date of a day number.
fn julian_date(z: i64) -> (i64, i64, i64) {
    let z = z + 719_470;
    let era = z.div_euclid(1461);
    let doe = z - era * 1461;
    let yoe = (doe / 365).min(3);
    month_day(yoe + era * 4, doe - 365 * yoe)
}

/// Day number of 1582-10-15, where `GregorianCalendar` switches from Julian dates.
const CUTOVER_DAY: i64 = -141_427;

fn is_leap(y: i64) -> bool {
    if y < 1582 {
        y.rem_euclid(4) == 0
    } else {
        y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
    }
}

fn month_len(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `Calendar.add(MONTH, amount)` in UTC on Java's Julian/Gregorian calendar, the day of
/// month pinned to the target month's length.
fn add_months(ms: i64, amount: i64) -> i64 {
    let days = ms.div_euclid(DAY_MS);
    let time_of_day = ms.rem_euclid(DAY_MS);
    let (y, m, d) = if days >= CUTOVER_DAY {
        gregorian_date(days)
    } else {
        julian_date(days)
    };
    let total = y.wrapping_mul(12).wrapping_add(m - 1).wrapping_add(amount);
    let (ny, nm) = (total.div_euclid(12), total.rem_euclid(12) + 1);
    let nd = d.min(month_len(ny, nm));
    let g = gregorian_days(ny, nm, nd);
    let new_days = if g >= CUTOVER_DAY {
        g
    } else {
        julian_days(ny, nm, nd)
    };
    new_days.wrapping_mul(DAY_MS).wrapping_add(time_of_day)
}

/// Whether Joda's `DateTimeZone.forID` accepts the id (checked against the tz database).
pub(super) fn is_valid_zone(id: &str) -> bool {
    id == "UTC" || id.parse::<chrono_tz::Tz>().is_ok()
}

/// `DateTimeZone.getAvailableIDs()` printed as a Java set: `[Africa/Abidjan, ...]`.
pub(super) fn zone_id_list() -> &'static str {
    static LIST: OnceLock<String> = OnceLock::new();
    LIST.get_or_init(|| {
        let mut ids: Vec<&str> = chrono_tz::TZ_VARIANTS.iter().map(|z| z.name()).collect();
        ids.sort_by(|a, b| java_cmp(a, b));
        ids.dedup();
        format!("[{}]", ids.join(", "))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3_600_000;

    fn at(y: i64, m: i64, d: i64) -> i64 {
        gregorian_days(y, m, d) * DAY_MS
    }

    fn rel(value: i64, unit: TimeUnit) -> RelativeTime {
        RelativeTime {
            value,
            unit: Some(unit),
        }
    }

    #[test]
    fn calendars_round_trip() {
        assert_eq!(gregorian_days(1970, 1, 1), 0);
        assert_eq!(gregorian_days(1582, 10, 15), CUTOVER_DAY);
        assert_eq!(julian_days(1582, 10, 5), CUTOVER_DAY);
        assert_eq!(julian_days(1969, 12, 19), 0);
        for z in [-800_000, CUTOVER_DAY - 1, -1, 0, 59, 11_016, 800_000] {
            let (y, m, d) = gregorian_date(z);
            assert_eq!(gregorian_days(y, m, d), z);
            let (y, m, d) = julian_date(z);
            assert_eq!(julian_days(y, m, d), z);
        }
    }

    #[test]
    fn relative_times_use_a_utc_calendar() {
        let now = at(2024, 3, 31) + 5 * H;
        assert_eq!(
            rel(1, TimeUnit::Months).time_relative_to(now),
            at(2024, 2, 29) + 5 * H
        );
        assert_eq!(
            rel(13, TimeUnit::Months).time_relative_to(now),
            at(2023, 2, 28) + 5 * H
        );
        assert_eq!(
            rel(1, TimeUnit::Years).time_relative_to(at(2024, 2, 29)),
            at(2023, 2, 28)
        );
        assert_eq!(
            rel(2, TimeUnit::Weeks).time_relative_to(now),
            now - 14 * 24 * H
        );
        assert_eq!(rel(3, TimeUnit::Days).time_relative_to(now), now - 72 * H);
        assert_eq!(
            rel(5, TimeUnit::Hours).time_relative_to(now),
            at(2024, 3, 31)
        );
        assert_eq!(
            rel(90, TimeUnit::Seconds).time_relative_to(now),
            now - 90_000
        );
        assert_eq!(rel(0, TimeUnit::Years).time_relative_to(now), now);
        // Milliseconds keep the long; other units cast the value to int.
        let big = 1i64 << 33;
        assert_eq!(
            rel(big, TimeUnit::Milliseconds).time_relative_to(now),
            now - big
        );
        assert_eq!(
            rel(big + 2, TimeUnit::Seconds).time_relative_to(now),
            now - 2000
        );
        // Before 1582-10-15 the calendar is Julian: 1600-03-01 minus 100 years is Julian
        // 1500-03-01, which is Gregorian 1500-03-11.
        assert_eq!(
            rel(100, TimeUnit::Years).time_relative_to(at(1600, 3, 1)),
            at(1500, 3, 11)
        );
        let _ = rel(i32::MAX as i64, TimeUnit::Years).time_relative_to(i64::MIN);
    }

    #[test]
    fn units_and_zones() {
        assert_eq!(TimeUnit::from_java("Minutes"), Some(TimeUnit::Minutes));
        assert_eq!(TimeUnit::from_java("minute"), None);
        assert_eq!(TimeUnit::from_java(""), None);
        assert_eq!(
            rel(5, TimeUnit::Days).cache_text(),
            "Duration{value=5, unit=DAYS}"
        );
        assert!(is_valid_zone("Asia/Kabul") && is_valid_zone("UTC") && is_valid_zone("EST"));
        assert!(!is_valid_zone("bogus") && !is_valid_zone("asia/kabul"));
        let list = zone_id_list();
        assert!(list.starts_with("[Africa/Abidjan, Africa/Accra, ") && list.ends_with(']'));
    }
}
