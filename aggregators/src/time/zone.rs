//! Time zones with Joda-Time 2.10 semantics (`DateTimeZone`): lookup by id, offsets, and the
//! local↔UTC conversions that decide what happens in DST gaps and overlaps.
//!
//! Offsets come from chrono-tz (second precision, the IANA data bundled with it). Transition
//! instants are not exposed by chrono-tz, so "is there a transition between two instants" is
//! answered by comparing offsets (Joda also counts name-only changes; they never matter here).

use std::str::FromStr;

use chrono::{DateTime, Offset, TimeZone};
use chrono_tz::Tz;
use plugin_api::AggregateError;

/// A Joda `DateTimeZone`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Zone {
    /// `DateTimeZone.UTC`: `GregorianChronology.getInstance(UTC)` does no zone arithmetic.
    Utc,
    /// A fixed offset given as `+HH:mm` (in milliseconds).
    Fixed(i64),
    /// An IANA zone.
    Named(Tz),
}

/// Window searched for the previous transition (larger than any real DST shift).
const SEARCH_WINDOW: i64 = 2 * 86_400_000;

fn offset_overflow(add: bool) -> AggregateError {
    AggregateError::msg(if add {
        "Adding time zone offset caused overflow"
    } else {
        "Subtracting time zone offset caused overflow"
    })
}

/// Joda `DateTimeZone.parseOffset` for `+HH`, `+HH:mm`, `+HHmm`, `+HH:mm:ss[.SSS]`.
fn parse_offset(id: &str) -> Option<i64> {
    let (sign, rest) = match id.as_bytes().first()? {
        b'+' => (1, &id[1..]),
        b'-' => (-1, &id[1..]),
        _ => return None,
    };
    let digits: String = rest.chars().filter(|c| *c != ':' && *c != '.').collect();
    if digits.is_empty()
        || !digits.chars().all(|c| c.is_ascii_digit())
        || digits.len() % 2 == 1 && digits.len() < 7
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| digits.get(r).map(|s| s.parse::<i64>().unwrap_or(0));
    let h = num(0..2)?;
    let m = num(2..4).unwrap_or(0);
    let s = num(4..6).unwrap_or(0);
    let ms = digits
        .get(6..)
        .map(|x| x.parse::<i64>().unwrap_or(0))
        .unwrap_or(0);
    if h > 23 || m > 59 || s > 59 {
        return None;
    }
    Some(sign * (((h * 60 + m) * 60 + s) * 1000 + ms))
}

/// Joda `DateTimeZone.printOffset`: `+HH:mm`, with seconds/millis when present.
fn print_offset(offset: i64) -> String {
    let sign = if offset < 0 { '-' } else { '+' };
    let o = offset.abs();
    let (h, m, s, ms) = (o / 3_600_000, o / 60_000 % 60, o / 1000 % 60, o % 1000);
    let mut out = format!("{sign}{h:02}:{m:02}");
    if s != 0 || ms != 0 {
        out.push_str(&format!(":{s:02}"));
        if ms != 0 {
            out.push_str(&format!(".{ms:03}"));
        }
    }
    out
}

impl Zone {
    /// Joda `DateTimeZone.forID`: `UTC`, an IANA id, or a `+HH:mm` offset; `None` if unknown.
    pub fn parse(id: &str) -> Option<Zone> {
        if id == "UTC" {
            return Some(Zone::Utc);
        }
        if let Ok(tz) = Tz::from_str(id) {
            return Some(Zone::Named(tz));
        }
        match parse_offset(id)? {
            0 => Some(Zone::Utc),
            o => Some(Zone::Fixed(o)),
        }
    }

    /// The Joda id (`UTC`, `Europe/Paris`, `+05:30`).
    pub fn id(&self) -> String {
        match self {
            Zone::Utc => "UTC".to_string(),
            Zone::Fixed(o) => print_offset(*o),
            Zone::Named(tz) => tz.name().to_string(),
        }
    }

    /// Whether this is Joda's UTC singleton (its chronology has no zone wrapper).
    pub fn is_utc(&self) -> bool {
        matches!(self, Zone::Utc)
    }

    /// Offset in milliseconds in effect at a UTC instant.
    pub fn offset(&self, utc: i64) -> i64 {
        match self {
            Zone::Utc => 0,
            Zone::Fixed(o) => *o,
            Zone::Named(tz) => {
                let secs = utc
                    .div_euclid(1000)
                    .clamp(-8_210_298_412_800, 8_210_298_412_799);
                match DateTime::from_timestamp(secs, 0) {
                    Some(dt) => {
                        let off = tz.offset_from_utc_datetime(&dt.naive_utc());
                        i64::from(off.fix().local_minus_utc()) * 1000
                    }
                    None => 0,
                }
            }
        }
    }

    /// Joda `convertUTCToLocal`.
    pub fn to_local(&self, utc: i64) -> Result<i64, AggregateError> {
        let off = self.offset(utc);
        let local = utc.wrapping_add(off);
        if (utc ^ local) < 0 && (utc ^ off) >= 0 {
            return Err(offset_overflow(true));
        }
        Ok(local)
    }

