//! The hostile-input suite: one module per class of attack, kept under `tests/hostile/`.
#[path = "../../../tests/hostile/scope_strings.rs"]
mod scope_strings;
