//! Built-in-style processors for the round-trip tests: a range sum with every error path,
//! an echo that shows what crosses, and a modulo group-by.

use std::sync::atomic::{AtomicUsize, Ordering as AtomicOrdering};

use serde_json::{Map, Value as Json};

use crate::{
    AggregateError, Aggregator, AggregatorFactory, AggregatorState, DataPoint, GroupBy,
    GroupByFactory, GroupInfo, Order, ParamError, ProcessorMetadata, PropertyMetadata,
    QueryContext, Value,
};

pub static STATES_DROPPED: AtomicUsize = AtomicUsize::new(0);

/// `test_sum`: sums per `width` ms range like the built-in range aggregators; parameters
/// `width` (>= 1), `explode` (`create`, `push`, `accepts`) and `fail` exercise the error paths.
pub struct SumFactory;

struct Sum {
    width: i64,
    explode: String,
    fail: bool,
}

struct SumState {
    width: i64,
    explode: String,
    fail: bool,
    current: Option<(i64, f64)>,
}

impl Drop for SumState {
    fn drop(&mut self) {
        STATES_DROPPED.fetch_add(1, AtomicOrdering::SeqCst);
    }
}

impl AggregatorFactory for SumFactory {
    fn name(&self) -> &str {
        "test_sum"
    }

    fn metadata(&self) -> ProcessorMetadata {
        ProcessorMetadata {
            name: "test_sum".into(),
            label: "TEST SUM".into(),
            description: "Sums per range.".into(),
            properties: vec![PropertyMetadata {
                name: "width".into(),
                kind: "long".into(),
                ..PropertyMetadata::default()
            }],
        }
    }

    fn create(
        &self,
        params: &Map<String, Json>,
        ctx: &QueryContext,
    ) -> Result<Box<dyn Aggregator>, ParamError> {
        assert_eq!(ctx.start, 1000, "the context crosses");
        let explode = params.get("explode").and_then(Json::as_str).unwrap_or("");
        if explode == "create" {
            panic!("boom in create");
        }
        for key in params.keys() {
            if !["name", "width", "explode", "fail"].contains(&key.as_str()) {
                return Err(ParamError::InvalidNoContext(format!("unknown key '{key}'")));
            }
        }
        let width = params.get("width").and_then(Json::as_i64).unwrap_or(10);
        if width < 1 {
            return Err(ParamError::Invalid(
                "width must be greater than or equal to 1".into(),
            ));
        }
        if width == 99 {
            return Err(ParamError::Internal("cannot validate null".into()));
        }
        Ok(Box::new(Sum {
            width,
            explode: explode.to_string(),
            fail: params.contains_key("fail"),
        }))
    }
}

impl Aggregator for Sum {
    fn accepts(&self, group_type: &str) -> bool {
        if self.explode == "accepts" {
            panic!("boom in accepts");
        }
        group_type == "number"
    }

    fn output_type(&self, _input_type: &str) -> String {
        "number".into()
    }

    fn open(&self, _group: &GroupInfo) -> Result<Box<dyn AggregatorState>, AggregateError> {
        Ok(Box::new(SumState {
            width: self.width,
            explode: self.explode.clone(),
            fail: self.fail,
            current: None,
        }))
    }
}

impl AggregatorState for SumState {
    fn push(
        &mut self,
        batch: &[DataPoint],
        out: &mut Vec<DataPoint>,
    ) -> Result<(), AggregateError> {
        if self.explode == "push" {
            panic!("boom in push");
        }
        if self.fail {
            return Err(AggregateError::Failed(None));
        }
        for p in batch {
            let bucket = p.timestamp.div_euclid(self.width) * self.width;
            match &mut self.current {
                Some((b, sum)) if *b == bucket => *sum += p.value.as_f64(),
                cur => {
                    if let Some((b, sum)) = cur.take() {
                        out.push(DataPoint::double(b, sum));
                    }
                    *cur = Some((bucket, p.value.as_f64()));
                }
            }
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut Vec<DataPoint>) -> Result<(), AggregateError> {
        if let Some((b, sum)) = self.current.take() {
            out.push(DataPoint::double(b, sum));
        }
        Ok(())
    }
}

/// `test_echo`: passes every point through and ends with a text point describing the group.
pub struct EchoFactory;
struct Echo;
struct EchoState(GroupInfo);

impl AggregatorFactory for EchoFactory {
    fn name(&self) -> &str {
        "test_echo"
    }