    /// Joda `ZonedChronology.getOffsetToAdd`: the offset at `utc`, checking the addition.
    pub fn offset_to_add(&self, utc: i64) -> Result<i64, AggregateError> {
        self.to_local(utc).map(|local| local - utc)
    }

    /// Whether an offset change happens in `(min(a,b), max(a,b)]` (Joda compares
    /// `nextTransition` of both instants).
    fn transition_between(&self, a: i64, b: i64) -> bool {
        a != b && self.offset(a.min(b)) != self.offset(a.max(b))
    }

    /// Joda `convertLocalToUTC(local, false)`: a time in a gap moves forward.
    pub fn local_to_utc(&self, local: i64) -> Result<i64, AggregateError> {
        let offset_local = self.offset(local);
        let mut offset = self.offset(local.wrapping_sub(offset_local));
        if offset_local != offset
            && offset_local < 0
            && self.transition_between(local - offset_local, local - offset)
        {
            offset = offset_local;
        }
        let utc = local.wrapping_sub(offset);
        if (local ^ utc) < 0 && (local ^ offset) < 0 {
            return Err(offset_overflow(false));
        }
        Ok(utc)
    }

    /// Joda `convertLocalToUTC(local, false, originalUTC)`: prefers the offset of the original
    /// instant when it is valid for the new local time.
    pub fn local_to_utc_from(&self, local: i64, original: i64) -> Result<i64, AggregateError> {
        let off = self.offset(original);
        let utc = local.wrapping_sub(off);
        if self.offset(utc) == off {
            return Ok(utc);
        }
        self.local_to_utc(local)
    }

    /// The last offset change at or before `t` within the search window, as Joda's
    /// `previousTransition(t)` returns it (the millisecond before the change).
    fn previous_transition(&self, t: i64) -> Option<i64> {
        let now = self.offset(t);
        let mut lo = t.checked_sub(SEARCH_WINDOW)?;
        if self.offset(lo) == now {
            return None;
        }
        // offset(lo) differs, offset(t) == now: find the first instant with offset `now`.
        let mut hi = t;
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if self.offset(mid) == now {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        Some(hi - 1)
    }

    /// Joda `DateTimeZone.getOffsetFromLocal`: the offset to subtract from local millis (after
    /// a gap for times inside it; the earlier offset in an overlap).
    pub fn offset_from_local(&self, local: i64) -> i64 {
        let offset_local = self.offset(local);
        let adjusted = local.wrapping_sub(offset_local);
        let offset_adjusted = self.offset(adjusted);
        if offset_local != offset_adjusted {
            if offset_local - offset_adjusted < 0
                && self.transition_between(adjusted, local - offset_adjusted)
            {
                return offset_local;
            }
        } else if offset_local >= 0 {
            if let Some(prev) = self.previous_transition(adjusted) {
                let offset_prev = self.offset(prev);
                let diff = offset_prev - offset_local;
                if adjusted - prev <= diff {
                    return offset_prev;
                }
            }
        }
        offset_adjusted
    }

    /// Every zone id Joda would accept by name, sorted, printed as a Java set.
    pub fn available_ids() -> String {
        let mut ids: Vec<&str> = chrono_tz::TZ_VARIANTS.iter().map(|t| t.name()).collect();
        if !ids.contains(&"UTC") {
            ids.push("UTC");
        }
        ids.sort_unstable_by(|a, b| crate::jvm::java_cmp(a, b));
        format!("[{}]", ids.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_ids() {
        assert_eq!(Zone::parse("UTC"), Some(Zone::Utc));
        assert_eq!(Zone::parse("+05:30"), Some(Zone::Fixed(19_800_000)));
        assert_eq!(Zone::parse("+00:00"), Some(Zone::Utc));
        assert_eq!(Zone::parse("bogus"), None);
        assert_eq!(
            Zone::parse("+05:30").map(|z| z.id()).as_deref(),
            Some("+05:30")
        );
        assert!(matches!(Zone::parse("Europe/Paris"), Some(Zone::Named(_))));
    }

    #[test]
    fn gap_moves_forward() {
        let ny = Zone::parse("America/New_York").unwrap();
        // 2014-03-09T02:30 local does not exist; Joda gives 03:30 EDT = 07:30Z.
        let local = 1_394_332_200_000; // 2014-03-09T02:30:00 as local millis
        assert_eq!(ny.local_to_utc(local).unwrap(), 1_394_350_200_000);
        let paris = Zone::parse("Europe/Paris").unwrap();
        // 2014-03-30T02:30 local (gap) → 03:30+02 = 01:30Z.
        let local = 1_396_146_600_000;
        assert_eq!(paris.local_to_utc(local).unwrap(), 1_396_143_000_000);
    }

    #[test]
    fn overlap_takes_earlier_offset() {
        let paris = Zone::parse("Europe/Paris").unwrap();
        // 2014-10-26T02:30 local happens twice; getOffsetFromLocal picks +02.
        let local = 1_414_290_600_000;
        assert_eq!(paris.offset_from_local(local), 7_200_000);
        let ny = Zone::parse("America/New_York").unwrap();
        // 2014-11-02T01:30 local twice; Joda picks EDT (-4).
        let local = 1_414_891_800_000;
        assert_eq!(ny.offset_from_local(local), -14_400_000);
    }
}
