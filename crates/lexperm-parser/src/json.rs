//! Span-preserving JSON.
//!
//! A small hand-written parser for RFC 8259 JSON that keeps a [`Span`] on every value and every
//! object key, keeps object members in source order and reports problems as [`Diagnostic`]s instead
//! of failing. Hostile input is bounded: nesting deeper than [`MAX_DEPTH`] and files larger than
//! [`MAX_FILE_SIZE`] are rejected with a diagnostic, and the parser never recurses deeper than that.
//! A file with more than [`MAX_VALUES`] values is rejected too, which bounds memory.

use std::collections::HashSet;

use crate::diagnostics::{Diagnostic, Edit, FileId, Fix, LoadProblem, Span};

/// Deepest nesting of arrays and objects accepted (see [`crate::limits`]).
pub const MAX_DEPTH: usize = crate::limits::MAX_JSON_DEPTH;

/// Largest file accepted, in bytes (see [`crate::limits`]).
pub const MAX_FILE_SIZE: usize = crate::limits::MAX_FILE_SIZE;

/// Most values (of any kind, at any depth) accepted in one file (see [`crate::limits`]).
pub const MAX_VALUES: usize = crate::limits::MAX_JSON_VALUES;

/// One JSON value with the byte range it was read from.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonValue {
    /// Where the value is in its file.
    pub span: Span,
    /// The value itself.
    pub kind: JsonKind,
}

/// The kinds of JSON value.
#[derive(Debug, Clone, PartialEq)]
pub enum JsonKind {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, with its source text.
    Number(JsonNumber),
    /// A string, unescaped.
    String(String),
    /// An array.
    Array(Vec<JsonValue>),
    /// An object, members in source order.
    Object(JsonObject),
}

/// A JSON number. Integers that fit in an `i64` are kept exactly; the source text is kept too.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonNumber {
    /// The source text, e.g. `1.5e3`.
    pub raw: String,
    /// The value when the text is an integer literal (no fraction, no exponent) that fits in `i64`.
    pub int: Option<i64>,
    /// The value as a float (may be rounded or infinite for huge literals).
    pub float: f64,
}

impl JsonNumber {
    /// True when the source text has no fraction and no exponent.
    pub fn is_integer_literal(&self) -> bool {
        !self.raw.bytes().any(|b| matches!(b, b'.' | b'e' | b'E'))
    }

    /// The value as an integer the way JavaScript sees it: an integer literal that fits in `i64`,
    /// or a float literal with an integral value of at most 2^53 in magnitude (`1.0`, `1e3`).
    pub fn as_integer(&self) -> Option<i64> {
        if let Some(int) = self.int {
            return Some(int);
        }
        const LIMIT: f64 = 9_007_199_254_740_992.0;
        if self.float.fract() == 0.0 && self.float.abs() <= LIMIT {
            Some(self.float as i64)
        } else {
            None
        }
    }
}

/// A JSON object: members in source order. Duplicate keys are reported while parsing; like
/// `JSON.parse`, a repeated key keeps its first position and takes the last value.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct JsonObject {
    /// The members, in source order.
    pub members: Vec<JsonMember>,
}

/// One `"key": value` member of an object.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonMember {
    /// The key, unescaped.
    pub key: String,
    /// Where the key (including its quotes) is.
    pub key_span: Span,
    /// The value.
    pub value: JsonValue,
}

impl JsonObject {
    /// The member with key `key`, if any.
    pub fn get(&self, key: &str) -> Option<&JsonMember> {
        self.members.iter().find(|m| m.key == key)
    }

