//! `value` (GB/ValueGroupBy.java): group number from the value divided by `range_size`.

use plugin_api::params;
use plugin_api::{
    AggregateError, DataPoint, GroupBy, GroupByFactory, ParamError, ProcessorMetadata,
    QueryContext, Value,
};
use serde_json::Map;

use crate::metadata::{self, prop, validations};
use crate::props::{bind, JavaClass, Prop};

const CLASS: JavaClass = JavaClass {
    name: "value",
    fqcn: "org.kairosdb.core.groupby.ValueGroupBy",
};

/// The `value` group-by factory.
pub struct ValueGroupByFactory;

/// A configured `value` group-by.
pub struct ValueGroupBy {
    range_size: i32,
}

impl ValueGroupBy {
    /// `getGroupId`: longs divide as longs then truncate to int; doubles are cast to int first.
    pub fn group_id(&self, p: &DataPoint) -> i64 {
        let r = self.range_size;
        match p.value {
            Value::Long(v) => i64::from(v.wrapping_div(i64::from(r)) as i32),
            Value::Double(v) => i64::from((v as i32).wrapping_div(r)),
            _ => -1,
        }
    }
}

impl GroupBy for ValueGroupBy {
    fn group_ids(&self, batch: &[DataPoint], ids: &mut Vec<i64>) -> Result<(), AggregateError> {
        ids.extend(batch.iter().map(|p| self.group_id(p)));
        Ok(())
    }

    fn result_json(&self, id: i64) -> String {
        format!(
            "{{\"name\":\"value\",\"range_size\":{},\"group\":{{\"group_number\":{id}}}}}",
            self.range_size
        )
    }
}

impl GroupByFactory for ValueGroupByFactory {
    fn name(&self) -> &str {
        CLASS.name
    }

    fn metadata(&self) -> ProcessorMetadata {
        let range = validations(
            prop(
                "range_size",
                "Target Size",
                "The range for each value. For example, if the range size is 10, then values between 0-9 are placed in the first group, values between 10-19 into the second group, and so forth.",
                "int",
                "0",
            ),
            &[("value >= 0", "Target size must be greater or equal than 0.")],
        );
        metadata::processor(
            CLASS.name,
            None,
            "Groups data points by value.",
            vec![range],
        )
    }

    fn create(
        &self,
        params: &Map<String, serde_json::Value>,
        _ctx: &QueryContext,
    ) -> Result<Box<dyn GroupBy>, ParamError> {
        let mut range_size = 0;
        let mut start = 0;
        bind(params, CLASS, |key, v| match key {
            "range_size" => {
                range_size = params::read_int(v)?;
                Ok(Prop::Set)
            }
            _ => super::common_prop(key, v, &mut start),
        })?;
        if range_size < 1 {
            return Err(params::violation(
                "rangeSize",
                "must be greater than or equal to 1",
            ));
        }
        Ok(Box::new(ValueGroupBy { range_size }))
    }
}
