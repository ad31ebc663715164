//! Process-level tests of `lexperm gen records`, `lexperm gen rust` and `lexperm gen ts` over
//! `tests/fixtures/gen-records/`, the repository's `lexicons/` and the atproto corpus.

use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "../../../tests/support/corpus.rs"]
mod support;

/// What one run of the binary left behind.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    dir: PathBuf,
    _temp: tempfile::TempDir,
}

impl Run {
    fn file(&self, name: &str) -> serde_json::Value {
        let path = self.dir.join(name);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{path:?}: {err}"));
        serde_json::from_str(&text).unwrap()
    }

    fn written(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/gen-records")
}

fn check(lexicons: &Path) -> Run {
    check_with(lexicons, &[])
}

fn check_with(lexicons: &Path, extra: &[&Path]) -> Run {
    let temp = tempfile::tempdir().unwrap();
    // A folder that does not exist yet, to check that it is created.
    let dir = temp.path().join("records");
    let output = Command::new(env!("CARGO_BIN_EXE_lexperm"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["gen", "records", "--lexicons"])
        .arg(lexicons)
        .arg("--out")
        .arg(&dir)
        .args(extra)
        .output()
        .unwrap();
    Run {
        code: output.status.code().unwrap(),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
        dir,
        _temp: temp,
    }
}

#[test]
fn valid_folder_writes_every_record_and_the_cids() {
    let run = check(&fixtures().join("valid"));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stderr, "");
    assert!(run.stdout.starts_with("wrote 2 records and cids.json to "));
    assert_eq!(
        run.written(),
        [
            "cids.json",
            "org.lexperm.fixture.pointer.json",
            "org.lexperm.fixture.snippet.json"
        ]
    );
    // CIDs computed independently with @ipld/dag-cbor (see lexperm-codegen's fixtures).
    insta::assert_snapshot!(serde_json::to_string_pretty(&run.file("cids.json")).unwrap(), @r#"
    {
      "org.lexperm.fixture.pointer": "bafyreia6ksmm247dld6hdvzrs5wyuufg5j7kfj2vpi5hj3cilkuosf6o6a",
      "org.lexperm.fixture.snippet": "bafyreidaatrk5psfc4ffdrjifpkg6pyln275qa6fd7tfmaqbst7wvgxuku"
    }
    "#);
    let record = run.file("org.lexperm.fixture.snippet.json");
    let keys: Vec<&String> = record.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        ["$type", "lexicon", "id", "defs", "needsCbor", "needsType"]
    );
    assert_eq!(record["$type"], "com.atproto.lexicon.schema");
}

#[test]
fn broken_files_are_reported_and_get_no_record() {
    // Paths are shown as a user in the working folder can open them.
    let run = check(Path::new("tests/fixtures/gen-records/mixed"));
    assert_eq!(run.code, 1);
    assert_eq!(
        run.written(),
        ["cids.json", "org.lexperm.fixture.pointer.json"]
    );
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn lint_rule_settings_apply_to_the_gate() {
    let config = fixtures().join("downgrade-l103.toml");
    let run = check_with(
        &fixtures().join("mixed"),
        &[Path::new("--config"), config.as_path()],
    );
    assert_eq!(run.code, 1);
    // With L103 downgraded, float.json passes the gate and the encoder reports the float instead.
    assert!(
        run.stderr.contains(
            "/float.json: cannot encode the record at /defs/main/minimum: 0.5 is a float"
        ),
        "{}",
        run.stderr
    );
    assert!(run
        .stderr
        .contains("error: 2 lexicon files have lint errors:"));
    assert!(!run.stderr.contains("L103"));
}

#[test]
fn missing_lexicon_folder_is_a_usage_error() {
    let run = check(&fixtures().join("does-not-exist"));
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("does not exist"));
    assert!(run
        .stderr
        .contains("help: pass --lexicons DIR or --lexicons FILE"));
}

/// `--out` naming a file is refused before any lexicon is read.
#[test]
fn gen_records_out_file_is_a_usage_error_before_linting() {
    let temp = tempfile::tempdir().unwrap();
    let file = temp.path().join("records.json");
    std::fs::write(&file, "{}").unwrap();
    // The lexicons have errors: were they linted first, they would be reported.
    let output = lexperm(&[
        os("gen"),
        os("records"),
        os("--lexicons"),
        fixtures().join("mixed").as_os_str(),
        os("--out"),
        file.as_os_str(),
    ]);
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr.starts_with(&format!(
            "error: --out {} is a file, not a folder\n  help: pass a folder",
            file.display()
        )),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 2, "{stderr}");
}

#[test]
fn gen_rust_writes_the_builder_output() {
    let temp = tempfile::tempdir().unwrap();
    // Missing parent folders are created.
    let out = temp.path().join("src/generated/lexicons.rs");
    let output = Command::new(env!("CARGO_BIN_EXE_lexperm"))
        .args(["gen", "rust", "--lexicons"])
        .arg(fixtures().join("valid"))
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let code = std::fs::read_to_string(&out).unwrap();
    let expected = lexperm_codegen::Builder::new()
        .lexicons(fixtures().join("valid"))
        .emit_rerun_if_changed(false)
        .generate_string()
        .unwrap();
    assert_eq!(code, expected);
    assert!(
        code.contains("pub const REPO_ALL: Scope = Scope(\"repo:org.lexperm.fixture.snippet\");")
    );
}

