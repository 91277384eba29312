//! Helpers shared by the criterion benchmarks: generated scenarios written to temporary folders.
