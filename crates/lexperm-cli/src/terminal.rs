//! Text for terminals: every character that would act on a terminal or reorder what it shows is
//! written as a visible escape.
//!
//! lexperm prints text it did not write: lexicon descriptions and values, file names, DNS TXT
//! records, XRPC error messages. A control character in them (ESC starting an escape sequence, a
//! carriage return overwriting the line, a C1 `CSI`) or a bidirectional override would let that
//! text rewrite what the terminal shows. [`clean`] replaces each such character (the set is
//! [`lexperm_parser::text::is_hidden_format`]; line feeds and tabs are kept) with `\uXXXX`, which
//! reads well and is also a valid JSON escape of the same character, so cleaning JSON text keeps
//! it valid and equal.
//!
//! The crate's `print!`, `println!`, `eprint!` and `eprintln!` are the macros below (declared before every other
//! module, they shadow the standard ones), and commands write plain-text output through
//! [`CleanWriter`]; the human renderer cleans what it hands to miette, so miette's own colours
//! survive.
//!
//! Whether output is coloured is decided here too, once: [`color_stdout`].

use std::borrow::Cow;
use std::ffi::OsStr;
use std::fmt::Write as _;
use std::io::{self, IsTerminal, Write};
use std::sync::OnceLock;

use lexperm_parser::text::is_hidden_format;

/// `print!` with the formatted text [cleaned](clean).
macro_rules! print {
    ($($arg:tt)*) => {
        ::std::print!("{}", $crate::terminal::clean(&::std::format!($($arg)*)))
    };
}

/// `eprint!` with the formatted text [cleaned](clean).
macro_rules! eprint {
    ($($arg:tt)*) => {
        ::std::eprint!("{}", $crate::terminal::clean(&::std::format!($($arg)*)))
    };
}

/// `println!` with the formatted text [cleaned](clean).
macro_rules! println {
    () => {
        ::std::println!()
    };
    ($($arg:tt)*) => {
        ::std::println!("{}", $crate::terminal::clean(&::std::format!($($arg)*)))
    };
}

/// `eprintln!` with the formatted text [cleaned](clean).
macro_rules! eprintln {
    () => {
        ::std::eprintln!()
    };
    ($($arg:tt)*) => {
        ::std::eprintln!("{}", $crate::terminal::clean(&::std::format!($($arg)*)))
    };
}

/// When to colour output: `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorChoice {
    /// When stdout is a terminal; a non-empty `NO_COLOR` turns colour off, else a
    /// `CLICOLOR_FORCE` other than `0` turns it on.
    #[default]
    Auto,
    /// Always, whatever the environment says.
    Always,
    /// Never, whatever the environment says.
    Never,
}

/// The `--color` of this run, set once by `main`.
static COLOR_CHOICE: OnceLock<ColorChoice> = OnceLock::new();

/// Records the run's `--color` (`None`: not given, which is `auto`). Only the first call counts.
pub fn set_color_choice(choice: Option<ColorChoice>) {
    let _ = COLOR_CHOICE.set(choice.unwrap_or_default());
}

/// True when output to standard output is coloured: see [`use_color`], with this run's
/// `--color`, the environment and whether standard output is a terminal.
pub fn color_stdout() -> bool {
    use_color(
        COLOR_CHOICE.get().copied().unwrap_or_default(),
        std::env::var_os("NO_COLOR").as_deref(),
        std::env::var_os("CLICOLOR_FORCE").as_deref(),
        io::stdout().is_terminal(),
    )
}

/// The colour decision: `--color always` or `never` wins; with `auto`, a non-empty `NO_COLOR`
/// turns colour off (<https://no-color.org>), else a `CLICOLOR_FORCE` that is non-empty and not
/// `0` turns it on (<https://bixense.com/clicolors/>), else colour is on when `terminal`.
pub fn use_color(
    choice: ColorChoice,
    no_color: Option<&OsStr>,
    clicolor_force: Option<&OsStr>,
    terminal: bool,
) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto if no_color.is_some_and(|value| !value.is_empty()) => false,
        ColorChoice::Auto
            if clicolor_force.is_some_and(|value| !value.is_empty() && value != "0") =>
        {
            true
        }
        ColorChoice::Auto => terminal,
    }
}

/// True for a character [`clean`] escapes.
fn is_escaped(c: char) -> bool {
    is_hidden_format(c) && c != '\n' && c != '\t'
}

/// `text` with every control character (but line feed and tab), bidirectional formatting
/// character and Unicode line separator written as `\uXXXX`.
pub fn clean(text: &str) -> Cow<'_, str> {
    match text.find(is_escaped) {
        None => Cow::Borrowed(text),
        Some(first) => {
            let mut out = String::with_capacity(text.len() + 16);
            out.push_str(&text[..first]);
            for c in text[first..].chars() {
                push_clean(&mut out, c);
            }
            Cow::Owned(out)
        }
    }
}

/// Appends `c` to `out`, escaped when [`clean`] escapes it.
pub fn push_clean(out: &mut String, c: char) {
    if is_escaped(c) {
        lexperm_parser::text::push_escape(out, c);
    } else {
        out.push(c);
    }
}

