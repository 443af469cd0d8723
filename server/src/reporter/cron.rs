//! Quartz cron expressions as `kairosdb.reporter.schedule` takes them (`sec min hour
//! day-of-month month day-of-week [year]`), evaluated in UTC. Supported per field: `*`, `?`,
//! numbers, ranges `a-b`, steps `*/n` `a/n` `a-b/n`, lists, and month/day names; the Quartz
//! specials `L`, `W` and `#` are refused with a clear error.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Timelike, Utc};

/// The allowed values of one field.
#[derive(Clone, Debug, PartialEq, Default)]
struct Field {
    min: u32,
    allowed: Vec<bool>,
}

impl Field {
    fn contains(&self, v: u32) -> bool {
        v >= self.min
            && self
                .allowed
                .get((v - self.min) as usize)
                .copied()
                .unwrap_or(false)
    }
}

/// A parsed schedule.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Schedule {
    text: String,
    fields: Vec<Field>,
}

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

fn value(text: &str, min: u32, max: u32, names: &[&str], base: u32) -> Result<u32, String> {
    let upper = text.to_ascii_uppercase();
    if let Some(i) = names.iter().position(|n| *n == upper) {
        return Ok(base + i as u32);
    }
    let v: u32 = text
        .parse()
        .map_err(|_| format!("{text:?} is not a number or name"))?;
    if v < min || v > max {
        return Err(format!("{v} is outside {min}-{max}"));
    }
    Ok(v)
}

fn field(text: &str, min: u32, max: u32, names: &[&str], base: u32) -> Result<Field, String> {
    let mut allowed = vec![false; (max - min + 1) as usize];
    for part in text.split(',') {
        if (part.contains(['L', 'W']) && names.is_empty()) || part.contains('#') {
            return Err(format!("{part:?}: L, W and # are not supported"));
        }
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (r, s.parse::<u32>().map_err(|_| format!("bad step {s:?}"))?),
            None => (part, 1),
        };
        if step == 0 {
            return Err("a step of 0".into());
        }
        let (lo, hi) = match range {
            "*" | "?" => (min, max),
            r => match r.split_once('-') {
                Some((a, b)) => (
                    value(a, min, max, names, base)?,
                    value(b, min, max, names, base)?,
                ),
                None => {
                    let v = value(r, min, max, names, base)?;
                    (v, if part.contains('/') { max } else { v })
                }
            },
        };
        let mut v = lo;
        while v <= hi {
            allowed[(v - min) as usize] = true;
            v += step;
        }
    }
    Ok(Field { min, allowed })
}

impl Schedule {
    /// Parses a 6- or 7-field Quartz expression.
    pub fn parse(text: &str) -> Result<Schedule, String> {
        let parts: Vec<&str> = text.split_whitespace().collect();
        if parts.len() != 6 && parts.len() != 7 {
            return Err("expected a Quartz cron expression: sec min hour day-of-month month day-of-week [year]".into());
        }
        let specs: [(u32, u32, &[&str], u32); 7] = [
            (0, 59, &[], 0),
            (0, 59, &[], 0),
            (0, 23, &[], 0),
            (1, 31, &[], 0),
            (1, 12, &MONTHS, 1),
            (1, 7, &DAYS, 1),
            (1970, 2199, &[], 0),
        ];
        let mut fields = Vec::with_capacity(7);
        for (i, (min, max, names, base)) in specs.iter().enumerate() {
            let part = parts.get(i).copied().unwrap_or("*");
            fields.push(
                field(part, *min, *max, names, *base)
                    .map_err(|e| format!("field {}: {e}", i + 1))?,
            );
        }
        Ok(Schedule {
            text: text.to_string(),
            fields,
        })
    }

    /// The first firing time strictly after `t`, within the next ten years.
    pub fn next_after(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let f = &self.fields;
        if f.len() != 7 {
            return None;
        }
        let mut c = t.with_nanosecond(0)? + Duration::seconds(1);
        let limit = t + Duration::days(3660);
        let midnight = |d: NaiveDate| Some(Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0)?));
        while c < limit {
            let date = c.date_naive();
            if !f[6].contains(c.year() as u32) {
                c = midnight(NaiveDate::from_ymd_opt(c.year() + 1, 1, 1)?)?;
            } else if !f[4].contains(c.month()) {
                let (y, m) = if c.month() == 12 {
                    (c.year() + 1, 1)
                } else {
                    (c.year(), c.month() + 1)
                };
                c = midnight(NaiveDate::from_ymd_opt(y, m, 1)?)?;
            } else if !f[3].contains(c.day()) || !f[5].contains(c.weekday().number_from_sunday()) {
                c = midnight(date.succ_opt()?)?;
            } else if !f[2].contains(c.hour()) {
                c = c.with_minute(0)?.with_second(0)? + Duration::hours(1);
            } else if !f[1].contains(c.minute()) {
                c = c.with_second(0)? + Duration::minutes(1);
            } else if !f[0].contains(c.second()) {
                c += Duration::seconds(1);
            } else {
                return Some(c);
            }
        }
        None
    }
}

impl std::fmt::Display for Schedule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn java_default_fires_every_minute() {
        let s = Schedule::parse("0 */1 * * * ?").unwrap();
        assert_eq!(
            s.next_after(at("2024-01-01T10:00:00Z")),
            Some(at("2024-01-01T10:01:00Z"))
        );
        assert_eq!(
            s.next_after(at("2024-12-31T23:59:30Z")),
            Some(at("2025-01-01T00:00:00Z"))
        );
    }

    #[test]
    fn ranges_steps_lists_and_names() {
        let s = Schedule::parse("*/15 * * * * ?").unwrap();
        assert_eq!(
            s.next_after(at("2024-01-01T10:00:14Z")),
            Some(at("2024-01-01T10:00:15Z"))
        );
        let s = Schedule::parse("0 0 12 ? * SUN *").unwrap();
        // 2024-01-01 is a Monday.
        assert_eq!(
            s.next_after(at("2024-01-01T00:00:00Z")),
            Some(at("2024-01-07T12:00:00Z"))
        );
        let s = Schedule::parse("0 30 9-10 1,15 FEB ?").unwrap();
        assert_eq!(
            s.next_after(at("2024-01-20T00:00:00Z")),
            Some(at("2024-02-01T09:30:00Z"))
        );
        assert_eq!(
            s.next_after(at("2024-02-01T09:30:00Z")),
            Some(at("2024-02-01T10:30:00Z"))
        );
    }

    #[test]
    fn refuses_what_it_cannot_evaluate() {
        for bad in [
            "every minute",
            "0 0 * * *",
            "0 0 0 L * ?",
            "0 0 0 ? * 6#3",
            "0 61 * * * ?",
            "0 */0 * * * ?",
        ] {
            assert!(Schedule::parse(bad).is_err(), "{bad}");
        }
    }
}
