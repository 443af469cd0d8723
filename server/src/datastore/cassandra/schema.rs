//! Schema creation (keyspace, then every WRITE and META table with its `table_create_with`
//! suffix) and the `spec` table bootstrap that fixes the row layout (spec §1.1–§1.4).

use scylla::client::session::Session;
use scylla::statement::Statement;

use super::cql;
use super::options::{CassandraOptions, RowTimeUnit};
use super::session::{engine, now_ms};
use crate::datastore::column_name::{RowSpec, DEFAULT_ROW_WIDTH_MS};
use crate::datastore::DatastoreError;

/// What start-up decided about `spec`: the layout, and the rows to insert (if missing).
#[derive(Debug, PartialEq, Eq)]
pub struct Bootstrap {
    /// Row layout for every read and write.
    pub spec: RowSpec,
    /// `row_time_unit` value to insert, when the keyspace had none.
    pub insert_unit: Option<String>,
    /// `row_width` value to insert, when the keyspace had none.
    pub insert_width: Option<String>,
}

/// Java `readRowSpec` for a WRITE connection: the stored `spec` rows win over the config;
/// missing rows are decided from the config, and a keyspace that already has metric names
/// (pre-1.3 data) is LEGACY. `has_names` is asked only when the unit row is missing.
pub fn bootstrap(
    stored_unit: Option<&str>,
    stored_width: Option<&str>,
    has_names: impl FnOnce() -> bool,
    o: &CassandraOptions,
) -> Result<Bootstrap, String> {
    let configured_width = o.row_width.unwrap_or(match o.row_time_unit {
        RowTimeUnit::Milliseconds => DEFAULT_ROW_WIDTH_MS,
        RowTimeUnit::Seconds => DEFAULT_ROW_WIDTH_MS / 1000,
    });
    let (unit, legacy, insert_unit) = match stored_unit {
        Some("LEGACY") => (RowTimeUnit::Milliseconds, true, None),
        Some("MILLISECONDS") => (RowTimeUnit::Milliseconds, false, None),
        Some("SECONDS") => (RowTimeUnit::Seconds, false, None),
        Some(other) => {
            return Err(format!(
                "the keyspace's spec table has row_time_unit {other:?}; only MILLISECONDS, SECONDS and LEGACY are supported"
            ))
        }
        None if has_names() => {
            if o.row_time_unit == RowTimeUnit::Seconds {
                return Err("row_time_unit = SECONDS cannot be used on a keyspace that already holds pre-1.3 data (it is LEGACY); remove the setting".into());
            }
            (RowTimeUnit::Milliseconds, true, Some("LEGACY".to_string()))
        }
        None => {
            let name = match o.row_time_unit {
                RowTimeUnit::Milliseconds => "MILLISECONDS",
                RowTimeUnit::Seconds => "SECONDS",
            };
            (o.row_time_unit, false, Some(name.to_string()))
        }
    };
    let (width, insert_width) = match stored_width {
        Some(text) => match text.trim().parse::<i64>() {
            Ok(w) if w > 0 => (w, None),
            _ => return Err(format!("the keyspace's spec table has row_width {text:?}")),
        },
        None => (configured_width, Some(configured_width.to_string())),
    };
    let spec = match (unit, legacy) {
        (RowTimeUnit::Seconds, _) => RowSpec::Seconds { width },
        (RowTimeUnit::Milliseconds, true) => RowSpec::Legacy { width },
        (RowTimeUnit::Milliseconds, false) => RowSpec::Milliseconds { width },
    };
    Ok(Bootstrap {
        spec,
        insert_unit,
        insert_width,
    })
}

/// Runs one unprepared statement (DDL and `spec` access) with a ms client timestamp.
async fn run(
    session: &Session,
    text: String,
) -> Result<scylla::response::query_result::QueryResult, DatastoreError> {
    let mut st = Statement::new(text.clone());
    st.set_timestamp(Some(now_ms()));
    session
        .query_unpaged(st, ())
        .await
        .map_err(|e| engine(format!("{text}: {e}")))
}

async fn single_text(session: &Session, text: String) -> Result<Option<String>, DatastoreError> {
    let res = run(session, text)
        .await?
        .into_rows_result()
        .map_err(engine)?;
    let row = res.maybe_first_row::<(Option<String>,)>().map_err(engine)?;
    Ok(row.and_then(|r| r.0))
}

/// The server's major version (`system.local.release_version`).
pub async fn server_version(session: &Session) -> Result<(String, u32), DatastoreError> {
    let release = single_text(session, "SELECT release_version FROM system.local".into())
        .await?
        .unwrap_or_default();
    let major = cql::major_version(&release)
        .ok_or_else(|| engine(format!("unexpected release_version {release:?}")))?;
    Ok((release, major))
}

