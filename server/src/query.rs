//! The query engine: find rows, group them, merge each group's rows in time order, run the
//! aggregators, and write the response while reading (spec query-engine.md §1).

mod count;
mod engine;
mod groups;
mod hash_order;
mod limits;
mod merge;
mod output;
mod parallel;
mod pipeline;
mod prefetch;
mod spill;

pub use engine::{run_delete, run_query, run_tags, Engine};
pub use limits::{MetricStat, QueryLimits};
pub use output::{Output, OutputStart};
