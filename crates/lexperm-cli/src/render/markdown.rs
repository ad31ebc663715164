//! The Markdown format: a report for a pull-request comment or a GitHub job summary.
//!
//! A summary comes first (counts per severity, per rule, files), then each finding with its rule,
//! location, message, help and a snippet of the lines it points at. Labels that do not fit in
//! that snippet get one of their own, titled with their location and message, so a finding that
//! points into another file (the before version of a lexicon, a duplicate) shows both.
//!
//! Everything taken from the linted files is escaped: text outside code spans has Markdown's
//! characters backslash-escaped, `@` cannot mention anyone and line breaks become `<br>` (no
//! text can start a block); code spans and fences are longer than any backtick run they hold;
//! control and bidirectional characters are written as `\uXXXX`. Snippets and the report are
//! bounded by [`lexperm_parser::limits`].

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use lexperm_parser::diagnostics::{Diagnostic, Severity, Span};
use lexperm_parser::limits::{
    MARKDOWN_CONTEXT_LINES, MAX_MARKDOWN_BYTES, MAX_MARKDOWN_SNIPPETS, MAX_MARKDOWN_SNIPPET_LINES,
    MAX_SNIPPET_LINE_CHARS,
};

use super::{plural, Findings, Summary};
use crate::sources::{SourceFile, Sources};

/// What a Markdown report is about.
#[derive(Debug, Clone, Copy)]
pub struct MarkdownReport<'a> {
    /// The heading, e.g. `lexperm lint`.
    pub title: &'a str,
    /// How many files were checked, for the summary.
    pub files_checked: usize,
    /// A sentence under the heading, as plain text (backtick-quoted parts are shown as code).
    pub note: Option<&'a str>,
}

/// Writes the report of `findings` (whose spans and labels point into `sources`).
pub(super) fn render(
    sources: &Sources,
    findings: &Findings,
    report: &MarkdownReport<'_>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let summary = Summary::count(findings, report.files_checked);
    let total = summary.errors + summary.warnings + summary.infos;
    let mut text = format!("## {}\n\n", inline(report.title));
    if let Some(note) = report.note {
        let _ = write!(text, "{}\n\n", inline(note));
    }
    if total == 0 {
        let _ = writeln!(
            text,
            "No findings in {}.",
            plural(report.files_checked, "file")
        );
        return out.write_all(text.as_bytes());
    }
    write_summary(&mut text, &summary, findings);

    let mut ordered: Vec<&Diagnostic> = findings.iter().flat_map(|(_, d)| d).collect();
    ordered.sort_by_key(|d| severity_rank(d.severity));
    text.push_str("\n### Findings\n");
    let reserve = not_shown(total).len();
    let mut shown = 0;
    for diagnostic in ordered {
        let block = finding(sources, diagnostic);
        if text.len() + block.len() + reserve > MAX_MARKDOWN_BYTES {
            break;
        }
        text.push_str(&block);
        shown += 1;
    }
    if shown < total {
        text.push_str(&not_shown(total - shown));
    }
    out.write_all(text.as_bytes())
}

/// The closing line when `count` findings did not fit.
fn not_shown(count: usize) -> String {
    format!(
        "\n{} not shown here (the report is kept under {MAX_MARKDOWN_BYTES} bytes); \
         `lexperm lint` prints every finding.\n",
        if count == 1 {
            "1 more finding is".to_owned()
        } else {
            format!("{count} more findings are")
        }
    )
}

fn severity_rank(severity: Severity) -> u8 {
    match severity {
        Severity::Error => 0,
        Severity::Warning => 1,
        Severity::Info => 2,
    }
}

