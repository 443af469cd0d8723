//! Proleptic Gregorian calendar arithmetic on "local millis" (milliseconds since 1970-01-01T00:00
//! of the local wall clock), following Joda-Time's `BasicChronology` / `GregorianChronology`
//! (year 0 exists, no Julian cutover).

use plugin_api::AggregateError;

/// Milliseconds in a day.
pub const DAY: i64 = 86_400_000;
/// Joda `BasicGJChronology.FEB_29`: offset of Feb 29 (day 60) inside a leap year.
const FEB_29: i64 = (31 + 29 - 1) * DAY;
/// Smallest year Joda's GregorianChronology supports.
pub const MIN_YEAR: i64 = -292_275_054;
/// Largest year Joda's GregorianChronology supports.
pub const MAX_YEAR: i64 = 292_278_993;

/// Whether `y` is a Gregorian leap year.
pub fn is_leap(y: i64) -> bool {
    y.rem_euclid(4) == 0 && (y.rem_euclid(100) != 0 || y.rem_euclid(400) == 0)
}

/// Days in month `m` (1-12) of year `y`.
pub fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date (year, month, day) of a day number.
pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Calendar fields of a local instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fields {
    /// Year (astronomical numbering).
    pub year: i64,
    /// Month 1-12.
    pub month: i64,
    /// Day of month 1-31.
    pub day: i64,
    /// Milliseconds into the day.
    pub millis: i64,
}

/// Splits local millis into calendar fields.
pub fn fields(local: i64) -> Fields {
    let days = local.div_euclid(DAY);
    let (year, month, day) = civil_from_days(days);
    Fields {
        year,
        month,
        day,
        millis: local.rem_euclid(DAY),
    }
}

fn overflow() -> AggregateError {
    AggregateError::msg("The calculation caused an overflow")
}

fn year_range_error(y: i64) -> AggregateError {
    AggregateError::msg(format!(
        "Value {y} for year must be in the range [{MIN_YEAR},{MAX_YEAR}]"
    ))
}

/// Local millis of a date at a time of day.
pub fn millis_of(y: i64, m: i64, d: i64, millis: i64) -> Result<i64, AggregateError> {
    if !(MIN_YEAR..=MAX_YEAR).contains(&y) {
        return Err(year_range_error(y));
    }
    let v = i128::from(days_from_civil(y, m, d)) * i128::from(DAY) + i128::from(millis);
    i64::try_from(v).map_err(|_| overflow())
}

/// Local millis of the first instant of month `m` of year `y`.
fn month_start(y: i64, m: i64) -> i128 {
    i128::from(days_from_civil(y, m, 1)) * i128::from(DAY)
}

/// Local millis of Jan 1 of year `y`.
fn year_start(y: i64) -> i128 {
    month_start(y, 1)
}

/// Day of year (1-366).
pub fn day_of_year(f: &Fields) -> i64 {
    days_from_civil(f.year, f.month, f.day) - days_from_civil(f.year, 1, 1) + 1
}

/// ISO day of week (1 = Monday) of local millis.
pub fn day_of_week(local: i64) -> i64 {
    (local.div_euclid(DAY) + 3).rem_euclid(7) + 1
}

/// Joda `BasicMonthOfYearDateTimeField.add`: calendar months, day clamped to the month length,
/// time of day kept.
pub fn add_months(local: i64, months: i64) -> Result<i64, AggregateError> {
    if months == 0 {
        return Ok(local);
    }
    let f = fields(local);
    let index = (f.year * 12 + f.month - 1)
        .checked_add(months)
        .ok_or_else(overflow)?;
    let year = index.div_euclid(12);
    let month = index.rem_euclid(12) + 1;
    let day = f.day.min(days_in_month(year, month));
    millis_of(year, month, day, f.millis)
}

/// Joda `BasicChronology.setYear`: keeps the day of year (adjusted around Feb 29) and time.
pub fn set_year(local: i64, year: i64) -> Result<i64, AggregateError> {
    if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
        return Err(year_range_error(year));
    }
    let f = fields(local);
    let mut doy = day_of_year(&f);
    if doy > 31 + 28 {
        if is_leap(f.year) {
            if !is_leap(year) {
                doy -= 1;
            }
        } else if is_leap(year) {
            doy += 1;
        }
    }
    let days = days_from_civil(year, 1, 1) + doy - 1;
    let v = i128::from(days) * i128::from(DAY) + i128::from(f.millis);
    i64::try_from(v).map_err(|_| overflow())
}

