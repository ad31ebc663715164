//! One configuration for every command: where `lexperm.toml` is found, that `lint`, `gen` and
//! `breaking` honour it, the rule flags (`--select`, `--ignore`, `--warn`, `--deny`, comma lists),
//! and what the walk leaves out (`exclude`, `extend-exclude`, `.gitignore`, JSON that is not a
//! lexicon). Each test builds a small folder and runs the real binary in it.

mod common;

use common::{check, write, ERROR_DOC, WARNING_DOC};

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (path, text) in files {
        write(dir.path(), path, text);
    }
    dir
}

#[test]
fn config_is_found_from_the_linted_path_upward_and_named_with_verbose() {
    let dir = project(&[
        ("repo/lexperm.toml", "[rules]\nL105 = \"off\"\n"),
        ("repo/lexicons/com/example/broken.json", ERROR_DOC),
        ("elsewhere/.keep", ""),
    ]);
    let repo = dir.path().join("repo");
    // From the repository's top, from a subfolder of it, and from outside it.
    check(&repo, &["lint", "lexicons"], 0);
    let inner = repo.join("lexicons/com/example");
    let (_, err) = check(&inner, &["lint", ".", "-v"], 0);
    let found = repo.join("lexperm.toml");
    assert!(
        err.contains(&format!("lexperm: using config {}\n", found.display())),
        "{err}"
    );
    let elsewhere = dir.path().join("elsewhere");
    let lexicons = repo.join("lexicons");
    let (_, err) = check(
        &elsewhere,
        &["--verbose", "lint", &lexicons.to_string_lossy()],
        0,
    );
    assert!(err.contains("using config"), "{err}");
    // Without the file: the error is back, and verbose says no file was found.
    std::fs::remove_file(&found).unwrap();
    let (_, err) = check(&inner, &["lint", ".", "-v"], 1);
    assert!(
        err.contains("lexperm: no lexperm.toml found; using the defaults"),
        "{err}"
    );
    // --config overrides discovery.
    write(dir.path(), "strict.toml", "[rules]\nL105 = \"off\"\n");
    let strict = dir.path().join("strict.toml");
    check(
        &inner,
        &["lint", ".", "--config", &strict.to_string_lossy()],
        0,
    );
}

#[test]
fn the_nearest_config_wins_and_the_current_folder_is_the_fallback() {
    let dir = project(&[
        ("lexperm.toml", "[rules]\nL105 = \"warning\"\n"),
        ("repo/lexperm.toml", "[rules]\nL105 = \"off\"\n"),
        ("repo/lexicons/com/example/broken.json", ERROR_DOC),
        ("other/lexicons/com/example/broken.json", ERROR_DOC),
    ]);
    let (out, _) = check(dir.path(), &["lint", "repo/lexicons"], 0);
    assert!(out.starts_with("0 errors, 0 warnings"), "{out}");
    // `other/` has no config of its own: the parent's (here also the current folder's).
    let (out, _) = check(dir.path(), &["lint", "other/lexicons"], 0);
    assert!(out.ends_with("0 errors, 1 warning in 1 file\n"), "{out}");
}

#[test]
fn gen_rust_ts_and_records_honour_the_config() {
    let dir = project(&[("lexicons/com/example/broken.json", ERROR_DOC)]);
    let gen = |target: &str, code: i32| {
        check(
            dir.path(),
            &["gen", target, "--lexicons", "lexicons", "--out", "out.txt"],
            code,
        )
    };
    gen("rust", 1);
    gen("ts", 1);
    let records = |code: i32| {
        let args = [
            "gen",
            "records",
            "--lexicons",
            "lexicons",
            "--out",
            "records",
        ];
        check(dir.path(), &args, code)
    };
    records(1);
    // `allow` is a name of `off`, as docs/codegen.md says.
    write(dir.path(), "lexperm.toml", "[rules]\nL105 = \"allow\"\n");
    gen("rust", 0);
    gen("ts", 0);
    check(dir.path(), &["lint"], 0);
    records(0);
    // The command line comes after the file.
    gen("rust", 0);
    let (_, err) = check(
        dir.path(),
        &[
            "gen",
            "rust",
            "--lexicons",
            "lexicons",
            "--out",
            "out.txt",
            "--deny",
            "L105",
        ],
        1,
    );
    assert!(err.contains("error[L105/unknown-schema-type]"), "{err}");
}