/// The summary sentence, the counts table and the table of rules that fired.
fn write_summary(text: &mut String, summary: &Summary, findings: &Findings) {
    let _ = writeln!(text, "{}\n", summary.line());
    text.push_str("| Errors | Warnings | Info | Files checked | Files with findings |\n");
    text.push_str("|---:|---:|---:|---:|---:|\n");
    let _ = writeln!(
        text,
        "| {} | {} | {} | {} | {} |",
        summary.errors, summary.warnings, summary.infos, summary.files, summary.files_with_findings
    );

    // By severity, then code: name, severity and count of each rule that fired.
    let mut rules: BTreeMap<(u8, &str), (&str, Severity, usize)> = BTreeMap::new();
    for diagnostic in findings.iter().flat_map(|(_, d)| d) {
        let key = (severity_rank(diagnostic.severity), diagnostic.code);
        rules
            .entry(key)
            .or_insert((diagnostic.name, diagnostic.severity, 0))
            .2 += 1;
    }
    text.push_str("\n| Rule | Name | Severity | Findings |\n|---|---|---|---:|\n");
    for ((_, code), (name, severity, count)) in rules {
        let _ = writeln!(
            text,
            "| {} | {} | {} | {count} |",
            cell(&code_span(code)),
            cell(&escape_text(name)),
            severity.as_str()
        );
    }
}

/// One finding: heading, location and message, help, snippets.
fn finding(sources: &Sources, diagnostic: &Diagnostic) -> String {
    let mut text = format!(
        "\n#### {} {} · {}\n\n",
        code_span(diagnostic.code),
        escape_text(diagnostic.name),
        diagnostic.severity.as_str()
    );
    let _ = writeln!(
        text,
        "{}: {}",
        code_span(&location(sources, diagnostic.span)),
        inline(&diagnostic.message)
    );
    if let Some(help) = &diagnostic.help {
        let _ = writeln!(text, "\n**Help:** {}", inline(help));
    }

    // The primary location first, then the labels; each snippet takes the marks it can show.
    let mut marks: Vec<(Span, Option<&str>)> = vec![(diagnostic.span, None)];
    marks.extend(
        diagnostic
            .labels
            .iter()
            .map(|label| (label.span, Some(label.message.as_str()))),
    );
    let mut placed = vec![false; marks.len()];
    let mut snippets = 0;
    for index in 0..marks.len() {
        if placed[index] {
            continue;
        }
        if snippets == MAX_MARKDOWN_SNIPPETS {
            let left = placed.iter().filter(|placed| !**placed).count();
            let _ = writeln!(
                text,
                "\nand {} more {}",
                left,
                if left == 1 { "location" } else { "locations" }
            );
            break;
        }
        placed[index] = true;
        snippets += 1;
        let (span, message) = marks[index];
        if let Some(message) = message {
            let _ = writeln!(
                text,
                "\n{}: {}",
                code_span(&location(sources, span)),
                inline(message)
            );
        }
        let Some(source) = sources.get(span.file) else {
            continue;
        };
        let snippet = Snippet::new(source, span);
        // The block's own label message is its title; the others are drawn with theirs.
        let mut drawn = vec![(span, None)];
        for (other, was_placed) in marks.iter().zip(placed.iter_mut()).skip(index + 1) {
            if !*was_placed && other.0.file == span.file && snippet.holds(other.0) {
                *was_placed = true;
                drawn.push(*other);
            }
        }
        text.push('\n');
        text.push_str(&fenced(&snippet.draw(&drawn)));
    }
    text
}

/// `path:line:column` of the start of `span`.
fn location(sources: &Sources, span: Span) -> String {
    match sources.get(span.file) {
        Some(source) => {
            let (line, column) = source.line_col(span.start);
            format!("{}:{line}:{column}", source.path)
        }
        None => "(unknown file)".to_owned(),
    }
}

/// A few lines of one file around a span.
struct Snippet<'a> {
    text: &'a str,
    /// `(line number, start, end)` of each line shown, ends before the `\n`.
    lines: Vec<(usize, usize, usize)>,
    /// First character (column - 1) shown of every line.
    window: usize,
}

