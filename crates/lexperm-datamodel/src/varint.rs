//! Unsigned varints as multiformats defines them (CIDs, CAR section lengths): little-endian base-128
//! groups, the high bit of each byte set when another byte follows, at most 9 bytes (63 bits), and
//! always in their shortest form.
//!
//! ```
//! use lexperm_datamodel::varint::{self, VarintError};
//!
//! let mut out = Vec::new();
//! varint::encode(&mut out, 300);
//! assert_eq!(out, [0xac, 0x02]);
//! let mut at = 0;
//! assert_eq!(varint::decode(&out, &mut at), Ok(300));
//! assert_eq!(at, 2);
//! // 1 written in two bytes is not the shortest form.
//! assert_eq!(varint::decode(&[0x81, 0x00], &mut 0), Err(VarintError::NonMinimal { offset: 0 }));
//! ```

/// The longest varint multiformats allows, in bytes.
pub const MAX_LEN: usize = 9;

/// Why a varint could not be read; `offset` is where the varint starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VarintError {
    /// The input ends before the byte without a continuation bit.
    #[error("a varint at offset {offset} is cut off")]
    Truncated {
        /// Where the varint starts.
        offset: usize,
    },
    /// The last byte is zero, so a shorter encoding of the same value exists.
    #[error("a varint at offset {offset} is not in its shortest form")]
    NonMinimal {
        /// Where the varint starts.
        offset: usize,
    },
    /// More than [`MAX_LEN`] bytes: the value does not fit in 63 bits.
    #[error("a varint at offset {offset} is longer than {MAX_LEN} bytes")]
    Overflow {
        /// Where the varint starts.
        offset: usize,
    },
}

/// Appends `value` in its shortest form. Values of 2^63 and above take 10 bytes, which
/// [`decode`] refuses; the data model never writes them.
pub fn encode(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// Reads the varint at `*at` and moves `*at` past it. On error `*at` is unchanged.
pub fn decode(bytes: &[u8], at: &mut usize) -> Result<u64, VarintError> {
    let offset = *at;
    let mut value: u64 = 0;
    for index in 0..MAX_LEN {
        let Some(&byte) = bytes.get(offset + index) else {
            return Err(VarintError::Truncated { offset });
        };
        value |= u64::from(byte & 0x7f) << (7 * index);
        if byte & 0x80 == 0 {
            if byte == 0 && index > 0 {
                return Err(VarintError::NonMinimal { offset });
            }
            *at = offset + index + 1;
            return Ok(value);
        }
    }
    Err(VarintError::Overflow { offset })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_at_every_length() {
        for value in [
            0,
            1,
            127,
            128,
            300,
            16_383,
            16_384,
            u64::from(u32::MAX),
            (1 << 63) - 1,
        ] {
            let mut out = vec![0xff];
            encode(&mut out, value);
            let mut at = 1;
            assert_eq!(decode(&out, &mut at), Ok(value), "{value}");
            assert_eq!(at, out.len());
        }
        let mut out = Vec::new();
        encode(&mut out, (1 << 63) - 1);
        assert_eq!(out.len(), MAX_LEN);
    }

    #[test]
    fn non_minimal_encodings_are_rejected() {
        for bytes in [
            &[0x80, 0x00][..],
            &[0x81, 0x80, 0x00],
            &[0xff, 0x80, 0x80, 0x00],
        ] {
            let mut at = 0;
            assert_eq!(
                decode(bytes, &mut at),
                Err(VarintError::NonMinimal { offset: 0 }),
                "{bytes:x?}"
            );
            assert_eq!(at, 0);
        }
        // A lone zero byte is the shortest form of 0.
        assert_eq!(decode(&[0x00], &mut 0), Ok(0));
    }

    #[test]
    fn truncated_and_overlong_varints_are_rejected() {
        let mut at = 1;
        assert_eq!(
            decode(&[0x05, 0x80, 0x80], &mut at),
            Err(VarintError::Truncated { offset: 1 })
        );
        assert_eq!(
            decode(&[], &mut 0),
            Err(VarintError::Truncated { offset: 0 })
        );
        let ten = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01];
        assert_eq!(
            decode(&ten, &mut 0),
            Err(VarintError::Overflow { offset: 0 })
        );
        assert_eq!(
            VarintError::Overflow { offset: 3 }.to_string(),
            "a varint at offset 3 is longer than 9 bytes"
        );
    }
}