#[test]
fn rule_flags_take_comma_lists_and_repeat() {
    let dir = project(&[
        ("lexicons/com/example/broken.json", ERROR_DOC),
        ("lexicons/com/example/getThing.json", WARNING_DOC),
    ]);
    check(dir.path(), &["lint"], 1);
    let (out, _) = check(
        dir.path(),
        &["lint", "--ignore", "L105,missing-primary-description"],
        0,
    );
    assert!(out.starts_with("0 errors, 0 warnings"), "{out}");
    check(
        dir.path(),
        &[
            "lint", "--ignore", "L105", "--ignore", "S101", "--deny", "warnings",
        ],
        0,
    );
    // `--allow` is still a name of `--ignore`.
    check(dir.path(), &["lint", "--allow", "L105"], 0);
    // --warn makes the error a warning; --deny warnings fails on it again.
    let (out, _) = check(dir.path(), &["lint", "--warn", "L105"], 0);
    assert!(out.ends_with("0 errors, 2 warnings in 2 files\n"), "{out}");
    check(
        dir.path(),
        &["lint", "--warn", "L105", "--deny", "warnings"],
        1,
    );
    // --deny RULE makes a warning an error.
    let (out, _) = check(
        dir.path(),
        &["lint", "--ignore", "L105", "--deny", "S101"],
        1,
    );
    assert!(
        out.ends_with("1 error, 0 warnings in 2 files (1 with findings)\n"),
        "{out}"
    );
    // --select: only these rules.
    let (out, _) = check(dir.path(), &["lint", "--select", "S101"], 0);
    assert!(
        out.ends_with("0 errors, 1 warning in 2 files (1 with findings)\n"),
        "{out}"
    );
    let (out, _) = check(
        dir.path(),
        &["lint", "--select", "L105", "--format", "json"],
        1,
    );
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.contains("\"code\":\"L105\""), "{out}");
    let (_, err) = check(dir.path(), &["lint", "--select", "L105,nope"], 2);
    assert!(err.contains("--select: unknown rule `nope`"), "{err}");
    // The same flags on breaking: the base has no such files, so nothing breaks, and unknown
    // rules are still refused.
    let (_, err) = check(
        dir.path(),
        &["breaking", "--base", "lexicons", "--warn", "nope"],
        2,
    );
    assert!(err.contains("--warn: unknown rule `nope`"), "{err}");
    check(
        dir.path(),
        &[
            "breaking",
            "--base",
            "lexicons",
            "--select",
            "B101,B102",
            "--deny",
            "warnings",
        ],
        0,
    );
}

#[test]
fn exclude_and_extend_exclude() {
    let dir = project(&[
        ("lexicons/com/example/getThing.json", WARNING_DOC),
        ("lexicons/vendor/com/example/broken.json", ERROR_DOC),
        ("lexicons/node_modules/com/example/broken.json", ERROR_DOC),
    ]);
    // node_modules is left out by default.
    let (out, _) = check(dir.path(), &["lint", "--ignore", "L201,S113,L207"], 1);
    assert!(out.contains("in 2 files"), "{out}");
    write(
        dir.path(),
        "lexperm.toml",
        "extend-exclude = [\"vendor\"]\n",
    );
    let (out, err) = check(dir.path(), &["lint", "-v"], 0);
    assert!(out.ends_with("0 errors, 1 warning in 1 file\n"), "{out}");
    assert!(err.contains("left out 2 paths"), "{err}");
    // A path glob is relative to the config file's folder.
    write(
        dir.path(),
        "lexperm.toml",
        "extend-exclude = [\"lexicons/vendor/**\"]\n",
    );
    check(dir.path(), &["lint"], 0);
    // `exclude` replaces the defaults: node_modules is walked again.
    write(dir.path(), "lexperm.toml", "exclude = [\"vendor\"]\n");
    let (out, _) = check(dir.path(), &["lint"], 1);
    assert!(out.contains("in 2 files"), "{out}");
    // A path named on the command line is always read.
    write(
        dir.path(),
        "lexperm.toml",
        "extend-exclude = [\"vendor\"]\n",
    );
    check(dir.path(), &["lint", "lexicons/vendor"], 1);
    write(dir.path(), "lexperm.toml", "extend-exclude = [\"[\"]\n");
    let (_, err) = check(dir.path(), &["lint"], 2);
    assert!(err.contains("lexperm.toml: exclude glob `[`"), "{err}");
}

