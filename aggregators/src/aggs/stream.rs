//! A generic configured aggregator for the non-range aggregators: type acceptance, output
//! type, and a closure that opens the per-group state.

use plugin_api::{AggregateError, Aggregator, AggregatorState, DataPoint, GroupInfo};

/// Opens the state of one group.
pub type Opener =
    Box<dyn Fn(&GroupInfo) -> Result<Box<dyn AggregatorState>, AggregateError> + Send + Sync>;

/// A per-group state that handles its input one point at a time and emits nothing once the
/// group ends.
pub trait PointState: Send {
    /// Consumes the next input point.
    fn point(&mut self, p: &DataPoint, out: &mut Vec<DataPoint>) -> Result<(), AggregateError>;

    /// Called once after the last point; drops whatever is still held.
    fn end(&mut self) {}
}

/// A [`PointState`] as an [`AggregatorState`].
struct EachPoint<S>(S);

impl<S: PointState> AggregatorState for EachPoint<S> {
    fn push(
        &mut self,
        batch: &[DataPoint],
        out: &mut Vec<DataPoint>,
    ) -> Result<(), AggregateError> {
        for p in batch {
            self.0.point(p, out)?;
        }
        Ok(())
    }

    fn finish(&mut self, _out: &mut Vec<DataPoint>) -> Result<(), AggregateError> {
        self.0.end();
        Ok(())
    }
}

/// Boxes a [`PointState`] as the state of one group.
pub fn per_point<S: PointState + 'static>(state: S) -> Box<dyn AggregatorState> {
    Box::new(EachPoint(state))
}

/// An opener that starts every group with a copy of `initial`.
pub fn each_group<S: PointState + Clone + Sync + 'static>(initial: S) -> Opener {
    Box::new(move |_| Ok(per_point(initial.clone())))
}

/// A [`PointState`] over consecutive pairs of points: one output point per pair.
pub trait PairState: Send {
    /// The output for `p0` followed by `p1`.
    fn pair(&self, p0: &DataPoint, p1: &DataPoint) -> Result<DataPoint, AggregateError>;
}

/// Feeds consecutive points of a group to a [`PairState`].
#[derive(Clone)]
pub struct Consecutive<S> {
    pairs: S,
    prev: Option<DataPoint>,
}

impl<S> Consecutive<S> {
    /// Starts with no previous point.
    pub fn new(pairs: S) -> Self {
        Consecutive { pairs, prev: None }
    }
}

impl<S: PairState> PointState for Consecutive<S> {
    fn point(&mut self, p: &DataPoint, out: &mut Vec<DataPoint>) -> Result<(), AggregateError> {
        if let Some(prev) = self.prev.take() {
            out.push(self.pairs.pair(&prev, p)?);
        }
        self.prev = Some(p.clone());
        Ok(())
    }
}

/// A configured stream aggregator.
pub struct StreamAggregator {
    numeric_only: bool,
    output_number: bool,
    open: Opener,
}

impl StreamAggregator {
    /// `numeric_only`: accepts only `number` groups; `output_number`: outputs `number`
    /// (otherwise the input type is kept).
    pub fn new(numeric_only: bool, output_number: bool, open: Opener) -> Self {
        StreamAggregator {
            numeric_only,
            output_number,
            open,
        }
    }

    /// A numeric aggregator producing doubles (`canAggregate` number, double output).
    pub fn numeric(open: Opener) -> Box<dyn Aggregator> {
        Box::new(Self::new(true, true, open))
    }

    /// An aggregator of any type that keeps the type.
    pub fn any(open: Opener) -> Box<dyn Aggregator> {
        Box::new(Self::new(false, false, open))
    }
}

impl Aggregator for StreamAggregator {
    fn accepts(&self, group_type: &str) -> bool {
        !self.numeric_only || group_type == "number"
    }

    fn output_type(&self, input_type: &str) -> String {
        if self.output_number {
            "number".to_string()
        } else {
            input_type.to_string()
        }
    }

    fn open(&self, group: &GroupInfo) -> Result<Box<dyn AggregatorState>, AggregateError> {
        (self.open)(group)
    }
}
