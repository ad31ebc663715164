//! Bounded source snippets for the human format.
//!
//! miette draws every character of the lines it is given, and counts columns from the start of the
//! text for each report. A minified lexicon is one line of megabytes, and a span can cover a
//! large object. So miette never sees the file: [`Snippet`] copies only the lines around the spans
//! of one diagnostic, cuts each to a window of [`MAX_SNIPPET_LINE_CHARS`] characters around the
//! finding (`…` where it was cut), draws a span over at most [`MAX_SNIPPET_SPAN_LINES`] lines (and
//! shows at most that many lines between two spans; spans further apart get a snippet each),
//! escapes what would act on a terminal (see [`crate::terminal`]), and maps the spans into that
//! copy. Line numbers stay the file's.

use lexperm_parser::diagnostics::{LineIndex, Span};
use lexperm_parser::limits::{MAX_SNIPPET_LINE_CHARS, MAX_SNIPPET_SPAN_LINES};
use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

use crate::terminal::push_clean;

/// Lines shown before and after each span (set on miette's handler too).
pub(super) const CONTEXT_LINES: usize = 1;

/// Where a long line's window starts: this many characters before the finding, so that what leads
/// up to it is seen.
const LEAD_CHARS: usize = MAX_SNIPPET_LINE_CHARS / 6;

/// Marks where a line was cut.
const CUT: char = '…';

/// The lines of one diagnostic's snippet, as miette reads them.
pub(super) struct Snippet {
    name: String,
    segments: Vec<Segment>,
    spans: Vec<SourceSpan>,
}

/// Consecutive lines of the file, cut and escaped, at `start` in the snippet's offsets.
struct Segment {
    start: usize,
    first_line: usize,
    lines: usize,
    text: String,
}

/// One end of a span: the line it is drawn on and its byte offset in the file.
#[derive(Clone, Copy)]
struct Point {
    line: usize,
    offset: usize,
}

impl Snippet {
    /// The snippet of `spans` (the first is the primary one) in `text`, whose lines `index` holds;
    /// `name` is shown in the header.
    pub(super) fn new(name: String, text: &str, index: &LineIndex, spans: &[Span]) -> Snippet {
        let last_line = index.line_count() - 1;
        // Two points per span (start, end), and the lines each span needs.
        let mut points = Vec::with_capacity(spans.len() * 2);
        let mut ranges = Vec::with_capacity(spans.len());
        for span in spans {
            let start = floor_char_boundary(text, span.start as usize);
            let mut end = floor_char_boundary(text, (span.end as usize).max(start));
            let start_line = index.line_of(start as u32);
            let mut end_line = if end > start {
                index.line_of(end as u32 - 1)
            } else {
                start_line
            };
            if end_line - start_line >= MAX_SNIPPET_SPAN_LINES {
                end_line = start_line + MAX_SNIPPET_SPAN_LINES - 1;
                end = index.line_range(text, end_line).end;
            }
            points.push(Point {
                line: start_line,
                offset: start,
            });
            points.push(Point {
                line: end_line,
                offset: end,
            });
            ranges.push((
                start_line.saturating_sub(CONTEXT_LINES),
                (end_line + CONTEXT_LINES).min(last_line),
            ));
        }
        ranges.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::with_capacity(ranges.len());
        for (first, last) in ranges {
            match merged.last_mut() {
                // Spans close together share one snippet with the lines between them.
                Some(previous) if first <= previous.1 + 1 + MAX_SNIPPET_SPAN_LINES => {
                    previous.1 = previous.1.max(last);
                }
                _ => merged.push((first, last)),
            }
        }

        let mut mapped = vec![0usize; points.len()];
        let mut segments = Vec::with_capacity(merged.len());
        let mut next_start = 0;
        for (first, last) in merged {
            let mut segment = Segment {
                start: next_start,
                first_line: first,
                lines: last - first + 1,
                text: String::new(),
            };
            for line in first..=last {
                if line > first {
                    segment.text.push('\n');
                }
                // The primary span's start when it is on this line, else the first point on it.
                let anchor = points
                    .first()
                    .filter(|point| point.line == line)
                    .or_else(|| points.iter().find(|point| point.line == line))
                    .map(|point| point.offset);
                let on_line: Vec<usize> = (0..points.len())
                    .filter(|&i| points[i].line == line)
                    .collect();
                let mut positions = Vec::with_capacity(on_line.len());
                push_line(
                    &mut segment.text,
                    text,
                    index.line_range(text, line),
                    anchor,
                    &on_line
                        .iter()
                        .map(|&i| points[i].offset)
                        .collect::<Vec<_>>(),
                    &mut positions,
                );
                for (&i, position) in on_line.iter().zip(positions) {
                    mapped[i] = segment.start + position;
                }
            }
            next_start = segment.start + segment.text.len() + 1;
            segments.push(segment);
        }

        let spans = mapped
            .chunks(2)
            .map(|pair| SourceSpan::new(pair[0].into(), pair[1].saturating_sub(pair[0])))
            .collect();
        Snippet {
            name,
            segments,
            spans,
        }
    }