#[test]
fn gitignore_is_respected_in_a_work_tree() {
    let dir = project(&[
        ("lexicons/com/example/getThing.json", WARNING_DOC),
        ("lexicons/generated/com/example/broken.json", ERROR_DOC),
        (".gitignore", "/lexicons/generated/\n"),
    ]);
    // Not a work tree yet: .gitignore means nothing.
    check(dir.path(), &["lint"], 1);
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    check(dir.path(), &["lint"], 0);
    // Also when only a subfolder is linted (the parent's .gitignore applies).
    check(dir.path(), &["lint", "lexicons/com/.."], 0);
    check(dir.path(), &["lint", "--no-respect-gitignore"], 1);
    write(dir.path(), "lexperm.toml", "respect-gitignore = false\n");
    check(dir.path(), &["lint"], 1);
    // A nested .gitignore, and one that re-includes.
    write(dir.path(), "lexperm.toml", "");
    write(dir.path(), ".gitignore", "");
    write(dir.path(), "lexicons/.gitignore", "broken.json\n");
    check(dir.path(), &["lint"], 0);
    write(
        dir.path(),
        "lexicons/generated/.gitignore",
        "!broken.json\n",
    );
    check(dir.path(), &["lint"], 1);
}

#[test]
fn a_typescript_project_lints_only_its_lexicons() {
    let dir = project(&[
        ("lexicons/com/example/getThing.json", WARNING_DOC),
        ("package.json", "{\"name\": \"app\", \"version\": \"1.0.0\"}\n"),
        (
            "tsconfig.json",
            "{\n  // comments and trailing commas\n  \"compilerOptions\": { \"strict\": true, },\n}\n",
        ),
        ("src/data/list.json", "[1, 2, 3]\n"),
        ("node_modules/left-pad/package.json", "{\"name\": \"left-pad\"}\n"),
        (".git/info.json", "{}\n"),
        (".gitignore", "dist/\n"),
        ("dist/out.json", "{\"lexicon\": 1}\n"),
    ]);
    let (out, err) = check(dir.path(), &["lint", ".", "-v", "--format", "json"], 0);
    let codes: Vec<&str> = out
        .lines()
        .filter_map(|line| line.split("\"code\":\"").nth(1))
        .map(|rest| &rest[..4])
        .collect();
    assert_eq!(codes, ["S101"], "{out}");
    assert!(
        err.contains("lexperm: skipped 3 JSON files found by the walk that are not lexicons"),
        "{err}"
    );
    // Named on the command line, a file that is not a lexicon is still reported.
    let (out, _) = check(dir.path(), &["lint", "package.json"], 1);
    assert!(
        out.contains("missing the required field `lexicon`"),
        "{out}"
    );
    // A broken lexicon found by the walk is not mistaken for other JSON.
    write(
        dir.path(),
        "lexicons/com/example/bad.json",
        "{\"lexicon\": 1,, }\n",
    );
    let (out, _) = check(dir.path(), &["lint", "."], 1);
    assert!(out.contains("bad.json"), "{out}");
}

#[test]
fn lexicons_takes_a_file_in_every_command() {
    let dir = project(&[("lexicons/com/example/getThing.json", WARNING_DOC)]);
    let file = "lexicons/com/example/getThing.json";
    check(
        dir.path(),
        &["gen", "rust", "--lexicons", file, "--out", "s.rs"],
        0,
    );
    check(
        dir.path(),
        &["gen", "ts", "--lexicons", file, "--out", "s.ts"],
        0,
    );
    let (out, _) = check(
        dir.path(),
        &["gen", "records", "--lexicons", file, "--out", "records"],
        0,
    );
    assert!(out.starts_with("wrote 1 record"), "{out}");
    check(dir.path(), &["coverage", "--lexicons", file], 0);
}

#[test]
fn breaking_against_git_leaves_out_what_the_walk_leaves_out() {
    if !common::have_git() {
        return;
    }
    let dir = project(&[
        ("lexicons/com/example/getThing.json", WARNING_DOC),
        ("package.json", "{\"name\": \"app\"}\n"),
        ("tsconfig.json", "{\n  // comment\n  \"a\": 1,\n}\n"),
        ("node_modules/x/lexicon.json", ERROR_DOC),
    ]);
    common::git(dir.path(), &["init", "-q"]);
    common::git(dir.path(), &["add", "-A"]);
    common::git(dir.path(), &["commit", "-q", "-m", "base"]);
    let (out, _) = check(
        dir.path(),
        &["breaking", ".", "--base", "HEAD", "--format", "json"],
        0,
    );
    assert!(!out.contains("package.json"), "{out}");
    assert!(!out.contains("tsconfig.json"), "{out}");
    assert!(!out.contains("node_modules"), "{out}");
}
