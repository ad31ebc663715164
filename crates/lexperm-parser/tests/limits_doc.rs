//! `docs/limits.md` lists exactly the bounds of `lexperm_parser::limits`: every constant has a
//! row (its name in the first cell), and every row names a constant.

use std::collections::BTreeSet;
use std::path::Path;

fn read(relative: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_limit_has_a_row_and_every_row_a_limit() {
    let constants: BTreeSet<String> = read("src/limits.rs")
        .lines()
        .filter_map(|line| line.strip_prefix("pub const "))
        .filter_map(|rest| rest.split(':').next())
        .map(|name| name.trim().to_owned())
        .collect();
    assert!(constants.len() >= 3, "{constants:?}");
    let rows: BTreeSet<String> = read("../../docs/limits.md")
        .lines()
        .filter_map(|line| line.strip_prefix("| `"))
        .filter_map(|rest| rest.split('`').next())
        .map(str::to_owned)
        .collect();
    let undocumented: Vec<_> = constants.difference(&rows).collect();
    let unknown: Vec<_> = rows.difference(&constants).collect();
    assert!(
        undocumented.is_empty(),
        "limits without a row in docs/limits.md: {undocumented:?}"
    );
    assert!(
        unknown.is_empty(),
        "rows of docs/limits.md naming no limit: {unknown:?}"
    );
}
