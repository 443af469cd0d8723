//! The Joda-Time field arithmetic behind range boundaries, anchor alignment and calendar-aware
//! durations: `ZonedChronology.ZonedDateTimeField` (`getDifferenceAsLong`, `add`, `set`) and
//! `ZonedDurationField.add`, over the Gregorian fields KairosDB picks per sampling unit
//! (AGG/RangeAggregator.java `init`, `alignRangeBoundary`; UTIL/Util.java `getSamplingDuration`).

use plugin_api::AggregateError;

use super::civil::{self, DAY};
use super::unit::{Duration, TimeUnit};
use super::zone::Zone;

fn safe_add(a: i64, b: i64) -> Result<i64, AggregateError> {
    a.checked_add(b).ok_or_else(|| {
        AggregateError::msg(format!("The calculation caused an overflow: {a} + {b}"))
    })
}

fn safe_sub(a: i64, b: i64) -> Result<i64, AggregateError> {
    a.checked_sub(b).ok_or_else(|| {
        AggregateError::msg(format!("The calculation caused an overflow: {a} - {b}"))
    })
}

fn safe_mul(a: i64, b: i64) -> Result<i64, AggregateError> {
    a.checked_mul(b)
        .ok_or_else(|| AggregateError::msg(format!("Multiplication overflows a long: {a} * {b}")))
}

/// Length of a precise unit in ms (`None` for months and years).
fn unit_millis(unit: TimeUnit) -> Option<i64> {
    match unit {
        TimeUnit::Milliseconds => Some(1),
        TimeUnit::Seconds => Some(1000),
        TimeUnit::Minutes => Some(60_000),
        TimeUnit::Hours => Some(3_600_000),
        TimeUnit::Days => Some(DAY),
        TimeUnit::Weeks => Some(7 * DAY),
        TimeUnit::Months | TimeUnit::Years => None,
    }
}

/// Joda `useTimeArithmetic`: units shorter than 12 hours add in absolute time.
fn is_time_unit(unit: TimeUnit) -> bool {
    unit <= TimeUnit::Hours
}

/// Difference in whole units between two instants of the same (UTC-based) chronology.
fn inner_difference(unit: TimeUnit, t: i64, a: i64) -> Result<i64, AggregateError> {
    match unit_millis(unit) {
        Some(len) => Ok(safe_sub(t, a)? / len),
        None if unit == TimeUnit::Months => Ok(civil::month_difference(t, a)),
        None => Ok(civil::year_difference(t, a)),
    }
}

/// Adds `n` units in a UTC-based chronology.
fn inner_add(unit: TimeUnit, a: i64, n: i64) -> Result<i64, AggregateError> {
    match unit_millis(unit) {
        Some(1) => safe_add(a, n),
        Some(len) => safe_add(a, safe_mul(n, len)?),
        None if unit == TimeUnit::Months => civil::add_months(a, n),
        None => civil::add_years(a, n),
    }
}

/// The Joda field a range aggregator uses for its sampling unit, in its time zone.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RangeField {
    /// The sampling unit.
    pub unit: TimeUnit,
    /// The aggregator's time zone.
    pub zone: Zone,
}

impl RangeField {
    /// `m_unitField.getDifferenceAsLong(t, a)`.
    pub fn difference(&self, t: i64, a: i64) -> Result<i64, AggregateError> {
        if self.zone.is_utc() {
            return inner_difference(self.unit, t, a);
        }
        let to_add = self.zone.offset_to_add(a)?;
        let t_off = if is_time_unit(self.unit) {
            to_add
        } else {
            self.zone.offset_to_add(t)?
        };
        inner_difference(self.unit, t.wrapping_add(t_off), a.wrapping_add(to_add))
    }

    /// `m_unitField.add(a, n)`.
    pub fn add(&self, a: i64, n: i64) -> Result<i64, AggregateError> {
        if self.zone.is_utc() {
            return inner_add(self.unit, a, n);
        }
        if is_time_unit(self.unit) {
            let offset = self.zone.offset_to_add(a)?;
            let local = inner_add(self.unit, a.wrapping_add(offset), n)?;
            Ok(local.wrapping_sub(offset))
        } else {
            let local = self.zone.to_local(a)?;
            let local = inner_add(self.unit, local, n)?;
            self.zone.local_to_utc_from(local, a)
        }
    }

    /// Joda `ZonedDateTimeField.set` for one of the fields alignment uses.
    fn set(&self, instant: i64, field: SetField) -> Result<i64, AggregateError> {
        let local = self.zone.to_local(instant)?;
        let target = field.apply(local);
        if self.zone.is_utc() {
            return Ok(target);
        }
        let result = self.zone.local_to_utc_from(target, instant)?;
        if field.get(self.zone.to_local(result)?) != field.value() {
            return Err(AggregateError::msg(format!(
                "Value {} for {} is not supported: Illegal instant due to time zone offset \
                 transition (daylight savings time 'gap'): {} ({})",
                field.value(),
                field.name(),
                civil::format_local(target),
                self.zone.id()
            )));
        }
        Ok(result)
    }

