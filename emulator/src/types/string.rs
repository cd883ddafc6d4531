//! String values with Redis's three encodings: `int`, `embstr` and `raw`.
//!
//! Short `embstr` strings (most keys' values) are stored inside the value itself, so a typical
//! small string key needs no allocation besides its slot in the key table. The value is 32
//! bytes whatever its variant.

use std::borrow::Cow;
use std::fmt;

use crate::util::parse_i64;

/// Strings up to this length are created `embstr` (Redis's OBJ_ENCODING_EMBSTR_SIZE_LIMIT).
pub const EMBSTR_LIMIT: usize = 44;

/// `embstr` strings up to this length are stored inline (what fits next to the length byte
/// and the variant tag in 32 bytes).
pub const INLINE_LIMIT: usize = 30;

/// An `embstr` string of at most [`INLINE_LIMIT`] bytes, stored in place.
#[derive(Clone, Copy)]
pub struct InlineBytes {
    len: u8,
    bytes: [u8; INLINE_LIMIT],
}

impl InlineBytes {
    /// Some if `data` fits.
    fn new(data: &[u8]) -> Option<InlineBytes> {
        let mut bytes = [0u8; INLINE_LIMIT];
        bytes.get_mut(..data.len())?.copy_from_slice(data);
        Some(InlineBytes {
            len: data.len() as u8,
            bytes,
        })
    }

    pub fn as_slice(&self) -> &[u8] {
        // `len` never exceeds INLINE_LIMIT (see `new`).
        &self.bytes[..usize::from(self.len)]
    }
}

impl PartialEq for InlineBytes {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for InlineBytes {}

impl fmt::Debug for InlineBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(self.as_slice()))
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StringValue {
    /// A canonical decimal integer (Redis stores these as `int`).
    Int(i64),
    /// A short `embstr` string, stored inline.
    Inline(InlineBytes),
    /// Bytes on the heap, reported as `embstr` when `embedded` (created whole and short) else
    /// `raw`.
    Bytes { data: Vec<u8>, embedded: bool },
}

impl StringValue {
    /// A value as SET creates it: integers become `int`, short strings `embstr`.
    pub fn new(data: Vec<u8>) -> StringValue {
        StringValue::from_slice(&data).unwrap_or_else(|| StringValue::unencoded(data))
    }

    /// Like `new` for borrowed bytes: the value, unless it needs `data` moved to the heap
    /// (then None, and the caller should use `new` with an owned vector).
    fn from_slice(data: &[u8]) -> Option<StringValue> {
        if data.len() <= 20 {
            if let Some(n) = parse_i64(data) {
                return Some(StringValue::Int(n));
            }
        }
        InlineBytes::new(data).map(StringValue::Inline)
    }

    /// A value as SET creates it from borrowed bytes, copying them only if they need the heap.
    pub fn copied(data: &[u8]) -> StringValue {
        StringValue::from_slice(data).unwrap_or_else(|| StringValue::unencoded(data.to_vec()))
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
        if let Some(inline) = InlineBytes::new(&data) {
            return StringValue::Inline(inline);
        }
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
            StringValue::Inline(inline) => Cow::Borrowed(inline.as_slice()),
            StringValue::Bytes { data, .. } => Cow::Borrowed(data),
        }
    }

    /// Turns the value into a `raw` byte string and gives access to its bytes, as Redis does
    /// before modifying a string in place (dbUnshareStringValue).
    pub fn make_raw(&mut self) -> &mut Vec<u8> {
        match self {
            StringValue::Int(n) => *self = StringValue::raw(n.to_string().into_bytes()),
            StringValue::Inline(inline) => *self = StringValue::raw(inline.as_slice().to_vec()),
            StringValue::Bytes { embedded, .. } => *embedded = false,
        }
        match self {
            StringValue::Bytes { data, .. } => data,
            _ => unreachable!("the value was made a raw byte string above"),
        }
    }

    pub fn encoding(&self) -> &'static str {
        match self {
            StringValue::Int(_) => "int",
            _ if self.is_embstr() => "embstr",
            _ => "raw",
        }
    }

    /// Whether Redis would hold this string as one allocation with its object header.
    pub fn is_embstr(&self) -> bool {
        matches!(
            self,
            StringValue::Inline(_) | StringValue::Bytes { embedded: true, .. }
        )
    }

    /// Bytes the string has room for: more than its length when a `raw` string kept spare
    /// room from growing (as an sds string does).
    pub fn capacity(&self) -> usize {
        match self {
            StringValue::Bytes {
                data,
                embedded: false,
            } => data.capacity().max(data.len()),
            _ => self.len(),
        }
    }

    /// The value's bytes (integers rendered in decimal).
    pub fn to_bytes(&self) -> Vec<u8> {
        self.bytes().into_owned()
    }

    pub fn len(&self) -> usize {
        match self {
            StringValue::Int(n) => decimal_len(*n),
            StringValue::Inline(inline) => inline.as_slice().len(),
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
            StringValue::Inline(inline) => parse_i64(inline.as_slice()),
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
        assert_eq!(StringValue::new(vec![b'x'; 30]).encoding(), "embstr");
        assert_eq!(StringValue::new(vec![b'x'; 31]).encoding(), "embstr");
        assert_eq!(StringValue::new(vec![b'x'; 44]).encoding(), "embstr");
        assert_eq!(StringValue::new(vec![b'x'; 45]).encoding(), "raw");
        assert_eq!(StringValue::copied(&[b'x'; 44]).encoding(), "embstr");
        assert_eq!(StringValue::copied(b"-7"), StringValue::Int(-7));
        assert_eq!(StringValue::unencoded(b"1".to_vec()).encoding(), "embstr");
        assert_eq!(StringValue::raw(b"1".to_vec()).encoding(), "raw");
        assert_eq!(StringValue::Int(-120).len(), 4);
        assert_eq!(StringValue::Int(i64::MIN).len(), 20);
    }

    #[test]
    fn short_strings_are_inline_and_small() {
        assert_eq!(std::mem::size_of::<StringValue>(), 32);
        let short = StringValue::new(b"value:123456".to_vec());
        assert!(matches!(short, StringValue::Inline(_)));
        assert_eq!(short.bytes().as_ref(), b"value:123456");
        assert_eq!(short.len(), 12);
        assert_eq!(short.capacity(), 12);
        assert!(matches!(
            StringValue::new(vec![b'x'; 31]),
            StringValue::Bytes { embedded: true, .. }
        ));
        assert_eq!(StringValue::new(Vec::new()).bytes().as_ref(), b"");
        assert_eq!(StringValue::copied(b"12a").as_i64(), None);
        assert_eq!(StringValue::copied(b"00").as_i64(), None);
    }

    #[test]
    fn modifying_in_place_makes_raw() {
        let mut s = StringValue::new(b"abc".to_vec());
        s.make_raw().push(b'd');
        assert_eq!(s.encoding(), "raw");
        assert_eq!(s.to_bytes(), b"abcd");
        let mut n = StringValue::from_int(-5);
        n.make_raw().push(b'0');
        assert_eq!(n, StringValue::raw(b"-50".to_vec()));
        let mut long = StringValue::new(vec![b'y'; 40]);
        long.make_raw();
        assert_eq!(long.encoding(), "raw");
    }
}
