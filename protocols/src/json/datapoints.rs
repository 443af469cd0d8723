//! The `POST /api/v1/datapoints` body: one metric object or an array of them (spec §3).
//!
//! Follows JSON/DataPointsParser.java of KairosDB v1.3.0 with Gson 2.2.4: the outer array is
//! read strictly and each metric object leniently; validation messages are collected across
//! the body; a syntax error or a Java exception stops the parse but keeps the points parsed
//! before it (Java hands each point to the write pipeline as soon as it is parsed).

mod element;
mod metric;
mod validate;

use crate::json::lenient::reader::{ErrorKind, ReadError, Reader, Token};
use crate::series::SeriesPoints;

/// What a body yields: points to store, validation messages, and a fatal error if any.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IngestOutcome {
    /// Every point Java would have stored, one entry per metric object that produced points.
    pub series: Vec<SeriesPoints>,
    /// Validation messages for a 400 `{"errors":[...]}`, in document order.
    pub errors: Vec<String>,
    /// A fatal error that replaces the validation messages in the response.
    pub failure: Option<IngestFailure>,
}

/// A fatal error: the whole response is `status` with `{"errors":[message]}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IngestFailure {
    /// 400 for syntax errors, 500 for the Java exceptions of spec §3.
    pub status: u16,
    /// The message; `None` is the JSON `null` of a Java exception without message.
    pub message: Option<String>,
}

/// Why parsing stopped early.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Abort {
    /// A Gson syntax error: 400 with this message.
    Syntax(String),
    /// Any other Java exception: 500 with its message (`None` = `null`).
    Internal(Option<String>),
}

/// The message of an `EOFException` caught by DataPointsParser.parse.
const END_OF_INPUT: &str = "Invalid json. No content due to end of input.";

/// Parses an ingestion body (UTF-8).
pub fn parse_datapoints(body: &[u8]) -> IngestOutcome {
    let mut out = IngestOutcome::default();
    let text = match std::str::from_utf8(body) {
        Ok(t) => t,
        Err(e) => {
            out.failure = Some(IngestFailure {
                status: 400,
                message: Some(format!(
                    "cannot parse body: invalid UTF-8 at byte {}",
                    e.valid_up_to()
                )),
            });
            return out;
        }
    };
    if let Err(abort) = parse_document(text, &mut out) {
        // The response carries the one error only.
        out.errors.clear();
        out.failure = Some(match abort {
            Abort::Syntax(m) => IngestFailure {
                status: 400,
                message: Some(m),
            },
            Abort::Internal(m) => IngestFailure {
                status: 500,
                message: m,
            },
        });
    }
    out
}

/// An error of the strict outer reader: `MalformedJsonException` reaches the resource as is.
fn outer(e: ReadError) -> Abort {
    match e.kind {
        ErrorKind::Malformed => Abort::Syntax(e.msg),
        _ => Abort::from(e),
    }
}

fn parse_document(text: &str, out: &mut IngestOutcome) -> Result<(), Abort> {
    let mut r = Reader::new(text);
    let first = match r.peek() {
        Err(e) if e.kind == ErrorKind::Eof => {
            out.errors.push(END_OF_INPUT.into());
            return Ok(());
        }
        other => other.map_err(outer)?,
    };
    match first {
        Token::BeginArray => {
            r.begin_array().map_err(outer)?;
            let mut count = 0;
            loop {
                match r.has_next() {
                    Ok(true) => {}
                    Ok(false) => break,
                    Err(e) if e.kind == ErrorKind::Eof => {
                        out.errors.push(END_OF_INPUT.into());
                        break;
                    }
                    Err(e) => return Err(outer(e)),
                }
                add_metric(&mut r, count, out)?;
                count += 1;
            }
            // Quirk: after an EOF inside the array, endArray hits it again (second message).
            match r.end_array() {
                Ok(()) => {}
                Err(e) if e.kind == ErrorKind::Eof => out.errors.push(END_OF_INPUT.into()),
                Err(e) => return Err(outer(e)),
            }
        }
        Token::BeginObject => add_metric(&mut r, 0, out)?,
        // Unreachable with Gson 2.2.4's strict reader, which refuses other starts first.
        _ => out.errors.push("Invalid start of json.".into()),
    }
    Ok(())
}

fn add_metric(r: &mut Reader<'_>, count: usize, out: &mut IngestOutcome) -> Result<(), Abort> {
    // A JSON null metric makes validateAndAddDataPoints throw a NullPointerException.
    let m = metric::parse_metric(r)?.ok_or(Abort::Internal(None))?;
    validate::validate_and_add(&m, count, &mut out.series, &mut out.errors)
}

#[cfg(test)]
mod tests;
