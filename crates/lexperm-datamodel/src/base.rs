//! Hand-written RFC 4648 codecs: base32 lower case without padding (the multibase `b` form of CIDs) and
//! base64 decoding (the `$bytes` form of the atproto data model).

const BASE32_ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
const BASE64_ALPHABET: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Why a base32 or base64 string could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DecodeError {
    /// A character outside the alphabet, at this byte offset.
    InvalidChar { offset: usize, found: char },
    /// The length leaves a partial symbol that cannot hold a whole byte.
    InvalidLength { len: usize },
    /// The unused low bits of the last symbol are not zero (not the canonical encoding).
    NonZeroTrailingBits,
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::InvalidChar { offset, found } => {
                write!(f, "invalid character {found:?} at offset {offset}")
            }
            DecodeError::InvalidLength { len } => {
                write!(f, "length {len} cannot be a whole number of bytes")
            }
            DecodeError::NonZeroTrailingBits => {
                write!(f, "the last character has non-zero unused bits")
            }
        }
    }
}

/// Encodes bytes as lower-case base32 without padding.
pub(crate) fn base32_lower_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let mut buffer: u32 = 0;
    let mut bits: u32 = 0;
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(BASE32_ALPHABET[((buffer >> bits) & 31) as usize] as char);
        }
        buffer &= (1 << bits) - 1;
    }
    if bits > 0 {
        out.push(BASE32_ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// Decodes lower-case base32 without padding.
pub(crate) fn base32_lower_decode(text: &str) -> Result<Vec<u8>, DecodeError> {
    decode_bits(text, 5, |c| match c {
        b'a'..=b'z' => Some(c - b'a'),
        b'2'..=b'7' => Some(c - b'2' + 26),
        _ => None,
    })
}

/// Decodes standard-alphabet base64 (RFC 4648 §4). Trailing `=` padding is accepted but not required.
pub(crate) fn base64_decode(text: &str) -> Result<Vec<u8>, DecodeError> {
    let unpadded = text.trim_end_matches('=');
    let padding = text.len() - unpadded.len();
    if padding > 0 && (padding > 2 || !text.len().is_multiple_of(4)) {
        return Err(DecodeError::InvalidLength { len: text.len() });
    }
    decode_bits(unpadded, 6, |c| {
        BASE64_ALPHABET
            .iter()
            .position(|&a| a == c)
            .map(|index| index as u8)
    })
}

/// Encodes bytes as standard-alphabet base64 without padding (used in tests and error messages).
#[cfg(any(test, feature = "test-support"))]
pub(crate) fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::new();
    let mut buffer: u32 = 0;
    let mut bits: u32 = 0;
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 6 {
            bits -= 6;
            out.push(BASE64_ALPHABET[((buffer >> bits) & 63) as usize] as char);
        }
        buffer &= (1 << bits) - 1;
    }
    if bits > 0 {
        out.push(BASE64_ALPHABET[((buffer << (6 - bits)) & 63) as usize] as char);
    }
    out
}

fn decode_bits(
    text: &str,
    bits_per_char: u32,
    symbol: impl Fn(u8) -> Option<u8>,
) -> Result<Vec<u8>, DecodeError> {
    let mut out = Vec::with_capacity(text.len() * bits_per_char as usize / 8);
    let mut buffer: u32 = 0;
    let mut bits: u32 = 0;
    for (offset, byte) in text.bytes().enumerate() {
        let Some(value) = symbol(byte) else {
            let found = text[offset..].chars().next().unwrap_or('\u{fffd}');
            return Err(DecodeError::InvalidChar { offset, found });
        };
        buffer = (buffer << bits_per_char) | u32::from(value);
        bits += bits_per_char;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    if bits >= bits_per_char {
        return Err(DecodeError::InvalidLength { len: text.len() });
    }
    if buffer != 0 {
        return Err(DecodeError::NonZeroTrailingBits);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base32_matches_rfc4648_vectors_in_lower_case() {
        // RFC 4648 §10 test vectors, lower-cased and without padding.
        let vectors = [
            ("", ""),
            ("f", "my"),
            ("fo", "mzxq"),
            ("foo", "mzxw6"),
            ("foob", "mzxw6yq"),
            ("fooba", "mzxw6ytb"),
            ("foobar", "mzxw6ytboi"),
        ];
        for (plain, encoded) in vectors {
            assert_eq!(base32_lower_encode(plain.as_bytes()), encoded);
            assert_eq!(base32_lower_decode(encoded).unwrap(), plain.as_bytes());
        }
    }

    #[test]
    fn base64_matches_rfc4648_vectors() {
        let vectors = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in vectors {
            assert_eq!(base64_decode(encoded).unwrap(), plain.as_bytes());
            let unpadded = encoded.trim_end_matches('=');
            assert_eq!(base64_decode(unpadded).unwrap(), plain.as_bytes());
            assert_eq!(base64_encode(plain.as_bytes()), unpadded);
        }
    }

    #[test]
    fn decoders_reject_bad_input() {
        assert_eq!(
            base32_lower_decode("MZXQ"),
            Err(DecodeError::InvalidChar {
                offset: 0,
                found: 'M'
            })
        );
        assert_eq!(
            base32_lower_decode("m"),
            Err(DecodeError::InvalidLength { len: 1 })
        );
        assert_eq!(
            base32_lower_decode("mz"),
            Err(DecodeError::NonZeroTrailingBits)
        );
        assert_eq!(
            base64_decode("Zg-="),
            Err(DecodeError::InvalidChar {
                offset: 2,
                found: '-'
            })
        );
        assert_eq!(base64_decode("Zh"), Err(DecodeError::NonZeroTrailingBits));
        assert_eq!(
            base64_decode("Z"),
            Err(DecodeError::InvalidLength { len: 1 })
        );
        assert_eq!(
            base64_decode("Zg="),
            Err(DecodeError::InvalidLength { len: 3 })
        );
    }
}
