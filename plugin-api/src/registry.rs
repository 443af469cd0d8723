//! The table of known aggregators and group-bys, keyed by their query name.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::{AggregatorFactory, GroupByFactory};

/// A name could not be registered.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    /// An aggregator of that name exists already.
    #[error("cannot register aggregator '{0}': the name is taken")]
    DuplicateAggregator(String),
    /// A group-by of that name exists already.
    #[error("cannot register group-by '{0}': the name is taken")]
    DuplicateGroupBy(String),
}

/// Aggregator and group-by factories by name; built-ins first, then plugins.
#[derive(Default, Clone)]
pub struct Registry {
    aggregators: BTreeMap<String, Arc<dyn AggregatorFactory>>,
    group_bys: BTreeMap<String, Arc<dyn GroupByFactory>>,
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an aggregator factory; refuses a name that is taken.
    pub fn register_aggregator(
        &mut self,
        f: Arc<dyn AggregatorFactory>,
    ) -> Result<(), RegistryError> {
        let name = f.name().to_string();
        if self.aggregators.contains_key(&name) {
            return Err(RegistryError::DuplicateAggregator(name));
        }
        self.aggregators.insert(name, f);
        Ok(())
    }

    /// Adds a group-by factory; refuses a name that is taken.
    pub fn register_group_by(&mut self, f: Arc<dyn GroupByFactory>) -> Result<(), RegistryError> {
        let name = f.name().to_string();
        if self.group_bys.contains_key(&name) {
            return Err(RegistryError::DuplicateGroupBy(name));
        }
        self.group_bys.insert(name, f);
        Ok(())
    }

    /// The aggregator factory of that name.
    pub fn aggregator(&self, name: &str) -> Option<&Arc<dyn AggregatorFactory>> {
        self.aggregators.get(name)
    }

    /// The group-by factory of that name.
    pub fn group_by(&self, name: &str) -> Option<&Arc<dyn GroupByFactory>> {
        self.group_bys.get(name)
    }

    /// All aggregator factories, by name.
    pub fn aggregators(&self) -> impl Iterator<Item = &Arc<dyn AggregatorFactory>> {
        self.aggregators.values()
    }

    /// All group-by factories, by name.
    pub fn group_bys(&self) -> impl Iterator<Item = &Arc<dyn GroupByFactory>> {
        self.group_bys.values()
    }
}
