//! The `group_by`, `aggregators` and `plugins` arrays of a metric (Java
//! `parseQueryProcessor`, `parsePlugins`): name checks, registry lookup, factory call.

use plugin_api::{Aggregator, GroupBy, Order, ParamError, QueryContext, Registry};

use super::gson::{self, JavaError};
use super::QueryError;
use crate::json::lenient::Json;

/// A violation `<context>.<path> <msg>`; an empty context prints the path alone (Java
/// `BeanValidationException`).
pub(super) fn violation(context: &str, path: &str, msg: &str) -> QueryError {
    let text = if context.is_empty() {
        format!("{path} {msg}")
    } else {
        format!("{context}.{path} {msg}")
    };
    QueryError::BadRequest(vec![text])
}

/// What the factories of one metric see: the context with the group-bys parsed so far.
pub(super) struct Processors<'a> {
    pub registry: &'a Registry,
    pub ctx: QueryContext,
    pub group_bys: Vec<Box<dyn GroupBy>>,
    pub aggregators: Vec<Box<dyn Aggregator>>,
}

/// The processor families in Java's factory order, with their JSON member names.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Family {
    GroupBy,
    Aggregator,
}

impl Family {
    fn member(self) -> &'static str {
        match self {
            Family::GroupBy => "group_by",
            Family::Aggregator => "aggregators",
        }
    }
}

/// Maps a factory's parameter error to the Java status and message.
fn param_error(qp_context: &str, e: ParamError) -> QueryError {
    match e {
        ParamError::Invalid(m) => QueryError::BadRequest(vec![format!("{qp_context}.{m}")]),
        ParamError::InvalidNoContext(m) => QueryError::BadRequest(vec![m]),
        ParamError::Internal(m) => QueryError::Internal(Some(m)),
    }
}

/// The `name` of a processor or plugin; `None` when missing or empty (raw Java getters).
fn entry_name(obj: &[(String, Json)]) -> Result<Option<String>, QueryError> {
    match gson::members(obj).iter().find(|(k, _)| *k == "name") {
        None => Ok(None),
        Some((_, v)) => {
            let name = gson::as_string(v).map_err(JavaError::raw)?;
            Ok((!name.is_empty()).then_some(name))
        }
    }
}

/// The array of a member, if present (`getAsJsonArray`, raw).
fn array_member<'j>(
    metric: &'j [(String, Json)],
    key: &str,
) -> Result<Option<&'j [Json]>, QueryError> {
    match gson::members(metric).into_iter().find(|(k, _)| *k == key) {
        None => Ok(None),
        Some((_, v)) => gson::as_array(v).map(Some).map_err(JavaError::raw),
    }
}

impl Processors<'_> {
    /// Parses `group_by` then `aggregators` of the metric object.
    pub(super) fn parse_all(
        &mut self,
        context: &str,
        metric: &[(String, Json)],
    ) -> Result<(), QueryError> {
        for family in [Family::GroupBy, Family::Aggregator] {
            if let Some(items) = array_member(metric, family.member())? {
                for (j, item) in items.iter().enumerate() {
                    self.parse_one(context, family, j, item)?;
                }
            }
        }
        Ok(())
    }

    fn parse_one(
        &mut self,
        context: &str,
        family: Family,
        j: usize,
        item: &Json,
    ) -> Result<(), QueryError> {
        let obj = gson::as_object(item).map_err(JavaError::raw)?;
        let member = family.member();
        let Some(name) = entry_name(obj)? else {
            return Err(violation(
                context,
                &format!("{member}[{j}]"),
                "must have a name",
            ));
        };
        let qp_context = format!("{context}.{member}[{j}]");
        let invalid = || violation(&qp_context, &name, &format!("invalid {member} name"));
        let params = match item.to_serde() {
            serde_json::Value::Object(map) => map,
            _ => serde_json::Map::new(),
        };
        match family {
            Family::GroupBy => {
                let factory = self.registry.group_by(&name).ok_or_else(invalid)?;
                let g = factory
                    .create(&params, &self.ctx)
                    .map_err(|e| param_error(&qp_context, e))?;
                self.group_bys.push(g);
                self.ctx
                    .group_bys
                    .push((name, serde_json::Value::Object(params)));
            }
            Family::Aggregator => {
                let factory = self.registry.aggregator(&name).ok_or_else(invalid)?;
                let a = factory
                    .create(&params, &self.ctx)
                    .map_err(|e| param_error(&qp_context, e))?;
                self.aggregators.push(a);
            }
        }
        Ok(())
    }
}

/// `parsePlugins` of a query (`context` empty) or a metric: no plugin exists, so every
/// named entry is refused.
pub(super) fn parse_plugins(context: &str, owner: &[(String, Json)]) -> Result<(), QueryError> {
    let Some(items) = array_member(owner, "plugins")? else {
        return Ok(());
    };
    // Only the first entry is ever looked at: it either has no name or an unknown one.
    let Some(item) = items.first() else {
        return Ok(());
    };
    let obj = gson::as_object(item).map_err(JavaError::raw)?;
    let Some(name) = entry_name(obj)? else {
        return Err(violation(context, "plugins[0]", "must have a name"));
    };
    Err(violation(
        &format!("{context}.plugins[0]"),
        &name,
        "invalid query plugin name",
    ))
}

/// `Order.fromString` of the metric's `order` member (`asc` when absent).
pub(super) fn read_order(context: &str, metric: &[(String, Json)]) -> Result<Order, QueryError> {
    let Some((_, v)) = gson::members(metric)
        .into_iter()
        .find(|(k, _)| *k == "order")
    else {
        return Ok(Order::Asc);
    };
    let text = gson::as_string(v).map_err(JavaError::raw)?;
    if gson::java_eq_ignore_case(&text, "asc") {
        Ok(Order::Asc)
    } else if gson::java_eq_ignore_case(&text, "desc") {
        Ok(Order::Desc)
    } else {
        Err(violation(
            context,
            "order",
            "must be either 'asc' or 'desc'",
        ))
    }
}
