//! The hostile-input suite: one module per class of attack, kept under `tests/hostile/`.
#[path = "../../../tests/hostile/breaking_grants.rs"]
mod breaking_grants;
#[path = "../../../tests/hostile/local_input.rs"]
mod local_input;
#[path = "../../../tests/hostile/markdown_output.rs"]
mod markdown_output;
#[path = "../../../tests/hostile/network.rs"]
mod network;
#[path = "../../../tests/hostile/output.rs"]
mod output;
#[path = "../../../tests/hostile/scope_strings.rs"]
mod scope_strings;
