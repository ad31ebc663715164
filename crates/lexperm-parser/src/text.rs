//! Characters that change how text is shown rather than what it says: control characters, Unicode
//! bidirectional formatting characters and the Unicode line separators.
//!
//! Text read from lexicons and from the network is shown on terminals, written into generated code
//! and put into annotations. This module is the one definition of which characters are unsafe
//! there; the CLI escapes them, code generation escapes them, and a lint rule reports them.

/// A control character: C0 (U+0000–U+001F), DEL (U+007F) or C1 (U+0080–U+009F). Terminals act on
/// them (ESC starts an escape sequence; C1 `CSI` does too).
pub fn is_control(c: char) -> bool {
    c.is_control()
}

/// A Unicode bidirectional formatting character: the embeddings and overrides U+202A–U+202E, the
/// isolates U+2066–U+2069 and the marks U+200E, U+200F and U+061C. They reorder the text shown
/// around them, so what is read differs from what is stored. rustc rejects the embeddings,
/// overrides and isolates in comments and literals (`text_direction_codepoint_in_comment`,
/// `text_direction_codepoint_in_literal`).
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// LINE SEPARATOR (U+2028) or PARAGRAPH SEPARATOR (U+2029): line ends for JavaScript and
/// TypeScript, invisible elsewhere.
pub fn is_line_separator(c: char) -> bool {
    matches!(c, '\u{2028}' | '\u{2029}')
}

/// A character that changes how text is shown: [`is_control`], [`is_bidi_control`] or
/// [`is_line_separator`].
pub fn is_hidden_format(c: char) -> bool {
    is_control(c) || is_bidi_control(c) || is_line_separator(c)
}

/// Appends `c` written as `\uXXXX` (lower-case hex, at least four digits): the escape the CLI's
/// terminal output and error messages built from server text use, which is also a JSON escape
/// for every character it is used on.
pub fn push_escape(out: &mut String, c: char) {
    use std::fmt::Write;
    let _ = write!(out, "\\u{:04x}", c as u32);
}

/// A short name of a [hidden](is_hidden_format) character for messages, e.g. `U+202E
/// (RIGHT-TO-LEFT OVERRIDE)`; the code point alone for controls without a common name.
pub fn describe(c: char) -> String {
    let name = match c {
        '\0' => "NUL",
        '\u{7}' => "BEL",
        '\u{8}' => "BACKSPACE",
        '\t' => "TAB",
        '\n' => "LINE FEED",
        '\r' => "CARRIAGE RETURN",
        '\u{1B}' => "ESCAPE",
        '\u{7F}' => "DELETE",
        '\u{9B}' => "CONTROL SEQUENCE INTRODUCER",
        '\u{061C}' => "ARABIC LETTER MARK",
        '\u{200E}' => "LEFT-TO-RIGHT MARK",
        '\u{200F}' => "RIGHT-TO-LEFT MARK",
        '\u{202A}' => "LEFT-TO-RIGHT EMBEDDING",
        '\u{202B}' => "RIGHT-TO-LEFT EMBEDDING",
        '\u{202C}' => "POP DIRECTIONAL FORMATTING",
        '\u{202D}' => "LEFT-TO-RIGHT OVERRIDE",
        '\u{202E}' => "RIGHT-TO-LEFT OVERRIDE",
        '\u{2066}' => "LEFT-TO-RIGHT ISOLATE",
        '\u{2067}' => "RIGHT-TO-LEFT ISOLATE",
        '\u{2068}' => "FIRST STRONG ISOLATE",
        '\u{2069}' => "POP DIRECTIONAL ISOLATE",
        '\u{2028}' => "LINE SEPARATOR",
        '\u{2029}' => "PARAGRAPH SEPARATOR",
        _ => return format!("U+{:04X}", c as u32),
    };
    format!("U+{:04X} ({name})", c as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes() {
        for c in [
            '\0', '\t', '\n', '\r', '\u{1B}', '\u{7F}', '\u{80}', '\u{9B}', '\u{9F}',
        ] {
            assert!(is_control(c) && is_hidden_format(c), "{c:?}");
        }
        for c in [
            '\u{202A}', '\u{202E}', '\u{2066}', '\u{2069}', '\u{200F}', '\u{061C}',
        ] {
            assert!(is_bidi_control(c) && is_hidden_format(c), "{c:?}");
        }
        assert!(is_line_separator('\u{2028}') && is_hidden_format('\u{2029}'));
        for c in [
            ' ', 'a', 'é', '\u{A0}', '\u{200B}', '\u{202F}', '\u{2065}', '\u{206A}',
        ] {
            assert!(!is_hidden_format(c), "{c:?}");
        }
    }

    #[test]
    fn descriptions() {
        assert_eq!(describe('\u{202E}'), "U+202E (RIGHT-TO-LEFT OVERRIDE)");
        assert_eq!(describe('\r'), "U+000D (CARRIAGE RETURN)");
        assert_eq!(describe('\u{1}'), "U+0001");
    }
}
