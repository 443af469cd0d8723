//! Data points as processors see them.

/// One sample: a millisecond timestamp and a typed value.
#[derive(Clone, Debug, PartialEq)]
pub struct DataPoint {
    /// Milliseconds since the Unix epoch (may be negative).
    pub timestamp: i64,
    /// The sample value.
    pub value: Value,
}

/// A sample value with the Java data point type it maps to.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `LongDataPoint` (`kairos_long`): printed as an integer.
    Long(i64),
    /// `DoubleDataPoint` (`kairos_double`): printed with Java `Double.toString` rules.
    Double(f64),
    /// `StringDataPoint` (`kairos_string`): group type `text`.
    Text(String),
    /// `NullDataPoint`: only produced by aggregators (e.g. `gaps`), printed as `null`.
    Null,
}

impl DataPoint {
    /// A long point.
    pub fn long(timestamp: i64, v: i64) -> Self {
        DataPoint {
            timestamp,
            value: Value::Long(v),
        }
    }

    /// A double point.
    pub fn double(timestamp: i64, v: f64) -> Self {
        DataPoint {
            timestamp,
            value: Value::Double(v),
        }
    }
}

impl Value {
    /// Java `isLong()`: true for long values.
    pub fn is_long(&self) -> bool {
        matches!(self, Value::Long(_))
    }

    /// Java `isDouble()`: true for long and double values (a long is also readable as double).
    pub fn is_numeric(&self) -> bool {
        matches!(self, Value::Long(_) | Value::Double(_))
    }

    /// Java `getDoubleValue()`: longs widen, strings read as 0.0, null as NaN.
    pub fn as_f64(&self) -> f64 {
        match self {
            Value::Long(v) => *v as f64,
            Value::Double(v) => *v,
            Value::Text(_) => 0.0,
            Value::Null => f64::NAN,
        }
    }

    /// The group type a point of this value belongs to (`number` or `text`).
    pub fn group_type(&self) -> &'static str {
        match self {
            Value::Text(_) => "text",
            _ => "number",
        }
    }
}