    fn metadata(&self) -> ProcessorMetadata {
        ProcessorMetadata::default()
    }

    fn create(
        &self,
        _params: &Map<String, Json>,
        ctx: &QueryContext,
    ) -> Result<Box<dyn Aggregator>, ParamError> {
        assert!(ctx.sink.is_none(), "plugins never get the sink");
        assert_eq!((ctx.order, ctx.group_bys.len()), (Order::Desc, 1));
        Ok(Box::new(Echo))
    }
}

impl Aggregator for Echo {
    fn accepts(&self, _group_type: &str) -> bool {
        true
    }

    fn output_type(&self, input_type: &str) -> String {
        format!("{input_type}+echo")
    }

    fn open(&self, group: &GroupInfo) -> Result<Box<dyn AggregatorState>, AggregateError> {
        Ok(Box::new(EchoState(group.clone())))
    }
}

impl AggregatorState for EchoState {
    fn push(
        &mut self,
        batch: &[DataPoint],
        out: &mut Vec<DataPoint>,
    ) -> Result<(), AggregateError> {
        out.extend_from_slice(batch);
        Ok(())
    }

    fn finish(&mut self, out: &mut Vec<DataPoint>) -> Result<(), AggregateError> {
        let text =
            serde_json::to_string(&self.0).map_err(|e| AggregateError::msg(e.to_string()))?;
        out.push(DataPoint {
            timestamp: -1,
            value: Value::Text(text),
        });
        Ok(())
    }
}

/// `test_mod`: group id = long value modulo `n`.
pub struct ModFactory;
struct Mod(i64);

impl GroupByFactory for ModFactory {
    fn name(&self) -> &str {
        "test_mod"
    }

    fn metadata(&self) -> ProcessorMetadata {
        ProcessorMetadata {
            name: "test_mod".into(),
            ..ProcessorMetadata::default()
        }
    }

    fn create(
        &self,
        params: &Map<String, Json>,
        _ctx: &QueryContext,
    ) -> Result<Box<dyn GroupBy>, ParamError> {
        match params.get("n").and_then(Json::as_i64) {
            Some(n) if n >= 1 => Ok(Box::new(Mod(n))),
            _ => Err(ParamError::Invalid("n must be at least 1".into())),
        }
    }
}

impl GroupBy for Mod {
    fn group_ids(&self, batch: &[DataPoint], ids: &mut Vec<i64>) -> Result<(), AggregateError> {
        for p in batch {
            match p.value {
                Value::Long(v) => ids.push(v.rem_euclid(self.0)),
                Value::Text(_) => panic!("boom in group_ids"),
                _ => return Err(AggregateError::msg("not a long")),
            }
        }
        Ok(())
    }

    fn result_json(&self, id: i64) -> String {
        format!("{{\"name\":\"test_mod\",\"group\":{id}}}")
    }
}

/// `test_bomb`: per-group state whose destructor panics.
pub struct BombFactory;
struct Bomb;
struct BombState;

impl Drop for BombState {
    fn drop(&mut self) {
        panic!("boom in drop");
    }
}

impl AggregatorFactory for BombFactory {
    fn name(&self) -> &str {
        "test_bomb"
    }

    fn metadata(&self) -> ProcessorMetadata {
        ProcessorMetadata::default()
    }

    fn create(
        &self,
        _params: &Map<String, Json>,
        _ctx: &QueryContext,
    ) -> Result<Box<dyn Aggregator>, ParamError> {
        Ok(Box::new(Bomb))
    }
}

impl Aggregator for Bomb {
    fn accepts(&self, _group_type: &str) -> bool {
        true
    }

    fn output_type(&self, input_type: &str) -> String {
        input_type.to_string()
    }

    fn open(&self, _group: &GroupInfo) -> Result<Box<dyn AggregatorState>, AggregateError> {
        Ok(Box::new(BombState))
    }
}

impl AggregatorState for BombState {
    fn push(&mut self, _b: &[DataPoint], _o: &mut Vec<DataPoint>) -> Result<(), AggregateError> {
        Ok(())
    }

    fn finish(&mut self, _out: &mut Vec<DataPoint>) -> Result<(), AggregateError> {
        Ok(())
    }
}
