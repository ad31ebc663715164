//! RFC 4648 codecs through `data-encoding`: base32 lower case without padding (the multibase `b` form
//! of CIDs) and standard-alphabet base64 (the `$bytes` form of the atproto data model), both
//! refusing non-zero trailing bits so every byte string has exactly one accepted text.

use std::sync::LazyLock;

use data_encoding::{DecodeKind, Encoding, Specification, BASE64_NOPAD};

/// Base32 (RFC 4648 §6) with the lower-case alphabet and no padding.
static BASE32_LOWER: LazyLock<Encoding> = LazyLock::new(|| {
    let mut spec = Specification::new();
    spec.symbols.push_str("abcdefghijklmnopqrstuvwxyz234567");
    spec.check_trailing_bits = true;
    spec.encoding()
        .expect("32 distinct ASCII symbols form a valid specification")
});

/// Why a base32 or base64 string could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum DecodeError {
    /// A character outside the alphabet, at this byte offset.
    #[error("invalid character {found:?} at offset {offset}")]
    InvalidChar { offset: usize, found: char },
    /// The length leaves a partial symbol that cannot hold a whole byte.
    #[error("length {len} cannot be a whole number of bytes")]
    InvalidLength { len: usize },
    /// The unused low bits of the last symbol are not zero (not the canonical encoding).
    #[error("the last character has non-zero unused bits")]
    NonZeroTrailingBits,
}

/// Encodes bytes as lower-case base32 without padding.
pub(crate) fn base32_lower_encode(bytes: &[u8]) -> String {
    BASE32_LOWER.encode(bytes)
}

/// Decodes lower-case base32 without padding.
pub(crate) fn base32_lower_decode(text: &str) -> Result<Vec<u8>, DecodeError> {
    decode(&BASE32_LOWER, text)
}

/// Decodes standard-alphabet base64 (RFC 4648 §4). Trailing `=` padding is accepted but not required;
/// when present it must make the length a multiple of 4.
pub(crate) fn base64_decode(text: &str) -> Result<Vec<u8>, DecodeError> {
    let unpadded = text.trim_end_matches('=');
    let padding = text.len() - unpadded.len();
    if padding > 0 && (padding > 2 || !text.len().is_multiple_of(4)) {
        return Err(DecodeError::InvalidLength { len: text.len() });
    }
    decode(&BASE64_NOPAD, unpadded)
}

/// Encodes bytes as standard-alphabet base64 without padding (used in tests).
#[cfg(any(test, feature = "test-support"))]
pub(crate) fn base64_encode(bytes: &[u8]) -> String {
    BASE64_NOPAD.encode(bytes)
}

/// Decodes with an unpadded `encoding`. A character outside the alphabet is reported before a bad
/// length, wherever it is; `data-encoding` checks the length first, so that case looks for one.
fn decode(encoding: &Encoding, text: &str) -> Result<Vec<u8>, DecodeError> {
    let invalid_char = |offset: usize| DecodeError::InvalidChar {
        offset,
        found: text[offset..].chars().next().unwrap_or('\u{fffd}'),
    };
    encoding
        .decode(text.as_bytes())
        .map_err(|err| match err.kind {
            DecodeKind::Symbol => invalid_char(err.position),
            DecodeKind::Trailing => DecodeError::NonZeroTrailingBits,
            DecodeKind::Length | DecodeKind::Padding => {
                let symbols = encoding.specification().symbols;
                match text.bytes().position(|b| !symbols.as_bytes().contains(&b)) {
                    Some(offset) => invalid_char(offset),
                    None => DecodeError::InvalidLength { len: text.len() },
                }
            }
        })
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

    #[test]
    fn a_bad_character_is_reported_before_a_bad_length() {
        // Lengths 5 (base64) and 3 (base32) cannot hold whole bytes; the character still wins,
        // also when it is the last one, past the longest valid prefix.
        assert_eq!(
            base64_decode("Zm9v*"),
            Err(DecodeError::InvalidChar {
                offset: 4,
                found: '*'
            })
        );
        assert_eq!(
            base64_decode("Z*9vY"),
            Err(DecodeError::InvalidChar {
                offset: 1,
                found: '*'
            })
        );
        assert_eq!(
            base32_lower_decode("mé"),
            Err(DecodeError::InvalidChar {
                offset: 1,
                found: 'é'
            })
        );
        // Padding in the middle is a character outside the alphabet, not a second block.
        assert_eq!(
            base64_decode("Zg==Zg=="),
            Err(DecodeError::InvalidChar {
                offset: 2,
                found: '='
            })
        );
        // A bad character comes before non-zero trailing bits.
        assert_eq!(
            base64_decode("*h"),
            Err(DecodeError::InvalidChar {
                offset: 0,
                found: '*'
            })
        );
    }
}