impl<'a> Snippet<'a> {
    /// The lines of `span` (at most [`MAX_MARKDOWN_SNIPPET_LINES`]) with
    /// [`MARKDOWN_CONTEXT_LINES`] around them.
    fn new(source: &'a SourceFile, span: Span) -> Self {
        let text = source.text.as_str();
        let (start, end) = clamp(text, span);
        let last = if end > start { end - 1 } else { start };
        let mut first = line_start(text, start);
        let mut number = source.line_col(start as u32).0 as usize;
        for _ in 0..MARKDOWN_CONTEXT_LINES {
            if first == 0 {
                break;
            }
            first = line_start(text, first - 1);
            number -= 1;
        }
        let mut lines = Vec::new();
        let mut position = first;
        let mut context_after: Option<usize> = None;
        loop {
            let line_end = line_end(text, position);
            lines.push((number, position, line_end));
            if context_after.is_none() && line_end >= last {
                context_after = Some(MARKDOWN_CONTEXT_LINES);
            }
            // A text ending in `\n` has no line after it.
            if context_after == Some(0)
                || lines.len() == MAX_MARKDOWN_SNIPPET_LINES
                || line_end + 1 >= text.len()
            {
                break;
            }
            if let Some(left) = context_after.as_mut() {
                *left -= 1;
            }
            position = line_end + 1;
            number += 1;
        }
        let anchor_line = line_start(text, start);
        let column = text[anchor_line..start].chars().count();
        let margin = MAX_SNIPPET_LINE_CHARS / 4;
        let window = if column < MAX_SNIPPET_LINE_CHARS - margin {
            0
        } else {
            column - margin
        };
        Snippet {
            text,
            lines,
            window,
        }
    }

    /// True when the start of `span` is on a line shown.
    fn holds(&self, span: Span) -> bool {
        let (start, _) = clamp(self.text, span);
        let first = self.lines.first().map_or(0, |line| line.1);
        let last = self.lines.last().map_or(0, |line| line.2);
        (first..=last).contains(&start)
    }

    /// The lines with a gutter, each mark underlined on its first line (with its message).
    fn draw(&self, marks: &[(Span, Option<&str>)]) -> String {
        let width = self.lines.last().map_or(1, |line| line.0.to_string().len());
        let mut out = String::new();
        for &(number, start, end) in &self.lines {
            let line = self.text[start..end]
                .strip_suffix('\r')
                .unwrap_or(&self.text[start..end]);
            let (shown, cut_after) = self.cut(line);
            let mut written = String::new();
            if self.window > 0 {
                written.push('…');
            }
            for &c in &shown {
                push_visible(&mut written, c);
            }
            if cut_after {
                written.push('…');
            }
            let _ = writeln!(out, "{number:>width$} | {}", written.trim_end());
            for &(span, message) in marks {
                let (mark_start, mark_end) = clamp(self.text, span);
                if !(start..=end).contains(&mark_start) {
                    continue;
                }
                let from = self.text[start..mark_start].chars().count();
                let to = self.text[start..mark_end.min(start + line.len())]
                    .chars()
                    .count()
                    .max(from + 1);
                let _ = writeln!(
                    out,
                    "{:width$} | {}",
                    "",
                    self.underline(&shown, from, to, message)
                );
            }
        }
        out
    }

    /// The characters of `line` in the window, and whether more follow.
    fn cut(&self, line: &str) -> (Vec<char>, bool) {
        let mut chars = line.chars().skip(self.window);
        let shown: Vec<char> = chars.by_ref().take(MAX_SNIPPET_LINE_CHARS).collect();
        (shown, chars.next().is_some())
    }

