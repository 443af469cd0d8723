//! `time` (GB/TimeGroupBy.java): group number from the time elapsed since the query start,
//! modulo `group_count`.

use plugin_api::params;
use plugin_api::{
    AggregateError, DataPoint, GroupBy, GroupByFactory, ParamError, ProcessorMetadata, QueryContext,
};
use serde_json::{Map, Value};

use crate::jvm;
use crate::metadata::{self, prop, validations};
use crate::props::{bind, JavaClass, Prop};
use crate::time::civil::{civil_from_days, DAY};
use crate::time::{read_duration, Duration, TimeUnit};

const CLASS: JavaClass = JavaClass {
    name: "time",
    fqcn: "org.kairosdb.core.groupby.TimeGroupBy",
};

/// First instant of the Gregorian calendar in `java.util.GregorianCalendar` (1582-10-15Z).
const GREGORIAN_CUTOVER: i64 = -12_219_292_800_000;

/// `Calendar.YEAR` and `Calendar.MONTH` (0-based) of a UTC instant, as
/// `java.util.GregorianCalendar` gives them: Julian before the cutover, years counted in eras.
pub fn java_calendar_year_month(ts: i64) -> (i64, i64) {
    let days = ts.div_euclid(DAY);
    let (year, month) = if ts >= GREGORIAN_CUTOVER {
        let (y, m, _) = civil_from_days(days);
        (y, m)
    } else {
        // Julian calendar from the Julian day number.
        let c = days + 2_440_588 + 32_082;
        let d = (4 * c + 3).div_euclid(1461);
        let e = c - (1461 * d).div_euclid(4);
        let m = (5 * e + 2).div_euclid(153);
        (d - 4800 + m / 10, m + 3 - 12 * (m / 10))
    };
    let era_year = if year <= 0 { 1 - year } else { year };
    (era_year, month - 1)
}

/// The `time` group-by factory.
pub struct TimeGroupByFactory;

/// A configured `time` group-by.
pub struct TimeGroupBy {
    range: Duration,
    group_count: i32,
    start: i64,
}

impl TimeGroupBy {
    /// `convertGroupSizeToMillis`: value times the unit length (a year is 52 weeks), wrapping.
    fn group_millis(&self) -> i64 {
        let factors: &[i64] = match self.range.unit {
            TimeUnit::Years => &[52, 7, 24, 60, 60, 1000],
            TimeUnit::Weeks => &[7, 24, 60, 60, 1000],
            TimeUnit::Days => &[24, 60, 60, 1000],
            TimeUnit::Hours => &[60, 60, 1000],
            TimeUnit::Minutes => &[60, 1000],
            TimeUnit::Seconds => &[1000],
            TimeUnit::Milliseconds | TimeUnit::Months => &[],
        };
        factors
            .iter()
            .fold(self.range.value, |acc, f| acc.wrapping_mul(*f))
    }

    /// `getGroupId`.
    pub fn group_id(&self, ts: i64) -> Result<i64, AggregateError> {
        let n = self.group_count;
        if self.range.unit == TimeUnit::Months {
            let (y, m) = java_calendar_year_month(ts);
            let (sy, sm) = java_calendar_year_month(self.start);
            let months = ((y as i32).wrapping_sub(sy as i32))
                .wrapping_mul(12)
                .wrapping_add((m as i32).wrapping_sub(sm as i32));
            return Ok(i64::from(months.wrapping_rem(n)));
        }
        let size = self.group_millis();
        if size == 0 {
            return Err(jvm::div_by_zero());
        }
        let k = ts.wrapping_sub(self.start).wrapping_div(size);
        Ok(i64::from(k.wrapping_rem(i64::from(n)) as i32))
    }
}

impl GroupBy for TimeGroupBy {
    fn group_ids(&self, batch: &[DataPoint], ids: &mut Vec<i64>) -> Result<(), AggregateError> {
        for p in batch {
            ids.push(self.group_id(p.timestamp)?);
        }
        Ok(())
    }

    fn result_json(&self, id: i64) -> String {
        format!(
            "{{\"name\":\"time\",\"range_size\":{{\"value\":{},\"unit\":\"{}\"}},\"group_count\":{},\"group\":{{\"group_number\":{id}}}}}",
            self.range.value,
            self.range.unit.name(),
            self.group_count
        )
    }
}

impl GroupByFactory for TimeGroupByFactory {
    fn name(&self) -> &str {
        CLASS.name
    }

    fn metadata(&self) -> ProcessorMetadata {
        let count = validations(
            prop(
                "group_count",
                "Count",
                "The number of groups. This would typically be 7 to group by day of week.",
                "int",
                "0",
            ),
            &[("value > 0", "Count must be greater than 0.")],
        );
        let range = metadata::duration_prop("range_size", "Range Size");
        metadata::processor(
            CLASS.name,
            None,
            "Groups data points in time ranges.",
            vec![range, count],
        )
    }

    fn create(
        &self,
        params: &Map<String, Value>,
        ctx: &QueryContext,
    ) -> Result<Box<dyn GroupBy>, ParamError> {
        let mut range = None;
        let mut group_count = 0;
        let mut start = ctx.start;
        bind(params, CLASS, |key, v| match key {
            "range_size" => {
                range = Some(read_duration(key, v)?);
                Ok(Prop::Set)
            }
            "group_count" => {
                group_count = params::read_int(v)?;
                Ok(Prop::Set)
            }
            _ => super::common_prop(key, v, &mut start),
        })?;
        // Java reports every violation; one message is kept here (rangeSize first).
        let range = range.ok_or_else(|| params::violation("rangeSize", "may not be null"))?;
        if group_count < 1 {
            return Err(params::violation(
                "groupCount",
                "must be greater than or equal to 1",
            ));
        }
        Ok(Box::new(TimeGroupBy {
            range,
            group_count,
            start,
        }))
    }
}
