//! Renderer tests over hand-made diagnostics: every format, snapshotted.

use lexperm_parser::diagnostics::{Diagnostic, FileId, RuleMeta, Severity, Span};

use super::*;
use crate::sources::SourceFile;

static BAD_TYPE: RuleMeta = RuleMeta {
    code: "L900",
    name: "test-bad-type",
    severity: Severity::Error,
    summary: "A def has a type that does not exist.",
    doc: "## What it does\n\nReports unknown def types.\n\n## Example\n\n```json\n{\"type\": \"strng\"}\n```\n",
};

static STYLE: RuleMeta = RuleMeta {
    code: "S900",
    name: "test-style",
    severity: Severity::Warning,
    summary: "A style problem.",
    doc: "Reports style problems, with a % sign, a colon: and a comma, for escaping.",
};

static NOTE: RuleMeta = RuleMeta {
    code: "I900",
    name: "test-note",
    severity: Severity::Info,
    summary: "Something worth knowing.",
    doc: "Informational.",
};

const RULES: &[&RuleMeta] = &[&BAD_TYPE, &STYLE, &NOTE];

const DOC: &str = r#"{
  "lexicon": 1,
  "id": "com.example.thing",
  "defs": {
    "main": { "type": "strng", "description": "é unicode, 100%" }
  }
}
"#;

const OTHER: &str = "{\"lexicon\": 2}\n";

fn find(text: &str, needle: &str, file: FileId) -> Span {
    let start = text.find(needle).expect("needle in text") as u32;
    Span::new(file, start, start + needle.len() as u32)
}

/// Two files, three diagnostics: an error with help and a secondary label, a warning whose message
/// needs escaping, and an info in another file with a label that points back to the first.
fn sample() -> (Sources, Vec<(FileId, Vec<Diagnostic>)>) {
    let mut sources = Sources::new();
    let first = sources.add(SourceFile::new("lexicons/com/example/thing.json", DOC));
    let second = sources.add(SourceFile::new("dir with space/other,file.json", OTHER));
    let error = Diagnostic::new(
        &BAD_TYPE,
        find(DOC, "\"strng\"", first),
        "unknown def type `strng`",
    )
    .with_help("did you mean `string`?")
    .with_label(find(DOC, "\"main\"", first), "in this def")
    .with_nsid("com.example.thing");
    let warning = Diagnostic::new(
        &STYLE,
        find(DOC, "100%", first),
        "line one: 100% sure, really\nline two",
    );
    let info = Diagnostic::new(&NOTE, find(OTHER, "2", second), "version 2 is not known")
        .with_label(find(DOC, "1", first), "compare with this file");
    (
        sources,
        vec![(first, vec![error, warning]), (second, vec![info])],
    )
}

fn check(format: Format) -> String {
    rendered(format, false, sample())
}

/// `findings` over `sources` in `format`, as `lint` (or, with `comparison`, `breaking`) writes them.
fn rendered(
    format: Format,
    comparison: bool,
    (sources, findings): (Sources, Vec<(FileId, Vec<Diagnostic>)>),
) -> String {
    let mut out = Vec::new();
    let write = if comparison {
        render_comparison
    } else {
        render
    };
    write(
        format,
        &sources,
        &findings,
        RULES,
        HumanOptions::default(),
        &mut out,
    )
    .expect("rendering to memory cannot fail");
    String::from_utf8(out).expect("renderers write UTF-8")
}

