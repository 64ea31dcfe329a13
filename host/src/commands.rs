//! The commands of the `switchyard` binary other than `serve`: `switchyard policy ...`
//! (`policy`: its arguments, `check` and `simulate` offline; `remote`: `upload`, `activate`,
//! `rollback` and `list` against a server; `template`: `new`, a policy project to start from).

pub mod policy;
pub mod remote;
pub mod template;

pub use policy::{PolicyCommand, Remote, run};
