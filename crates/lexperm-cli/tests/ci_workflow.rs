//! The GitHub Actions workflow of `docs/ci.md` (`docs/examples/lexperm.yml`), run: the steps of
//! its pull-request job that call `lexperm lint` or `lexperm breaking` run as GitHub runs them
//! (the workflow's bash, its environment, `$GITHUB_STEP_SUMMARY`) on a scratch repository with
//! a base branch pushed to `origin` and a pull-request branch. Installing, uploading and
//! publishing are GitHub's and the network's part and are not run.

mod common;

use std::path::Path;
use std::process::Command;

use common::{git, have_git, write, POST};
use saphyr::{LoadableYamlNode, YamlOwned};

/// The workflow file, relative to the workspace root.
const WORKFLOW: &str = "docs/examples/lexperm.yml";

/// The branch the pull requests target.
const BASE_BRANCH: &str = "main";

/// A query returning posts.
const GET_POSTS: &str = r#"{
  "lexicon": 1,
  "id": "com.example.getPosts",
  "defs": {
    "main": {
      "type": "query",
      "description": "Get posts.",
      "output": {
        "encoding": "application/json",
        "schema": {
          "type": "object",
          "required": ["posts"],
          "properties": {
            "posts": { "type": "array", "items": { "type": "string", "format": "at-uri" } }
          }
        }
      }
    }
  }
}
"#;

/// A record without a description: a warning (S101) that is in the base already and that no
/// pull request below touches.
const LIKE: &str = r#"{
  "lexicon": 1,
  "id": "com.example.like",
  "defs": {
    "main": {
      "type": "record",
      "key": "tid",
      "record": { "type": "object", "properties": {} }
    }
  }
}
"#;

/// `POST` with a new property `lang` after `text`, described by `schema`, required or not.
fn post_with_lang(schema: &str, required: bool) -> String {
    let post = POST.replace(
        r#""text": { "type": "string", "maxLength": 300 }"#,
        &format!(
            r#""text": {{ "type": "string", "maxLength": 300 }},
          "lang": {schema}"#
        ),
    );
    if required {
        post.replace(r#""required": ["text"]"#, r#""required": ["text", "lang"]"#)
    } else {
        post
    }
}

/// The workflow file's text and its parsed document.
fn workflow() -> (String, YamlOwned) {
    let path = common::workspace_root().join(WORKFLOW);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut documents = YamlOwned::load_from_str(&text)
        .unwrap_or_else(|e| panic!("{WORKFLOW} is not valid YAML: {e}"));
    assert_eq!(documents.len(), 1, "{WORKFLOW} holds one YAML document");
    (text, documents.remove(0))
}

/// `node[key]`, which must exist.
fn get<'a>(node: &'a YamlOwned, key: &str) -> &'a YamlOwned {
    node.as_mapping_get(key)
        .unwrap_or_else(|| panic!("{WORKFLOW}: no `{key}` in {node:?}"))
}

/// `node[key]` as a string, when it is one.
fn get_str<'a>(node: &'a YamlOwned, key: &str) -> Option<&'a str> {
    node.as_mapping_get(key).and_then(YamlOwned::as_str)
}

/// The `key: value` pairs of `node[key]` (an `env` mapping), or none.
fn string_map(node: &YamlOwned, key: &str) -> Vec<(String, String)> {
    let Some(map) = node.as_mapping_get(key) else {
        return Vec::new();
    };
    map.as_mapping()
        .unwrap_or_else(|| panic!("{WORKFLOW}: `{key}` is not a mapping"))
        .iter()
        .map(|(name, value)| {
            let name = name.as_str().expect("a string key").to_owned();
            let value = value
                .as_str()
                .unwrap_or_else(|| panic!("{WORKFLOW}: `{key}.{name}` is not a string"));
            (name, value.to_owned())
        })
        .collect()
}

/// The jobs of the workflow, by id.
fn jobs(workflow: &YamlOwned) -> Vec<(&str, &YamlOwned)> {
    get(workflow, "jobs")
        .as_mapping()
        .expect("`jobs` is a mapping")
        .iter()
        .map(|(id, job)| (id.as_str().expect("a job id"), job))
        .collect()
}

/// The job that runs on pull requests.
fn pull_request_job(workflow: &YamlOwned) -> &YamlOwned {
    let found: Vec<&YamlOwned> = jobs(workflow)
        .into_iter()
        .filter(|(_, job)| get_str(job, "if").is_some_and(|c| c.contains("'pull_request'")))
        .map(|(_, job)| job)
        .collect();
    assert_eq!(found.len(), 1, "{WORKFLOW}: one job runs on pull requests");
    found[0]
}