    /// The span at `index` of those given to [`Snippet::new`], in the snippet's offsets.
    pub(super) fn span(&self, index: usize) -> SourceSpan {
        self.spans[index]
    }
}

/// Appends the line `range` of `text` to `out` (without its `\r\n`), cut to a window around
/// `anchor` when it is long, escaped; for each of `offsets` (on this line), pushes its position in
/// `out` (clamped into the window).
fn push_line(
    out: &mut String,
    text: &str,
    range: std::ops::Range<usize>,
    anchor: Option<usize>,
    offsets: &[usize],
    positions: &mut Vec<usize>,
) {
    let start = range.start;
    let end = if text[range.clone()].ends_with('\r') {
        range.end - 1
    } else {
        range.end
    };
    let (window_start, window_end) = if end - start <= MAX_SNIPPET_LINE_CHARS {
        (start, end)
    } else {
        window(text, start, end, anchor.unwrap_or(start).clamp(start, end))
    };
    if window_start > start {
        out.push(CUT);
    }
    let mut sorted: Vec<(usize, usize)> = offsets.iter().copied().enumerate().collect();
    sorted.sort_unstable_by_key(|&(_, offset)| offset);
    let mut found = vec![0usize; offsets.len()];
    let mut next = sorted.iter().peekable();
    while let Some(&&(i, _)) = next.peek().filter(|(_, offset)| *offset <= window_start) {
        found[i] = out.len();
        next.next();
    }
    for (at, c) in text[window_start..window_end].char_indices() {
        let at = window_start + at;
        while let Some(&&(i, _)) = next.peek().filter(|(_, offset)| *offset <= at) {
            found[i] = out.len();
            next.next();
        }
        push_clean(out, c);
    }
    for &(i, _) in next {
        found[i] = out.len();
    }
    if window_end < end {
        out.push(CUT);
    }
    positions.extend(found);
}

/// A window of at most [`MAX_SNIPPET_LINE_CHARS`] characters of `text[start..end]` that starts
/// [`LEAD_CHARS`] before `anchor` and is moved back when the line ends first. Costs
/// `O(MAX_SNIPPET_LINE_CHARS)` however long the line is.
fn window(text: &str, start: usize, end: usize, anchor: usize) -> (usize, usize) {
    let anchor = floor_char_boundary(text, anchor);
    let mut window_start = anchor;
    let mut chars = 0;
    while chars < LEAD_CHARS && window_start > start {
        window_start = previous_char_boundary(text, window_start);
        chars += 1;
    }
    let mut window_end = anchor;
    while chars < MAX_SNIPPET_LINE_CHARS && window_end < end {
        window_end = next_char_boundary(text, window_end);
        chars += 1;
    }
    while chars < MAX_SNIPPET_LINE_CHARS && window_start > start {
        window_start = previous_char_boundary(text, window_start);
        chars += 1;
    }
    (window_start, window_end)
}

fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

fn previous_char_boundary(text: &str, offset: usize) -> usize {
    floor_char_boundary(text, offset - 1)
}

fn next_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset + 1;
    while !text.is_char_boundary(offset) {
        offset += 1;
    }
    offset
}

