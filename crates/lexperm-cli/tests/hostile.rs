//! The hostile-input suite: one module per class of attack, kept under `tests/hostile/`.
#[path = "../../../tests/hostile/local_input.rs"]
mod local_input;
#[path = "../../../tests/hostile/network.rs"]
mod network;
#[path = "../../../tests/hostile/output.rs"]
mod output;