#[test]
fn human() {
    let text = check(Format::Human);
    assert!(
        text.ends_with("1 error, 1 warning, 1 info in 2 files\n"),
        "{text}"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn json_lines() {
    let text = check(Format::Json);
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is JSON"))
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["line"], 5);
    assert_eq!(lines[0]["column"], 23);
    assert_eq!(lines[0]["nsid"], "com.example.thing");
    assert_eq!(lines[2]["help"], serde_json::Value::Null);
    assert!(lines.iter().all(|line| line["version"] == 1));
    // The labels SARIF gives as related locations.
    assert_eq!(lines[0]["related"][0]["message"], "in this def");
    assert_eq!(lines[0]["related"][0]["column"], 5);
    assert_eq!(lines[1]["related"], serde_json::json!([]));
    insta::assert_snapshot!(text);
}

#[test]
fn sarif() {
    let text = check(Format::Sarif);
    let log: serde_json::Value = serde_json::from_str(&text).expect("SARIF is JSON");
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(
        log["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .map(Vec::len),
        Some(3)
    );
    assert_eq!(log["runs"][0]["results"][2]["level"], "note");
    assert_eq!(
        log["runs"][0]["results"][2]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "dir%20with%20space/other,file.json"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn github() {
    let text = check(Format::Github);
    assert!(text.lines().all(|line| line.starts_with("::")), "{text}");
    assert!(
        text.contains("file=dir with space/other%2Cfile.json,"),
        "{text}"
    );
    assert!(
        text.contains("::line one: 100%25 sure, really%0Aline two"),
        "{text}"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn markdown() {
    let text = check(Format::Markdown);
    assert!(text.starts_with("## lexperm lint\n"), "{text}");
    assert!(
        text.contains("| `L900` | test-bad-type | error | 1 |"),
        "{text}"
    );
    // Errors first; the info's label points into the first file and gets a snippet there.
    assert!(text.find("`L900`").unwrap() < text.find("`I900`").unwrap());
    assert!(
        text.contains("`lexicons/com/example/thing.json:2:14`: compare with this file"),
        "{text}"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn markdown_clean_run_is_one_sentence() {
    let mut sources = Sources::new();
    sources.add(SourceFile::new("a.json", "{}"));
    let mut out = Vec::new();
    let report = MarkdownReport {
        title: "lexperm lint",
        files_checked: 1,
        note: Some("only files changed since `main`"),
    };
    render_markdown(&sources, &[], &report, &mut out).expect("renders");
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "## lexperm lint\n\nonly files changed since `main`\n\nNo findings in 1 file.\n"
    );
}

#[test]
fn markdown_keeps_file_text_inert() {
    let text = "{\"id\": \"a````b<script>|@x\"}\n";
    let mut sources = Sources::new();
    let file = sources.add(SourceFile::new("dir/x`y.json", text));
    let diagnostic = Diagnostic::new(
        &BAD_TYPE,
        find(text, "a````b", file),
        "bad `a````b<script>|@x` and <b>bold</b> @someone\n# heading",
    );
    let mut out = Vec::new();
    render(
        Format::Markdown,
        &sources,
        &[(file, vec![diagnostic])],
        RULES,
        HumanOptions::default(),
        &mut out,
    )
    .expect("renders");
    let out = String::from_utf8(out).unwrap();
    assert!(out.contains("`````text\n"), "{out}");
    assert!(out.contains("``dir/x`y.json:1:9``"), "{out}");
    assert!(
        out.contains("\\<b\\>bold\\</b\\> @\u{2060}someone<br>\\# heading"),
        "{out}"
    );
    assert!(!out.contains("\n# heading"), "{out}");
}

#[test]
fn markdown_shows_a_bounded_number_of_snippets() {
    use lexperm_parser::limits::MAX_MARKDOWN_SNIPPETS;
    let mut sources = Sources::new();
    let files: Vec<FileId> = (0..11)
        .map(|i| sources.add(SourceFile::new(format!("f{i}.json"), "{}\n")))
        .collect();
    let mut diagnostic = Diagnostic::new(&BAD_TYPE, Span::new(files[0], 0, 1), "duplicated");
    for file in &files[1..] {
        diagnostic = diagnostic.with_label(Span::new(*file, 0, 1), "also here");
    }
    let mut out = Vec::new();
    let report = MarkdownReport {
        title: "lexperm lint",
        files_checked: files.len(),
        note: None,
    };
    render_markdown(&sources, &[(files[0], vec![diagnostic])], &report, &mut out).expect("renders");
    let out = String::from_utf8(out).unwrap();
    assert_eq!(
        out.matches("```text").count(),
        MAX_MARKDOWN_SNIPPETS,
        "{out}"
    );
    let left = 11 - MAX_MARKDOWN_SNIPPETS;
    assert!(
        out.ends_with(&format!("\nand {left} more locations\n")),
        "{out}"
    );
}

#[test]
fn summary_counts_and_words() {
    let (sources, findings) = sample();
    let summary = Summary::count(&findings, sources.len());
    assert_eq!((summary.errors, summary.warnings, summary.infos), (1, 1, 1));
    let clean = Summary {
        files: 1,
        ..Summary::default()
    };
    assert_eq!(clean.line(), "0 errors, 0 warnings in 1 file");
    let unread = Summary {
        errors: 1,
        unread: 1,
        ..Summary::default()
    };
    assert_eq!(
        unread.line(),
        "1 error, 0 warnings in 0 files; 1 path was not read"
    );
}

#[test]
fn stale_spans_do_not_break_rendering() {
    let mut sources = Sources::new();
    let file = sources.add(SourceFile::new("a.json", "{}"));
    let diagnostic = Diagnostic::new(&BAD_TYPE, Span::new(file, 10, 50), "past the end");
    let findings = vec![(file, vec![diagnostic])];
    for format in [
        Format::Human,
        Format::Json,
        Format::Sarif,
        Format::Github,
        Format::Markdown,
    ] {
        let mut out = Vec::new();
        render(
            format,
            &sources,
            &findings,
            RULES,
            HumanOptions::default(),
            &mut out,
        )
        .expect("renders");
        assert!(!out.is_empty());
    }
}

#[test]
fn github_escaping_follows_the_runner() {
    assert_eq!(github::escape_data("a%b\r\nc: d, e"), "a%25b%0D%0Ac: d, e");
    assert_eq!(
        github::escape_property("C:\\dir,x%\n"),
        "C%3A\\dir%2Cx%25%0A"
    );
}

#[test]
fn sarif_uris() {
    assert_eq!(sarif::uri("lexicons/a b#c.json"), "lexicons/a%20b%23c.json");
    assert_eq!(sarif::uri("/abs/x.json"), "file:///abs/x.json");
    assert_eq!(sarif::uri("dir\\x.json"), "dir/x.json");
    assert_eq!(sarif::uri("c:x.json"), "c%3Ax.json");
    assert_eq!(sarif::uri("é.json"), "%C3%A9.json");
}

/// A comparison: one changed file, its base version, a finding in the changed file with a label in
/// the base, one in the base file only, and one with no base location.
fn comparison() -> (Sources, Vec<(FileId, Vec<Diagnostic>)>) {
    let before = DOC.replace("strng", "string");
    let mut sources = Sources::new();
    let after_id = sources.add(SourceFile::new("lexicons/com/example/thing.json", DOC));
    let before_id = sources.add_base(SourceFile::new(
        "HEAD:lexicons/com/example/thing.json",
        before.clone(),
    ));
    let changed = Diagnostic::new(&BAD_TYPE, find(DOC, "\"strng\"", after_id), "type changed")
        .with_label(find(&before, "\"string\"", before_id), "was `string`");
    let removed = Diagnostic::new(&STYLE, find(&before, "\"main\"", before_id), "removed")
        .with_label(find(DOC, "\"defs\"", after_id), "no longer here");
    let elsewhere = Diagnostic::new(&NOTE, find(DOC, "\"id\"", after_id), "no base location");
    (
        sources,
        vec![
            (after_id, vec![changed, elsewhere]),
            (before_id, vec![removed]),
        ],
    )
}

fn check_comparison(format: Format) -> String {
    rendered(format, true, comparison())
}

#[test]
fn comparisons_show_the_base_location_in_every_format() {
    let (sources, _) = comparison();
    assert_eq!(sources.len(), 1, "base files are not counted");

    let lines: Vec<serde_json::Value> = check_comparison(Format::Json)
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is JSON"))
        .collect();
    assert_eq!(lines[0]["file"], "lexicons/com/example/thing.json");
    assert_eq!(
        lines[0]["before_file"],
        "HEAD:lexicons/com/example/thing.json"
    );
    assert_eq!(
        (&lines[0]["before_line"], &lines[0]["before_column"]),
        (&serde_json::json!(5), &serde_json::json!(23))
    );
    assert_eq!(lines[1]["before_file"], serde_json::Value::Null);
    assert_eq!(lines[2]["file"], lines[2]["before_file"]);

    let human = check_comparison(Format::Human);
    assert!(
        human.contains("[lexicons/com/example/thing.json:5:23]"),
        "{human}"
    );
    assert!(human.contains("in the base version"), "{human}");
    assert!(
        human.contains("[HEAD:lexicons/com/example/thing.json:5:23]"),
        "{human}"
    );
    assert!(human.contains("in the changed version"), "{human}");

    let github = check_comparison(Format::Github);
    assert!(
        github.contains("%0Abefore: HEAD:lexicons/com/example/thing.json:5:23"),
        "{github}"
    );
    assert_eq!(github.matches("before:").count(), 1, "{github}");

    let sarif: serde_json::Value =
        serde_json::from_str(&check_comparison(Format::Sarif)).expect("SARIF is JSON");
    let related = &sarif["runs"][0]["results"][0]["relatedLocations"][0];
    // `:` is escaped so that `HEAD:` does not read as a URI scheme.
    assert_eq!(
        related["physicalLocation"]["artifactLocation"]["uri"],
        "HEAD%3Alexicons/com/example/thing.json"
    );
}

#[test]
fn lint_output_is_unchanged_by_comparisons() {
    // Plain `render` never adds the base fields.
    let text = check(Format::Json);
    assert!(!text.contains("before_file"), "{text}");
}
