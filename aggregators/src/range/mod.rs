//! Range aggregation (AGG/RangeAggregator.java): the shared properties, the anchor, and the
//! range boundaries `[rangeStart(ts), rangeEnd(ts))` computed from the anchor.

pub mod exhaustive;
pub mod factory;
pub mod normal;

use plugin_api::params;
use plugin_api::{AggregateError, ParamError, QueryContext};
use serde_json::Value;

use crate::jvm;
use crate::props::{self, Prop};
use crate::time::{self, Duration, RangeField, TimeUnit, Zone};

/// A range aggregator's configuration after parsing and `init()`.
#[derive(Clone, Debug)]
pub struct RangeSettings {
    /// Range width.
    pub sampling: Duration,
    /// The unit field in the aggregator's zone.
    pub field: RangeField,
    /// `m_startTime`: the anchor every range is computed from (aligned if `align_sampling`).
    pub anchor: i64,
    /// `m_queryStartTime`: the unaligned start (where `gaps` without `trim` begins).
    pub query_start: i64,
    /// `m_queryEndTime`: `min(end, now)` (where `gaps` without `trim` stops, inclusive).
    pub query_end: i64,
    /// Output timestamp = range start.
    pub align_start: bool,
    /// Output timestamp = range end (unless `align_start`).
    pub align_end: bool,
    /// `gaps` only: start at the first point and stop after the last.
    pub trim: bool,
}

impl RangeSettings {
    /// `numberOfPastPeriods` of `getStartRange`/`getEndRange`.
    fn periods(&self, ts: i64) -> Result<i64, AggregateError> {
        let n = self.sampling.value;
        if n == 0 {
            return Err(jvm::div_by_zero());
        }
        Ok(self.field.difference(ts, self.anchor)?.wrapping_div(n))
    }

    /// `getStartRange(ts)`.
    pub fn range_start(&self, ts: i64) -> Result<i64, AggregateError> {
        let k = self.periods(ts)?;
        self.field
            .add(self.anchor, k.wrapping_mul(self.sampling.value))
    }

    /// `getEndRange(ts)`.
    pub fn range_end(&self, ts: i64) -> Result<i64, AggregateError> {
        let k = self.periods(ts)?;
        self.field.add(
            self.anchor,
            k.wrapping_add(1).wrapping_mul(self.sampling.value),
        )
    }

    /// Both boundaries of the range holding `ts`.
    pub fn bounds(&self, ts: i64) -> Result<(i64, i64), AggregateError> {
        let k = self.periods(ts)?;
        let n = self.sampling.value;
        let start = self.field.add(self.anchor, k.wrapping_mul(n))?;
        let end = self
            .field
            .add(self.anchor, k.wrapping_add(1).wrapping_mul(n))?;
        Ok((start, end))
    }
}

/// Collects the range properties while a factory binds its JSON members, then runs `init()`.
#[derive(Clone, Debug)]
pub struct RangeBuilder {
    sampling: Duration,
    align_sampling: bool,
    align_start: bool,
    align_end: bool,
    trim: bool,
    zone: Zone,
    start_time: i64,
    query_start: i64,
    query_end: i64,
    now: i64,
}

impl RangeBuilder {
    /// The state after `parseSpecificQueryProcessor`: start/end from the query, its time zone.
    pub fn new(ctx: &QueryContext) -> Result<Self, ParamError> {
        Ok(RangeBuilder {
            sampling: Duration {
                value: 1,
                unit: TimeUnit::Milliseconds,
            },
            align_sampling: true,
            align_start: false,
            align_end: false,
            trim: false,
            zone: time::context_zone(ctx)?,
            start_time: ctx.start,
            query_start: ctx.start,
            query_end: ctx.end.min(ctx.now),
            now: ctx.now,
        })
    }

    /// Applies one JSON member if it is a `RangeAggregator` property.
    pub fn set(&mut self, key: &str, v: &Value) -> Result<Prop, ParamError> {
        match key {
            "sampling" => self.sampling = time::read_duration(key, v)?,
            "align_sampling" => self.align_sampling = params::read_bool(v)?,
            "align_start_time" => self.align_start = params::read_bool(v)?,
            "align_end_time" => self.align_end = params::read_bool(v)?,
            "trim" => self.trim = params::read_bool(v)?,
            "time_zone" => self.zone = time::read_zone(v)?,
            "start_time" => {
                self.start_time = params::read_long(v)?;
                self.query_start = self.start_time;
            }
            // RangeAggregator.setEndTime caps the end at the clock.
            "end_time" => self.query_end = params::read_long(v)?.min(self.now),
            "_align_sampling" => return props::read_only_bool(v),
            _ => return Ok(Prop::Unknown),
        }
        Ok(Prop::Set)
    }

    /// `init()`: picks the unit field and aligns the anchor (a DST gap at the aligned time is
    /// Joda's `IllegalFieldValueException`, a 500 at parse time).
    pub fn build(self) -> Result<RangeSettings, ParamError> {
        let field = RangeField {
            unit: self.sampling.unit,
            zone: self.zone,
        };
        let anchor = if self.align_sampling {
            field
                .align(self.start_time)
                .map_err(|e| ParamError::Internal(e.to_string()))?
        } else {
            self.start_time
        };
        Ok(RangeSettings {
            sampling: self.sampling,
            field,
            anchor,
            query_start: self.query_start,
            query_end: self.query_end,
            align_start: self.align_start,
            align_end: self.align_end,
            trim: self.trim,
        })
    }
}
