//! Process-level tests of `lexperm gen records` and `lexperm gen rust` over `tests/fixtures/gen-records/`.

use std::path::{Path, PathBuf};
use std::process::Command;

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
    assert!(run
        .stdout
        .starts_with("wrote 2 record(s) and cids.json to "));
    assert_eq!(
        run.written(),
        [
            "cids.json",
            "com.atproto.repo.strongRef.json",
            "sh.tangled.string.json"
        ]
    );
    // CIDs computed independently with @ipld/dag-cbor (see lexperm-codegen's fixtures).
    insta::assert_snapshot!(serde_json::to_string_pretty(&run.file("cids.json")).unwrap(), @r#"
    {
      "com.atproto.repo.strongRef": "bafyreifrkdbnkvfjujntdaeigolnrjj3srrs53tfixjhmacclps72qlov4",
      "sh.tangled.string": "bafyreibvvo7okynsr7r2zlooal6pttpoiqli24owwjf76gd6asthbharca"
    }
    "#);
    let record = run.file("sh.tangled.string.json");
    let keys: Vec<&String> = record.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        ["$type", "lexicon", "id", "defs", "needsCbor", "needsType"]
    );
    assert_eq!(record["$type"], "com.atproto.lexicon.schema");
}

#[test]
fn broken_files_are_reported_and_get_no_record() {
    let run = check(&fixtures().join("mixed"));
    assert_eq!(run.code, 1);
    assert_eq!(
        run.written(),
        ["cids.json", "com.atproto.repo.strongRef.json"]
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
            "error: float.json: cannot encode the record at /defs/main/minimum: 0.5 is a float"
        ),
        "{}",
        run.stderr
    );
    assert!(run
        .stderr
        .contains("error: 2 lexicon file(s) have lint errors:"));
    assert!(!run.stderr.contains("L103"));
}

#[test]
fn missing_lexicon_folder_is_a_usage_error() {
    let run = check(&fixtures().join("does-not-exist"));
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("does not exist or is not a folder"));
    assert!(run.stderr.contains("help: pass --lexicons DIR"));
}

#[test]
fn gen_rust_writes_the_builder_output() {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("lexicons.rs");
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
        .generate_string()
        .unwrap();
    assert_eq!(code, expected);
    assert!(code.contains("pub const REPO_ALL: Scope = Scope(\"repo:sh.tangled.string\");"));
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