    /// Carets under columns `from..to` of a line whose window shows `shown`, then `message`.
    fn underline(&self, shown: &[char], from: usize, to: usize, message: Option<&str>) -> String {
        // One column past the line's end is where a span at the line break is drawn.
        let last = self.window + shown.len() + 1;
        let from = from.clamp(self.window, last - 1);
        let to = to.clamp(from + 1, last);
        let mut line = String::new();
        if self.window > 0 {
            line.push(' ');
        }
        let mut one = String::new();
        for (index, c) in (self.window..).zip(shown.iter().chain(std::iter::repeat(&' '))) {
            if index >= to {
                break;
            }
            one.clear();
            push_visible(&mut one, *c);
            let fill = if index >= from {
                '^'
            } else if *c == '\t' {
                '\t'
            } else {
                ' '
            };
            line.extend(std::iter::repeat_n(fill, one.chars().count()));
        }
        if let Some(message) = message {
            line.push(' ');
            for c in message.chars() {
                push_visible(&mut line, if c == '\n' { ' ' } else { c });
            }
        }
        line
    }
}

/// `span` as byte offsets inside `text`, on character boundaries, start ≤ end.
fn clamp(text: &str, span: Span) -> (usize, usize) {
    let floor = |mut offset: usize| {
        offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    };
    let start = floor(span.start as usize);
    (start, floor(span.end as usize).max(start))
}

/// Start of the line holding byte `offset`.
fn line_start(text: &str, offset: usize) -> usize {
    memchr::memrchr(b'\n', &text.as_bytes()[..offset]).map_or(0, |i| i + 1)
}

/// End (the `\n` or the end of the text) of the line holding byte `offset`.
fn line_end(text: &str, offset: usize) -> usize {
    memchr::memchr(b'\n', &text.as_bytes()[offset..]).map_or(text.len(), |i| offset + i)
}

/// `content` in a fence longer than any backtick run in it.
fn fenced(content: &str) -> String {
    let fence = "`".repeat(longest_backtick_run(content).max(2) + 1);
    format!("{fence}text\n{content}{fence}\n")
}

fn longest_backtick_run(text: &str) -> usize {
    text.split(|c| c != '`')
        .map(str::len)
        .max()
        .unwrap_or_default()
}

/// `text` as a code span: delimited by more backticks than any run in it, padded when it
/// starts or ends with a backtick or a space, line breaks and controls made visible.
fn code_span(text: &str) -> String {
    let mut content = String::with_capacity(text.len());
    for c in text.chars() {
        push_visible(&mut content, if c == '\n' { ' ' } else { c });
    }
    if content.is_empty() {
        return "` `".to_owned();
    }
    let delimiter = "`".repeat(longest_backtick_run(&content) + 1);
    let pad = content.starts_with(['`', ' ']) || content.ends_with(['`', ' ']);
    let pad = if pad { " " } else { "" };
    format!("{delimiter}{pad}{content}{pad}{delimiter}")
}

/// Text whose backtick-quoted parts (`` `like this` ``) are shown as code and the rest as
/// escaped text (an empty quote is a code span of one space). When the backticks do not pair up
/// (an odd number, or a quote right after another, as when a quoted value holds backticks
/// itself) all of it is escaped text, every backtick shown.
fn inline(text: &str) -> String {
    let parts: Vec<&str> = text.split('`').collect();
    // Text between two quoted parts must not be empty: "`a``b`" pairs no way a reader sees.
    let paired = parts.len() % 2 == 1
        && parts.iter().enumerate().all(|(index, part)| {
            index % 2 == 1 || index == 0 || index == parts.len() - 1 || !part.is_empty()
        });
    if !paired {
        return escape_text(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for (index, part) in parts.iter().enumerate() {
        if index % 2 == 1 {
            out.push_str(&code_span(part));
        } else {
            out.push_str(&escape_text(part));
        }
    }
    out
}

/// Plain text for the inside of a paragraph: Markdown's characters backslash-escaped, `@`
/// followed by a word joiner (no mention), line breaks as `<br>`.
fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '&' | '|' | '~' | '#' | '$' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '@' => out.push_str("@\u{2060}"),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => out.push_str("<br>"),
            c if invisible(c) => {
                // `\uXXXX`, with its backslash escaped.
                out.push('\\');
                lexperm_parser::text::push_escape(&mut out, c);
            }
            c => out.push(c),
        }
    }
    out
}