    /// The value of key `key`, if any.
    pub fn value(&self, key: &str) -> Option<&JsonValue> {
        self.get(key).map(|m| &m.value)
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// True when the object has no members.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }
}

impl JsonValue {
    /// The string, when this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            JsonKind::String(s) => Some(s),
            _ => None,
        }
    }

    /// The object, when this is an object.
    pub fn as_object(&self) -> Option<&JsonObject> {
        match &self.kind {
            JsonKind::Object(o) => Some(o),
            _ => None,
        }
    }

    /// The elements, when this is an array.
    pub fn as_array(&self) -> Option<&[JsonValue]> {
        match &self.kind {
            JsonKind::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The boolean, when this is `true` or `false`.
    pub fn as_bool(&self) -> Option<bool> {
        match self.kind {
            JsonKind::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// The integer, when this is a number JavaScript considers an integer (see
    /// [`JsonNumber::as_integer`]).
    pub fn as_integer(&self) -> Option<i64> {
        match &self.kind {
            JsonKind::Number(n) => n.as_integer(),
            _ => None,
        }
    }

    /// A short name of the value's kind for messages: `null`, `boolean`, `integer`, `number`,
    /// `string`, `array`, `object`.
    pub fn kind_name(&self) -> &'static str {
        match &self.kind {
            JsonKind::Null => "null",
            JsonKind::Bool(_) => "boolean",
            JsonKind::Number(n) if n.as_integer().is_some() => "integer",
            JsonKind::Number(_) => "number",
            JsonKind::String(_) => "string",
            JsonKind::Array(_) => "array",
            JsonKind::Object(_) => "object",
        }
    }
}

/// The result of [`parse_document`].
#[derive(Debug, Clone)]
pub struct ParsedJson {
    /// What could be read. After a syntax error this is the partial tree up to the error, with
    /// open containers closed at the error.
    pub value: Option<JsonValue>,
    /// Syntax errors, limit violations and duplicate keys.
    pub diagnostics: Vec<Diagnostic>,
    /// True when the whole text was read without a syntax error. Duplicate keys, a byte order
    /// mark and trailing commas do not count: they are reported (the last two with a fix), and
    /// the value is what a lenient reader reads.
    pub complete: bool,
}

/// The `L101` diagnostic for a file larger than [`MAX_FILE_SIZE`]: `size` is its length in bytes,
/// or `None` when only "more than the limit" is known (a reader that stops at the limit).
pub fn too_large(file: FileId, size: Option<u64>) -> Diagnostic {
    let message = match size {
        Some(size) => {
            format!("file is too large: {size} bytes (the limit is {MAX_FILE_SIZE} bytes)")
        }
        None => format!("file is too large: more than {MAX_FILE_SIZE} bytes (the limit)"),
    };
    Diagnostic::load(LoadProblem::InvalidJson, Span::new(file, 0, 0), message)
        .with_help("lexicon files are small; check that this is the file you meant")
}

/// `value` as a JSON string literal, quotes included (what a fix writes in place of a string).
pub fn quote(value: &str) -> String {
    serde_json::Value::from(value).to_string()
}

/// Parses `text` as one JSON value. Never fails: returns what it could read plus diagnostics.
pub fn parse(file: FileId, text: &str) -> (Option<JsonValue>, Vec<Diagnostic>) {
    let parsed = parse_document(file, text);
    (parsed.value, parsed.diagnostics)
}

/// Like [`parse`], and also says whether the text was syntactically complete.
pub fn parse_document(file: FileId, text: &str) -> ParsedJson {
    if text.len() > MAX_FILE_SIZE {
        return ParsedJson {
            value: None,
            diagnostics: vec![too_large(file, Some(text.len() as u64))],
            complete: false,
        };
    }
    let mut parser = Parser {
        file,
        bytes: text.as_bytes(),
        text,
        pos: 0,
        diagnostics: Vec::new(),
        failed: false,
        scratch: String::new(),
        values: 0,
    };
    if text.starts_with('\u{feff}') {
        parser.error_at(
            0,
            3,
            "byte order mark at the start of the file is not allowed in JSON",
        );
        let bom = parser.span(0, 3);
        let first = &mut parser.diagnostics[0];
        first.help = Some("save the file as UTF-8 without a BOM".into());
        first.fix = Some(Box::new(Fix::safe(
            "remove the byte order mark",
            vec![Edit::delete(bom)],
        )));
        parser.pos = 3;
        parser.failed = false;
    }
    parser.skip_whitespace();
    let value = if parser.pos >= parser.bytes.len() {
        parser.error_here("expected a JSON value, found end of file");
        None
    } else {
        parser.parse_value(0)
    };
    if !parser.failed {
        parser.skip_whitespace();
        if parser.pos < parser.bytes.len() {
            let start = parser.pos;
            parser.error_at(
                start,
                start + parser.char_len_at(start),
                "unexpected content after the JSON value",
            );
            if let Some(last) = parser.diagnostics.last_mut() {
                last.help = Some("a JSON file holds exactly one value".into());
            }
        }
    }
    let complete = !parser.failed;
    ParsedJson {
        value,
        diagnostics: parser.diagnostics,
        complete,
    }
}

struct Parser<'a> {
    file: FileId,
    bytes: &'a [u8],
    text: &'a str,
    pos: usize,
    diagnostics: Vec<Diagnostic>,
    /// Set after the first syntax error; parsing stops there.
    failed: bool,
    scratch: String,
    /// Values read so far (see [`MAX_VALUES`]).
    values: usize,
}

impl Parser<'_> {
    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, start as u32, end as u32)
    }

    fn error_at(&mut self, start: usize, end: usize, message: impl Into<String>) {
        let span = self.span(start, end);
        self.diagnostics
            .push(Diagnostic::load(LoadProblem::InvalidJson, span, message));
        self.failed = true;
    }

    fn error_here(&mut self, message: impl Into<String>) {
        let end = self.pos + self.char_len_at(self.pos);
        self.error_at(self.pos, end, message);
    }

    fn error_with_help(&mut self, start: usize, end: usize, message: &str, help: &str) {
        self.error_at(start, end, message);
        if let Some(last) = self.diagnostics.last_mut() {
            last.help = Some(help.to_string());
        }
    }

    /// Length in bytes of the character at `pos` (0 at end of input).
    fn char_len_at(&self, pos: usize) -> usize {
        self.text[pos.min(self.text.len())..]
            .chars()
            .next()
            .map_or(0, char::len_utf8)
    }

    /// Describes what is at the current position, for "found …" messages.
    fn found(&self) -> String {
        match self.text[self.pos.min(self.text.len())..].chars().next() {
            None => "end of file".to_string(),
            Some(c) if c.is_control() => format!("{c:?}"),
            Some(c) => format!("`{c}`"),
        }
    }

    fn skip_whitespace(&mut self) {
        while let Some(&b) = self.bytes.get(self.pos) {
            if matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
                self.pos += 1;
            } else {
                break;
            }
        }
    }

    fn parse_value(&mut self, depth: usize) -> Option<JsonValue> {
        let start = self.pos;
        self.values += 1;
        if self.values > MAX_VALUES {
            let message = format!("too many JSON values (more than {MAX_VALUES})");
            self.error_with_help(
                start,
                start + self.char_len_at(start),
                &message,
                "lexicon documents are small; this input is probably generated or corrupt",
            );
            return None;
        }
        let Some(&b) = self.bytes.get(self.pos) else {
            self.error_here("expected a JSON value, found end of file");
            return None;
        };
        match b {
            b'{' => self.parse_object(depth),
            b'[' => self.parse_array(depth),
            b'"' => {
                let s = self.parse_string()?;
                Some(JsonValue {
                    span: self.span(start, self.pos),
                    kind: JsonKind::String(s),
                })
            }
            b'-' | b'0'..=b'9' => self.parse_number(),
            b't' => self.parse_literal("true", JsonKind::Bool(true)),
            b'f' => self.parse_literal("false", JsonKind::Bool(false)),
            b'n' => self.parse_literal("null", JsonKind::Null),
            b'\'' => {
                self.error_with_help(
                    start,
                    start + 1,
                    "single-quoted strings are not allowed in JSON",
                    "use double quotes",
                );
                None
            }
            b'a'..=b'z' | b'A'..=b'Z' => {
                self.bad_word(start);
                None
            }
            b'/' => {
                self.comment(start);
                None
            }
            _ => {
                let message = format!("expected a JSON value, found {}", self.found());
                self.error_here(message);
                None
            }
        }
    }

    fn parse_literal(&mut self, word: &str, kind: JsonKind) -> Option<JsonValue> {
        let start = self.pos;
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Some(JsonValue {
                span: self.span(start, self.pos),
                kind,
            })
        } else {
            self.bad_word(start);
            None
        }
    }

    /// Reports a `//` or `/*` comment.
    /// What follows an array element (`close` is `]`) or an object member (`}`) of the container
    /// opened at `open`: true after a `,` (another item follows); false at the closing bracket or
    /// after an error (a trailing comma, a comment in an object, anything else), which end it.
    fn after_item(&mut self, open: usize, close: u8) -> bool {
        let (item, container) = if close == b']' {
            ("array element", "array")
        } else {
            ("object member", "object")
        };
        let close_char = close as char;
        self.skip_whitespace();
        match self.bytes.get(self.pos) {
            Some(b',') => {
                let comma = self.pos;
                self.pos += 1;
                self.skip_whitespace();
                if self.bytes.get(self.pos) == Some(&close) {
                    // Reported with its fix, then read past like a lenient reader would: the
                    // value is unambiguous, so the rest of the file is still checked.
                    let span = self.span(comma, comma + 1);
                    self.diagnostics.push(
                        Diagnostic::load(
                            LoadProblem::InvalidJson,
                            span,
                            "trailing comma is not allowed in JSON",
                        )
                        .with_help(format!("remove the `,` before `{close_char}`"))
                        .with_fix(Fix::safe(
                            "remove the trailing comma",
                            vec![Edit::delete(span)],
                        )),
                    );
                    self.pos += 1;
                    return false;
                }
                true
            }
            Some(&b) if b == close => {
                self.pos += 1;
                false
            }
            Some(b'/') if close == b'}' => {
                let at = self.pos;
                self.comment(at);
                false
            }
            _ => {
                let message = format!(
                    "expected `,` or `{close_char}` after {item}, found {}",
                    self.found()
                );
                self.error_here(message);
                if let Some(last) = self.diagnostics.last_mut() {
                    last.labels.push(crate::diagnostics::Label {
                        span: Span::new(self.file, open as u32, open as u32 + 1),
                        message: format!("the {container} starts here"),
                    });
                }
                false
            }
        }
    }

    fn comment(&mut self, start: usize) {
        self.error_with_help(
            start,
            start + 1,
            "comments are not allowed in JSON",
            "remove the comment; put notes in a `description` field",
        );
    }

    /// Reports a bare word where a value was expected (`True`, `undefined`, an unquoted string).
    fn bad_word(&mut self, start: usize) {
        let mut end = start;
        while end < self.bytes.len() && self.bytes[end].is_ascii_alphanumeric() {
            end += 1;
        }
        let end = end.max(start + self.char_len_at(start));
        let message = format!("expected a JSON value, found `{}`", &self.text[start..end]);
        self.error_with_help(
            start,
            end,
            &message,
            "JSON literals are `true`, `false` and `null` (lower case); strings need double quotes",
        );
    }

    fn parse_number(&mut self) -> Option<JsonValue> {
        let start = self.pos;
        let bytes = self.bytes;
        let mut pos = self.pos;
        if bytes.get(pos) == Some(&b'-') {
            pos += 1;
        }
        match bytes.get(pos) {
            Some(b'0') => {
                pos += 1;
                if matches!(bytes.get(pos), Some(b'0'..=b'9')) {
                    self.error_with_help(
                        start,
                        pos + 1,
                        "leading zeros are not allowed in JSON numbers",
                        "write the number without leading zeros",
                    );
                    return None;
                }
            }
            Some(b'1'..=b'9') => {
                while matches!(bytes.get(pos), Some(b'0'..=b'9')) {
                    pos += 1;
                }
            }
            _ => {
                self.pos = pos;
                let message = format!("expected a digit in number, found {}", self.found());
                self.error_here(message);
                return None;
            }
        }
        if bytes.get(pos) == Some(&b'.') {
            pos += 1;
            if !matches!(bytes.get(pos), Some(b'0'..=b'9')) {
                self.pos = pos;
                let message = format!(
                    "expected a digit after the decimal point, found {}",
                    self.found()
                );
                self.error_here(message);
                return None;
            }
            while matches!(bytes.get(pos), Some(b'0'..=b'9')) {
                pos += 1;
            }
        }
        if matches!(bytes.get(pos), Some(b'e' | b'E')) {
            pos += 1;
            if matches!(bytes.get(pos), Some(b'+' | b'-')) {
                pos += 1;
            }
            if !matches!(bytes.get(pos), Some(b'0'..=b'9')) {
                self.pos = pos;
                let message = format!("expected a digit in the exponent, found {}", self.found());
                self.error_here(message);
                return None;
            }
            while matches!(bytes.get(pos), Some(b'0'..=b'9')) {
                pos += 1;
            }
        }
        self.pos = pos;
        let raw = &self.text[start..pos];
        let is_integer = !raw.bytes().any(|b| matches!(b, b'.' | b'e' | b'E'));
        let int = if is_integer {
            raw.parse::<i64>().ok()
        } else {
            None
        };
        let float = match int {
            Some(i) => i as f64,
            None => raw.parse::<f64>().unwrap_or(f64::NAN),
        };
        Some(JsonValue {
            span: self.span(start, pos),
            kind: JsonKind::Number(JsonNumber {
                raw: raw.to_string(),
                int,
                float,
            }),
        })
    }

    /// Parses a string starting at the opening quote; returns the unescaped text.
    fn parse_string(&mut self) -> Option<String> {
        let start = self.pos;
        self.pos += 1;
        // Fast path: no escapes.
        let rest = &self.bytes[self.pos..];
        if let Some(offset) = rest
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        {
            if rest[offset] == b'"' {
                let s = self.text[self.pos..self.pos + offset].to_string();
                self.pos += offset + 1;
                return Some(s);
            }
        }
        self.scratch.clear();
        let mut out = std::mem::take(&mut self.scratch);
        let result = self.parse_string_slow(start, &mut out);
        let value = result.map(|()| out.clone());
        self.scratch = out;
        value
    }

    fn parse_string_slow(&mut self, start: usize, out: &mut String) -> Option<()> {
        loop {
            let run_start = self.pos;
            while let Some(&b) = self.bytes.get(self.pos) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            out.push_str(&self.text[run_start..self.pos]);
            match self.bytes.get(self.pos) {
                None => {
                    self.error_with_help(
                        start,
                        self.pos,
                        "unterminated string: expected `\"` before end of file",
                        "close the string with `\"`",
                    );
                    return None;
                }
                Some(b'"') => {
                    self.pos += 1;
                    return Some(());
                }
                Some(b'\\') => {
                    let escape_start = self.pos;
                    self.pos += 1;
                    let Some(&e) = self.bytes.get(self.pos) else {
                        self.error_at(
                            escape_start,
                            self.pos,
                            "unterminated string: expected `\"` before end of file",
                        );
                        return None;
                    };
                    self.pos += 1;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let first = self.parse_hex4(escape_start)?;
                            if (0xD800..0xDC00).contains(&first) {
                                // A high surrogate must be followed by `\u` and a low surrogate.
                                if self.bytes[self.pos..].starts_with(b"\\u") {
                                    let second_start = self.pos;
                                    self.pos += 2;
                                    let second = self.parse_hex4(second_start)?;
                                    if (0xDC00..0xE000).contains(&second) {
                                        let c =
                                            0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
                                        out.push(char::from_u32(c).unwrap_or('\u{fffd}'));
                                        continue;
                                    }
                                }
                                self.error_with_help(
                                    escape_start,
                                    escape_start + 6,
                                    "unpaired surrogate in `\\u` escape",
                                    "a `\\uD800`-`\\uDBFF` escape must be followed by a `\\uDC00`-`\\uDFFF` escape",
                                );
                                return None;
                            }
                            match char::from_u32(first) {
                                Some(c) => out.push(c),
                                None => {
                                    self.error_with_help(
                                        escape_start,
                                        escape_start + 6,
                                        "unpaired surrogate in `\\u` escape",
                                        "a `\\uDC00`-`\\uDFFF` escape must follow a `\\uD800`-`\\uDBFF` escape",
                                    );
                                    return None;
                                }
                            }
                        }
                        _ => {
                            let end = escape_start + 1 + self.char_len_at(escape_start + 1);
                            self.pos = end;
                            self.error_with_help(
                                escape_start,
                                end,
                                "invalid escape sequence in string",
                                "valid escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX",
                            );
                            return None;
                        }
                    }
                }
                Some(_) => {
                    let at = self.pos;
                    self.error_with_help(
                        at,
                        at + 1,
                        "control character in string is not allowed in JSON",
                        "escape it, e.g. write a line break as \\n",
                    );
                    return None;
                }
            }
        }
    }

    fn parse_hex4(&mut self, escape_start: usize) -> Option<u32> {
        let mut value = 0u32;
        for _ in 0..4 {
            let digit = self
                .bytes
                .get(self.pos)
                .and_then(|b| (*b as char).to_digit(16));
            match digit {
                Some(d) => {
                    value = value * 16 + d;
                    self.pos += 1;
                }
                None => {
                    let end = (self.pos + self.char_len_at(self.pos)).max(escape_start + 2);
                    self.error_with_help(
                        escape_start,
                        end,
                        "invalid `\\u` escape: expected 4 hex digits",
                        "write `\\u` followed by exactly four hex digits, e.g. \\u00e9",
                    );
                    return None;
                }
            }
        }
        Some(value)
    }

    fn too_deep(&mut self, start: usize) {
        let message = format!("JSON is nested too deeply (more than {MAX_DEPTH} levels)");
        self.error_with_help(
            start,
            start + 1,
            &message,
            "lexicon documents are shallow; this input is probably generated or corrupt",
        );
    }

    fn parse_array(&mut self, depth: usize) -> Option<JsonValue> {
        let start = self.pos;
        if depth >= MAX_DEPTH {
            self.too_deep(start);
            return None;
        }
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.bytes.get(self.pos) == Some(&b']') {
            self.pos += 1;
            return Some(JsonValue {
                span: self.span(start, self.pos),
                kind: JsonKind::Array(items),
            });
        }
        loop {
            self.skip_whitespace();
            if let Some(value) = self.parse_value(depth + 1) {
                items.push(value);
            }
            if self.failed {
                break;
            }
            if !self.after_item(start, b']') {
                break;
            }
        }
        Some(JsonValue {
            span: self.span(start, self.pos),
            kind: JsonKind::Array(items),
        })
    }

    fn parse_object(&mut self, depth: usize) -> Option<JsonValue> {
        let start = self.pos;
        if depth >= MAX_DEPTH {
            self.too_deep(start);
            return None;
        }
        self.pos += 1;
        let mut object = JsonObject::default();
        // For large objects, a set of keys keeps duplicate detection linear.
        let mut seen: Option<HashSet<String>> = None;
        self.skip_whitespace();
        if self.bytes.get(self.pos) == Some(&b'}') {
            self.pos += 1;
            return Some(JsonValue {
                span: self.span(start, self.pos),
                kind: JsonKind::Object(object),
            });
        }
        loop {
            self.skip_whitespace();
            let key_start = self.pos;
            match self.bytes.get(self.pos) {
                Some(b'"') => {}
                Some(b'}') => {
                    // Only reachable after a comma: `{"a": 1,}`.
                    break;
                }
                Some(b'\'') => {
                    self.error_with_help(
                        key_start,
                        key_start + 1,
                        "single-quoted strings are not allowed in JSON",
                        "use double quotes",
                    );
                    break;
                }
                Some(b'/') => {
                    self.comment(key_start);
                    break;
                }
                _ => {
                    let message =
                        format!("expected a string key in object, found {}", self.found());
                    self.error_here(message);
                    if let Some(last) = self.diagnostics.last_mut() {
                        last.help = Some("object keys must be double-quoted strings".into());
                    }
                    break;
                }
            }
            let Some(key) = self.parse_string() else {
                break;
            };
            let key_span = self.span(key_start, self.pos);
            self.skip_whitespace();
            if self.bytes.get(self.pos) != Some(&b':') {
                let message = format!("expected `:` after object key, found {}", self.found());
                self.error_here(message);
                break;
            }
            self.pos += 1;
            self.skip_whitespace();
            let value = self.parse_value(depth + 1);
            if let Some(value) = value {
                let duplicate_of = if object.members.len() < 16 {
                    object.members.iter().position(|m| m.key == key)
                } else {
                    let set = seen.get_or_insert_with(|| {
                        object.members.iter().map(|m| m.key.clone()).collect()
                    });
                    if set.contains(&key) {
                        object.members.iter().position(|m| m.key == key)
                    } else {
                        set.insert(key.clone());
                        None
                    }
                };
                match duplicate_of {
                    Some(index) => {
                        // Like `JSON.parse` (and so the reference authorization server): the
                        // member keeps its first position and takes the last value.
                        let member = &mut object.members[index];
                        self.diagnostics.push(
                            Diagnostic::load(
                                LoadProblem::DuplicateKey,
                                key_span,
                                format!("duplicate key `{key}` in object"),
                            )
                            .with_label(member.key_span, "first defined here")
                            .with_help(
                                "remove one of the two; JSON.parse, and so the reference PDS, keeps the last one",
                            ),
                        );
                        member.key_span = key_span;
                        member.value = value;
                    }
                    None => {
                        if let Some(set) = seen.as_mut() {
                            set.insert(key.clone());
                        }
                        object.members.push(JsonMember {
                            key,
                            key_span,
                            value,
                        });
                    }
                }
            }
            if self.failed {
                break;
            }
            if !self.after_item(start, b'}') {
                break;
            }
        }
        Some(JsonValue {
            span: self.span(start, self.pos),
            kind: JsonKind::Object(object),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> JsonValue {
        let (value, diagnostics) = parse(FileId(0), text);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        value.expect("a value")
    }

    fn first_error(text: &str) -> String {
        let (_, diagnostics) = parse(FileId(0), text);
        let d = diagnostics.first().expect("an error");
        format!("{}@{}..{}: {}", d.code, d.span.start, d.span.end, d.message)
    }

    #[test]
    fn spans_cover_keys_and_values() {
        let text = r#"{"a": [1, -2.5e3, "x\n"], "b": {"c": null}}"#;
        let value = parse_ok(text);
        let object = value.as_object().unwrap();
        let a = object.get("a").unwrap();
        assert_eq!(
            &text[a.key_span.start as usize..a.key_span.end as usize],
            "\"a\""
        );
        let items = a.value.as_array().unwrap();
        assert_eq!(items[0].as_integer(), Some(1));
        match &items[1].kind {
            JsonKind::Number(n) => {
                assert_eq!(n.raw, "-2.5e3");
                assert_eq!(n.int, None);
                assert_eq!(n.float, -2500.0);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(items[2].as_str(), Some("x\n"));
        assert_eq!(
            &text[items[2].span.start as usize..items[2].span.end as usize],
            "\"x\\n\""
        );
        let b = object.value("b").unwrap();
        assert_eq!(
            &text[b.span.start as usize..b.span.end as usize],
            r#"{"c": null}"#
        );
        assert_eq!(object.members[0].key, "a");
        assert_eq!(object.members[1].key, "b");
    }

    #[test]
    fn escapes_and_surrogates() {
        let value = parse_ok(r#""\u00e9\ud83d\ude00\/\t""#);
        assert_eq!(value.as_str(), Some("é😀/\t"));
        assert!(first_error(r#""\ud83d""#).contains("unpaired surrogate"));
        assert!(first_error(r#""\x""#).contains("invalid escape"));
        assert!(first_error("\"a\nb\"").contains("control character"));
    }

    #[test]
    fn integers_and_floats() {
        let value = parse_ok("[9223372036854775807, 9223372036854775808, 1.0, 1.5, 0]");
        let items = value.as_array().unwrap();
        assert_eq!(items[0].as_integer(), Some(i64::MAX));
        assert_eq!(items[1].as_integer(), None);
        assert_eq!(items[2].as_integer(), Some(1));
        assert_eq!(items[2].kind_name(), "integer");
        assert_eq!(items[3].as_integer(), None);
        assert_eq!(items[3].kind_name(), "number");
        assert_eq!(items[4].as_integer(), Some(0));
    }

    #[test]
    fn errors_say_what_was_expected() {
        assert_eq!(
            first_error(r#"{"a": 1 "b": 2}"#),
            "L101@8..9: expected `,` or `}` after object member, found `\"`"
        );
        assert_eq!(
            first_error(r#"{"a": 1,}"#),
            "L101@7..8: trailing comma is not allowed in JSON"
        );
        assert_eq!(
            first_error("[1,]"),
            "L101@2..3: trailing comma is not allowed in JSON"
        );
        assert_eq!(
            first_error("[1 2]"),
            "L101@3..4: expected `,` or `]` after array element, found `2`"
        );
        assert_eq!(
            first_error("{a: 1}"),
            "L101@1..2: expected a string key in object, found `a`"
        );
        assert_eq!(
            first_error(""),
            "L101@0..0: expected a JSON value, found end of file"
        );
        assert_eq!(
            first_error("01"),
            "L101@0..2: leading zeros are not allowed in JSON numbers"
        );
        assert_eq!(
            first_error("1 2"),
            "L101@2..3: unexpected content after the JSON value"
        );
        assert_eq!(
            first_error("True"),
            "L101@0..4: expected a JSON value, found `True`"
        );
        assert_eq!(
            first_error(r#"{"a" 1}"#),
            "L101@5..6: expected `:` after object key, found `1`"
        );
        assert!(first_error(r#""abc"#).contains("unterminated string"));
        assert_eq!(
            first_error("// c\n{}"),
            "L101@0..1: comments are not allowed in JSON"
        );
        assert_eq!(
            first_error("{\"a\": 1 /* c */}"),
            "L101@8..9: comments are not allowed in JSON"
        );
        assert_eq!(
            first_error("{'a': 1}"),
            "L101@1..2: single-quoted strings are not allowed in JSON"
        );
    }

    #[test]
    fn duplicate_keys_keep_the_last_value_like_json_parse() {
        let (value, diagnostics) = parse(FileId(0), r#"{"a": 1, "a": 2}"#);
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].code, "L102");
        assert_eq!(diagnostics[0].span, Span::new(FileId(0), 9, 12));
        assert_eq!(diagnostics[0].labels[0].span, Span::new(FileId(0), 1, 4));
        let object = value.unwrap();
        let object = object.as_object().unwrap();
        assert_eq!(object.len(), 1);
        assert_eq!(object.value("a").unwrap().as_integer(), Some(2));
    }

    #[test]
    fn duplicate_keys_in_large_objects() {
        let mut text = String::from("{");
        for i in 0..40 {
            text.push_str(&format!("\"k{i}\": {i},"));
        }
        text.push_str("\"k3\": 0, \"k39\": 1}");
        let (value, diagnostics) = parse(FileId(0), &text);
        assert_eq!(diagnostics.len(), 2);
        assert_eq!(value.unwrap().as_object().unwrap().len(), 40);
    }

    #[test]
    fn depth_is_bounded() {
        let deep = "[".repeat(MAX_DEPTH + 10);
        let (_, diagnostics) = parse(FileId(0), &deep);
        assert!(diagnostics[0].message.contains("nested too deeply"));
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        parse_ok(&ok);
    }

    #[test]
    fn value_count_is_bounded() {
        let text = format!("[{}0]", "0,".repeat(MAX_VALUES));
        let (_, diagnostics) = parse(FileId(0), &text);
        assert!(diagnostics[0].message.contains("too many JSON values"));
    }

    #[test]
    fn partial_tree_after_error() {
        let parsed = parse_document(FileId(0), r#"{"a": 1, "b": [true, }"#);
        assert!(!parsed.complete);
        let value = parsed.value.unwrap();
        let object = value.as_object().unwrap();
        assert_eq!(object.value("a").unwrap().as_integer(), Some(1));
        assert_eq!(object.value("b").unwrap().as_array().unwrap().len(), 1);
    }

    #[test]
    fn trailing_commas_are_reported_with_a_fix_and_read_past() {
        let text = r#"{"a": [1, 2,], "b": {"c": null,},}"#;
        let parsed = parse_document(FileId(0), text);
        assert!(parsed.complete);
        let spans: Vec<_> = parsed
            .diagnostics
            .iter()
            .map(|d| (d.span.start, d.fix.as_ref().unwrap().edits[0].span.start))
            .collect();
        assert_eq!(spans, [(11, 11), (30, 30), (32, 32)]);
        let value = parsed.value.unwrap();
        let object = value.as_object().unwrap();
        assert_eq!(object.value("a").unwrap().as_array().unwrap().len(), 2);
        assert_eq!(
            object.value("b").unwrap().span,
            Span::new(FileId(0), 20, 32)
        );
    }

    #[test]
    fn a_trailing_comma_before_another_error_is_still_incomplete() {
        let parsed = parse_document(FileId(0), "[1,] 2");
        assert!(!parsed.complete);
        assert_eq!(parsed.diagnostics.len(), 2);
    }

    #[test]
    fn byte_order_mark_is_reported() {
        let parsed = parse_document(FileId(0), "\u{feff}{}");
        assert_eq!(parsed.diagnostics.len(), 1);
        assert!(parsed.diagnostics[0].message.contains("byte order mark"));
        let fix = parsed.diagnostics[0].fix.as_ref().unwrap();
        assert_eq!(fix.edits, [Edit::delete(Span::new(FileId(0), 0, 3))]);
        assert!(parsed.value.is_some());
    }
}
