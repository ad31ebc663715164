//! A DAG-CBOR decoder for the subset that repository commits, MST nodes and CAR headers use:
//! unsigned integers, byte and text strings, arrays, maps with text keys, CID links (tag 42),
//! booleans and null. Values borrow from the input.

use std::ops::Range;

use super::head::{self, Head};
use super::CID_TAG;

/// Deepest nesting accepted; commits and MST nodes are at most a few levels deep.
const MAX_DEPTH: usize = 32;

/// Why bytes are not DAG-CBOR of the supported subset; `offset` is where the offending item starts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The input ends inside an item.
    #[error("a CBOR {part} is cut off at offset {offset}")]
    Truncated {
        /// Where the item starts.
        offset: usize,
        /// `value`, `head` or `string`.
        part: &'static str,
    },
    /// An argument is not in its shortest form.
    #[error("a CBOR head at offset {offset} is not in its shortest form (not DAG-CBOR)")]
    NonMinimalHead {
        /// Where the head starts.
        offset: usize,
    },
    /// An indefinite length or a reserved additional-information value.
    #[error("indefinite-length or reserved CBOR at offset {offset} (not DAG-CBOR)")]
    Indefinite {
        /// Where the head starts.
        offset: usize,
    },
    /// A string length that does not fit in memory.
    #[error("a CBOR length at offset {offset} is too large")]
    LengthTooLarge {
        /// Where the string starts.
        offset: usize,
    },
    /// A text string that is not UTF-8.
    #[error("CBOR text at offset {offset} is not UTF-8")]
    NotUtf8 {
        /// Where the string starts.
        offset: usize,
    },
    /// A map key that is not a text string.
    #[error("a CBOR map key at offset {offset} is not text (not DAG-CBOR)")]
    KeyNotText {
        /// Where the key starts.
        offset: usize,
    },
    /// Tag 42 over something else than a byte string of 0x00 and a CID.
    #[error("a CBOR tag 42 at offset {offset} does not hold 0x00 + a CID")]
    BadLink {
        /// Where the tag starts.
        offset: usize,
    },
    /// A tag other than 42.
    #[error("unsupported CBOR tag {tag} at offset {offset} (DAG-CBOR has tag 42 only)")]
    UnsupportedTag {
        /// Where the tag starts.
        offset: usize,
        /// The tag number.
        tag: u64,
    },
    /// A float, or a simple value other than `false`, `true` and `null`.
    #[error("unsupported CBOR simple value or float at offset {offset} in a commit or MST node")]
    UnsupportedSimple {
        /// Where the item starts.
        offset: usize,
        /// The low 5 bits of its first byte.
        info: u8,
    },
    /// A major type outside the subset (negative integers).
    #[error("unsupported CBOR major type {major} at offset {offset} in a commit or MST node")]
    UnsupportedMajor {
        /// Where the item starts.
        offset: usize,
        /// The major type.
        major: u8,
    },
    /// Arrays, maps and tags nested deeper than the decoder follows.
    #[error("CBOR nested too deeply at offset {offset}")]
    TooDeep {
        /// Where the item that is too deep starts.
        offset: usize,
    },
    /// Bytes left after the value.
    #[error("trailing bytes after a CBOR value at offset {offset}")]
    TrailingBytes {
        /// Where the first byte after the value is.
        offset: usize,
    },
}

