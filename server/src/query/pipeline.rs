//! One output group's processing: the metric `limit`, then the aggregator chain, batch by batch
//! (DS/KairosDatastore.java `execute`, AGG/LimitAggregator.java; spec query-engine.md §5.1).

use plugin_api::{AggregateError, Aggregator, AggregatorState, DataPoint, GroupInfo};

/// Limit plus the aggregators that accept the group's type, in request order.
pub struct Pipeline {
    remaining: Option<u64>,
    stages: Vec<Box<dyn AggregatorState>>,
    bufs: Vec<Vec<DataPoint>>,
}

impl Pipeline {
    /// Builds the chain for a group of `group_type` (`None`: the no-rows placeholder, which
    /// every aggregator takes).
    pub fn new(
        limit: i64,
        aggregators: &[Box<dyn Aggregator>],
        group_type: Option<&str>,
        info: &GroupInfo,
    ) -> Result<Self, AggregateError> {
        let mut stages = Vec::new();
        let mut current = group_type.unwrap_or("number").to_string();
        for agg in aggregators {
            if group_type.is_some() && !agg.accepts(&current) {
                continue;
            }
            let info = GroupInfo {
                group_type: current.clone(),
                ..info.clone()
            };
            stages.push(agg.open(&info)?);
            current = agg.output_type(&current);
        }
        let bufs = (0..stages.len()).map(|_| Vec::new()).collect();
        Ok(Pipeline {
            remaining: (limit > 0).then_some(limit as u64),
            stages,
            bufs,
        })
    }

    /// True once the limit is reached: later input is ignored.
    pub fn saturated(&self) -> bool {
        self.remaining == Some(0)
    }

    /// Feeds a batch of merged points; finished points go to `sink`.
    pub fn push(
        &mut self,
        mut batch: &[DataPoint],
        sink: &mut dyn FnMut(&[DataPoint]) -> Result<(), AggregateError>,
    ) -> Result<(), AggregateError> {
        if let Some(rem) = self.remaining.as_mut() {
            let take = (*rem).min(batch.len() as u64) as usize;
            batch = &batch[..take];
            *rem -= take as u64;
        }
        if batch.is_empty() {
            return Ok(());
        }
        self.run_from(0, batch, sink)
    }

    /// Pushes `input` through stages `first..` into `sink`.
    fn run_from(
        &mut self,
        first: usize,
        input: &[DataPoint],
        sink: &mut dyn FnMut(&[DataPoint]) -> Result<(), AggregateError>,
    ) -> Result<(), AggregateError> {
        if first == self.stages.len() {
            return sink(input);
        }
        let mut out = std::mem::take(&mut self.bufs[first]);
        out.clear();
        self.stages[first].push(input, &mut out)?;
        let r = if out.is_empty() {
            Ok(())
        } else {
            self.run_from(first + 1, &out, sink)
        };
        self.bufs[first] = out;
        r
    }

    /// Flushes every stage in order.
    pub fn finish(
        &mut self,
        sink: &mut dyn FnMut(&[DataPoint]) -> Result<(), AggregateError>,
    ) -> Result<(), AggregateError> {
        for i in 0..self.stages.len() {
            let mut out = std::mem::take(&mut self.bufs[i]);
            out.clear();
            self.stages[i].finish(&mut out)?;
            if !out.is_empty() {
                self.run_from(i + 1, &out, sink)?;
            }
            self.bufs[i] = out;
        }
        Ok(())
    }
}
