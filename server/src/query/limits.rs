//! Per-metric-query limits (`kairosdb.datastore.cassandra.query_limit` and
//! `query_time_limit_sec`, CASS/QueryMonitor.java), applied on both datastores, and the
//! statistics each metric query leaves for self-reporting.

use std::time::Instant;

use crate::datastore::DatastoreError;
use crate::http::ApiError;

/// The limits in force; 0 turns a limit off.
#[derive(Clone, Copy, Debug, Default)]
pub struct QueryLimits {
    /// Data points one metric query may read.
    pub points: u64,
    /// Whole seconds one metric query may run.
    pub seconds: u64,
    /// Row keys (series) one metric query may select (`kairosdb.queries.max_row_keys`, ours).
    pub row_keys: u64,
}

/// Fails when a metric query selects more row keys than allowed. Java has no such limit; the
/// message follows its data-point limit (`Query exceeded limit of N row keys`).
pub fn check_row_keys(limits: QueryLimits, found: usize) -> Result<(), ApiError> {
    if limits.row_keys != 0 && found as u64 > limits.row_keys {
        tracing::warn!(
            found,
            limit = limits.row_keys,
            "query exceeded the row key limit"
        );
        return Err(exceeded(format!(
            "Query exceeded limit of {} row keys",
            limits.row_keys
        )));
    }
    Ok(())
}

/// What one metric query did (the `kairosdb.datastore.query_*` values).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MetricStat {
    /// The metric name.
    pub name: String,
    /// Points read.
    pub sample_size: u64,
    /// Rows with points in range.
    pub rows: u64,
    /// Milliseconds until the rows were found and counted.
    pub datastore_ms: u64,
    /// Milliseconds for the whole metric query, output included.
    pub total_ms: u64,
}

/// Java wraps the monitor's exception twice (`cqlQueryWithRowKeys`, then
/// `KairosDatastore.execute`), so the 500 body carries two class-name prefixes.
fn exceeded(what: String) -> ApiError {
    ApiError::from(DatastoreError::Engine(format!(
        "org.kairosdb.core.exception.DatastoreException: {what}"
    )))
}

/// Watches one metric query against the limits.
pub struct Monitor {
    limits: QueryLimits,
    started: Instant,
}

impl Monitor {
    /// Starts the clock.
    pub fn start(limits: QueryLimits) -> Monitor {
        Monitor {
            limits,
            started: Instant::now(),
        }
    }

    /// Fails once more than the allowed points were read (`Query exceeded limit of N data points`).
    pub fn check_points(&self, read: u64) -> Result<(), ApiError> {
        if self.limits.points != 0 && read > self.limits.points {
            tracing::warn!(
                read,
                limit = self.limits.points,
                "query exceeded the data point limit"
            );
            return Err(exceeded(format!(
                "Query exceeded limit of {} data points",
                self.limits.points
            )));
        }
        Ok(())
    }

    /// Fails once the query ran longer than allowed, in whole seconds as Java's `Stopwatch`
    /// compares (`Query exceeded time limit of N seconds`).
    pub fn check_time(&self) -> Result<(), ApiError> {
        if self.limits.seconds != 0 && self.started.elapsed().as_secs() > self.limits.seconds {
            tracing::warn!(
                limit_s = self.limits.seconds,
                "query exceeded the time limit"
            );
            return Err(exceeded(format!(
                "Query exceeded time limit of {} seconds",
                self.limits.seconds
            )));
        }
        Ok(())
    }

    /// Milliseconds since the start.
    pub fn elapsed_ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(e: ApiError) -> String {
        match e {
            ApiError::Internal(Some(m)) => m,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn point_limit_text_is_javas() {
        let m = Monitor::start(QueryLimits {
            points: 10,
            ..QueryLimits::default()
        });
        assert!(m.check_points(10).is_ok());
        assert_eq!(
            message(m.check_points(11).unwrap_err()),
            "org.kairosdb.core.exception.DatastoreException: org.kairosdb.core.exception.DatastoreException: Query exceeded limit of 10 data points"
        );
        assert!(m.check_time().is_ok());
        assert!(Monitor::start(QueryLimits::default())
            .check_points(u64::MAX)
            .is_ok());
    }

    #[test]
    fn time_limit_counts_whole_seconds_past_the_limit() {
        let limits = QueryLimits {
            seconds: 1,
            ..QueryLimits::default()
        };
        let at = |secs: f64| Monitor {
            limits,
            started: Instant::now() - std::time::Duration::from_secs_f64(secs),
        };
        // Java's `elapsed(SECONDS) > limit`: 1.9 s is still within a 1 s limit.
        assert!(at(1.9).check_time().is_ok());
        assert_eq!(
            message(at(2.1).check_time().unwrap_err()),
            "org.kairosdb.core.exception.DatastoreException: org.kairosdb.core.exception.DatastoreException: Query exceeded time limit of 1 seconds"
        );
        let rows = QueryLimits {
            row_keys: 2,
            ..QueryLimits::default()
        };
        assert!(check_row_keys(rows, 2).is_ok());
        assert!(message(check_row_keys(rows, 3).unwrap_err())
            .ends_with("Query exceeded limit of 2 row keys"));
        let off = Monitor {
            limits: QueryLimits::default(),
            started: Instant::now() - std::time::Duration::from_secs(100),
        };
        assert!(off.check_time().is_ok());
    }
}
