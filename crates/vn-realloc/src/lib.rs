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
