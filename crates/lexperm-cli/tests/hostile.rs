//! The hostile-input suite: one module per class of attack, kept under `tests/hostile/`.
#[path = "../../../tests/hostile/markdown_output.rs"]
mod markdown_output;
#[path = "../../../tests/hostile/network.rs"]
mod network;