/// A decoded DAG-CBOR value.
#[derive(Debug)]
pub(crate) enum Cbor<'a> {
    Uint(u64),
    Bytes(&'a [u8]),
    Text(&'a str),
    Array(Vec<Cbor<'a>>),
    Map(Vec<Entry<'a>>),
    /// Tag 42: the binary CID (after its 0x00 prefix).
    Link(&'a [u8]),
    Null,
    /// `true` or `false` (no check needs which).
    Bool,
}

/// One map entry and the bytes it spans (key and value).
#[derive(Debug)]
pub(crate) struct Entry<'a> {
    pub(crate) key: &'a str,
    pub(crate) value: Cbor<'a>,
    pub(crate) range: Range<usize>,
}

impl<'a> Cbor<'a> {
    /// The entries, when this is a map.
    pub(crate) fn map(&self) -> Option<&[Entry<'a>]> {
        match self {
            Cbor::Map(entries) => Some(entries),
            _ => None,
        }
    }
}

/// The value under `key` in map `entries`.
pub(crate) fn get<'e, 'a>(entries: &'e [Entry<'a>], key: &str) -> Option<&'e Cbor<'a>> {
    entries.iter().find(|e| e.key == key).map(|e| &e.value)
}

/// Decodes one whole DAG-CBOR value.
pub(crate) fn decode(bytes: &[u8]) -> Result<Cbor<'_>, DecodeError> {
    let mut at = 0;
    let value = decode_at(bytes, &mut at, 0)?;
    if at != bytes.len() {
        return Err(DecodeError::TrailingBytes { offset: at });
    }
    Ok(value)
}

fn decode_at<'a>(bytes: &'a [u8], at: &mut usize, depth: usize) -> Result<Cbor<'a>, DecodeError> {
    let offset = *at;
    if depth > MAX_DEPTH {
        return Err(DecodeError::TooDeep { offset });
    }
    let Head {
        major,
        info,
        argument,
    } = head::read(bytes, at)?;
    let take = |at: &mut usize| -> Result<&'a [u8], DecodeError> {
        let end = usize::try_from(argument)
            .ok()
            .and_then(|n| at.checked_add(n))
            .ok_or(DecodeError::LengthTooLarge { offset })?;
        let slice = bytes.get(*at..end).ok_or(DecodeError::Truncated {
            offset,
            part: "string",
        })?;
        *at = end;
        Ok(slice)
    };
    Ok(match major {
        head::UNSIGNED => Cbor::Uint(argument),
        head::BYTES => Cbor::Bytes(take(at)?),
        head::TEXT => {
            Cbor::Text(std::str::from_utf8(take(at)?).map_err(|_| DecodeError::NotUtf8 { offset })?)
        }
        head::ARRAY => {
            let mut items = Vec::new();
            for _ in 0..argument {
                items.push(decode_at(bytes, at, depth + 1)?);
            }
            Cbor::Array(items)
        }
        head::MAP => {
            let mut entries = Vec::new();
            for _ in 0..argument {
                let start = *at;
                let Cbor::Text(key) = decode_at(bytes, at, depth + 1)? else {
                    return Err(DecodeError::KeyNotText { offset: start });
                };
                let value = decode_at(bytes, at, depth + 1)?;
                entries.push(Entry {
                    key,
                    value,
                    range: start..*at,
                });
            }
            Cbor::Map(entries)
        }
        head::TAG if argument == CID_TAG => match decode_at(bytes, at, depth + 1)? {
            Cbor::Bytes([0, cid @ ..]) => Cbor::Link(cid),
            _ => return Err(DecodeError::BadLink { offset }),
        },
        head::TAG => {
            return Err(DecodeError::UnsupportedTag {
                offset,
                tag: argument,
            })
        }
        head::SIMPLE => match info {
            20 | 21 => Cbor::Bool,
            22 => Cbor::Null,
            _ => return Err(DecodeError::UnsupportedSimple { offset, info }),
        },
        _ => return Err(DecodeError::UnsupportedMajor { offset, major }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoder_refuses_what_dag_cbor_forbids() {
        for (bytes, needle) in [
            (&[0x9f, 0xff][..], "indefinite"),
            (&[0xa1, 0x01, 0x02][..], "not text"),
            (&[0xf9, 0x00, 0x00][..], "float"),
            (&[0x62, 0x61][..], "cut off"),
            (&[0xd8, 0x2a, 0x41, 0x01][..], "tag 42"),
            (&[0x01, 0x02][..], "trailing"),
        ] {
            let err = decode(bytes).unwrap_err().to_string();
            assert!(err.contains(needle), "{bytes:x?}: {err}");
        }
        let mut deep = vec![0x81; 40];
        deep.push(0x01);
        assert!(decode(&deep).unwrap_err().to_string().contains("deeply"));
    }

    #[test]
    fn each_error_names_its_offset() {
        let cases: [(&[u8], DecodeError); 12] = [
            (
                &[0x82, 0x01],
                DecodeError::Truncated {
                    offset: 2,
                    part: "value",
                },
            ),
            (
                &[0x81, 0x19, 0x01],
                DecodeError::Truncated {
                    offset: 1,
                    part: "head",
                },
            ),
            (
                &[0x81, 0x62, 0x61],
                DecodeError::Truncated {
                    offset: 1,
                    part: "string",
                },
            ),
            (
                &[0x81, 0x18, 0x05],
                DecodeError::NonMinimalHead { offset: 1 },
            ),
            (&[0x81, 0x5f], DecodeError::Indefinite { offset: 1 }),
            (
                &[0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
                DecodeError::LengthTooLarge { offset: 0 },
            ),
            (&[0x81, 0x61, 0xff], DecodeError::NotUtf8 { offset: 1 }),
            (
                &[0xa1, 0x61, b'a', 0xa1, 0x01, 0x02],
                DecodeError::KeyNotText { offset: 4 },
            ),
            (
                &[0x81, 0xd8, 0x2a, 0x41, 0x01],
                DecodeError::BadLink { offset: 1 },
            ),
            (
                &[0x81, 0xc1, 0x00],
                DecodeError::UnsupportedTag { offset: 1, tag: 1 },
            ),
            (
                &[0x81, 0xf7],
                DecodeError::UnsupportedSimple {
                    offset: 1,
                    info: 23,
                },
            ),
            (
                &[0x81, 0x20],
                DecodeError::UnsupportedMajor {
                    offset: 1,
                    major: 1,
                },
            ),
        ];
        for (bytes, expected) in cases {
            assert_eq!(decode(bytes).unwrap_err(), expected, "{bytes:x?}");
        }
        let mut deep = vec![0x81; 40];
        deep.push(0x01);
        assert_eq!(
            decode(&deep).unwrap_err(),
            DecodeError::TooDeep { offset: 33 }
        );
        assert_eq!(
            decode(&[0x01, 0x02]).unwrap_err(),
            DecodeError::TrailingBytes { offset: 1 }
        );
    }

    #[test]
    fn map_entries_keep_their_byte_ranges_and_links_their_cid() {
        let bytes = [
            0xa2, 0x61, b'a', 0x01, 0x61, b'b', 0xd8, 0x2a, 0x42, 0x00, 0x07,
        ];
        let value = decode(&bytes).unwrap();
        let entries = value.map().unwrap();
        assert_eq!(entries[0].range, 1..4);
        assert_eq!(entries[1].range, 4..11);
        assert!(matches!(get(entries, "a"), Some(Cbor::Uint(1))));
        assert!(matches!(get(entries, "b"), Some(Cbor::Link([0x07]))));
        assert!(get(entries, "c").is_none());
    }
}
