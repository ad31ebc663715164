//! The head of every CBOR data item (RFC 8949 §3): a major type in the top 3 bits of the first byte,
//! and an argument (a value, a length or a count) in the low 5 bits or in the 1, 2, 4 or 8 bytes
//! after them. DAG-CBOR requires the shortest form of every argument.

use super::DecodeError;

/// Major type 0: an unsigned integer.
pub(crate) const UNSIGNED: u8 = 0;
/// Major type 1: a negative integer, -1 - argument.
pub(crate) const NEGATIVE: u8 = 1;
/// Major type 2: a byte string of argument bytes.
pub(crate) const BYTES: u8 = 2;
/// Major type 3: a UTF-8 text string of argument bytes.
pub(crate) const TEXT: u8 = 3;
/// Major type 4: an array of argument items.
pub(crate) const ARRAY: u8 = 4;
/// Major type 5: a map of argument key/value pairs.
pub(crate) const MAP: u8 = 5;
/// Major type 6: a tag (the argument) over the next item.
pub(crate) const TAG: u8 = 6;
/// Major type 7: simple values (`false`, `true`, `null`) and floats.
pub(crate) const SIMPLE: u8 = 7;

/// A decoded head.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Head {
    /// The major type, 0 to 7.
    pub(crate) major: u8,
    /// The low 5 bits of the first byte: the argument itself below 24, else how it is stored.
    pub(crate) info: u8,
    /// The argument.
    pub(crate) argument: u64,
}

/// Appends the head of `major` with `argument` in its shortest form.
pub(crate) fn write(out: &mut Vec<u8>, major: u8, argument: u64) {
    let major = major << 5;
    if argument < 24 {
        out.push(major | argument as u8);
    } else if argument <= u64::from(u8::MAX) {
        out.extend_from_slice(&[major | 24, argument as u8]);
    } else if argument <= u64::from(u16::MAX) {
        out.push(major | 25);
        out.extend_from_slice(&(argument as u16).to_be_bytes());
    } else if argument <= u64::from(u32::MAX) {
        out.push(major | 26);
        out.extend_from_slice(&(argument as u32).to_be_bytes());
    } else {
        out.push(major | 27);
        out.extend_from_slice(&argument.to_be_bytes());
    }
}

/// Reads the head at `*at` and moves `*at` past it. Indefinite lengths and reserved encodings are
/// refused, and so is an argument of types 0 to 6 that a shorter head could hold. The 1 to 8
/// bytes after a type 7 head are a simple value or a float, not an argument, and are not checked.
pub(crate) fn read(bytes: &[u8], at: &mut usize) -> Result<Head, DecodeError> {
    let offset = *at;
    let first = *bytes.get(offset).ok_or(DecodeError::Truncated {
        offset,
        part: "value",
    })?;
    let (major, info) = (first >> 5, first & 0x1f);
    let (argument, len) = match info {
        0..=23 => (u64::from(info), 1),
        24..=27 => {
            let n = 1usize << (info - 24);
            let raw = bytes
                .get(offset + 1..offset + 1 + n)
                .ok_or(DecodeError::Truncated {
                    offset,
                    part: "head",
                })?;
            let argument = raw.iter().fold(0u64, |v, &b| (v << 8) | u64::from(b));
            // The smallest argument that needs `n` bytes.
            let least = match n {
                1 => 24,
                _ => 1u64 << (4 * n),
            };
            if major != SIMPLE && argument < least {
                return Err(DecodeError::NonMinimalHead { offset });
            }
            (argument, 1 + n)
        }
        _ => return Err(DecodeError::Indefinite { offset }),
    };
    *at = offset + len;
    Ok(Head {
        major,
        info,
        argument,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_at_each_size_boundary() {
        for argument in [
            0,
            23,
            24,
            255,
            256,
            65_535,
            65_536,
            u64::from(u32::MAX),
            u64::from(u32::MAX) + 1,
            u64::MAX,
        ] {
            for major in [UNSIGNED, NEGATIVE, BYTES, TEXT, ARRAY, MAP, TAG] {
                let mut out = vec![0xff];
                write(&mut out, major, argument);
                let mut at = 1;
                let head = read(&out, &mut at).unwrap();
                assert_eq!((head.major, head.argument), (major, argument));
                assert_eq!(at, out.len());
            }
        }
    }

    #[test]
    fn non_minimal_arguments_are_rejected() {
        for bytes in [
            &[0x18, 23][..],
            &[0x19, 0x00, 0xff],
            &[0x5a, 0x00, 0x00, 0xff, 0xff],
            &[0xbb, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff],
            &[0xd8, 0x00],
        ] {
            let mut at = 0;
            assert_eq!(
                read(bytes, &mut at),
                Err(DecodeError::NonMinimalHead { offset: 0 }),
                "{bytes:x?}"
            );
            assert_eq!(at, 0);
        }
        // The smallest argument of each size is minimal.
        for bytes in [
            &[0x18, 24][..],
            &[0x19, 0x01, 0x00],
            &[0x1a, 0x00, 0x01, 0x00, 0x00],
            &[0x1b, 0, 0, 0, 1, 0, 0, 0, 0],
        ] {
            assert!(read(bytes, &mut 0).is_ok(), "{bytes:x?}");
        }
        // A half-precision float zero is a float, not an argument.
        assert_eq!(read(&[0xf9, 0x00, 0x00], &mut 0).unwrap().info, 25);
    }

    #[test]
    fn cut_off_and_indefinite_heads_are_rejected() {
        assert_eq!(
            read(&[0x00, 0x19, 0x01], &mut 1),
            Err(DecodeError::Truncated {
                offset: 1,
                part: "head"
            })
        );
        assert_eq!(
            read(&[], &mut 0),
            Err(DecodeError::Truncated {
                offset: 0,
                part: "value"
            })
        );
        assert_eq!(
            read(&[0x9f], &mut 0),
            Err(DecodeError::Indefinite { offset: 0 })
        );
    }
}
