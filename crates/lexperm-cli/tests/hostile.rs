//! The hostile-input suite: one module per class of attack, kept under `tests/hostile/`.
#[path = "../../../tests/hostile/breaking_grants.rs"]
mod breaking_grants;
