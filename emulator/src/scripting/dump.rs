//! The FUNCTION DUMP payload, byte-for-byte Redis's: for each library the RDB opcode
//! `FUNCTION2` (245) and its code as an RDB string (LZF-compressed when that saves at least
//! four bytes), then the RDB version (10, little-endian) and a CRC-64 of everything before it.
//! FUNCTION RESTORE also reads the older `FUNCTION` (246) records of Redis 7.0 release
//! candidates.

use crate::persistence::crc64::crc64;
use crate::persistence::lzf;

const OPCODE_FUNCTION2: u8 = 245;
const OPCODE_FUNCTION: u8 = 246;
const RDB_VERSION: u16 = 10;

/// Serializes library codes into a payload.
pub fn dump<'a>(codes: impl IntoIterator<Item = &'a [u8]>) -> Vec<u8> {
    let mut out = Vec::new();
    for code in codes {
        out.push(OPCODE_FUNCTION2);
        save_string(&mut out, code);
    }
    out.extend_from_slice(&RDB_VERSION.to_le_bytes());
    let crc = crc64(0, &out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

fn save_len(out: &mut Vec<u8>, len: u64) {
    if len < 1 << 6 {
        out.push(len as u8);
    } else if len < 1 << 14 {
        out.push(0x40 | (len >> 8) as u8);
        out.push(len as u8);
    } else if len <= u64::from(u32::MAX) {
        out.push(0x80);
        out.extend_from_slice(&(len as u32).to_be_bytes());
    } else {
        out.push(0x81);
        out.extend_from_slice(&len.to_be_bytes());
    }
}

fn save_string(out: &mut Vec<u8>, s: &[u8]) {
    if s.len() <= 11 {
        if let Some(encoded) = integer_encoding(s) {
            out.extend_from_slice(&encoded);
            return;
        }
    }
    if s.len() > 20 {
        if let Some(compressed) = lzf::compress(s, s.len() - 4) {
            out.push(0xC0 | 3);
            save_len(out, compressed.len() as u64);
            save_len(out, s.len() as u64);
            out.extend_from_slice(&compressed);
            return;
        }
    }
    save_len(out, s.len() as u64);
    out.extend_from_slice(s);
}

/// RDB's integer encoding of a string that is the canonical text of a 32-bit integer.
fn integer_encoding(s: &[u8]) -> Option<Vec<u8>> {
    let value = crate::util::parse_i64(s)?;
    if let Ok(v) = i8::try_from(value) {
        Some(vec![0xC0, v as u8])
    } else if let Ok(v) = i16::try_from(value) {
        let mut out = vec![0xC1];
        out.extend_from_slice(&v.to_le_bytes());
        Some(out)
    } else if let Ok(v) = i32::try_from(value) {
        let mut out = vec![0xC2];
        out.extend_from_slice(&v.to_le_bytes());
        Some(out)
    } else {
        None
    }
}

/// Why a payload cannot be restored.
#[derive(Debug, PartialEq, Eq)]
pub enum PayloadError {
    /// Bad version or checksum: "DUMP payload version or checksum are wrong".
    Envelope,
    /// A record fails to load; the message is Redis's.
    Record(String),
}

/// Checks the payload's footer and returns the library codes it holds.
pub fn restore(payload: &[u8]) -> Result<Vec<Vec<u8>>, PayloadError> {
    if payload.len() < 10 {
        return Err(PayloadError::Envelope);
    }
    let footer = payload.len() - 10;
    let version = u16::from_le_bytes([payload[footer], payload[footer + 1]]);
    if version > RDB_VERSION {
        return Err(PayloadError::Envelope);
    }
    let mut crc_bytes = [0u8; 8];
    crc_bytes.copy_from_slice(&payload[footer + 2..]);
    if crc64(0, &payload[..payload.len() - 8]) != u64::from_le_bytes(crc_bytes) {
        return Err(PayloadError::Envelope);
    }
    let mut reader = Reader {
        data: payload,
        pos: 0,
    };
    let mut codes = Vec::new();
    while payload.len() - reader.pos > 10 {
        let Some(kind) = reader.byte() else {
            return Err(PayloadError::Record("can not read data type".into()));
        };
        match kind {
            OPCODE_FUNCTION2 => match reader.string() {
                Some(code) => codes.push(code),
                None => return Err(record("Failed loading library payload")),
            },
            OPCODE_FUNCTION => codes.push(reader.old_format_library()?),
            _ => return Err(record("given type is not a function")),
        }
    }
    Ok(codes)
}

fn record(msg: &str) -> PayloadError {
    PayloadError::Record(msg.into())
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn byte(&mut self) -> Option<u8> {
        let b = *self.data.get(self.pos)?;
        self.pos += 1;
        Some(b)
    }

    fn bytes(&mut self, n: usize) -> Option<&[u8]> {
        let end = self.pos.checked_add(n)?;
        let s = self.data.get(self.pos..end)?;
        self.pos = end;
        Some(s)
    }

    /// A length, or the encoding of a specially encoded string (`Err`).
    fn len(&mut self) -> Option<Result<u64, u8>> {
        let first = self.byte()?;
        Some(match first >> 6 {
            0 => Ok(u64::from(first & 0x3f)),
            1 => Ok((u64::from(first & 0x3f) << 8) | u64::from(self.byte()?)),
            2 if first == 0x80 => {
                let b = self.bytes(4)?;
                Ok(u64::from(u32::from_be_bytes([b[0], b[1], b[2], b[3]])))
            }
            2 if first == 0x81 => {
                let mut buf = [0u8; 8];
                buf.copy_from_slice(self.bytes(8)?);
                Ok(u64::from_be_bytes(buf))
            }
            2 => return None,
            _ => Err(first & 0x3f),
        })
    }

    fn plain_len(&mut self) -> Option<u64> {
        self.len()?.ok()
    }

    fn string(&mut self) -> Option<Vec<u8>> {
        match self.len()? {
            Ok(len) => Some(self.bytes(usize::try_from(len).ok()?)?.to_vec()),
            Err(0) => Some((self.byte()? as i8).to_string().into_bytes()),
            Err(1) => {
                let b = self.bytes(2)?;
                Some(i16::from_le_bytes([b[0], b[1]]).to_string().into_bytes())
            }
            Err(2) => {
                let b = self.bytes(4)?;
                Some(
                    i32::from_le_bytes([b[0], b[1], b[2], b[3]])
                        .to_string()
                        .into_bytes(),
                )
            }
            Err(3) => {
                let compressed_len = usize::try_from(self.plain_len()?).ok()?;
                let len = usize::try_from(self.plain_len()?).ok()?;
                let compressed = self.bytes(compressed_len)?;
                lzf::decompress(compressed, len)
            }
            Err(_) => None,
        }
    }

    /// A 7.0-rc record: name, engine, optional description, code without its shebang.
    fn old_format_library(&mut self) -> Result<Vec<u8>, PayloadError> {
        let name = self
            .string()
            .ok_or_else(|| record("Failed loading library name"))?;
        let engine = self
            .string()
            .ok_or_else(|| record("Failed loading engine name"))?;
        let has_description = self
            .plain_len()
            .ok_or_else(|| record("Failed loading library description indicator"))?;
        if has_description != 0 {
            self.string()
                .ok_or_else(|| record("Failed loading library description"))?;
        }
        let blob = self
            .string()
            .ok_or_else(|| record("Failed loading library blob"))?;
        Ok(library_code(&engine, &name, &blob))
    }
}

/// A library's source as FUNCTION LOAD takes it, rebuilt from the engine, name and body a
/// payload stores (the `#!<engine> name=<name>` shebang line, then the body).
pub(crate) fn library_code(engine: &[u8], name: &[u8], body: &[u8]) -> Vec<u8> {
    let mut code = b"#!".to_vec();
    code.extend_from_slice(engine);
    code.extend_from_slice(b" name=");
    code.extend_from_slice(name);
    code.push(b'\n');
    code.extend_from_slice(body);
    code
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_corruption() {
        let a = b"#!lua name=a\nredis.register_function('fa', function() return 1 end)".to_vec();
        let b = b"#!lua name=b\nredis.register_function('fb', function() return 2 end)".to_vec();
        let payload = dump([a.as_slice(), b.as_slice()]);
        assert_eq!(restore(&payload), Ok(vec![a, b]));
        let mut bad = payload.clone();
        bad[3] ^= 1;
        assert_eq!(restore(&bad), Err(PayloadError::Envelope));
        assert_eq!(restore(b"bad_payload"), Err(PayloadError::Envelope));
        assert_eq!(restore(&dump([])), Ok(vec![]));
    }
}
