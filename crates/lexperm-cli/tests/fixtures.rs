//! Snapshot tests of every output format over each fixture folder `fixtures/lint/<rule-name>/`,
//! running the real binary from the workspace root so paths in the output are stable.

mod common;

use std::path::Path;

const FORMATS: &[&str] = &["human", "json", "sarif", "github"];

/// Lints one fixture folder in every format and snapshots each output with its exit code.
fn check(dir: &Path) {
    let root = common::workspace_root();
    let relative = dir
        .strip_prefix(&root)
        .expect("fixtures live in the workspace")
        .to_string_lossy()
        .replace('\\', "/");
    let name = dir.file_name().unwrap().to_string_lossy().to_string();
    for format in FORMATS {
        let output = common::lexperm(&root, &["lint", &relative, "--format", format]);
        let code = output.status.code().expect("exited normally");
        assert!(
            code == 0 || code == 1,
            "{relative} --format {format}: exit {code}\n{}",
            common::stderr(&output)
        );
        let text = format!("exit code: {code}\n{}", common::stdout(&output));
        insta::with_settings!({
            snapshot_suffix => format!("{name}@{format}"),
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_snapshot!("lint", text);
        });
    }
}

#[test]
fn lint_fixture_folders() {
    let base = common::workspace_root().join("fixtures").join("lint");
    let mut checked = 0;
    insta::glob!("../../../fixtures/lint", "*", |path| {
        // The glob also yields its base directory; only the folders inside it are fixtures.
        if path.is_dir() && path != base {
            check(path);
            checked += 1;
        }
    });
    assert!(checked > 0, "no fixture folders under {}", base.display());
}
