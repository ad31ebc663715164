//! Streaming line input: stdin is read in fixed blocks and handed out one line at a time, so a
//! command that works line by line holds one block in memory, never the whole input. (Reading 10 MB
//! of scopes into one `String` cost more in page faults than normalizing them.) A line longer than
//! [`MAX_LINE_LENGTH`] is skipped as it is read and reported as [`Line::TooLong`]; the buffer never
//! grows past one block.

use std::io::{self, IsTerminal, Read};

use lexperm_parser::limits::MAX_LINE_LENGTH;

/// Bytes read per `read` call, and the whole buffer: a line that does not fit is too long.
const BLOCK: usize = 256 * 1024;

// A line of the maximum length plus `\r\n` fits in one block.
const _: () = assert!(MAX_LINE_LENGTH + 2 <= BLOCK);

/// One line as [`for_each_line`] hands it out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Line<'a> {
    /// The line's text, without its line end.
    Text(&'a str),
    /// A line longer than [`MAX_LINE_LENGTH`] bytes: skipped, its bytes were never held whole.
    TooLong {
        /// The line number, counting from 1.
        number: usize,
    },
}

/// The keys that end terminal input.
#[cfg(windows)]
const END_OF_INPUT: &str = "Ctrl-Z then Enter";
#[cfg(not(windows))]
const END_OF_INPUT: &str = "Ctrl-D";

/// Says on stderr that `what` is read from standard input, when it is a terminal (where the
/// command would otherwise wait without a word). Input from a pipe or a file gets no note.
pub fn stdin_hint(what: &str) {
    if io::stdin().is_terminal() {
        eprintln!("{}", stdin_hint_text(what));
    }
}

/// The note of [`stdin_hint`].
pub fn stdin_hint_text(what: &str) -> String {
    format!("reading {what} from standard input (one per line; {END_OF_INPUT} to end)…")
}

/// What to say about stdin line `number`, longer than [`MAX_LINE_LENGTH`] bytes.
pub fn too_long_message(number: usize) -> String {
    format!("stdin line {number} is longer than {MAX_LINE_LENGTH} bytes; skipped")
}

/// Why [`for_each_line`] stopped early.
#[derive(Debug)]
pub enum LineError<E> {
    /// Reading failed.
    Io(io::Error),
    /// Line `line` (1-based) is not UTF-8.
    NotUtf8 {
        /// The line number, counting from 1.
        line: usize,
    },
    /// The callback returned an error.
    Stopped(E),
}

