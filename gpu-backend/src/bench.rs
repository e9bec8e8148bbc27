//! Benchmarks for `gemu bench`.
