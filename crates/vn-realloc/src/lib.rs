//! realloc advises a Vietnamese province on moving planned public-investment capital from
//! slow-disbursing projects to fast, key or near-complete ones, within each capital source.
//!
//! The pipeline: [`load`] a scenario folder into a validated [`Scenario`](scenario::Scenario)
//! (or every problem found, with file, line and column); classify its rows with [`rules`] into
//! difficulty groups, pace classes and priority tiers, which yields the bounds of the [`model`];
//! [`optimize`] the moves; render the proposal. Money is exact [`Money`](money::Money) in whole đồng
//! everywhere except inside the solver.
//!
//! ```
//! use realloc::money::Money;
//! let plan = Money::parse_million("7209.438").unwrap();
//! assert_eq!(plan.dong(), 7_209_438_000);
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod contract;
pub mod diag;
pub mod domain;
pub mod generate;
pub mod load;
pub mod model;
pub mod money;
pub mod monitor;
pub mod optimize;
pub mod pipeline;
pub mod report;
pub mod risk;
pub mod rules;
pub mod scenario;
pub mod sweep;
pub mod template;
pub mod write;

/// The version of the library (and of the `realloc` tool built with it).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// The commit it was built from, seven hex digits, or "unknown" when neither git, a packaged crate's
/// `.cargo_vcs_info.json` nor the environment variable `REALLOC_COMMIT` said (see `build.rs`).
pub const COMMIT: &str = env!("REALLOC_COMMIT");
/// The date of that commit (`YYYY-MM-DD`), empty when unknown.
pub const COMMIT_DATE: &str = env!("REALLOC_COMMIT_DATE");
/// The version with its commit, as `realloc -V` prints it: `0.1.0 (3f283ef 2026-11-30)`.
pub const LONG_VERSION: &str = env!("REALLOC_LONG_VERSION");
