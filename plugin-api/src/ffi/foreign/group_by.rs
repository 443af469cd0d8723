//! Host side of group-bys: [`ForeignGroupByFactory`] and [`ForeignGroupBy`].
//!
//! `GroupBy::result_json` cannot fail, so [`ForeignGroupBy::group_ids`] fetches the entry of
//! every new group id while it can still report an error, and `result_json` reads the cache.

use std::collections::HashMap;
use std::sync::Mutex;

use super::{call_string, ForeignFactory};
use crate::ffi::types::{borrow_points, FfiPointSlice};
use crate::ffi::vtable::{FfiGroupBy, FfiGroupByFactory};
use crate::{
    AggregateError, DataPoint, GroupBy, GroupByFactory, ParamError, ProcessorMetadata, QueryContext,
};

/// A group-by factory living in a plugin.
pub struct ForeignGroupByFactory(ForeignFactory<FfiGroupBy>);

// SAFETY: the exporter builds the state from an `Arc<dyn GroupByFactory>` (Send + Sync).
unsafe impl Send for ForeignGroupByFactory {}
unsafe impl Sync for ForeignGroupByFactory {}

impl ForeignGroupByFactory {
    /// Takes ownership of `vt` and reads its name and metadata.
    ///
    /// # Safety
    /// As [`super::ForeignAggregatorFactory::new`].
    pub unsafe fn new(vt: FfiGroupByFactory) -> Result<Self, String> {
        ForeignFactory::new(
            "group-by factory",
            vt.state,
            vt.name,
            vt.metadata,
            vt.create,
            vt.release,
        )
        .map(ForeignGroupByFactory)
    }
}

impl GroupByFactory for ForeignGroupByFactory {
    fn name(&self) -> &str {
        &self.0.name
    }

    fn metadata(&self) -> ProcessorMetadata {
        self.0.metadata.clone()
    }

    fn create(
        &self,
        params: &serde_json::Map<String, serde_json::Value>,
        ctx: &QueryContext,
    ) -> Result<Box<dyn GroupBy>, ParamError> {
        let mut g = ForeignGroupBy {
            vt: self.0.create(params, ctx)?,
            tag_names: None,
            entries: Mutex::new(HashMap::new()),
        };
        let state = g.vt.state;
        let tag_names = g.vt.tag_names;
        // SAFETY: `o` is a valid out pointer.
        let json = call_string(|o| unsafe { tag_names(state, o) })
            .map_err(|r| ParamError::Internal(r.message().unwrap_or_else(|| "null".into())))?;
        g.tag_names = serde_json::from_str(&json).map_err(|e| {
            ParamError::Internal(format!("cannot read tag names of '{}': {e}", self.0.name))
        })?;
        Ok(Box::new(g))
    }
}

/// A configured group-by living in a plugin.
pub struct ForeignGroupBy {
    vt: FfiGroupBy,
    tag_names: Option<Vec<String>>,
    entries: Mutex<HashMap<i64, String>>,
}

// SAFETY: the exporter builds the state from a `Box<dyn GroupBy>` (Send + Sync).
unsafe impl Send for ForeignGroupBy {}
unsafe impl Sync for ForeignGroupBy {}

impl Drop for ForeignGroupBy {
    fn drop(&mut self) {
        // SAFETY: the vtable is owned by this value and released once.
        unsafe { (self.vt.release)(self.vt.state) }
    }
}

impl ForeignGroupBy {
    fn fetch_entry(&self, id: i64) -> Result<String, AggregateError> {
        let (state, f) = (self.vt.state, self.vt.result_json);
        // SAFETY: `o` is a valid out pointer.
        call_string(|o| unsafe { f(state, id, o) }).map_err(|r| AggregateError::Failed(r.message()))
    }
}

impl GroupBy for ForeignGroupBy {
    fn tag_names(&self) -> Option<&[String]> {
        self.tag_names.as_deref()
    }

    fn group_ids(&self, batch: &[DataPoint], ids: &mut Vec<i64>) -> Result<(), AggregateError> {
        let mut buf = Vec::new();
        borrow_points(batch, &mut buf);
        let start = ids.len();
        ids.resize(start + batch.len(), 0);
        // SAFETY: `buf` borrows `batch`; `ids[start..]` has room for exactly `batch.len()` ids.
        let r = unsafe {
            (self.vt.group_ids)(
                self.vt.state,
                FfiPointSlice::new(&buf),
                ids[start..].as_mut_ptr(),
            )
        };
        if let Err(e) = r.into_aggregate_result() {
            ids.truncate(start);
            return Err(e);
        }
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        for id in &ids[start..] {
            if !entries.contains_key(id) {
                let entry = self.fetch_entry(*id)?;
                entries.insert(*id, entry);
            }
        }
        Ok(())
    }

    fn result_json(&self, id: i64) -> String {
        let cached = self
            .entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&id)
            .cloned();
        // An id the engine never got from `group_ids`: ask directly, `null` if that fails.
        cached.unwrap_or_else(|| self.fetch_entry(id).unwrap_or_else(|_| "null".to_string()))
    }
}