/// Calls `each` with every line of `reader`, split like `BufRead::read_line`: at `\n`, with a
/// `\r` directly before it removed; a last line without `\n` is still a line, and empty input
/// has none. A line longer than [`MAX_LINE_LENGTH`] bytes (line end not counted) comes as
/// [`Line::TooLong`] and the lines after it follow as usual.
pub fn for_each_line<E>(
    mut reader: impl Read,
    mut each: impl FnMut(Line<'_>) -> Result<(), E>,
) -> Result<(), LineError<E>> {
    let mut buf = vec![0u8; BLOCK];
    // `buf[start..filled]` holds the bytes not yet handed out: the start of a line whose `\n`
    // has not been read.
    let mut start = 0;
    let mut filled = 0;
    // Lines handed out so far.
    let mut line = 0;
    // Inside a line already known to be too long: its bytes are dropped until its `\n`.
    let mut skipping = false;
    loop {
        if start > 0 {
            buf.copy_within(start..filled, 0);
            filled -= start;
            start = 0;
        }
        if !skipping && filled > MAX_LINE_LENGTH + 1 {
            // No `\n` among them, and more bytes than a line and its `\r` may have.
            skipping = true;
            filled = 0;
        }
        let read = match reader.read(&mut buf[filled..]) {
            Ok(read) => read,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(LineError::Io(e)),
        };
        // Where the search for a `\n` starts: the kept bytes hold none.
        let mut search = filled;
        filled += read;
        if skipping {
            if read == 0 {
                line += 1;
                return each(Line::TooLong { number: line }).map_err(LineError::Stopped);
            }
            let Some(offset) = memchr::memchr(b'\n', &buf[..filled]) else {
                filled = 0;
                continue;
            };
            line += 1;
            each(Line::TooLong { number: line }).map_err(LineError::Stopped)?;
            skipping = false;
            start = offset + 1;
            search = start;
        }
        // Every complete line now in the buffer (all of it at the end of the input).
        let end = if read == 0 {
            filled
        } else {
            match memchr::memrchr(b'\n', &buf[search..filled]) {
                Some(offset) => search + offset + 1,
                None => continue,
            }
        };
        line = hand_out(&buf[start..end], line, &mut each)?;
        start = end;
        if read == 0 {
            return Ok(());
        }
    }
}

/// Hands out the whole lines of `bytes` (numbered after `line`), with one UTF-8 check for all of
/// them; returns the number of the last line handed out. A line that is not UTF-8 stops the run,
/// unless it is too long anyway.
fn hand_out<E>(
    mut bytes: &[u8],
    mut line: usize,
    each: &mut impl FnMut(Line<'_>) -> Result<(), E>,
) -> Result<usize, LineError<E>> {
    loop {
        let (good, bad) = match std::str::from_utf8(bytes) {
            Ok(text) => (text, None),
            Err(e) => {
                let valid = &bytes[..e.valid_up_to()];
                let upto = memchr::memrchr(b'\n', valid).map_or(0, |i| i + 1);
                let text = std::str::from_utf8(&valid[..upto]).unwrap_or_default();
                (text, Some(upto))
            }
        };
        line = split_lines(good, line, each).map_err(LineError::Stopped)?;
        let Some(bad_start) = bad else {
            return Ok(line);
        };
        // The line holding the invalid byte, and what follows it.
        let rest = &bytes[bad_start..];
        let bad_end = memchr::memchr(b'\n', rest).map_or(rest.len(), |i| i + 1);
        line += 1;
        if content_len(&rest[..bad_end]) <= MAX_LINE_LENGTH {
            return Err(LineError::NotUtf8 { line });
        }
        each(Line::TooLong { number: line }).map_err(LineError::Stopped)?;
        bytes = &rest[bad_end..];
    }
}

/// Length of a line without its line end (`\n`, or `\r\n`).
fn content_len(line: &[u8]) -> usize {
    match line {
        [.., b'\r', b'\n'] => line.len() - 2,
        [.., b'\n'] => line.len() - 1,
        _ => line.len(),
    }
}

/// Calls `each` with the lines of `text`, which holds whole lines (its last line may lack a
/// `\n` only at the end of the input), numbered after `line`; returns the last number used.
fn split_lines<E>(
    text: &str,
    mut line: usize,
    each: &mut impl FnMut(Line<'_>) -> Result<(), E>,
) -> Result<usize, E> {
    let mut from = 0;
    while from < text.len() {
        let end = memchr::memchr(b'\n', &text.as_bytes()[from..]).map_or(text.len(), |i| from + i);
        let raw = &text[from..end];
        let content = raw
            .strip_suffix('\r')
            .filter(|_| end < text.len())
            .unwrap_or(raw);
        line += 1;
        if content.len() > MAX_LINE_LENGTH {
            each(Line::TooLong { number: line })?;
        } else {
            each(Line::Text(content))?;
        }
        from = end + 1;
    }
    Ok(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that returns at most `step` bytes per call, to split lines across reads.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let n = self.step.min(out.len()).min(self.data.len());
            out[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    /// Every line handed out, a too-long line as `<too long: N>`.
    fn collect(data: &[u8], step: usize) -> Result<Vec<String>, LineError<()>> {
        let mut lines = Vec::new();
        for_each_line(Trickle { data, step }, |line| {
            lines.push(match line {
                Line::Text(text) => text.to_owned(),
                Line::TooLong { number } => format!("<too long: {number}>"),
            });
            Ok::<(), ()>(())
        })?;
        Ok(lines)
    }

    /// What the CLI did before: the whole input split with `split_inclusive`.
    fn expected(text: &str) -> Vec<String> {
        text.split_inclusive('\n')
            .map(|line| {
                line.strip_suffix("\r\n")
                    .or_else(|| line.strip_suffix('\n'))
                    .unwrap_or(line)
                    .to_owned()
            })
            .collect()
    }

    #[test]
    fn splits_like_read_line_for_every_read_size() {
        for text in [
            "",
            "\n",
            "a",
            "a\n",
            "a\r\nb\rc\n\n\r\n d \nlast",
            "\r",
            "x\r\r\n",
            "é𝔸\nrpc:*?aud=*\r\n",
        ] {
            for step in 1..=7 {
                let lines = collect(text.as_bytes(), step).unwrap();
                assert_eq!(lines, expected(text), "{text:?} in steps of {step}");
            }
        }
    }

    #[test]
    fn lines_up_to_the_limit_are_kept_whole() {
        let longest = "x".repeat(MAX_LINE_LENGTH);
        let text = format!("a\n{longest}\r\nb\n{longest}\n{longest}");
        for step in [1000, BLOCK / 3, BLOCK] {
            let lines = collect(text.as_bytes(), step).unwrap();
            assert_eq!(lines, expected(&text), "steps of {step}");
        }
    }

    #[test]
    fn longer_lines_are_skipped_and_numbered_and_the_next_lines_follow() {
        let over = "y".repeat(MAX_LINE_LENGTH + 1);
        let huge = "z".repeat(BLOCK * 3 + 5);
        let text = format!("a\n{over}\nb\n{huge}\r\nc\n{huge}\n\n{over}");
        for step in [1, 7, 4096, BLOCK / 3, BLOCK] {
            if step == 1 && text.len() > 100_000 {
                // One byte per read over a megabyte: slow in debug builds, and 7 covers it.
                continue;
            }
            let lines = collect(text.as_bytes(), step).unwrap();
            assert_eq!(
                lines,
                [
                    "a",
                    "<too long: 2>",
                    "b",
                    "<too long: 4>",
                    "c",
                    "<too long: 6>",
                    "",
                    "<too long: 8>"
                ],
                "steps of {step}"
            );
        }
    }

    #[test]
    fn a_too_long_line_is_too_long_even_when_it_is_not_utf8() {
        let mut data = b"ok\n".to_vec();
        data.extend(std::iter::repeat_n(0xff, MAX_LINE_LENGTH + 10));
        data.extend(b"\nnext\n");
        for step in [64, BLOCK] {
            let lines = collect(&data, step).unwrap();
            assert_eq!(lines, ["ok", "<too long: 2>", "next"], "steps of {step}");
        }
    }

    #[test]
    fn a_line_that_is_not_utf8_is_named() {
        let data = b"ok\nalso ok\nbad \xff byte\nnever read\n";
        match collect(data, 5) {
            Err(LineError::NotUtf8 { line }) => assert_eq!(line, 3),
            other => panic!("{other:?}"),
        }
        match collect(b"ok\n\xe2\x82", 64) {
            Err(LineError::NotUtf8 { line }) => assert_eq!(line, 2),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_callback_can_stop_the_loop() {
        let mut seen = 0;
        let result = for_each_line(&b"a\nb\nc\n"[..], |_| {
            seen += 1;
            if seen == 2 {
                Err("stop")
            } else {
                Ok(())
            }
        });
        assert!(matches!(result, Err(LineError::Stopped("stop"))));
        assert_eq!(seen, 2);
    }
}
