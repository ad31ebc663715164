//! Small pieces of English the messages share: counts with the right noun form, and `a` or `an`.
//!
//! ```
//! use lexperm_parser::wording::{a_code, count};
//!
//! assert_eq!(count(1, "entry", "entries"), "1 entry");
//! assert_eq!(count(2, "entry", "entries"), "2 entries");
//! assert_eq!(a_code("array"), "an `array`");
//! assert_eq!(a_code("union"), "a `union`");
//! ```

/// `n` and the noun: `one` when `n` is 1, else `many`.
pub fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

/// `a` or `an`, as said before `word` (a schema type, format or field name): `an` before a vowel
/// sound (`an array`, `an nsid`), `a` before a consonant sound (`a union`, `a uri`).
pub fn article(word: &str) -> &'static str {
    let lower = word.to_ascii_lowercase();
    // Words starting with a "you" sound, and letter names starting with a vowel sound.
    let consonant_sound = ["uni", "uri", "use", "usa", "utf", "one"];
    let vowel_sound = ["nsid", "mst", "lxm", "rpc", "xrpc", "html"];
    if vowel_sound.iter().any(|p| lower.starts_with(p)) {
        return "an";
    }
    if consonant_sound.iter().any(|p| lower.starts_with(p)) {
        return "a";
    }
    match lower.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u') => "an",
        _ => "a",
    }
}

/// `word` in backticks after its article: "an `array`", "a `token`".
pub fn a_code(word: &str) -> String {
    format!("{} `{word}`", article(word))
}

/// `word` after its article, unquoted: "an object", "a record".
pub fn a_word(word: &str) -> String {
    format!("{} {word}", article(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn articles_follow_the_sound() {
        for (word, expected) in [
            ("array", "an"),
            ("object", "an"),
            ("integer", "an"),
            ("aud", "an"),
            ("unknown", "an"),
            ("union", "a"),
            ("uri", "a"),
            ("record", "a"),
            ("nsid", "an"),
            ("string", "a"),
            ("", "a"),
        ] {
            assert_eq!(article(word), expected, "{word}");
        }
    }

    #[test]
    fn counts_agree() {
        assert_eq!(count(0, "file", "files"), "0 files");
        assert_eq!(count(1, "path", "paths"), "1 path");
        assert_eq!(a_word("object"), "an object");
    }
}
