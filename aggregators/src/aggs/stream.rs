//! A generic configured aggregator for the non-range aggregators: type acceptance, output
//! type, and a closure that opens the per-group state.

use plugin_api::{AggregateError, Aggregator, AggregatorState, GroupInfo};

/// Opens the state of one group.
pub type Opener =
    Box<dyn Fn(&GroupInfo) -> Result<Box<dyn AggregatorState>, AggregateError> + Send + Sync>;

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
