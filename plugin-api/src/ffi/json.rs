//! The JSON payloads of the boundary: parameters, the query context and group info.
//!
//! Parameters cross as the processor's JSON object, unchanged. The [`QueryContext`] crosses
//! as `{"start":..,"end":..,"now":..,"time_zone":null|"..","default_time_zone":"..",
//! "order":"asc"|"desc","group_bys":[["name",{..}],..]}`; its `sink` does not cross, so a
//! plugin always sees `sink: None` (writing points, as `save_as` does, is built-in only).
//! [`GroupInfo`] and [`crate::ProcessorMetadata`] cross as their serde form.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::{GroupInfo, Order, QueryContext};

#[derive(Serialize, Deserialize)]
struct ContextJson {
    start: i64,
    end: i64,
    now: i64,
    time_zone: Option<String>,
    default_time_zone: String,
    order: String,
    group_bys: Vec<(String, Value)>,
}

/// The context as it crosses (without the sink).
pub fn context_to_json(ctx: &QueryContext) -> String {
    let j = ContextJson {
        start: ctx.start,
        end: ctx.end,
        now: ctx.now,
        time_zone: ctx.time_zone.clone(),
        default_time_zone: ctx.default_time_zone.clone(),
        order: match ctx.order {
            Order::Asc => "asc",
            Order::Desc => "desc",
        }
        .to_string(),
        group_bys: ctx.group_bys.clone(),
    };
    serde_json::to_string(&j).unwrap_or_else(|_| "{}".to_string())
}

/// Reads a context sent by [`context_to_json`]; `sink` is always `None`.
pub fn context_from_json(text: &str) -> Result<QueryContext, String> {
    let j: ContextJson =
        serde_json::from_str(text).map_err(|e| format!("cannot read query context: {e}"))?;
    let order = match j.order.as_str() {
        "asc" => Order::Asc,
        "desc" => Order::Desc,
        other => return Err(format!("cannot read query context: order {other:?}")),
    };
    Ok(QueryContext {
        start: j.start,
        end: j.end,
        now: j.now,
        time_zone: j.time_zone,
        default_time_zone: j.default_time_zone,
        order,
        group_bys: j.group_bys,
        sink: None,
    })
}

/// The parameters as they cross.
pub fn params_to_json(params: &Map<String, Value>) -> String {
    serde_json::to_string(params).unwrap_or_else(|_| "{}".to_string())
}

/// Reads parameters sent by [`params_to_json`].
pub fn params_from_json(text: &str) -> Result<Map<String, Value>, String> {
    serde_json::from_str(text).map_err(|e| format!("cannot read parameters: {e}"))
}

/// The group info as it crosses.
pub fn group_to_json(group: &GroupInfo) -> String {
    serde_json::to_string(group).unwrap_or_else(|_| "{}".to_string())
}

/// Reads group info sent by [`group_to_json`].
pub fn group_from_json(text: &str) -> Result<GroupInfo, String> {
    serde_json::from_str(text).map_err(|e| format!("cannot read group info: {e}"))
}
