//! `switchyard` binary.
fn main() {}
