//! The `#[repr(C)]` outcome of every boundary call, and the panic guard around plugin code.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

use super::types::FfiString;
use crate::{AggregateError, ParamError};

/// What an [`FfiResult`] reports: success or the kind of error (a `u32`, so that a value the
/// reader does not know is never undefined behaviour; unknown kinds read as `INTERNAL`).
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FfiErrorKind(pub u32);

impl FfiErrorKind {
    /// Success.
    pub const OK: FfiErrorKind = FfiErrorKind(0);
    /// [`ParamError::Invalid`]: HTTP 400, the host prefixes the processor's context.
    pub const INVALID: FfiErrorKind = FfiErrorKind(1);
    /// [`ParamError::InvalidNoContext`]: HTTP 400 with the message as is.
    pub const INVALID_NO_CONTEXT: FfiErrorKind = FfiErrorKind(2);
    /// [`ParamError::Internal`]: HTTP 500 while parsing (also a panic in a factory).
    pub const INTERNAL: FfiErrorKind = FfiErrorKind(3);
    /// [`AggregateError::Failed`]: HTTP 500 while data flows (also a panic there).
    pub const FAILED: FfiErrorKind = FfiErrorKind(4);
}

/// The outcome of a boundary call: a kind and, for errors, a message owned by the callee.
#[repr(C)]
#[derive(Debug)]
pub struct FfiResult {
    /// [`FfiErrorKind::OK`] or the error's kind.
    pub kind: FfiErrorKind,
    /// Whether `message` is set (`AggregateError::Failed(None)` crosses with `false`).
    pub has_message: bool,
    /// The error text; empty on success.
    pub message: FfiString,
}

impl FfiResult {
    /// Success.
    pub fn ok() -> FfiResult {
        FfiResult {
            kind: FfiErrorKind::OK,
            has_message: false,
            message: FfiString::empty(),
        }
    }

    /// An error of `kind` with a message.
    pub fn error(kind: FfiErrorKind, message: impl Into<String>) -> FfiResult {
        FfiResult {
            kind,
            has_message: true,
            message: FfiString::new(message.into()),
        }
    }

    /// Whether the call succeeded.
    pub fn is_ok(&self) -> bool {
        self.kind == FfiErrorKind::OK
    }

    /// The message, or `None` when the callee gave none.
    pub fn message(&self) -> Option<String> {
        self.has_message.then(|| self.message.to_string_lossy())
    }

    /// Reads a factory call: `Ok` or the [`ParamError`] of the same kind.
    pub fn into_param_result(self) -> Result<(), ParamError> {
        let msg = || self.message().unwrap_or_else(|| "null".to_string());
        match self.kind {
            FfiErrorKind::OK => Ok(()),
            FfiErrorKind::INVALID => Err(ParamError::Invalid(msg())),
            FfiErrorKind::INVALID_NO_CONTEXT => Err(ParamError::InvalidNoContext(msg())),
            _ => Err(ParamError::Internal(msg())),
        }
    }

    /// Reads a data call: `Ok` or an [`AggregateError`] with the message.
    pub fn into_aggregate_result(self) -> Result<(), AggregateError> {
        match self.kind {
            FfiErrorKind::OK => Ok(()),
            _ => Err(AggregateError::Failed(self.message())),
        }
    }
}

impl From<ParamError> for FfiResult {
    fn from(e: ParamError) -> FfiResult {
        match e {
            ParamError::Invalid(m) => FfiResult::error(FfiErrorKind::INVALID, m),
            ParamError::InvalidNoContext(m) => {
                FfiResult::error(FfiErrorKind::INVALID_NO_CONTEXT, m)
            }
            ParamError::Internal(m) => FfiResult::error(FfiErrorKind::INTERNAL, m),
        }
    }
}

impl From<AggregateError> for FfiResult {
    fn from(e: AggregateError) -> FfiResult {
        match e {
            AggregateError::Failed(Some(m)) => FfiResult::error(FfiErrorKind::FAILED, m),
            AggregateError::Failed(None) => FfiResult {
                kind: FfiErrorKind::FAILED,
                has_message: false,
                message: FfiString::empty(),
            },
        }
    }
}

impl<E: Into<FfiResult>> From<Result<(), E>> for FfiResult {
    fn from(r: Result<(), E>) -> FfiResult {
        match r {
            Ok(()) => FfiResult::ok(),
            Err(e) => e.into(),
        }
    }
}

/// The text of a panic payload (`panic!` with a message gives `&str` or `String`).
pub fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a non-text panic payload".to_string()
    }
}

/// Runs `f`, turning a panic into an error of `kind` naming `what` (e.g. `aggregator 'mad'`).
///
/// Every `extern "C"` function of the boundary runs its body under this guard: unwinding
/// out of an `extern "C"` function aborts the process.
pub fn guard(kind: FfiErrorKind, what: &str, f: impl FnOnce() -> FfiResult) -> FfiResult {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => {
            let msg = format!("{what} panicked: {}", panic_message(payload.as_ref()));
            drop_payload(payload);
            FfiResult::error(kind, msg)
        }
    }
}

/// Runs a `release` body (a destructor of plugin state) without letting a panic unwind out
/// of an `extern "C"` function; a panicking destructor leaks instead of aborting.
pub fn guard_release(f: impl FnOnce()) {
    if let Err(payload) = catch_unwind(AssertUnwindSafe(f)) {
        drop_payload(payload);
    }
}

/// Drops a panic payload; one whose own destructor panics is leaked instead.
fn drop_payload(payload: Box<dyn Any + Send>) {
    if let Err(again) = catch_unwind(AssertUnwindSafe(move || drop(payload))) {
        std::mem::forget(again);
    }
}
