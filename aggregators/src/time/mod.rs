//! Time arithmetic with Joda-Time semantics: calendar fields, zones, units and range fields.

pub mod civil;
pub mod field;
pub mod unit;
pub mod zone;

use plugin_api::params::{self, gson_as_string};
use plugin_api::{ParamError, QueryContext};
use serde_json::Value;

pub use field::{sampling_duration, RangeField};
pub use unit::{read_duration, read_unit, Duration, TimeUnit};
pub use zone::Zone;

/// The zone a time-zone-aware processor starts with: the query's `time_zone`, UTC for `""`,
/// the configured default when the query has none (Java: the JVM default zone).
pub fn context_zone(ctx: &QueryContext) -> Result<Zone, ParamError> {
    let id = ctx.effective_time_zone();
    Zone::parse(id).ok_or_else(|| invalid_zone(id))
}

fn invalid_zone(id: &str) -> ParamError {
    params::violation(
        id,
        &format!(
            "is not a valid time zone, must be one of {}",
            Zone::available_ids()
        ),
    )
}

/// KairosDB's `DateTimeZoneDeserializer` for a processor's own `time_zone` key: `""` is UTC,
/// null fails with `cannot validate null`, an unknown id is a 400.
pub fn read_zone(v: &Value) -> Result<Zone, ParamError> {
    let id = gson_as_string(v)?.ok_or_else(params::cannot_validate_null)?;
    if id.is_empty() {
        return Ok(Zone::Utc);
    }
    Zone::parse(&id).ok_or_else(|| invalid_zone(&id))
}