    /// `alignRangeBoundary`: moves the anchor down to the start of its year, month, ISO week,
    /// day (for days, hours, minutes and seconds alike) or second.
    pub fn align(&self, anchor: i64) -> Result<i64, AggregateError> {
        use SetField::*;
        let steps: &[SetField] = match self.unit {
            TimeUnit::Years => &[DayOfYear, MillisOfDay],
            TimeUnit::Months => &[DayOfMonth, MillisOfDay],
            TimeUnit::Weeks => &[DayOfWeek, MillisOfDay],
            // RangeAggregator.alignRangeBoundary falls through to whole-day alignment here.
            TimeUnit::Days | TimeUnit::Hours | TimeUnit::Minutes | TimeUnit::Seconds => {
                &[HourOfDay, MinuteOfHour, SecondOfMinute, MillisOfSecond]
            }
            TimeUnit::Milliseconds => &[MillisOfSecond],
        };
        let mut t = anchor;
        for step in steps {
            t = self.set(t, *step)?;
        }
        Ok(t)
    }
}

/// A `DateTime.with...(v)` call of `alignRangeBoundary`.
#[derive(Clone, Copy, Debug)]
enum SetField {
    DayOfYear,
    DayOfMonth,
    DayOfWeek,
    MillisOfDay,
    HourOfDay,
    MinuteOfHour,
    SecondOfMinute,
    MillisOfSecond,
}

impl SetField {
    fn name(self) -> &'static str {
        match self {
            SetField::DayOfYear => "dayOfYear",
            SetField::DayOfMonth => "dayOfMonth",
            SetField::DayOfWeek => "dayOfWeek",
            SetField::MillisOfDay => "millisOfDay",
            SetField::HourOfDay => "hourOfDay",
            SetField::MinuteOfHour => "minuteOfHour",
            SetField::SecondOfMinute => "secondOfMinute",
            SetField::MillisOfSecond => "millisOfSecond",
        }
    }

    /// The value the call sets (1 for day fields, 0 otherwise).
    fn value(self) -> i64 {
        match self {
            SetField::DayOfYear | SetField::DayOfMonth | SetField::DayOfWeek => 1,
            _ => 0,
        }
    }

    /// The field's value at local millis.
    fn get(self, local: i64) -> i64 {
        let ms = local.rem_euclid(DAY);
        match self {
            SetField::DayOfYear => civil::day_of_year(&civil::fields(local)),
            SetField::DayOfMonth => civil::fields(local).day,
            SetField::DayOfWeek => civil::day_of_week(local),
            SetField::MillisOfDay => ms,
            SetField::HourOfDay => ms / 3_600_000,
            SetField::MinuteOfHour => ms / 60_000 % 60,
            SetField::SecondOfMinute => ms / 1000 % 60,
            SetField::MillisOfSecond => ms % 1000,
        }
    }

    /// Local millis with the field set to its target value.
    fn apply(self, local: i64) -> i64 {
        let unit = match self {
            SetField::DayOfYear | SetField::DayOfMonth | SetField::DayOfWeek => DAY,
            SetField::MillisOfDay | SetField::MillisOfSecond => 1,
            SetField::HourOfDay => 3_600_000,
            SetField::MinuteOfHour => 60_000,
            SetField::SecondOfMinute => 1000,
        };
        local - (self.get(local) - self.value()) * unit
    }
}

/// `Util.getSamplingDuration`: milliseconds from `t` to `t + value units` in `zone`
/// (`DateTime.plusX((int) value)`, wall-clock arithmetic for days and longer).
pub fn sampling_duration(t: i64, d: Duration, zone: Zone) -> Result<i64, AggregateError> {
    if d.unit == TimeUnit::Milliseconds {
        return Ok(d.value);
    }
    // Util.getSamplingDuration casts the value to int.
    let n = i64::from(d.value as i32);
    if n == 0 {
        return Ok(0);
    }
    let end = if zone.is_utc() || is_time_unit(d.unit) {
        let offset = if zone.is_utc() {
            0
        } else {
            zone.offset_to_add(t)?
        };
        inner_add(d.unit, t.wrapping_add(offset), n)?.wrapping_sub(offset)
    } else {
        let offset = zone.offset_to_add(t)?;
        let local = inner_add(d.unit, t.wrapping_add(offset), n)?;
        let sub = zone.offset_from_local(local);
        let utc = local.wrapping_sub(sub);
        if (local ^ utc) < 0 && (local ^ sub) < 0 {
            return Err(AggregateError::msg(
                "Subtracting time zone offset caused overflow",
            ));
        }
        utc
    };
    safe_sub(end, t)
}
