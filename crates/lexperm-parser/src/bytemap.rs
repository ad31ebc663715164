//! Byte classes as bit maps: bit `i` of a map says something about byte `i` of the text. The
//! scope fast path and the NSID and DID checks turn their per-byte rules into a few word
//! operations on these maps. On x86_64 sixteen bytes are classified at once with SSE2 (part of
//! the target's baseline, so always present); elsewhere a byte loop gives the same maps.

/// Maps of up to 64 bytes (see [`classes`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Classes {
    /// Bits of the text's bytes (`len` low bits set).
    pub all: u64,
    /// ASCII letters and digits.
    pub alnum: u64,
    /// `.`
    pub dot: u64,
    /// `-`
    pub dash: u64,
    /// `_`
    pub underscore: u64,
}

impl Classes {
    /// The maps of the bytes `start..end` (bit 0 for byte `start`).
    #[inline]
    pub fn range(self, start: usize, end: usize) -> Classes {
        debug_assert!(start <= end && end <= 64);
        let keep = if end == start {
            0
        } else {
            u64::MAX >> (64 - (end - start))
        };
        let cut = |map: u64| map.checked_shr(start as u32).unwrap_or(0) & keep;
        Classes {
            all: cut(self.all),
            alnum: cut(self.alnum),
            dot: cut(self.dot),
            dash: cut(self.dash),
            underscore: cut(self.underscore),
        }
    }
}

/// The classes of `bytes` (at most 64 of them).
#[inline]
pub(crate) fn classes(bytes: &[u8]) -> Classes {
    let len = bytes.len();
    debug_assert!(len <= 64);
    let mut maps = Classes {
        all: if len == 0 { 0 } else { u64::MAX >> (64 - len) },
        alnum: 0,
        dot: 0,
        dash: 0,
        underscore: 0,
    };
    let mut add = |chunk: [u16; 4], at: usize| {
        maps.alnum |= u64::from(chunk[0]) << at;
        maps.dot |= u64::from(chunk[1]) << at;
        maps.dash |= u64::from(chunk[2]) << at;
        maps.underscore |= u64::from(chunk[3]) << at;
    };
    if len < 16 {
        let mut padded = [0u8; 16];
        padded[..len].copy_from_slice(bytes);
        add(classes_16(&padded), 0);
    } else {
        let mut at = 0;
        while at + 16 <= len {
            add(classes_16(&bytes[at..at + 16]), at);
            at += 16;
        }
        if at < len {
            // The last sixteen bytes; those seen already get the same bits again.
            add(classes_16(&bytes[len - 16..]), len - 16);
        }
    }
    // The padding is zero bytes, which are in no class.
    maps
}

/// The index of the highest set bit of a non-zero map.
#[inline(always)]
pub(crate) fn last_bit(map: u64) -> usize {
    63 - map.leading_zeros() as usize
}

/// The first index at or after `from` whose byte is a separator of a scope string (`% & + = ?
/// #` and every other byte below `-` or in `;..=?`), or `bytes.len()`.
#[inline(always)]
pub(crate) fn find_special(bytes: &[u8], from: usize) -> usize {
    let len = bytes.len();
    let mut j = from;
    if len < 16 {
        while j < len && !is_special(bytes[j]) {
            j += 1;
        }
        return j;
    }
    while j + 16 <= len {
        let mask = special_16(&bytes[j..j + 16]);
        if mask != 0 {
            return j + mask.trailing_zeros() as usize;
        }
        j += 16;
    }
    if j >= len {
        return len;
    }
    // The last sixteen bytes, the first `16 - (len - j)` of which were looked at already.
    let mask = special_16(&bytes[len - 16..]) >> (16 - (len - j));
    if mask != 0 {
        j + mask.trailing_zeros() as usize
    } else {
        len
    }
}

/// A byte [`find_special`] stops at: every separator of a scope string (`% & + = ? #`) lies in
/// `0x00..=0x2C` or `0x3B..=0x3F`, while letters, digits and `- . / :` do not.
#[inline(always)]
pub(crate) fn is_special(b: u8) -> bool {
    b < 0x2D || (0x3B..=0x3F).contains(&b)
}

