//! Paths of guest components built by build.rs.
