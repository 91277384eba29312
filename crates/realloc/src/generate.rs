//! Deterministic synthetic scenarios at province or national scale, for demos, tests and benchmarks.
//!
//! TODO(generator helper): implement.
