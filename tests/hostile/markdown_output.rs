//! Hostile lexicons against `lint --format markdown`, the report pasted into pull-request
//! comments: text that tries to close fences and code spans, open HTML, tables, links or
//! mentions; minified files with one enormous line; thousands of findings. The report is read
//! back with a CommonMark parser. Bounds: `MAX_SNIPPET_LINE_CHARS`, `MAX_MARKDOWN_SNIPPET_LINES`,
//! `MAX_MARKDOWN_BYTES`.

use std::path::Path;
use std::process::Command;

use lexperm_parser::limits;
use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// Writes `files` under a new temporary directory.
fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

/// `lexperm lint --format FORMAT` in `dir`: exit code and standard output.
fn lint(dir: &Path, format: &str) -> (i32, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_lexperm"))
        .args(["lint", "--format", format])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("lexperm runs");
    let stdout = String::from_utf8(output.stdout).expect("UTF-8 output");
    (output.status.code().unwrap_or(-1), stdout)
}

/// What a CommonMark reader (with GitHub's tables) makes of a report.
#[derive(Debug, Default)]
struct Read {
    headings: Vec<(HeadingLevel, String)>,
    tables: usize,
    /// The text of each fenced code block.
    code_blocks: Vec<String>,
    /// HTML, links and images: none may come from the files.
    markup: Vec<String>,
    /// Text outside code blocks and code spans.
    text: String,
}

fn read(report: &str) -> Read {
    let mut read = Read::default();
    let mut heading: Option<(HeadingLevel, String)> = None;
    let mut code: Option<String> = None;
    for event in Parser::new_ext(report, Options::ENABLE_TABLES) {
        let plain_text = matches!(event, Event::Text(_));
        match event {
            Event::Start(Tag::Heading { level, .. }) => heading = Some((level, String::new())),
            Event::End(TagEnd::Heading(_)) => read.headings.extend(heading.take()),
            Event::Start(Tag::Table(_)) => read.tables += 1,
            Event::Start(Tag::CodeBlock(kind)) => {
                assert_eq!(kind, CodeBlockKind::Fenced("text".into()), "{report}");
                code = Some(String::new());
            }
            Event::End(TagEnd::CodeBlock) => read.code_blocks.extend(code.take()),
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                read.markup.push(dest_url.to_string())
            }
            Event::Html(html) | Event::InlineHtml(html) if &*html != "<br>" => {
                read.markup.push(html.to_string())
            }
            Event::Text(text) | Event::Code(text) => {
                if let Some(code) = code.as_mut() {
                    code.push_str(&text);
                } else {
                    if let Some((_, title)) = heading.as_mut() {
                        title.push_str(&text);
                    }
                    if plain_text {
                        read.text.push_str(&text);
                    }
                }
            }
            _ => {}
        }
    }
    read
}

/// Every line of a snippet starts with the gutter: a line number or blanks, then ` | `.
fn assert_snippet_lines(block: &str) {
    for line in block.lines() {
        let (gutter, _) = line.split_once(" | ").unwrap_or_else(|| {
            panic!("a snippet line without a gutter (the fence broke?): {line:?}\n{block}")
        });
        assert!(
            gutter.trim().chars().all(|c| c.is_ascii_digit()),
            "{line:?}"
        );
    }
}

#[test]
fn file_text_cannot_break_the_report() {
    // A type string and a def name full of Markdown, and a directory name with a backtick.
    let payload = r#"x````` </details><script>alert(1)</script> | a | @octocat [l](javascript:x) ![i](http://x/i.png) $x$ \u202e\n# heading\n```"#;
    let lexicon = format!(
        r#"{{"lexicon": 1, "id": "com.example.thing", "defs": {{
  "main": {{"type": "object", "description": "d", "properties": {{
    "p": {{"type": "{payload}"}}
  }}}},
  "we```ird|<b>": {{"type": "token", "description": "t"}}
}}}}
"#
    );
    let dir = dir_with(&[("lexicons/a`b/com/example/thing.json", &lexicon)]);
    let (json_code, json) = lint(dir.path(), "json");
    let findings = json.lines().count();
    assert!(findings >= 2, "{json}");
    let (code, report) = lint(dir.path(), "markdown");
    assert_eq!(code, json_code);

    let read = read(&report);
    assert!(read.markup.is_empty(), "{:?}\n{report}", read.markup);
    let h4 = read
        .headings
        .iter()
        .filter(|(level, _)| *level == HeadingLevel::H4)
        .count();
    assert_eq!(h4, findings, "{:?}\n{report}", read.headings);
    assert_eq!(read.headings.len(), findings + 2, "{:?}", read.headings);
    assert_eq!(read.tables, 2, "{report}");
    assert!(read.code_blocks.len() >= findings, "{report}");
    for block in &read.code_blocks {
        assert_snippet_lines(block);
    }
    // The snippet shows the file as it is; mentions are broken outside code.
    assert!(
        read.code_blocks.iter().any(|b| b.contains("x`````")),
        "{report}"
    );
    assert!(!read.text.contains("@octocat"), "{}", read.text);
    assert!(!read.text.contains('\u{202e}'), "{}", read.text);
}