/// Joda `BasicYearDateTimeField.add`.
pub fn add_years(local: i64, years: i64) -> Result<i64, AggregateError> {
    if years == 0 {
        return Ok(local);
    }
    let years = i32::try_from(years)
        .map_err(|_| AggregateError::msg(format!("Value cannot fit in an int: {years}")))?;
    let year = fields(local).year + i64::from(years);
    set_year(local, year)
}

/// Joda `BasicMonthOfYearDateTimeField.getDifferenceAsLong(minuend, subtrahend)`.
pub fn month_difference(t: i64, a: i64) -> i64 {
    if t < a {
        return -month_difference(a, t);
    }
    let ft = fields(t);
    let fa = fields(a);
    let mut diff = (ft.year - fa.year) * 12 + ft.month - fa.month;
    let mut a_adj = i128::from(a);
    if ft.day == days_in_month(ft.year, ft.month) && fa.day > ft.day {
        // Joda moves the subtrahend to the minuend's (last) day of month.
        a_adj -= i128::from((fa.day - ft.day) * DAY);
    }
    let rem_t = i128::from(t) - month_start(ft.year, ft.month);
    let rem_a = a_adj - month_start(fa.year, fa.month);
    if rem_t < rem_a {
        diff -= 1;
    }
    diff
}

/// Joda `BasicGJChronology.getYearDifference`, signed like `BasicYearDateTimeField`.
pub fn year_difference(t: i64, a: i64) -> i64 {
    if t < a {
        return -year_difference(a, t);
    }
    let yt = fields(t).year;
    let ya = fields(a).year;
    let mut rem_t = i128::from(t) - year_start(yt);
    let mut rem_a = i128::from(a) - year_start(ya);
    let feb29 = i128::from(FEB_29);
    if rem_a >= feb29 {
        if is_leap(ya) {
            if !is_leap(yt) {
                rem_a -= i128::from(DAY);
            }
        } else if rem_t >= feb29 && is_leap(yt) {
            rem_t -= i128::from(DAY);
        }
    }
    let mut diff = yt - ya;
    if rem_t < rem_a {
        diff -= 1;
    }
    diff
}

/// `yyyy-MM-dd'T'HH:mm:ss.SSS` of local millis (Joda `DateTimeFormat` pattern output).
pub fn format_local(local: i64) -> String {
    let f = fields(local);
    let ms = f.millis;
    let year = if f.year < 0 {
        format!("-{:04}", -f.year)
    } else {
        format!("{:04}", f.year)
    };
    format!(
        "{year}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}",
        f.month,
        f.day,
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(y: i64, m: i64, d: i64) -> i64 {
        days_from_civil(y, m, d) * DAY
    }

    #[test]
    fn round_trip() {
        for z in [-800_000, -1, 0, 1, 59, 60, 365, 18_000, 2_000_000] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(day_of_week(0), 4);
    }

    #[test]
    fn month_add_clamps() {
        assert_eq!(add_months(ms(2016, 1, 31), 1).ok(), Some(ms(2016, 2, 29)));
        assert_eq!(add_months(ms(2016, 1, 31), -2).ok(), Some(ms(2015, 11, 30)));
        assert_eq!(add_years(ms(2016, 2, 29), 1).ok(), Some(ms(2017, 2, 28)));
    }

    #[test]
    fn differences() {
        assert_eq!(month_difference(ms(2016, 2, 29), ms(2016, 1, 31)), 1);
        assert_eq!(month_difference(ms(2016, 2, 28), ms(2016, 1, 31)), 0);
        assert_eq!(month_difference(ms(2016, 1, 1), ms(2016, 3, 1)), -2);
        assert_eq!(year_difference(ms(2017, 2, 28), ms(2016, 2, 29)), 1);
        assert_eq!(year_difference(ms(2016, 12, 31), ms(2016, 1, 1)), 0);
    }
}
