//! Errors processors report back to the host.

/// A parameter problem found while a factory builds a processor from its JSON.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParamError {
    /// HTTP 400; the host prefixes the processor's context, e.g. `query.metric[0].aggregators[0].`
    /// before a message such as `sampling.value must be greater than or equal to 0`.
    #[error("{0}")]
    Invalid(String),
    /// HTTP 400 with the message as is (Java texts without a context prefix, e.g. the
    /// `Property 'x' was specified for object ...` text).
    #[error("{0}")]
    InvalidNoContext(String),
    /// HTTP 500 with the message as is (e.g. `cannot validate null`).
    #[error("{0}")]
    Internal(String),
}

/// A failure while data flows through a processor; the query fails with HTTP 500.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AggregateError {
    /// The message of the Java exception the same input raises (`None` prints as JSON `null`).
    #[error("{}", .0.as_deref().unwrap_or("null"))]
    Failed(Option<String>),
}

impl AggregateError {
    /// An error with a message.
    pub fn msg(m: impl Into<String>) -> Self {
        AggregateError::Failed(Some(m.into()))
    }
}