/// Creates the keyspace and tables if missing, then selects the keyspace.
pub async fn create(
    session: &Session,
    keyspace: &str,
    o: &CassandraOptions,
    major: u32,
) -> Result<(), DatastoreError> {
    if !cql::valid_keyspace(keyspace) {
        return Err(engine(format!(
            "invalid keyspace name {keyspace:?}: use letters, digits and '_' (at most 48)"
        )));
    }
    run(session, cql::create_keyspace(keyspace, &o.replication)).await?;
    session
        .use_keyspace(keyspace, false)
        .await
        .map_err(|e| engine(format!("cannot use keyspace {keyspace}: {e}")))?;
    if major >= 4
        && o.create_with("data_points")
            .to_ascii_uppercase()
            .contains("COMPACT STORAGE")
    {
        tracing::info!(
            major,
            "Cassandra 4.0 and later deprecate COMPACT STORAGE (5.0 can refuse it via the compact_tables_enabled guardrail): data_points is created without it (same CQL columns)"
        );
    }
    for (table, base) in cql::CREATE_TABLES {
        run(
            session,
            cql::create_table(base, o.create_with(table), major),
        )
        .await?;
    }
    session.await_schema_agreement().await.map_err(engine)?;
    Ok(())
}

/// Reads (and if missing, writes) the `spec` rows, returning the keyspace's row layout.
pub async fn read_row_spec(
    session: &Session,
    o: &CassandraOptions,
) -> Result<RowSpec, DatastoreError> {
    let unit = single_text(session, cql::spec_select("row_time_unit")).await?;
    let width = single_text(session, cql::spec_select("row_width")).await?;
    let has_names = if unit.is_none() {
        let mut st = Statement::new(cql::STRING_INDEX_ANY);
        st.set_consistency(o.read_consistency);
        let res = session
            .query_unpaged(st, (cql::METRIC_NAMES_KEY,))
            .await
            .map_err(engine)?
            .into_rows_result()
            .map_err(engine)?;
        res.rows_num() > 0
    } else {
        false
    };
    let b = bootstrap(unit.as_deref(), width.as_deref(), || has_names, o).map_err(engine)?;
    if let Some(u) = &b.insert_unit {
        run(session, cql::spec_insert("row_time_unit", u)).await?;
    }
    if let Some(w) = &b.insert_width {
        run(session, cql::spec_insert("row_width", w)).await?;
    }
    tracing::info!(spec = ?b.spec, "Cassandra row layout (from the keyspace's spec table)");
    Ok(b.spec)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> CassandraOptions {
        CassandraOptions::default()
    }

    #[test]
    fn fresh_keyspace_is_milliseconds() {
        let b = bootstrap(None, None, || false, &opts()).unwrap();
        assert_eq!(
            b.spec,
            RowSpec::Milliseconds {
                width: 1_814_400_000
            }
        );
        assert_eq!(b.insert_unit.as_deref(), Some("MILLISECONDS"));
        assert_eq!(b.insert_width.as_deref(), Some("1814400000"));
    }

    #[test]
    fn old_data_makes_legacy() {
        let b = bootstrap(None, None, || true, &opts()).unwrap();
        assert_eq!(
            b.spec,
            RowSpec::Legacy {
                width: 1_814_400_000
            }
        );
        assert_eq!(b.insert_unit.as_deref(), Some("LEGACY"));
        let mut o = opts();
        o.row_time_unit = RowTimeUnit::Seconds;
        assert!(bootstrap(None, None, || true, &o).is_err());
    }

    #[test]
    fn stored_spec_wins_over_config() {
        let mut o = opts();
        o.row_time_unit = RowTimeUnit::Seconds;
        o.row_width = Some(60);
        let b = bootstrap(
            Some("MILLISECONDS"),
            Some("1000"),
            || panic!("not asked"),
            &o,
        )
        .unwrap();
        assert_eq!(b.spec, RowSpec::Milliseconds { width: 1000 });
        assert_eq!((b.insert_unit, b.insert_width), (None, None));
        let b = bootstrap(Some("LEGACY"), Some("1814400000"), || false, &o).unwrap();
        assert_eq!(
            b.spec,
            RowSpec::Legacy {
                width: 1_814_400_000
            }
        );
        let b = bootstrap(Some("SECONDS"), None, || false, &opts()).unwrap();
        // Width missing: the configured one (ms default) is stored, as in Java.
        assert_eq!(
            b.spec,
            RowSpec::Seconds {
                width: 1_814_400_000
            }
        );
        assert!(bootstrap(Some("HOURS"), None, || false, &o).is_err());
        assert!(bootstrap(Some("MILLISECONDS"), Some("x"), || false, &o).is_err());
    }

    #[test]
    fn seconds_config_on_fresh_keyspace() {
        let mut o = opts();
        o.row_time_unit = RowTimeUnit::Seconds;
        let b = bootstrap(None, None, || false, &o).unwrap();
        assert_eq!(b.spec, RowSpec::Seconds { width: 1_814_400 });
        assert_eq!(b.insert_unit.as_deref(), Some("SECONDS"));
        assert_eq!(b.insert_width.as_deref(), Some("1814400"));
    }
}