/// Letters and digits, `.`, `-` and `_` among sixteen bytes, one bit per byte.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn classes_16(chunk: &[u8]) -> [u16; 4] {
    use std::arch::x86_64::*;
    let x = load_16(chunk);
    // SAFETY: SSE2 is part of the x86_64 baseline; these intrinsics touch no memory.
    unsafe {
        let splat = |b: u8| _mm_set1_epi8(b as i8);
        // Signed compares: bytes >= 0x80 are negative, below every bound and in no range.
        let within = |v: __m128i, lo: u8, hi: u8| {
            _mm_and_si128(
                _mm_cmpgt_epi8(v, splat(lo - 1)),
                _mm_cmplt_epi8(v, splat(hi + 1)),
            )
        };
        let letter = within(_mm_or_si128(x, splat(0x20)), b'a', b'z');
        let digit = within(x, b'0', b'9');
        let mask = |v: __m128i| _mm_movemask_epi8(v) as u16;
        [
            mask(_mm_or_si128(letter, digit)),
            mask(_mm_cmpeq_epi8(x, splat(b'.'))),
            mask(_mm_cmpeq_epi8(x, splat(b'-'))),
            mask(_mm_cmpeq_epi8(x, splat(b'_'))),
        ]
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn classes_16(chunk: &[u8]) -> [u16; 4] {
    let mut maps = [0u16; 4];
    for (i, &b) in chunk.iter().enumerate() {
        let bit = 1 << i;
        if b.is_ascii_alphanumeric() {
            maps[0] |= bit;
        }
        match b {
            b'.' => maps[1] |= bit,
            b'-' => maps[2] |= bit,
            b'_' => maps[3] |= bit,
            _ => {}
        }
    }
    maps
}

/// [`is_special`] for sixteen bytes, one bit per byte.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn special_16(chunk: &[u8]) -> u32 {
    use std::arch::x86_64::*;
    let x = load_16(chunk);
    // SAFETY: SSE2 is part of the x86_64 baseline; these intrinsics touch no memory.
    unsafe {
        let splat = |b: u8| _mm_set1_epi8(b as i8);
        // `0x00..=0x2C` (not the negative, >= 0x80, bytes) or `0x3B..=0x3F`.
        let low = _mm_and_si128(
            _mm_cmpgt_epi8(x, splat(0xFF)),
            _mm_cmplt_epi8(x, splat(0x2D)),
        );
        let high = _mm_and_si128(
            _mm_cmpgt_epi8(x, splat(0x3A)),
            _mm_cmplt_epi8(x, splat(0x40)),
        );
        _mm_movemask_epi8(_mm_or_si128(low, high)) as u32
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn special_16(chunk: &[u8]) -> u32 {
    let mut mask = 0;
    for (i, &b) in chunk.iter().enumerate() {
        if is_special(b) {
            mask |= 1 << i;
        }
    }
    mask
}

/// Sixteen bytes as one SSE2 value, read as two words (no pointer is handed to an intrinsic).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn load_16(chunk: &[u8]) -> std::arch::x86_64::__m128i {
    let half = |at: usize| {
        let mut word = [0u8; 8];
        word.copy_from_slice(&chunk[at..at + 8]);
        i64::from_le_bytes(word)
    };
    let (lo, hi) = (half(0), half(8));
    // SAFETY: SSE2 is part of the x86_64 baseline; this intrinsic touches no memory.
    unsafe { std::arch::x86_64::_mm_set_epi64x(hi, lo) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slow_classes(bytes: &[u8]) -> Classes {
        let mut maps = Classes {
            all: 0,
            alnum: 0,
            dot: 0,
            dash: 0,
            underscore: 0,
        };
        for (i, &b) in bytes.iter().enumerate() {
            let bit = 1u64 << i;
            maps.all |= bit;
            if b.is_ascii_alphanumeric() {
                maps.alnum |= bit;
            }
            match b {
                b'.' => maps.dot |= bit,
                b'-' => maps.dash |= bit,
                b'_' => maps.underscore |= bit,
                _ => {}
            }
        }
        maps
    }

    #[test]
    fn classes_match_a_byte_loop() {
        for len in 0..=64 {
            for at in 0..len {
                for b in 0..=255u8 {
                    let mut bytes: Vec<u8> = (0..len).map(|i| b"ab.-_9Z"[i % 7]).collect();
                    bytes[at] = b;
                    assert_eq!(
                        classes(&bytes),
                        slow_classes(&bytes),
                        "{b:#x} at {at} of {len}"
                    );
                }
            }
        }
    }

    #[test]
    fn find_special_matches_a_byte_loop() {
        for b in 0..=255u8 {
            for len in 0..40 {
                for at in 0..len {
                    let mut bytes: Vec<u8> = b"app.bsky-feed:get/x-com.example.fooBar/a".to_vec();
                    bytes.truncate(len);
                    bytes[at] = b;
                    for from in 0..=len {
                        let slow = (from..len).find(|&j| is_special(bytes[j])).unwrap_or(len);
                        assert_eq!(find_special(&bytes, from), slow, "{b:#x} at {at}");
                    }
                }
            }
        }
        for b in b"%&+=?#" {
            assert!(is_special(*b));
        }
        for b in (b'a'..=b'z').chain(b'A'..=b'Z').chain(b'0'..=b'9') {
            assert!(!is_special(b));
        }
    }

    #[test]
    fn range_matches_the_classes_of_the_slice() {
        let text = b"did:web:api.example-1.com%23svc_appview.x";
        let whole = classes(text);
        for start in 0..=text.len() {
            for end in start..=text.len() {
                assert_eq!(
                    whole.range(start, end),
                    classes(&text[start..end]),
                    "{start}..{end}"
                );
            }
        }
    }

    #[test]
    fn last_bit_is_the_highest() {
        assert_eq!(last_bit(1), 0);
        assert_eq!(last_bit(0b1010), 3);
        assert_eq!(last_bit(u64::MAX), 63);
    }
}