#[test]
fn an_enormous_line_is_cut_around_the_finding() {
    // A minified lexicon: one line of two megabytes, the finding in its middle.
    let filler = "é".repeat(500_000);
    let lexicon = format!(
        r#"{{"lexicon": 1, "id": "com.example.big", "defs": {{"main": {{"type": "object", "description": "{filler}", "properties": {{"p": {{"type": "strng"}}, "q": {{"type": "string", "description": "{filler}"}}}}}}}}}}"#
    );
    let dir = dir_with(&[("lexicons/com/example/big.json", &lexicon)]);
    let (code, report) = lint(dir.path(), "markdown");
    assert_eq!(code, 1);
    let read = read(&report);
    assert_eq!(read.code_blocks.len(), 1, "{report}");
    let lines: Vec<&str> = read.code_blocks[0].lines().collect();
    assert_eq!(lines.len(), 2, "{report}");
    let shown = lines[0].split_once(" | ").unwrap().1;
    // The window, with `…` on both sides where the line was cut.
    assert_eq!(shown.chars().count(), limits::MAX_SNIPPET_LINE_CHARS + 2);
    assert!(shown.starts_with('…') && shown.ends_with('…'), "{shown}");
    assert!(shown.contains("\"strng\""), "{shown}");
    assert!(report.len() < 4 * 1024, "{} bytes", report.len());
}

#[test]
fn a_tall_span_is_cut_to_the_snippet_bound() {
    // A permission field that is an object of thousands of lines: the finding spans it all.
    let members: Vec<String> = (0..3000)
        .map(|i| format!("        \"k{i}\": \"com.example.post\""))
        .collect();
    let lexicon = format!(
        r#"{{
  "lexicon": 1,
  "id": "com.example.authTall",
  "defs": {{
    "main": {{
      "type": "permission-set", "title": "T", "detail": "D",
      "permissions": [{{"type": "permission", "resource": "repo", "collection": {{
{}
      }}}}]
    }}
  }}
}}
"#,
        members.join(",\n")
    );
    let dir = dir_with(&[("lexicons/com/example/authTall.json", &lexicon)]);
    let (_, report) = lint(dir.path(), "markdown");
    let read = read(&report);
    assert!(!read.code_blocks.is_empty(), "{report}");
    for block in &read.code_blocks {
        assert_snippet_lines(block);
        let numbered = block
            .lines()
            .filter(|line| !line.split(" | ").next().unwrap().trim().is_empty())
            .count();
        assert!(
            numbered <= limits::MAX_MARKDOWN_SNIPPET_LINES,
            "{numbered} lines\n{block}"
        );
    }
}

#[test]
fn thousands_of_findings_stay_under_the_report_bound() {
    // 3,000 tokens without a description: 3,000 warnings in a 150 KB file.
    let defs: Vec<String> = (0..3000)
        .map(|i| format!("\"t{i}\": {{\"type\": \"token\"}}"))
        .collect();
    let lexicon = format!(
        "{{\"lexicon\": 1, \"id\": \"com.example.many\", \"defs\": {{\n{}\n}}}}\n",
        defs.join(",\n")
    );
    let dir = dir_with(&[("lexicons/com/example/many.json", &lexicon)]);
    let (code, report) = lint(dir.path(), "markdown");
    assert_eq!(code, 0);
    assert!(
        report.len() <= limits::MAX_MARKDOWN_BYTES,
        "{} bytes",
        report.len()
    );
    assert!(report.contains("| 0 | 3000 | 0 | 1 | 1 |"), "{report}");
    let shown = read(&report)
        .headings
        .iter()
        .filter(|(level, _)| *level == HeadingLevel::H4)
        .count();
    assert!(shown > 10, "{shown}");
    let closing = format!("{} more findings are not shown here", 3000 - shown);
    assert!(report.contains(&closing), "{closing}\n{report}");
}
