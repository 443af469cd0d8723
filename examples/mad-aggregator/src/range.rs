//! The two aggregators: one streaming range machine, two folds (MAD and sum).

use plugin_api::serde_json::{Map, Value};
use plugin_api::{
    AggregateError, Aggregator, AggregatorFactory, AggregatorState, DataPoint, GroupInfo,
    ParamError, ProcessorMetadata, PropertyMetadata, QueryContext,
};

use crate::params::{only_known_keys, read_sampling, read_scale, Sampling};

/// What is accumulated per range.
trait Fold: Send + Sync + Clone + 'static {
    /// Adds one value.
    fn add(&mut self, v: f64);
    /// The range's result; resets the fold.
    fn take(&mut self) -> f64;
}

/// Median absolute deviation of the range's values, times `scale`.
#[derive(Clone)]
struct Mad {
    scale: f64,
    values: Vec<f64>,
}

/// Median of a non-empty slice (sorts it).
fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

impl Fold for Mad {
    fn add(&mut self, v: f64) {
        self.values.push(v);
    }

    fn take(&mut self) -> f64 {
        let m = median(&mut self.values);
        for v in &mut self.values {
            *v = (*v - m).abs();
        }
        let mad = median(&mut self.values);
        self.values.clear();
        mad * self.scale
    }
}

/// Plain double sum in stream order (as the built-in `sum`).
#[derive(Clone, Default)]
struct Sum(f64);

impl Fold for Sum {
    fn add(&mut self, v: f64) {
        self.0 += v;
    }

    fn take(&mut self) -> f64 {
        std::mem::take(&mut self.0)
    }
}

/// A configured range aggregator.
struct Ranged<F> {
    sampling: Sampling,
    fold: F,
}

/// One group's open range.
struct RangeState<F> {
    width: i64,
    fold: F,
    current: Option<i64>,
}

impl<F: Fold> Aggregator for Ranged<F> {
    fn accepts(&self, group_type: &str) -> bool {
        group_type == "number"
    }

    fn output_type(&self, _input_type: &str) -> String {
        "number".to_string()
    }

    fn open(&self, _group: &GroupInfo) -> Result<Box<dyn AggregatorState>, AggregateError> {
        Ok(Box::new(RangeState {
            width: self.sampling.width_ms,
            fold: self.fold.clone(),
            current: None,
        }))
    }
}

impl<F: Fold> AggregatorState for RangeState<F> {
    fn push(
        &mut self,
        batch: &[DataPoint],
        out: &mut Vec<DataPoint>,
    ) -> Result<(), AggregateError> {
        for p in batch {
            if !p.value.is_numeric() {
                continue;
            }
            // Ranges start at multiples of the width (either query order works).
            let start = p.timestamp.div_euclid(self.width) * self.width;
            if self.current != Some(start) {
                self.finish(out)?;
                self.current = Some(start);
            }
            self.fold.add(p.value.as_f64());
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut Vec<DataPoint>) -> Result<(), AggregateError> {
        if let Some(start) = self.current.take() {
            out.push(DataPoint::double(start, self.fold.take()));
        }
        Ok(())
    }
}

fn sampling_property() -> PropertyMetadata {
    let prop = |name: &str, kind: &str, default: &str| PropertyMetadata {
        name: name.into(),
        label: name.into(),
        kind: kind.into(),
        default_value: default.into(),
        ..PropertyMetadata::default()
    };
    PropertyMetadata {
        description: "The width of each range.".into(),
        properties: vec![
            prop("value", "long", "1"),
            PropertyMetadata {
                options: [
                    "MILLISECONDS",
                    "SECONDS",
                    "MINUTES",
                    "HOURS",
                    "DAYS",
                    "WEEKS",
                ]
                .map(String::from)
                .to_vec(),
                ..prop("unit", "enum", "MILLISECONDS")
            },
        ],
        ..prop("sampling", "Object", "")
    }
}

/// `mad`: median absolute deviation per sampling range; parameters `sampling`, `scale`.
pub struct MadFactory;

impl AggregatorFactory for MadFactory {
    fn name(&self) -> &str {
        "mad"
    }

    fn metadata(&self) -> ProcessorMetadata {
        ProcessorMetadata {
            name: "mad".into(),
            label: "MAD".into(),
            description: "Median absolute deviation of each range (example plugin).".into(),
            properties: vec![
                sampling_property(),
                PropertyMetadata {
                    name: "scale".into(),
                    label: "Scale".into(),
                    description: "Multiplies the result (1.4826 estimates a standard deviation)."
                        .into(),
                    optional: true,
                    kind: "double".into(),
                    default_value: "1".into(),
                    ..PropertyMetadata::default()
                },
            ],
        }
    }

    fn create(
        &self,
        params: &Map<String, Value>,
        _ctx: &QueryContext,
    ) -> Result<Box<dyn Aggregator>, ParamError> {
        only_known_keys(params, "mad", &["sampling", "scale"])?;
        let sampling = read_sampling(params)?;
        let scale = read_scale(params)?;
        Ok(Box::new(Ranged {
            sampling,
            fold: Mad {
                scale,
                values: Vec::new(),
            },
        }))
    }
}

/// `plugin_sum`: the sum per sampling range, to compare with the built-in `sum`.
pub struct PluginSumFactory;

impl AggregatorFactory for PluginSumFactory {
    fn name(&self) -> &str {
        "plugin_sum"
    }

    fn metadata(&self) -> ProcessorMetadata {
        ProcessorMetadata {
            name: "plugin_sum".into(),
            label: "PLUGIN SUM".into(),
            description: "Sum of each range, as a plugin (example plugin).".into(),
            properties: vec![sampling_property()],
        }
    }

    fn create(
        &self,
        params: &Map<String, Value>,
        _ctx: &QueryContext,
    ) -> Result<Box<dyn Aggregator>, ParamError> {
        only_known_keys(params, "plugin_sum", &["sampling"])?;
        Ok(Box::new(Ranged {
            sampling: read_sampling(params)?,
            fold: Sum::default(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mad(values: &[f64]) -> f64 {
        let mut m = Mad {
            scale: 1.0,
            values: Vec::new(),
        };
        values.iter().for_each(|v| m.add(*v));
        m.take()
    }

    #[test]
    fn mad_of_known_sets() {
        assert_eq!(mad(&[1.0, 1.0, 2.0, 2.0, 4.0, 6.0, 9.0]), 1.0);
        assert_eq!(mad(&[3.0]), 0.0);
        assert_eq!(mad(&[1.0, 2.0, 3.0, 4.0]), 1.0);
    }

    #[test]
    fn ranges_follow_the_sampling_width_in_both_orders() {
        let agg = Ranged {
            sampling: Sampling { width_ms: 10 },
            fold: Sum::default(),
        };
        let pts: Vec<DataPoint> = (0..25).map(|t| DataPoint::long(t, 1)).collect();
        let run = |pts: &[DataPoint]| {
            let mut s = agg.open(&GroupInfo::default()).unwrap();
            let mut out = Vec::new();
            s.push(pts, &mut out).unwrap();
            s.finish(&mut out).unwrap();
            out
        };
        let asc = run(&pts);
        assert_eq!(
            asc,
            vec![
                DataPoint::double(0, 10.0),
                DataPoint::double(10, 10.0),
                DataPoint::double(20, 5.0)
            ]
        );
        let desc: Vec<DataPoint> = pts.into_iter().rev().collect();
        let mut back = run(&desc);
        back.reverse();
        assert_eq!(back, asc);
    }
}