/// The steps of `job`.
fn steps(job: &YamlOwned) -> &[YamlOwned] {
    get(job, "steps").as_sequence().expect("`steps` is a list")
}

/// `text` with each `${{ … }}` expression replaced by its value in a pull request against
/// [`BASE_BRANCH`]. An expression not known here fails the test: it needs a value below.
fn expand(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        let end = rest[start..]
            .find("}}")
            .unwrap_or_else(|| panic!("unclosed expression in {text:?}"))
            + start;
        let expression = rest[start + 3..end].trim();
        let value = match expression {
            "github.base_ref" => BASE_BRANCH,
            other => panic!("{WORKFLOW}: no test value for the expression `{other}` in {text:?}"),
        };
        out.push_str(&rest[..start]);
        out.push_str(value);
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

/// A `run:` step of the pull-request job that calls lexperm.
struct LexpermStep {
    /// The step's `name`.
    name: String,
    /// The script, expressions expanded.
    script: String,
    /// The job's and then the step's `env`, expressions expanded.
    env: Vec<(String, String)>,
}

/// The steps of the pull-request job that run `lexperm lint` or `lexperm breaking`, in order.
/// Steps that install lexperm or upload results are not among them.
fn lexperm_steps(workflow: &YamlOwned) -> Vec<LexpermStep> {
    let job = pull_request_job(workflow);
    let job_env = string_map(job, "env");
    steps(job)
        .iter()
        .filter_map(|step| {
            let run = get_str(step, "run")?;
            if !(run.contains("lexperm lint") || run.contains("lexperm breaking")) {
                return None;
            }
            assert!(
                step.as_mapping_get("shell").is_none(),
                "{WORKFLOW}: a step sets its own shell; the test runs the workflow's bash"
            );
            let env = job_env
                .iter()
                .chain(string_map(step, "env").iter())
                .map(|(name, value)| (name.clone(), expand(value)))
                .collect();
            Some(LexpermStep {
                name: get_str(step, "name").unwrap_or("(unnamed)").to_owned(),
                script: expand(run),
                env,
            })
        })
        .collect()
}

/// What one run of the workflow's lexperm steps left.
struct WorkflowRun {
    /// Each step's name and exit code.
    exits: Vec<(String, i32)>,
    /// `$GITHUB_STEP_SUMMARY` after the last step.
    summary: String,
    /// The SARIF file the upload step would send, parsed.
    sarif: serde_json::Value,
}

impl WorkflowRun {
    /// The exit codes, in step order.
    fn codes(&self) -> Vec<i32> {
        self.exits.iter().map(|(_, code)| *code).collect()
    }
}

/// Runs `steps` in the checkout `repo` one after the other as GitHub runs a `run:` step with
/// `shell: bash` (`bash --noprofile --norc -eo pipefail SCRIPT`), with `lexperm` on `PATH` and
/// a fresh `$GITHUB_STEP_SUMMARY`; every step runs, as the workflow's `!cancelled()` conditions
/// ask.
fn run_steps(repo: &Path, steps: &[LexpermStep], sarif_file: &str) -> WorkflowRun {
    let scratch = tempfile::tempdir().expect("temp dir");
    let summary = scratch.path().join("step_summary.md");
    std::fs::write(&summary, "").expect("summary file");
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_lexperm"))
        .parent()
        .expect("the binary's folder");
    let mut path = vec![bin_dir.to_path_buf()];
    path.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    let path = std::env::join_paths(path).expect("PATH");
    let mut exits = Vec::new();
    for (index, step) in steps.iter().enumerate() {
        let script = scratch.path().join(format!("step{index}.sh"));
        std::fs::write(&script, &step.script).expect("script file");
        let output = Command::new("bash")
            .args(["--noprofile", "--norc", "-eo", "pipefail"])
            .arg(&script)
            .current_dir(repo)
            .env("PATH", &path)
            .env("GITHUB_STEP_SUMMARY", &summary)
            .env("NO_COLOR", "1")
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .envs(step.env.iter().map(|(k, v)| (k, v)))
            .output()
            .expect("bash runs");
        let code = output.status.code().unwrap_or(-1);
        assert!(
            code == 0 || code == 1,
            "step `{}` exited with {code} (a usage error: did a command or flag change?)\n{}\nstderr:\n{}",
            step.name,
            step.script,
            String::from_utf8_lossy(&output.stderr)
        );
        exits.push((step.name.clone(), code));
    }
    let sarif_path = repo.join(sarif_file);
    let sarif = std::fs::read_to_string(&sarif_path)
        .unwrap_or_else(|e| panic!("{}: {e}", sarif_path.display()));
    WorkflowRun {
        exits,
        summary: std::fs::read_to_string(&summary).expect("summary"),
        sarif: serde_json::from_str(&sarif).expect("the SARIF file is JSON"),
    }
}

/// The workflow's lexperm steps run on a pull request whose one change writes `post` to
/// `lexicons/com/example/post.json`; `None` (with a note) when git is not installed.
fn run_pull_request(post: &str) -> Option<WorkflowRun> {
    if !have_git() {
        return None;
    }
    let (_, workflow) = workflow();
    let dir = pull_request_checkout(post);
    Some(run_steps(
        &dir.path().join("work"),
        &lexperm_steps(&workflow),
        &uploaded_sarif(&workflow),
    ))
}

/// A repository laid out as `actions/checkout` with `fetch-depth: 0` leaves a pull request:
/// `origin` (a bare repository) holds [`BASE_BRANCH`] with three lexicons, and the checkout is
/// on a branch off it whose one commit writes `lexicons/com/example/post.json` as `post`.
fn pull_request_checkout(post: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let origin = dir.path().join("origin.git");
    let work = dir.path().join("work");
    std::fs::create_dir_all(&origin).expect("origin folder");
    git(&origin, &["init", "-q", "--bare"]);
    write(&work, "lexicons/com/example/post.json", POST);
    write(&work, "lexicons/com/example/getPosts.json", GET_POSTS);
    write(&work, "lexicons/com/example/like.json", LIKE);
    git(&work, &["init", "-q"]);
    git(&work, &["checkout", "-q", "-b", BASE_BRANCH]);
    git(&work, &["add", "-A"]);
    git(&work, &["commit", "-q", "-m", "base"]);
    git(&work, &["remote", "add", "origin", "../origin.git"]);
    git(&work, &["push", "-q", "origin", BASE_BRANCH]);
    git(&work, &["fetch", "-q", "origin"]);
    git(&work, &["checkout", "-q", "-b", "change"]);
    write(&work, "lexicons/com/example/post.json", post);
    git(&work, &["commit", "-q", "-am", "change"]);
    dir
}

/// The SARIF file the lint step writes, named by the upload step's `sarif_file`.
fn uploaded_sarif(workflow: &YamlOwned) -> String {
    let upload = steps(pull_request_job(workflow))
        .iter()
        .find(|step| {
            get_str(step, "uses")
                .is_some_and(|uses| uses.starts_with("github/codeql-action/upload-sarif@"))
        })
        .expect("the pull-request job uploads SARIF with github/codeql-action/upload-sarif");
    get_str(get(upload, "with"), "sarif_file")
        .expect("the upload step names its `sarif_file`")
        .to_owned()
}

#[test]
fn the_workflow_reports_a_lint_finding_and_a_breaking_change() {
    // A new required field (B106) whose format does not exist (L112).
    let Some(run) = run_pull_request(&post_with_lang(
        r#"{ "type": "string", "format": "language-tag" }"#,
        true,
    )) else {
        return;
    };
    assert_eq!(run.codes(), [1, 1], "{:?}\n{}", run.exits, run.summary);

    assert_eq!(run.sarif["version"], "2.1.0");
    let results = run.sarif["runs"][0]["results"]
        .as_array()
        .expect("SARIF results");
    let found: Vec<(&str, &str)> = results
        .iter()
        .map(|result| {
            (
                result["ruleId"].as_str().expect("ruleId"),
                result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .expect("uri"),
            )
        })
        .collect();
    assert_eq!(found, [("L112", "lexicons/com/example/post.json")]);

    let summary = &run.summary;
    for expected in ["## lexperm lint", "`L112`", "## lexperm breaking", "`B106`"] {
        assert!(summary.contains(expected), "no {expected} in\n{summary}");
    }
    assert!(
        summary.find("## lexperm lint") < summary.find("## lexperm breaking"),
        "{summary}"
    );
    // The warning in the unchanged `like.json` is not the change's doing.
    assert!(!summary.contains("S101"), "{summary}");
}

#[test]
fn the_workflow_passes_a_clean_change() {
    // A new optional field: neither a lint finding nor a breaking change.
    let Some(run) = run_pull_request(&post_with_lang(
        r#"{ "type": "string", "format": "language" }"#,
        false,
    )) else {
        return;
    };
    assert_eq!(run.codes(), [0, 0], "{:?}\n{}", run.exits, run.summary);
    let summary = &run.summary;
    assert!(summary.contains("## lexperm lint"), "{summary}");
    assert!(summary.contains("## lexperm breaking"), "{summary}");
    assert_eq!(summary.matches("No findings").count(), 2, "{summary}");
    assert_eq!(run.sarif["runs"][0]["results"], serde_json::json!([]));
}

#[test]
fn the_workflow_is_the_one_docs_ci_md_shows_and_runs_what_it_describes() {
    let (text, workflow) = workflow();

    // docs/ci.md shows the file as it is.
    let doc_path = common::workspace_root().join("docs/ci.md");
    let doc = std::fs::read_to_string(&doc_path).expect("docs/ci.md");
    assert!(
        yaml_blocks(&doc).contains(&text),
        "docs/ci.md has no ```yaml block equal to {WORKFLOW}"
    );

    // Pull requests and pushes to main; every `run:` in bash.
    let on = get(&workflow, "on");
    assert!(on.contains_mapping_key("pull_request"), "{on:?}");
    let push_branches = get(get(on, "push"), "branches");
    assert!(
        push_branches
            .as_sequence()
            .is_some_and(|branches| branches.iter().any(|b| b.as_str() == Some("main"))),
        "{push_branches:?}"
    );
    assert_eq!(
        get_str(get(get(&workflow, "defaults"), "run"), "shell"),
        Some("bash")
    );

    // The pull-request job checks out the whole history, so `origin/<base>` exists.
    let job = pull_request_job(&workflow);
    let checkout = steps(job)
        .iter()
        .find(|step| get_str(step, "uses").is_some_and(|u| u.starts_with("actions/checkout@")))
        .expect("the pull-request job checks out the repository");
    assert_eq!(
        get(get(checkout, "with"), "fetch-depth").as_integer(),
        Some(0)
    );

    // Its lexperm steps: lint (SARIF and Markdown), then breaking, which runs after a lint
    // failure too.
    let lexperm = lexperm_steps(&workflow);
    assert_eq!(lexperm.len(), 2, "lint and breaking");
    let lint = &lexperm[0].script;
    for expected in [
        "lexperm lint --changed-since",
        "--format sarif",
        "--format markdown",
        "$GITHUB_STEP_SUMMARY",
        &uploaded_sarif(&workflow),
    ] {
        assert!(lint.contains(expected), "no {expected} in {lint}");
    }
    let breaking = &lexperm[1].script;
    assert!(breaking.contains("lexperm breaking --base"), "{breaking}");
    assert!(breaking.contains("$GITHUB_STEP_SUMMARY"), "{breaking}");
    let breaking_step = steps(job)
        .iter()
        .find(|step| get_str(step, "run").is_some_and(|run| run.contains("lexperm breaking")))
        .expect("a breaking step");
    assert!(
        get_str(breaking_step, "if").is_some_and(|c| c.contains("!cancelled()")),
        "the breaking step runs when lint failed"
    );
    let base = lexperm[0]
        .env
        .iter()
        .find(|(name, _)| name == "BASE")
        .map(|(_, value)| value.as_str());
    assert_eq!(base, Some("origin/main"));

    // The push job publishes with the app password from a secret.
    let (_, publish) = jobs(&workflow)
        .into_iter()
        .find(|(_, job)| get_str(job, "if").is_some_and(|c| c.contains("'push'")))
        .expect("a job runs on push");
    let publish_step = steps(publish)
        .iter()
        .find(|step| get_str(step, "run").is_some_and(|run| run.contains("lexperm publish")))
        .expect("the push job runs lexperm publish");
    assert_eq!(
        get_str(get(publish_step, "env"), "LEXPERM_APP_PASSWORD"),
        Some("${{ secrets.LEXPERM_APP_PASSWORD }}")
    );
}

/// The contents of every fenced code block tagged `yaml` in the Markdown text `doc`.
fn yaml_blocks(doc: &str) -> Vec<String> {
    use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for event in Parser::new(doc) {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(lang))) if &*lang == "yaml" => {
                current = Some(String::new());
            }
            Event::Text(text) => {
                if let Some(block) = &mut current {
                    block.push_str(&text);
                }
            }
            Event::End(TagEnd::CodeBlock) => blocks.extend(current.take()),
            _ => {}
        }
    }
    blocks
}