#[test]
fn output_folder_inside_the_lexicon_folder_is_not_read_back() {
    let temp = tempfile::tempdir().unwrap();
    let lexicons = temp.path().join("lexicons");
    std::fs::create_dir(&lexicons).unwrap();
    std::fs::copy(
        fixtures().join("valid/strongRef.json"),
        lexicons.join("strongRef.json"),
    )
    .unwrap();
    let out = lexicons.join("records");
    for _ in 0..2 {
        let output = Command::new(env!("CARGO_BIN_EXE_lexperm"))
            .args(["gen", "records", "--lexicons"])
            .arg(&lexicons)
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn editor_schema_hint_is_not_published() {
    let lexicon = |hint: &str| {
        format!(
            r#"{{{hint}"lexicon": 1, "id": "com.example.thing", "defs": {{"main": {{"type": "token", "description": "A thing."}}}}}}"#
        )
    };
    let hinted = tempfile::tempdir().unwrap();
    std::fs::write(
        hinted.path().join("thing.json"),
        lexicon(r#""$schema": "https://lexperm.dev/schema/lexicon.schema.json", "#),
    )
    .unwrap();
    let plain = tempfile::tempdir().unwrap();
    std::fs::write(plain.path().join("thing.json"), lexicon("")).unwrap();

    let run = check(hinted.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    // The hint is neither a lint finding nor part of the record.
    assert_eq!(run.stderr, "");
    let record = run.file("com.example.thing.json");
    assert!(record.get("$schema").is_none(), "{record}");
    assert_eq!(record["$type"], "com.atproto.lexicon.schema");
    assert_eq!(run.file("cids.json"), check(plain.path()).file("cids.json"));
}

fn lexperm(args: &[&std::ffi::OsStr]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_lexperm"))
        .args(args)
        .output()
        .unwrap()
}

fn os(value: &str) -> &std::ffi::OsStr {
    std::ffi::OsStr::new(value)
}

#[test]
fn gen_rust_check_reports_stale_files() {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("scopes.rs");
    let valid = fixtures().join("valid");
    let args = |check: bool| {
        let mut args = vec![
            os("gen"),
            os("rust"),
            os("--lexicons"),
            valid.as_os_str(),
            os("--out"),
            out.as_os_str(),
        ];
        if check {
            args.push(os("--check"));
        }
        lexperm(&args)
    };
    let missing = args(true);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("is stale: cannot read it"));
    assert!(!out.exists());

    assert_eq!(args(false).status.code(), Some(0));
    let fresh = args(true);
    assert_eq!(fresh.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&fresh.stdout).ends_with("is up to date\n"));

    let code = std::fs::read_to_string(&out).unwrap();
    std::fs::write(&out, code.replacen("pub const NSID", "pub const NSlD", 1)).unwrap();
    let stale = args(true);
    assert_eq!(stale.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&stale.stderr);
    assert!(
        stderr.contains("is stale: 1 line only in the file, 1 only in the generated code; first difference at line"),
        "{stderr}"
    );
    assert!(stderr.contains("\n  - pub const NSlD: &str = "), "{stderr}");
    assert!(stderr.contains("\n  + pub const NSID: &str = "), "{stderr}");
    assert!(stderr.contains("help: run the same command without --check"));
}

#[test]
fn gen_rust_fails_with_rendered_lint_errors() {
    let temp = tempfile::tempdir().unwrap();
    std::fs::write(temp.path().join("broken.json"), "{\"lexicon\": 1,").unwrap();
    let out = temp.path().join("scopes.rs");
    let output = lexperm(&[
        os("gen"),
        os("rust"),
        os("--lexicons"),
        temp.path().as_os_str(),
        os("--out"),
        out.as_os_str(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("broken.json:1:15: error[L101/invalid-json]: expected a string key"),
        "{stderr}"
    );
    assert!(stderr.contains("\n  help: object keys must be double-quoted strings\n"));
    assert!(
        stderr.starts_with(
            "1 lint error in the lexicons (L101 invalid-json \u{d7}1); no code generated\n"
        ),
        "{stderr}"
    );
    assert!(
        stderr.ends_with(
            "\nto generate anyway, pass --ignore L101 (`lexperm lint` shows each error in its source)\n"
        ),
        "{stderr}"
    );
    assert!(!out.exists());

    let unknown = lexperm(&[
        os("gen"),
        os("ts"),
        os("--lexicons"),
        temp.path().as_os_str(),
        os("--allow"),
        os("nope"),
        os("--out"),
        out.as_os_str(),
    ]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("--ignore: unknown rule `nope`"));

    let missing = temp.path().join("missing");
    let output = lexperm(&[
        os("gen"),
        os("rust"),
        os("--lexicons"),
        missing.as_os_str(),
        os("--out"),
        out.as_os_str(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("help: pass --lexicons DIR"));
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The string literals of the generated array `name` in the module of permission set `nsid`.
fn generated_list(code: &str, nsid: &str, name: &str) -> Vec<String> {
    let module = code
        .split(&format!("//! The permission set `{nsid}`."))
        .nth(1)
        .unwrap_or_else(|| panic!("no module for {nsid}"));
    let start = module
        .find(&format!("pub const {name}: &[&str] ="))
        .unwrap_or_else(|| panic!("no {name} for {nsid}"));
    let rest = &module[start..];
    let array = &rest[rest.find("&[").unwrap()..rest.find("];").unwrap()];
    array
        .split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

/// `lexperm gen rust` constants equal what `lexperm expand --format json` grants, without and with
/// an audience, for every permission set of `dir`.
fn check_gen_rust_against_expand(dir: &Path, allow: &[&str]) -> usize {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("scopes.rs");
    let mut args = vec![os("gen"), os("rust"), os("--lexicons"), dir.as_os_str()];
    for rule in allow {
        args.push(os("--allow"));
        args.push(os(rule));
    }
    args.push(os("--out"));
    args.push(out.as_os_str());
    let output = lexperm(&args);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let code = std::fs::read_to_string(&out).unwrap();
    let nsids: Vec<&str> = code
        .split("//! The permission set `")
        .skip(1)
        .map(|rest| rest.split('`').next().unwrap())
        .collect();
    assert!(!nsids.is_empty());
    let aud = "did:web:api.example.com#svc";
    let escaped = "did:web:api.example.com%23svc";
    let mut includes: Vec<String> = Vec::new();
    for nsid in &nsids {
        includes.push(format!("include:{nsid}"));
        includes.push(format!("include:{nsid}?aud={escaped}"));
    }
    let mut args = vec![
        os("expand"),
        os("--lexicons"),
        dir.as_os_str(),
        os("--format"),
        os("json"),
    ];
    args.extend(includes.iter().map(|i| os(i)));
    let output = lexperm(&args);
    assert_eq!(output.status.code(), Some(0));
    let lines: Vec<serde_json::Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), includes.len());
    for (index, nsid) in nsids.iter().enumerate() {
        let granted = |line: &serde_json::Value| -> Vec<String> {
            serde_json::from_value(line["granted"].clone()).unwrap()
        };
        assert_eq!(
            generated_list(&code, nsid, "GRANTED_WITHOUT_AUD"),
            granted(&lines[2 * index]),
            "{nsid} without aud"
        );
        let with: Vec<String> = generated_list(&code, nsid, "GRANTED_WITH_AUD")
            .iter()
            .map(|scope| scope.replace("{aud}", escaped))
            .collect();
        assert_eq!(with, granted(&lines[2 * index + 1]), "{nsid} with {aud}");
    }
    nsids.len()
}

#[test]
fn gen_rust_constants_equal_expand_for_repo_lexicons() {
    assert_eq!(
        check_gen_rust_against_expand(&workspace().join("lexicons"), &[]),
        3
    );
}

#[test]
fn gen_rust_constants_equal_expand_for_the_atproto_corpus() {
    let Some(corpus) = support::corpus() else {
        return;
    };
    let corpus = corpus.join("atproto");
    // The corpus' one lint error: a set names `chat.bsky.convo.exportAccountData`, defined nowhere.
    assert_eq!(
        check_gen_rust_against_expand(&corpus, &["undefined-lxm"]),
        10
    );
}

#[test]
fn gen_ts_writes_the_typescript_target() {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("scopes.ts");
    let lexicons = workspace().join("lexicons");
    let output = lexperm(&[
        os("gen"),
        os("ts"),
        os("--lexicons"),
        lexicons.as_os_str(),
        os("--out"),
        out.as_os_str(),
    ]);
    assert_eq!(output.status.code(), Some(0));
    let expected = lexperm_codegen::Builder::new()
        .lexicons(&lexicons)
        .typescript()
        .generate_string()
        .unwrap();
    assert_eq!(std::fs::read_to_string(&out).unwrap(), expected);
    assert!(expected.contains("authManageCalendar: {"));
}

/// Under `--reference 0.5.12` the example authority's space set is one a released PDS drops
/// entry by entry, so the lint gate refuses it; the default reference generates it.
#[test]
fn gen_rust_follows_the_reference_switch() {
    let lexicons = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../lexicons");
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("scopes.rs");
    let run = |extra: &[&str]| {
        let mut args = vec![
            os("gen"),
            os("rust"),
            os("--lexicons"),
            lexicons.as_os_str(),
            os("--out"),
            out.as_os_str(),
        ];
        args.extend(extra.iter().map(|a| os(a)));
        lexperm(&args)
    };
    let stable = run(&["--reference", "0.5.12"]);
    assert_eq!(stable.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&stable.stderr);
    assert!(
        stderr.contains("authSharedCalendar.json:20:23: error[P102/unknown-resource]"),
        "{stderr}"
    );
    assert!(!out.exists());
    let default = run(&[]);
    assert_eq!(default.status.code(), Some(0));
    let code = std::fs::read_to_string(&out).unwrap();
    assert!(code.contains("space:org.lexperm.example.calendar.sharedCalendar"));
}
