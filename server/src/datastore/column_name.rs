//! The 4-byte `data_points.column1` name: a point's offset within its row
//! (CASS/RowSpec.java; spec cassandra-storage.md §3.1, §3.3).

/// The keyspace's row layout, as stored in the `spec` table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowSpec {
    /// Fresh 1.3 keyspace: width in ms, offsets in ms.
    Milliseconds {
        /// Row width in ms.
        width: i64,
    },
    /// Pre-1.3 keyspace: offsets shifted left one bit.
    Legacy {
        /// Row width in ms.
        width: i64,
    },
    /// `row_time_unit: SECONDS`: the width in seconds is applied to ms timestamps (Java quirk).
    Seconds {
        /// Row width in seconds.
        width: i64,
    },
}

/// Default row width: three weeks in ms.
pub const DEFAULT_ROW_WIDTH_MS: i64 = 1_814_400_000;

impl Default for RowSpec {
    fn default() -> Self {
        RowSpec::Milliseconds {
            width: DEFAULT_ROW_WIDTH_MS,
        }
    }
}

impl RowSpec {
    /// The raw stored width used by the row-time formula.
    pub fn width(&self) -> i64 {
        match *self {
            RowSpec::Milliseconds { width }
            | RowSpec::Legacy { width }
            | RowSpec::Seconds { width } => width,
        }
    }

    /// Java `getRowWidthInMillis`.
    pub fn width_millis(&self) -> i64 {
        match *self {
            RowSpec::Seconds { width } => width * 1000,
            _ => self.width(),
        }
    }

    /// Java `calculateRowTime`.
    pub fn row_time(&self, ts: i64) -> i64 {
        super::row_key::row_time(ts, self.width())
    }

    /// Java `getColumnName`: the column for `ts` in the row starting at `row_time`.
    pub fn column_name(&self, row_time: i64, ts: i64) -> [u8; 4] {
        let d = ts.wrapping_sub(row_time);
        let col: i32 = match self {
            RowSpec::Milliseconds { .. } => d as i32,
            RowSpec::Legacy { .. } => (d as i32).wrapping_shl(1),
            RowSpec::Seconds { .. } => (d / 1000) as i32,
        };
        col.to_be_bytes()
    }

    /// Java `getColumnTimestamp`: the timestamp a column name stands for.
    pub fn column_timestamp(&self, row_time: i64, column: [u8; 4]) -> i64 {
        let col = i32::from_be_bytes(column);
        match self {
            RowSpec::Milliseconds { .. } => row_time.wrapping_add(col as i64),
            RowSpec::Legacy { .. } => row_time.wrapping_add(((col as u32) >> 1) as i64),
            RowSpec::Seconds { .. } => row_time.wrapping_add(col as i64 * 1000),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worked_columns() {
        // spec cassandra-storage.md §3.3
        let ms = RowSpec::default();
        let rt = ms.row_time(1_700_000_000_000);
        assert_eq!(
            ms.column_name(rt, 1_700_000_000_000),
            [0x66, 0x9d, 0x88, 0x00]
        );
        assert_eq!(
            ms.column_timestamp(rt, [0x66, 0x9d, 0x88, 0x00]),
            1_700_000_000_000
        );
        let legacy = RowSpec::Legacy {
            width: DEFAULT_ROW_WIDTH_MS,
        };
        assert_eq!(
            legacy.column_name(rt, 1_700_000_000_000),
            [0xcd, 0x3b, 0x10, 0x00]
        );
        assert_eq!(
            legacy.column_timestamp(rt, [0xcd, 0x3b, 0x10, 0x00]),
            1_700_000_000_000
        );
        assert_eq!(
            legacy.column_name(0, 1_814_399_999),
            [0xd8, 0x4b, 0x17, 0xfe]
        );
    }

    #[test]
    fn seconds_mode_quirk() {
        let s = RowSpec::Seconds { width: 1_814_400 };
        let rt = s.row_time(1_700_000_000_789);
        assert_eq!(rt, 1_699_998_451_200);
        let col = s.column_name(rt, 1_700_000_000_789);
        assert_eq!(col, [0x00, 0x00, 0x06, 0x0d]);
        assert_eq!(s.column_timestamp(rt, col), 1_700_000_000_200);
    }

    #[test]
    fn negative_offsets_stay_in_row() {
        let ms = RowSpec::default();
        for ts in [-1i64, -3, -5_000_000_000, -1_814_400_001] {
            let rt = ms.row_time(ts);
            let col = ms.column_name(rt, ts);
            assert!(i32::from_be_bytes(col) >= 0);
            assert_eq!(ms.column_timestamp(rt, col), ts);
        }
    }
}