impl SourceCode for Snippet {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let end = span.offset() + span.len();
        let segment = self
            .segments
            .iter()
            .find(|segment| {
                segment.start <= span.offset() && end <= segment.start + segment.text.len()
            })
            .ok_or(MietteError::OutOfBounds)?;
        let inner_span = SourceSpan::new((span.offset() - segment.start).into(), span.len());
        let inner = segment.text.as_str().read_span(
            &inner_span,
            context_lines_before,
            context_lines_after,
        )?;
        let data: &'a [u8] = inner.data();
        // miette joins two spans' contexts into one when the first's line count reaches the
        // second's first line: counting to the segment's end joins exactly the spans of a segment.
        let lines_to_segment_end = segment.lines.saturating_sub(inner.line());
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            data,
            SourceSpan::new(
                (inner.span().offset() + segment.start).into(),
                inner.span().len(),
            ),
            inner.line() + segment.first_line,
            inner.column(),
            lines_to_segment_end,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lexperm_parser::diagnostics::FileId;

    fn snippet(text: &str, spans: &[(usize, usize)]) -> Snippet {
        let spans: Vec<Span> = spans
            .iter()
            .map(|&(start, end)| Span::new(FileId(0), start as u32, end as u32))
            .collect();
        Snippet::new("f".into(), text, &LineIndex::new(text), &spans)
    }

    /// The text of the snippet under span `index`.
    fn shown(snippet: &Snippet, index: usize) -> &str {
        let span = snippet.span(index);
        let segment = snippet
            .segments
            .iter()
            .rfind(|segment| segment.start <= span.offset())
            .unwrap();
        let start = span.offset() - segment.start;
        &segment.text[start..start + span.len()]
    }

    #[test]
    fn a_long_line_is_cut_to_a_window_around_the_finding() {
        let text = format!("{}BAD{}", "a".repeat(100_000), "b".repeat(100_000));
        let found = snippet(&text, &[(100_000, 100_003)]);
        assert_eq!(found.segments.len(), 1);
        let line = &found.segments[0].text;
        assert!(line.chars().count() <= MAX_SNIPPET_LINE_CHARS + 2, "{line}");
        assert!(line.starts_with(CUT) && line.ends_with(CUT));
        assert_eq!(shown(&found, 0), "BAD");
        // Near the end of the line, the window moves back to stay full.
        let found = snippet(&text, &[(200_001, 200_002)]);
        let line = &found.segments[0].text;
        assert_eq!(line.chars().count(), MAX_SNIPPET_LINE_CHARS + 1);
        assert_eq!(shown(&found, 0), "b");
    }

    #[test]
    fn line_ends_are_dropped_and_controls_escaped() {
        let text = "{\r\n  \"a\": \"\u{1b}[2J\u{202e}\", \"b\": bad\r\n}\r\n";
        let start = text.find("bad").unwrap();
        let found = snippet(text, &[(start, start + 3)]);
        let segment = &found.segments[0];
        assert_eq!(
            segment.text,
            "{\n  \"a\": \"\\u001b[2J\\u202e\", \"b\": bad\n}"
        );
        assert_eq!(shown(&found, 0), "bad");
    }

    #[test]
    fn long_spans_and_far_apart_spans_stay_bounded() {
        let text: String = (0..500).map(|i| format!("line {i}\n")).collect();
        let line_start = |n: usize| text.find(&format!("line {n}\n")).unwrap();
        // A span over 400 lines is drawn over its first MAX_SNIPPET_SPAN_LINES.
        let found = snippet(&text, &[(line_start(10), line_start(410))]);
        assert_eq!(found.segments.len(), 1);
        assert_eq!(found.segments[0].first_line, 9);
        assert_eq!(found.segments[0].lines, MAX_SNIPPET_SPAN_LINES + 2);
        // Spans far apart get a segment each; miette cannot read across them.
        let found = snippet(
            &text,
            &[
                (line_start(10), line_start(10) + 4),
                (line_start(300), line_start(300) + 4),
            ],
        );
        assert_eq!(found.segments.len(), 2);
        assert_eq!(shown(&found, 1), "line");
        let across = SourceSpan::new(found.span(0).offset().into(), found.span(1).offset());
        assert!(found.read_span(&across, 1, 1).is_err());
        let contents = found.read_span(&found.span(1), 1, 1).unwrap();
        assert_eq!(contents.line(), 299);
    }
}
