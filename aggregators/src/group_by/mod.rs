//! The built-in group-bys: `tag`, `time`, `value`, `bin` (core/groupby/*.java).

pub mod bin;
pub mod tag;
pub mod time;
pub mod value;

use plugin_api::params;
use plugin_api::ParamError;
use serde_json::Value;

use crate::props::Prop;

/// `setStartDate(long)`: every group-by has it (only `time` uses the value).
fn start_date(v: &Value) -> Result<i64, ParamError> {
    params::read_long(v)
}

/// Handles the `start_date` key shared by all group-bys.
fn common_prop(key: &str, v: &Value, start: &mut i64) -> Result<Prop, ParamError> {
    if key == "start_date" {
        *start = start_date(v)?;
        return Ok(Prop::Set);
    }
    Ok(Prop::Unknown)
}
