//! Random optimisation instances (a portfolio and a model that keeps the model's invariants), for the
//! property tests and the benchmarks, independent of the scenario generator and the rules.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::domain::{Obstacles, Portfolio, Project, ProjectGroup, Source, Status};
use crate::model::{Model, RowBounds, Settings, SideConstraint, SideConstraintKind};
use crate::money::{DONG_PER_MILLION, Money};

/// What to generate.
#[derive(Clone, Debug, PartialEq)]
pub struct RandomOptions {
    /// Rows.
    pub rows: usize,
    /// Seed: the same options give the same instance.
    pub seed: u64,
    /// Pools used, the first of [`Source::ALL`] (1 to 8).
    pub pools: usize,
    /// Distinct localities.
    pub localities: usize,
    /// Distinct investors.
    pub investors: usize,
    /// When true, each investor works in one locality only (investor caps nest in locality caps).
    pub nested_investors: bool,
    /// Share of rows that are locked.
    pub locked_share: f64,
    /// Locality loss cap, if any.
    pub locality_share: Option<f64>,
    /// Investor loss cap, if any.
    pub investor_share: Option<f64>,
    /// Pool move cap (on every pool), in million VND, if any.
    pub pool_cap_million: Option<i64>,
    /// `min_transfer` in million VND (`min_unit` is one million).
    pub min_transfer_million: i64,
    /// Values are drawn from this many distinct levels, so that ties happen (0 for continuous values).
    pub value_levels: u32,
}

impl RandomOptions {
    /// `rows` rows from `seed`: all eight pools, about 10 rows per locality and 25 per investor,
    /// investors nested in localities, 5% locked, a 30% locality cap, a 40% investor cap, no pool cap,
    /// `min_transfer` of one million, continuous values.
    pub fn new(rows: usize, seed: u64) -> RandomOptions {
        RandomOptions {
            rows,
            seed,
            pools: Source::ALL.len(),
            localities: (rows / 10).max(1),
            investors: (rows / 25).max(1),
            nested_investors: true,
            locked_share: 0.05,
            locality_share: Some(0.3),
            investor_share: Some(0.4),
            pool_cap_million: None,
            min_transfer_million: 1,
            value_levels: 0,
        }
    }
}

/// Generates a portfolio and a model: about 45% donors, 35% recipients, the rest neither.
pub fn instance(opts: &RandomOptions) -> (Portfolio, Model) {
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let pools = &Source::ALL[..opts.pools.clamp(1, Source::ALL.len())];
    let localities = opts.localities.max(1);
    let investors = opts.investors.max(1);
    let mut portfolio = Portfolio::with_capacity(opts.rows);
    let mut rows = Vec::with_capacity(opts.rows);
    let value = |rng: &mut ChaCha8Rng, lo: f64, hi: f64| {
        if opts.value_levels > 0 {
            let k = rng.random_range(0..opts.value_levels);
            lo + (hi - lo) * f64::from(k) / f64::from(opts.value_levels)
        } else {
            lo + (hi - lo) * rng.random::<f64>()
        }
    };
    for i in 0..opts.rows {
        let source = pools[rng.random_range(0..pools.len())];
        let investor = rng.random_range(0..investors);
        let locality =
            if opts.nested_investors { investor % localities } else { rng.random_range(0..localities) };
        // Plans of 0.5 to 5,000 million VND, in thousands of đồng so that flooring to units matters.
        let plan = rng.random_range(500_000..5_000_000_000i64) / 1000 * 1000;
        let disbursed = plan / 100 * rng.random_range(0..=100i64);
        let allocated_before = plan / 10 * rng.random_range(0..10i64);
        let headroom = plan / 10 * rng.random_range(0..20i64);
        let locked = rng.random_bool(opts.locked_share.clamp(0.0, 1.0));
        let kind = rng.random_range(0..100u32);
        let mut b = RowBounds::default();
        if !locked && kind < 45 {
            b.releasable = Money::from_dong((plan - disbursed) / 1000 * rng.random_range(0..=1000i64));
        } else if !locked && kind < 80 {
            b.absorbable = Money::from_dong(headroom / 1000 * rng.random_range(0..=1000i64));
        }
        b.value_in = value(&mut rng, 0.5, 3.0);
        b.value_out = value(&mut rng, 0.0, 2.0);
        let project = Project {
            id: format!("P{i:06}").into(),
            name: format!("Dự án {i}").into(),
            investor: format!("Ban QLDA {investor}").into(),
            locality: format!("Xã {locality}").into(),
            sector: "Giao thông".into(),
            source,
            group: ProjectGroup::C,
            status: Status::Ongoing,
            key_project: false,
            total_investment: Money::from_dong(allocated_before + plan + headroom),
            allocated_before: Money::from_dong(allocated_before),
            plan: Money::from_dong(plan),
            disbursed: Money::from_dong(disbursed),
            unpaid_volume: Money::ZERO,
            site_clearance_pct: None,
            physical_progress_pct: 50.0,
            start_year: 2023,
            end_year: 2026,
            obstacles: Obstacles::NONE,
            locked,
            extra: Default::default(),
        };
        // Ids are unique by construction, so the insert cannot be refused.
        if portfolio.insert(project).is_ok() {
            rows.push(b);
        }
    }
    let mut constraints = Vec::new();
    if let Some(max_share) = opts.locality_share {
        constraints.push(SideConstraint {
            name: "locality_loss_cap".into(),
            kind: SideConstraintKind::LocalityLossShare { max_share },
        });
    }
    if let Some(max_share) = opts.investor_share {
        constraints.push(SideConstraint {
            name: "investor_loss_cap".into(),
            kind: SideConstraintKind::InvestorLossShare { max_share },
        });
    }
    if let Some(max) = opts.pool_cap_million {
        constraints.push(SideConstraint {
            name: "pool_move_cap".into(),
            kind: SideConstraintKind::PoolMoveCap {
                source: None,
                max: Money::from_dong(max * DONG_PER_MILLION),
            },
        });
    }
    let million = Money::from_dong(DONG_PER_MILLION);
    let settings = Settings {
        min_unit: million,
        min_transfer: Money::from_dong(opts.min_transfer_million.max(0) * DONG_PER_MILLION),
    };
    (portfolio, Model { rows, settings, constraints, ..Default::default() })
}