/// Buffered standard output, [cleaned](clean).
pub type Stdout = CleanWriter<io::BufWriter<io::StdoutLock<'static>>>;

/// Locks standard output for plain-text output (cleaned, buffered).
pub fn stdout() -> Stdout {
    CleanWriter::new(io::BufWriter::new(io::stdout().lock()))
}

/// A writer that [cleans](clean) everything written through it, line by line (a line feed never
/// splits a UTF-8 sequence, so a line is always whole text). Bytes that are not UTF-8 are written
/// as `\xNN`. Call [`Write::flush`] (or drop it) to write a last line without a line feed.
pub struct CleanWriter<W: Write> {
    inner: W,
    pending: Vec<u8>,
}

impl<W: Write> CleanWriter<W> {
    /// Cleans what is written and passes it to `inner`.
    pub fn new(inner: W) -> Self {
        CleanWriter {
            inner,
            pending: Vec::new(),
        }
    }

    /// The inner writer, for output that is already clean and must not be escaped again (miette's
    /// coloured reports, whose text was cleaned before rendering). What was written before is
    /// passed on first.
    pub fn trusted(&mut self) -> io::Result<&mut W> {
        self.write_pending()?;
        Ok(&mut self.inner)
    }

    fn write_clean(&mut self, bytes: &[u8]) -> io::Result<()> {
        let needs_cleaning = bytes
            .iter()
            .any(|&b| (b < 0x20 && b != b'\n' && b != b'\t') || b >= 0x7f);
        if !needs_cleaning {
            return self.inner.write_all(bytes);
        }
        let mut out = String::with_capacity(bytes.len() + 16);
        for chunk in bytes.utf8_chunks() {
            for c in chunk.valid().chars() {
                push_clean(&mut out, c);
            }
            for byte in chunk.invalid() {
                let _ = write!(out, "\\x{byte:02x}");
            }
        }
        self.inner.write_all(out.as_bytes())
    }

    fn write_pending(&mut self) -> io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let pending = std::mem::take(&mut self.pending);
        let written = self.write_clean(&pending);
        self.pending = pending;
        self.pending.clear();
        written
    }
}

impl<W: Write> Write for CleanWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match memchr::memrchr(b'\n', buf) {
            None => self.pending.extend_from_slice(buf),
            Some(last) => {
                let (lines, rest) = buf.split_at(last + 1);
                if self.pending.is_empty() {
                    self.write_clean(lines)?;
                } else {
                    self.pending.extend_from_slice(lines);
                    self.write_pending()?;
                }
                self.pending.extend_from_slice(rest);
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.write_pending()?;
        self.inner.flush()
    }
}

impl<W: Write> Drop for CleanWriter<W> {
    fn drop(&mut self) {
        let _ = self.write_pending();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn color_decision() {
        use ColorChoice::{Always, Auto, Never};
        let set = |value: &'static str| Some(OsStr::new(value));
        // --color wins over the environment and the terminal.
        assert!(use_color(Always, set("1"), None, false));
        assert!(!use_color(Never, None, set("1"), true));
        // auto: NO_COLOR (non-empty) first, then CLICOLOR_FORCE (non-empty, not 0), then the
        // terminal.
        assert!(!use_color(Auto, set("1"), set("1"), true));
        assert!(use_color(Auto, set(""), None, true));
        assert!(use_color(Auto, None, set("1"), false));
        assert!(!use_color(Auto, None, set("0"), false));
        assert!(!use_color(Auto, None, set(""), false));
        assert!(use_color(Auto, None, None, true));
        assert!(!use_color(Auto, None, None, false));
    }

    #[test]
    fn escapes_controls_bidi_and_separators() {
        assert_eq!(clean("plain\ttext\n"), "plain\ttext\n");
        assert!(matches!(clean("plain"), Cow::Borrowed(_)));
        assert_eq!(
            clean("a\u{1b}[2Jb\rc\u{7f}\u{9b}31m\u{202e}d\u{2028}"),
            "a\\u001b[2Jb\\u000dc\\u007f\\u009b31m\\u202ed\\u2028"
        );
    }

    #[test]
    fn cleaned_json_stays_valid_and_equal() {
        let value = serde_json::json!({ "m": "x\u{7f}\u{85}\u{202e}\u{2029}y" });
        let text = value.to_string();
        let cleaned = clean(&text);
        assert!(!cleaned.chars().any(is_escaped));
        let back: serde_json::Value = serde_json::from_str(&cleaned).unwrap();
        assert_eq!(back, value);
    }

    #[test]
    fn writer_cleans_across_writes() {
        let mut out = Vec::new();
        {
            let mut writer = CleanWriter::new(&mut out);
            let text = "one \u{202e}\n\u{1b}]0;title\u{7}two";
            // Byte by byte: sequences split between writes are cleaned whole.
            for byte in text.as_bytes() {
                writer.write_all(std::slice::from_ref(byte)).unwrap();
            }
            writer.write_all(b" \xff\n").unwrap();
        }
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "one \\u202e\n\\u001b]0;title\\u0007two \\xff\n"
        );
    }
}
