//! String values with Redis's three encodings: `int`, `embstr` and `raw`.

use std::borrow::Cow;

use crate::util::parse_i64;

/// Strings up to this length are created `embstr` (Redis's OBJ_ENCODING_EMBSTR_SIZE_LIMIT).
pub const EMBSTR_LIMIT: usize = 44;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StringValue {
    /// A canonical decimal integer (Redis stores these as `int`).
    Int(i64),
    /// Bytes, reported as `embstr` when `embedded` (created whole and short) else `raw`.
    Bytes { data: Vec<u8>, embedded: bool },
}

impl StringValue {
    /// A value as SET creates it: integers become `int`, short strings `embstr`.
    pub fn new(data: Vec<u8>) -> StringValue {
        if data.len() <= 20 {
            if let Some(n) = parse_i64(&data) {
                return StringValue::Int(n);
            }
        }
        let embedded = data.len() <= EMBSTR_LIMIT;
        StringValue::Bytes { data, embedded }
    }

    /// A value that was modified in place (APPEND, SETRANGE, SETBIT...): always `raw`.
    pub fn raw(data: Vec<u8>) -> StringValue {
        StringValue::Bytes {
            data,
            embedded: false,
        }
    }

    /// A value built from bytes without trying the integer encoding (Redis's
    /// createStringObject, used for INCRBYFLOAT results): `embstr` if short, else `raw`.
    pub fn unencoded(data: Vec<u8>) -> StringValue {
        let embedded = data.len() <= EMBSTR_LIMIT;
        StringValue::Bytes { data, embedded }
    }

    pub fn from_int(n: i64) -> StringValue {
        StringValue::Int(n)
    }

    /// The value's bytes without copying them (integers are rendered in decimal).
    pub fn bytes(&self) -> Cow<'_, [u8]> {
        match self {
            StringValue::Int(n) => Cow::Owned(n.to_string().into_bytes()),
            StringValue::Bytes { data, .. } => Cow::Borrowed(data),
        }
    }

    /// Turns the value into a `raw` byte string and gives access to its bytes, as Redis does
    /// before modifying a string in place (dbUnshareStringValue).
    pub fn make_raw(&mut self) -> &mut Vec<u8> {
        if let StringValue::Int(n) = *self {
            *self = StringValue::raw(n.to_string().into_bytes());
        }
        match self {
            StringValue::Bytes { data, embedded } => {
                *embedded = false;
                data
            }
            StringValue::Int(_) => unreachable!("integers were converted above"),
        }
    }

    pub fn encoding(&self) -> &'static str {
        match self {
            StringValue::Int(_) => "int",
            StringValue::Bytes { embedded: true, .. } => "embstr",
            StringValue::Bytes {
                embedded: false, ..
            } => "raw",
        }
    }

    /// The value's bytes (integers rendered in decimal).
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            StringValue::Int(n) => n.to_string().into_bytes(),
            StringValue::Bytes { data, .. } => data.clone(),
        }
    }

    pub fn len(&self) -> usize {
        match self {
            StringValue::Int(n) => decimal_len(*n),
            StringValue::Bytes { data, .. } => data.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value as an integer, if it is one in canonical form.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            StringValue::Int(n) => Some(*n),
            StringValue::Bytes { data, .. } => parse_i64(data),
        }
    }
}

fn decimal_len(n: i64) -> usize {
    let mut len = if n < 0 { 2 } else { 1 };
    let mut v = n.unsigned_abs();
    while v >= 10 {
        v /= 10;
        len += 1;
    }
    len
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_follow_redis() {
        assert_eq!(StringValue::new(b"123".to_vec()).encoding(), "int");
        assert_eq!(StringValue::new(b"0123".to_vec()).encoding(), "embstr");
        assert_eq!(StringValue::new(vec![b'x'; 44]).encoding(), "embstr");
        assert_eq!(StringValue::new(vec![b'x'; 45]).encoding(), "raw");
        assert_eq!(StringValue::Int(-120).len(), 4);
        assert_eq!(StringValue::Int(i64::MIN).len(), 20);
    }
}
