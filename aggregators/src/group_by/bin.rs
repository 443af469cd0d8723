//! `bin` (GB/BinGroupBy.java): group number from the bin a value falls in.

use plugin_api::params;
use plugin_api::{
    AggregateError, DataPoint, GroupBy, GroupByFactory, ParamError, ProcessorMetadata,
    QueryContext, Value,
};
use serde_json::Map;

use crate::jvm::{no_message, orgjson_double};
use crate::metadata::{self, prop, validations};
use crate::props::{bind, JavaClass, Prop};

const CLASS: JavaClass = JavaClass {
    name: "bin",
    fqcn: "org.kairosdb.core.groupby.BinGroupBy",
};

/// The `bin` group-by factory.
pub struct BinGroupByFactory;

/// A configured `bin` group-by; `bins` is `None` when the key was missing.
pub struct BinGroupBy {
    bins: Option<Vec<f64>>,
}

impl BinGroupBy {
    /// `getGroupId`: 0 below the first bin, `i+1` for `[b_i, b_i+1)`, `len` otherwise, -1 for
    /// non-numeric points. Missing or empty bins fail only once a number is grouped.
    pub fn group_id(&self, p: &DataPoint) -> Result<i64, AggregateError> {
        let v = match p.value {
            Value::Long(v) => v as f64,
            Value::Double(v) => v,
            _ => return Ok(-1),
        };
        let bins = self.bins.as_ref().ok_or_else(no_message)?;
        // JDK 8 ArrayIndexOutOfBoundsException message for index 0.
        let first = *bins.first().ok_or_else(|| AggregateError::msg("0"))?;
        if v < first {
            return Ok(0);
        }
        for (i, w) in bins.windows(2).enumerate() {
            if v >= w[0] && v < w[1] {
                return Ok(i as i64 + 1);
            }
        }
        Ok(bins.len() as i64)
    }
}

impl GroupBy for BinGroupBy {
    fn group_ids(&self, batch: &[DataPoint], ids: &mut Vec<i64>) -> Result<(), AggregateError> {
        for p in batch {
            ids.push(self.group_id(p)?);
        }
        Ok(())
    }

    fn result_json(&self, id: i64) -> String {
        let bins = match &self.bins {
            None => "null".to_string(),
            Some(b) => format!(
                "[{}]",
                b.iter()
                    .map(|x| orgjson_double(*x))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
        };
        format!("{{\"name\":\"bin\",\"bins\":{bins},\"group\":{{\"bin_number\":{id}}}}}")
    }
}

impl GroupByFactory for BinGroupByFactory {
    fn name(&self) -> &str {
        CLASS.name
    }

    fn metadata(&self) -> ProcessorMetadata {
        let bins = validations(
            prop(
                "bins",
                "Bin Values",
                "List of bin values. For example, if the list of bins is 10, 20, 30, then values less than 10 are placed in the first group, values between 10-19 into the second group, and so forth.",
                "array",
                "[]",
            ),
            &[
                ("value.length > 0", "The list can't be empty."),
                (
                    "value.every((n) => !isNaN(parseFloat(n)) && isFinite(n))",
                    "The list must contain only numbers.",
                ),
            ],
        );
        metadata::processor(
            CLASS.name,
            None,
            "Groups data points by bins or buckets.",
            vec![bins],
        )
    }

    fn create(
        &self,
        params: &Map<String, serde_json::Value>,
        _ctx: &QueryContext,
    ) -> Result<Box<dyn GroupBy>, ParamError> {
        let mut bins = None;
        let mut start = 0;
        bind(params, CLASS, |key, v| match key {
            "bins" => {
                bins = Some(params::read_double_array(key, v)?);
                Ok(Prop::Set)
            }
            _ => super::common_prop(key, v, &mut start),
        })?;
        Ok(Box::new(BinGroupBy { bins }))
    }
}
