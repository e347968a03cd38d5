//! Writing a run's outputs.

pub mod file;
