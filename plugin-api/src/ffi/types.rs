//! The `#[repr(C)]` values that cross the boundary: strings and data points.
//!
//! Ownership rule: memory is freed by the side that allocated it. Borrowed values
//! ([`FfiStr`], [`FfiPointSlice`]) are valid only for the call they are passed to; an owned
//! [`FfiString`] carries the `release` function of the side that allocated it.

use std::ffi::c_void;

use crate::{DataPoint, Value};

/// A borrowed UTF-8 string (pointer + length), valid for the duration of one call.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct FfiStr {
    /// First byte; may be null when `len` is 0.
    pub ptr: *const u8,
    /// Length in bytes.
    pub len: usize,
}

impl FfiStr {
    /// Borrows `s` for one call.
    pub const fn new(s: &str) -> FfiStr {
        FfiStr {
            ptr: s.as_ptr(),
            len: s.len(),
        }
    }

    /// The text, or an error when it is not UTF-8.
    ///
    /// # Safety
    /// `ptr` must point to `len` readable bytes that outlive `'a` (or be null with `len` 0).
    pub unsafe fn to_str<'a>(self) -> Result<&'a str, String> {
        if self.ptr.is_null() || self.len == 0 {
            return Ok("");
        }
        let bytes = std::slice::from_raw_parts(self.ptr, self.len);
        std::str::from_utf8(bytes).map_err(|e| format!("cannot read string: {e}"))
    }
}

/// Frees the bytes of an [`FfiString`] on the side that allocated them.
pub type ReleaseStringFn = unsafe extern "C" fn(ptr: *mut u8, len: usize, cap: usize);

/// An owned UTF-8 string handed across the boundary; dropping it calls its creator's `release`.
#[repr(C)]
#[derive(Debug)]
pub struct FfiString {
    /// First byte; null for the empty string without allocation.
    pub ptr: *mut u8,
    /// Length in bytes.
    pub len: usize,
    /// Allocated capacity (only meaningful to `release`).
    pub cap: usize,
    /// Frees the bytes; `None` when nothing was allocated.
    pub release: Option<ReleaseStringFn>,
}

unsafe extern "C" fn release_string(ptr: *mut u8, len: usize, cap: usize) {
    // SAFETY: the triple comes from `FfiString::new` on this side of the boundary.
    drop(unsafe { String::from_raw_parts(ptr, len, cap) });
}

impl FfiString {
    /// The empty string (nothing to release).
    pub const fn empty() -> FfiString {
        FfiString {
            ptr: std::ptr::null_mut(),
            len: 0,
            cap: 0,
            release: None,
        }
    }

    /// Hands `s` over; it is freed by this side's allocator when the receiver drops it.
    pub fn new(s: String) -> FfiString {
        let mut s = std::mem::ManuallyDrop::new(s);
        FfiString {
            ptr: s.as_mut_ptr(),
            len: s.len(),
            cap: s.capacity(),
            release: Some(release_string),
        }
    }

    /// A copy of the text (invalid UTF-8 is replaced, never trusted).
    pub fn to_string_lossy(&self) -> String {
        if self.ptr.is_null() || self.len == 0 {
            return String::new();
        }
        // SAFETY: `ptr`/`len` describe the live allocation this value owns.
        let bytes = unsafe { std::slice::from_raw_parts(self.ptr, self.len) };
        String::from_utf8_lossy(bytes).into_owned()
    }
}

impl Drop for FfiString {
    fn drop(&mut self) {
        if let Some(release) = self.release.take() {
            // SAFETY: `release` belongs to the side that produced this allocation.
            unsafe { release(self.ptr, self.len, self.cap) };
        }
    }
}

/// Value kinds of an [`FfiPoint`]; any other number is refused by the reader.
pub mod value_kind {
    /// `bits` is the `i64` value.
    pub const LONG: u32 = 0;
    /// `bits` is `f64::to_bits` of the value.
    pub const DOUBLE: u32 = 1;
    /// `text` points to `bits` bytes of UTF-8, borrowed for the call.
    pub const TEXT: u32 = 2;
    /// No value (`NullDataPoint`); `bits` 0 and `text` null.
    pub const NULL: u32 = 3;
}

