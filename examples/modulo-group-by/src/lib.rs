//! An example third-party kairosdb-rs plugin, built only against `plugin-api`: the `modulo`
//! group-by puts each point in the group of its value modulo `divisor` (doubles are floored
//! first), e.g. `{"name": "modulo", "divisor": 4}` splits a series into remainders 0..3.
//! Each result names its group as `{"name":"modulo","divisor":4,"group":{"remainder":1}}`.

use plugin_api::ffi::PluginExports;
use plugin_api::serde_json::{Map, Value};
use plugin_api::{
    AggregateError, DataPoint, GroupBy, GroupByFactory, ParamError, ProcessorMetadata,
    PropertyMetadata, QueryContext,
};

/// Builds `modulo` group-bys.
pub struct ModuloFactory;

/// A configured `modulo` group-by.
pub struct Modulo {
    divisor: i64,
}

impl GroupByFactory for ModuloFactory {
    fn name(&self) -> &str {
        "modulo"
    }

    fn metadata(&self) -> ProcessorMetadata {
        ProcessorMetadata {
            name: "modulo".into(),
            label: "Modulo".into(),
            description: "Groups points by their value modulo a divisor (example plugin).".into(),
            properties: vec![PropertyMetadata {
                name: "divisor".into(),
                label: "Divisor".into(),
                description: "The number of groups.".into(),
                kind: "long".into(),
                default_value: "2".into(),
                ..PropertyMetadata::default()
            }],
        }
    }

    fn create(
        &self,
        params: &Map<String, Value>,
        _ctx: &QueryContext,
    ) -> Result<Box<dyn GroupBy>, ParamError> {
        if let Some(k) = params.keys().find(|k| *k != "name" && *k != "divisor") {
            return Err(ParamError::InvalidNoContext(format!(
                "group-by 'modulo' has no parameter '{k}' (it takes: divisor)"
            )));
        }
        let divisor = match params.get("divisor") {
            None | Some(Value::Null) => {
                return Err(ParamError::Invalid("divisor may not be null".into()))
            }
            Some(v) => v.as_i64().ok_or_else(|| {
                ParamError::Invalid(format!("divisor must be an integer, not {v}"))
            })?,
        };
        if divisor < 1 {
            return Err(ParamError::Invalid(
                "divisor must be greater than or equal to 1".into(),
            ));
        }
        Ok(Box::new(Modulo { divisor }))
    }
}

impl GroupBy for Modulo {
    fn group_ids(&self, batch: &[DataPoint], ids: &mut Vec<i64>) -> Result<(), AggregateError> {
        for p in batch {
            if !p.value.is_numeric() {
                return Err(AggregateError::msg(
                    "cannot group by modulo: the series holds text values",
                ));
            }
            // Floor first so that -0.5 falls with -1; saturating casts keep NaN at 0.
            let v = p.value.as_f64().floor() as i64;
            ids.push(v.rem_euclid(self.divisor));
        }
        Ok(())
    }

    fn result_json(&self, id: i64) -> String {
        format!(
            "{{\"name\":\"modulo\",\"divisor\":{},\"group\":{{\"remainder\":{id}}}}}",
            self.divisor
        )
    }
}

fn plugin() -> Result<PluginExports, String> {
    Ok(PluginExports::new().group_by(ModuloFactory))
}

plugin_api::export_plugin!(plugin);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remainders_of_longs_and_doubles() {
        let g = Modulo { divisor: 3 };
        let pts = [
            DataPoint::long(0, 7),
            DataPoint::long(0, -1),
            DataPoint::double(0, 2.9),
            DataPoint::double(0, -0.5),
        ];
        let mut ids = Vec::new();
        g.group_ids(&pts, &mut ids).unwrap();
        assert_eq!(ids, vec![1, 2, 2, 2]);
        assert_eq!(
            g.result_json(2),
            r#"{"name":"modulo","divisor":3,"group":{"remainder":2}}"#
        );
    }
}
