//! Project tooling for `pinterest-ads`. See `cargo xtask --help`.

pub mod trim;