/// One data point as it crosses: timestamp, value kind, value bits, and text for text values.
///
/// Layout (32 bytes on 64-bit targets): `timestamp: i64`, `kind: u32` (see [`value_kind`]),
/// `bits: u64` (the long, the double's bits, or the text's byte length), `text: *const u8`
/// (text values only; borrowed from the sender for the duration of the call).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct FfiPoint {
    /// Milliseconds since the epoch.
    pub timestamp: i64,
    /// One of the [`value_kind`] constants.
    pub kind: u32,
    /// Long value, double bits, or text length.
    pub bits: u64,
    /// UTF-8 bytes of a text value; null otherwise.
    pub text: *const u8,
}

impl FfiPoint {
    /// A view of `p` that borrows its text.
    pub fn borrow(p: &DataPoint) -> FfiPoint {
        let (kind, bits, text) = match &p.value {
            Value::Long(v) => (value_kind::LONG, *v as u64, std::ptr::null()),
            Value::Double(v) => (value_kind::DOUBLE, v.to_bits(), std::ptr::null()),
            Value::Text(s) => (value_kind::TEXT, s.len() as u64, s.as_ptr()),
            Value::Null => (value_kind::NULL, 0, std::ptr::null()),
        };
        FfiPoint {
            timestamp: p.timestamp,
            kind,
            bits,
            text,
        }
    }

    /// An owned copy of the point; refuses unknown kinds and text that is not UTF-8.
    ///
    /// # Safety
    /// For text points, `text` must point to `bits` readable bytes.
    pub unsafe fn to_point(&self) -> Result<DataPoint, String> {
        let value = match self.kind {
            value_kind::LONG => Value::Long(self.bits as i64),
            value_kind::DOUBLE => Value::Double(f64::from_bits(self.bits)),
            value_kind::TEXT => {
                let s = FfiStr {
                    ptr: self.text,
                    len: self.bits as usize,
                };
                Value::Text(s.to_str()?.to_string())
            }
            value_kind::NULL => Value::Null,
            other => {
                return Err(format!(
                    "cannot read data point: unknown value kind {other}"
                ))
            }
        };
        Ok(DataPoint {
            timestamp: self.timestamp,
            value,
        })
    }
}

/// A borrowed run of points, valid for the duration of one call.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct FfiPointSlice {
    /// First point; may be dangling or null when `len` is 0.
    pub ptr: *const FfiPoint,
    /// Number of points.
    pub len: usize,
}

impl FfiPointSlice {
    /// Borrows `points` for one call.
    pub fn new(points: &[FfiPoint]) -> FfiPointSlice {
        FfiPointSlice {
            ptr: points.as_ptr(),
            len: points.len(),
        }
    }

    /// The points.
    ///
    /// # Safety
    /// `ptr` must point to `len` initialised points that outlive `'a`.
    pub unsafe fn as_slice<'a>(self) -> &'a [FfiPoint] {
        if self.ptr.is_null() || self.len == 0 {
            return &[];
        }
        std::slice::from_raw_parts(self.ptr, self.len)
    }
}

/// Fills `buf` (cleared first) with borrowed views of `points`.
pub fn borrow_points(points: &[DataPoint], buf: &mut Vec<FfiPoint>) {
    buf.clear();
    buf.extend(points.iter().map(FfiPoint::borrow));
}

/// Appends owned copies of `points` to `out`; stops at the first unreadable point.
///
/// # Safety
/// `points` must satisfy [`FfiPointSlice::as_slice`] and [`FfiPoint::to_point`].
pub unsafe fn copy_points(points: FfiPointSlice, out: &mut Vec<DataPoint>) -> Result<(), String> {
    let points = points.as_slice();
    out.reserve(points.len());
    for p in points {
        out.push(p.to_point()?);
    }
    Ok(())
}

/// Receives output points: the host's buffer and the function that copies points into it.
#[repr(C)]
#[derive(Debug)]
pub struct FfiPointSink {
    /// The host's buffer, opaque to the plugin.
    pub ctx: *mut c_void,
    /// Copies `points` into `ctx`; the points only need to live for this call.
    pub push: unsafe extern "C" fn(ctx: *mut c_void, points: FfiPointSlice),
}
