//! The built-in aggregators and group-bys of KairosDB, written against `plugin-api` only.
//!
//! Every processor reproduces the Java KairosDB 1.3.0 class of the same name: parameter
//! binding and validation texts, output values (same floating-point operation order), output
//! types and timestamps. See `/work/shared/spec/query-engine.md` §2.3, §4-§7.

#![deny(missing_docs)]

pub mod aggs;
pub mod features;
pub mod group_by;
pub mod jvm;
pub mod metadata;
pub mod props;
pub mod range;
pub mod time;

use std::sync::Arc;

use plugin_api::{Registry, RegistryError};

use aggs::filter::FilterFactory;
use aggs::pointwise::{PointwiseFactory, PointwiseKind};
use aggs::rate::RateFactory;
use aggs::save_as::SaveAsFactory;
use aggs::score::ScoreFactory;
use aggs::sma::SmaFactory;
use aggs::trim::TrimFactory;
use group_by::bin::BinGroupByFactory;
use group_by::tag::TagGroupByFactory;
use group_by::time::TimeGroupByFactory;
use group_by::value::ValueGroupByFactory;
use range::factory::{RangeFactory, RangeKind};

/// Registers every built-in aggregator and group-by.
pub fn register_builtins(registry: &mut Registry) -> Result<(), RegistryError> {
    registry.register_aggregator(Arc::new(RangeFactory(RangeKind::Avg)))?;
    registry.register_aggregator(Arc::new(RangeFactory(RangeKind::Count)))?;
    registry.register_aggregator(Arc::new(RangeFactory(RangeKind::Dev)))?;
    registry.register_aggregator(Arc::new(PointwiseFactory(PointwiseKind::Diff)))?;
    registry.register_aggregator(Arc::new(PointwiseFactory(PointwiseKind::Div)))?;
    registry.register_aggregator(Arc::new(FilterFactory))?;
    registry.register_aggregator(Arc::new(RangeFactory(RangeKind::First)))?;
    registry.register_aggregator(Arc::new(RangeFactory(RangeKind::Gaps)))?;
    registry.register_aggregator(Arc::new(RangeFactory(RangeKind::Last)))?;
    registry.register_aggregator(Arc::new(RangeFactory(RangeKind::LeastSquares)))?;
    registry.register_aggregator(Arc::new(RangeFactory(RangeKind::Max)))?;
    registry.register_aggregator(Arc::new(RangeFactory(RangeKind::Min)))?;
    registry.register_aggregator(Arc::new(RangeFactory(RangeKind::Percentile)))?;
    registry.register_aggregator(Arc::new(RateFactory { sampler: false }))?;
    registry.register_aggregator(Arc::new(RateFactory { sampler: true }))?;
    registry.register_aggregator(Arc::new(SaveAsFactory))?;
    registry.register_aggregator(Arc::new(PointwiseFactory(PointwiseKind::Scale)))?;
    registry.register_aggregator(Arc::new(ScoreFactory))?;
    registry.register_aggregator(Arc::new(SmaFactory))?;
    registry.register_aggregator(Arc::new(RangeFactory(RangeKind::Sum)))?;
    registry.register_aggregator(Arc::new(TrimFactory))?;
    registry.register_group_by(Arc::new(BinGroupByFactory))?;
    registry.register_group_by(Arc::new(TagGroupByFactory))?;
    registry.register_group_by(Arc::new(TimeGroupByFactory))?;
    registry.register_group_by(Arc::new(ValueGroupByFactory))?;
    Ok(())
}