/// A table cell: pipes escaped (GitHub splits cells on them even inside code spans).
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

/// Pushes `c`, or `\uXXXX` when it is a control, bidirectional or line-separator character.
fn push_visible(out: &mut String, c: char) {
    if invisible(c) {
        lexperm_parser::text::push_escape(out, c);
    } else {
        out.push(c);
    }
}

/// Characters that are not shown as themselves ([`lexperm_parser::text::is_hidden_format`]),
/// tab aside.
fn invisible(c: char) -> bool {
    c != '\t' && lexperm_parser::text::is_hidden_format(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_outlast_the_backticks_they_hold() {
        assert_eq!(code_span("a"), "`a`");
        assert_eq!(code_span("a`b"), "``a`b``");
        assert_eq!(code_span("`x"), "`` `x ``");
        assert_eq!(code_span("a ``` b"), "````a ``` b````");
        assert_eq!(code_span(""), "` `");
        assert_eq!(code_span("a\nb"), "`a b`");
    }

    #[test]
    fn text_cannot_open_markup() {
        assert_eq!(
            escape_text("<img src=x> *a* [l](u) | #1 @user"),
            "\\<img src=x\\> \\*a\\* \\[l\\](u) \\| \\#1 @\u{2060}user"
        );
        assert_eq!(escape_text("a\nb\r\nc"), "a<br>b<br>c");
        assert_eq!(escape_text("a\u{202e}b"), "a\\\\u202eb");
    }

    #[test]
    fn backtick_pairs_become_code_and_unpaired_ones_stay_text() {
        assert_eq!(inline("type `strng` <b>"), "type `strng` \\<b\\>");
        assert_eq!(inline("value `a` and `b"), "value \\`a\\` and \\`b");
        assert_eq!(inline("run `a``b`"), "run \\`a\\`\\`b\\`");
        assert_eq!(inline("empty `` name"), "empty ` ` name");
    }

    #[test]
    fn fences_outlast_the_backticks_they_hold() {
        assert!(fenced("x\n").starts_with("```text\n"));
        assert!(fenced("````\n").starts_with("`````text\n"));
        assert!(fenced("````\n").ends_with("\n`````\n"));
    }

    #[test]
    fn long_lines_are_cut_around_the_span() {
        let text = format!("{{\"a\": \"{}\", \"b\": 1}}\n", "x".repeat(1000));
        let mut sources = Sources::new();
        let file = sources.add(SourceFile::new("long.json", text.clone()));
        let start = text.find("\"b\"").unwrap() as u32;
        let span = Span::new(file, start, start + 3);
        let snippet = Snippet::new(sources.get(file).unwrap(), span);
        let drawn = snippet.draw(&[(span, None)]);
        let lines: Vec<&str> = drawn.lines().collect();
        assert_eq!(lines.len(), 2, "{drawn}");
        assert!(lines[0].starts_with("1 | …"), "{drawn}");
        assert!(lines[0].ends_with("\"b\": 1}"), "{drawn}");
        assert!(lines[0].chars().count() <= MAX_SNIPPET_LINE_CHARS + 6);
        let caret = lines[1].chars().position(|c| c == '^').unwrap();
        let under: String = lines[0].chars().skip(caret).take(3).collect();
        assert_eq!(under, "\"b\"", "{drawn}");
    }

    #[test]
    fn long_spans_are_cut_to_the_snippet_bound() {
        let text = format!("[\n{}]\n", "0,\n".repeat(100));
        let mut sources = Sources::new();
        let file = sources.add(SourceFile::new("many.json", text.clone()));
        let span = Span::new(file, 0, text.len() as u32);
        let snippet = Snippet::new(sources.get(file).unwrap(), span);
        assert_eq!(snippet.lines.len(), MAX_MARKDOWN_SNIPPET_LINES);
    }
}
