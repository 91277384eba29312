//! realloc advises a Vietnamese province on moving planned public-investment capital from
//! slow-disbursing projects to fast, key or near-complete ones, within each capital source.
//!
//! The pipeline: [`load`] a scenario folder into a validated [`Scenario`](scenario::Scenario)
//! (or every problem found, with file, line and column); classify its rows with [`rules`] into
//! difficulty groups, pace classes and priority tiers, which yields the bounds of the [`model`];
//! [`optimize`] the moves; build the [`report::ProposalDocument`] and render it. Money is exact
//! [`Money`](money::Money) in whole đồng everywhere except inside the solver.
//!
//! [`pipeline::Pipeline`] runs the whole path in one call, on a folder, on files already in memory
//! or on a built scenario; the `realloc` command line is a front end over it. Every JSON output
//! carries the version of its [`contract`].
//!
//! ```
//! use realloc::load::InMemoryScenario;
//! use realloc::pipeline::Pipeline;
//!
//! // A scenario that never touched a disk: scenario.toml and a projects CSV, as bytes.
//! let toml = r#"
//! name = "Ví dụ"
//! province = "Lạng Sơn"
//! fiscal_year = 2025
//! as_of = "2025-09-30"
//! deadline = "2026-01-31"
//! projects = "projects.csv"
//! amount_format = "dot"
//! "#;
//! let csv = "id,name,investor,locality,sector,source,group,status,key_project,total_investment,\
//! allocated_before,plan,disbursed,unpaid_volume,site_clearance_pct,physical_progress_pct,start_year,\
//! end_year,obstacles,locked
//! A1,Đường chậm,Ban QLDA,Xã A,giao thông,NSTW,B,ongoing,false,50000,10000,20000,1000,0,20,5,2024,2027,land,false
//! B2,Trường nhanh,Ban QLDA,Xã B,giáo dục,NSTW,C,ongoing,false,30000,10000,10000,9500,3000,100,90,2024,2025,,false
//! ";
//! let scenario = InMemoryScenario::new("upload", toml.as_bytes()).file("projects.csv", csv.as_bytes());
//! let run = Pipeline::new().run_in_memory(&scenario)?;
//!
//! // Capital moved within NSTW from the stalled road to the school, conserved to the đồng.
//! let change = |id: &str| run.document.projects.iter().find(|p| &*p.id == id).map(|p| p.change_vnd);
//! assert!(change("A1") < Some(0) && change("B2") > Some(0));
//! assert_eq!(change("A1").zip(change("B2")).map(|(a, b)| a + b), Some(0));
//! // The JSON contract, as `realloc propose --format json` writes it.
//! let json: serde_json::Value = serde_json::from_str(&run.document.to_json()).unwrap_or_default();
//! assert_eq!(json["schema_version"], 2);
//! # Ok::<(), realloc::pipeline::PipelineError>(())
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
pub mod overrides;
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
