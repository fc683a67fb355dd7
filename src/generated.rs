//! The client progenitor generates from `openapi/pinterest-v5-trimmed.json` at build time.
//! Private: the crate's public surface wraps it. `cargo doc --document-private-items` or the
//! README's "Looking at the generated code" shows it.

#![allow(
    missing_docs,
    missing_debug_implementations,
    unreachable_pub,
    unused_imports,
    dead_code,
    clippy::all,
    clippy::pedantic,
    rustdoc::all
)]

include!(concat!(env!("OUT_DIR"), "/pinterest_generated.rs"));
