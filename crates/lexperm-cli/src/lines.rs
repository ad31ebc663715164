//! Streaming line input: stdin is read in fixed blocks and handed out one line at a time, so a
//! command that works line by line holds one block plus the longest line in memory, never the
//! whole input. (Reading 10 MB of scopes into one `String` cost more in page faults than
//! normalizing them.)

use std::io::{self, Read};

/// Bytes read per `read` call; the buffer only grows past this for a longer line.
const BLOCK: usize = 256 * 1024;

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
/// has none.
pub fn for_each_line<E>(
    mut reader: impl Read,
    mut each: impl FnMut(&str) -> Result<(), E>,
) -> Result<(), LineError<E>> {
    let mut buf = vec![0u8; BLOCK];
    // `buf[start..filled]` holds the bytes not yet handed out: the start of a line whose `\n`
    // has not been read.
    let mut start = 0;
    let mut filled = 0;
    // Lines handed out so far.
    let mut line = 0;
    loop {
        if start > 0 {
            buf.copy_within(start..filled, 0);
            filled -= start;
            start = 0;
        }
        if filled == buf.len() {
            // One line fills the whole buffer.
            buf.resize(buf.len() * 2, 0);
        }
        let read = match reader.read(&mut buf[filled..]) {
            Ok(read) => read,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(LineError::Io(e)),
        };
        // The kept bytes hold no `\n`, so the search starts at the new ones.
        let search = filled;
        filled += read;
        // Every complete line now in the buffer (all of it at the end of the input).
        let end = if read == 0 {
            filled
        } else {
            match memchr::memrchr(b'\n', &buf[search..filled]) {
                Some(offset) => search + offset + 1,
                None => continue,
            }
        };
        // One UTF-8 check for the block; on failure, the lines before the bad one still count.
        let (text, bad) = match std::str::from_utf8(&buf[start..end]) {
            Ok(text) => (text, None),
            Err(e) => {
                let good = &buf[start..start + e.valid_up_to()];
                let first_bad_line = line + good.iter().filter(|&&b| b == b'\n').count() + 1;
                let upto = memchr::memrchr(b'\n', good).map_or(0, |i| i + 1);
                let text = std::str::from_utf8(&good[..upto]).unwrap_or_default();
                (text, Some(first_bad_line))
            }
        };
        line += split_lines(text, &mut each).map_err(LineError::Stopped)?;
        if let Some(line) = bad {
            return Err(LineError::NotUtf8 { line });
        }
        start = end;
        if read == 0 {
            return Ok(());
        }
    }
}

/// Calls `each` with the lines of `text`, which holds whole lines (its last line may lack a
/// `\n` only at the end of the input); returns how many there were.
fn split_lines<E>(text: &str, each: &mut impl FnMut(&str) -> Result<(), E>) -> Result<usize, E> {
    let mut count = 0;
    let mut from = 0;
    while from < text.len() {
        let end = memchr::memchr(b'\n', &text.as_bytes()[from..]).map_or(text.len(), |i| from + i);
        let line = &text[from..end];
        each(
            line.strip_suffix('\r')
                .filter(|_| end < text.len())
                .unwrap_or(line),
        )?;
        count += 1;
        from = end + 1;
    }
    Ok(count)
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

    fn collect(data: &[u8], step: usize) -> Result<Vec<String>, LineError<()>> {
        let mut lines = Vec::new();
        for_each_line(Trickle { data, step }, |line| {
            lines.push(line.to_owned());
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
    fn lines_longer_than_a_block_are_kept_whole() {
        let long = "x".repeat(BLOCK * 2 + 17);
        let text = format!("a\n{long}\nb\n{long}");
        let lines = collect(text.as_bytes(), BLOCK / 3).unwrap();
        assert_eq!(lines, expected(&text));
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
