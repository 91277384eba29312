//! Deterministic synthetic scenarios at province or national scale, for demos, tests and benchmarks.
//!
//! [`generate_scenario`] builds a portfolio and its monthly history that look like Lạng Sơn's: a few
//! large group-A projects, tens of group B, many small group-C ones; about 78% of the plan from central
//! sources; statuses, paces from fast to stalled around the national disbursement curve, obstacles
//! that go with slow pace, Vietnamese names; and the version-2 inputs: loan agreements on ODA rows and
//! their counterpart rows, medium-term room, investors' requests, a few categories and extensions,
//! an investment decision on every row, lock reasons, a `pipeline.csv` of ready projects per pool and
//! a `[document]` table (module `extra`, drawn from its own random stream so that the version-1
//! fields of a seed did not change). [`generate_files`] writes exactly that scenario with the
//! serialisers of [`crate::write`], so loading the files gives the same scenario back.
//!
//! **Determinism:** the same options give the same bytes. The only randomness is a
//! [`ChaCha8Rng`] seeded from [`GenerateOptions::seed`]; floating point uses only the
//! correctly-rounded operations (`+ - * /`, `round`), never the platform's `exp` or `ln`, so the
//! output does not depend on the C library either.
//!
//! ```
//! use realloc::generate::{generate_scenario, GenerateOptions};
//! let s = generate_scenario(&GenerateOptions::new(40, 7));
//! assert_eq!(s.portfolio.len(), 40);
//! ```

mod extra;
mod math;
mod monitoring;
mod names;

use chrono::{Datelike, NaiveDate};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::domain::{Obstacle, Obstacles, Portfolio, Project, ProjectGroup, Source, Status};
use crate::money::Money;
use crate::scenario::{History, Scenario, ScenarioMeta};
use crate::write;

use math::{exp, normal, round_thousand};
use names::{Place, Sector};

/// The plan of a 400-row scenario when no total is given: Lạng Sơn's 2025 plan, about 6,300 bn VND
/// (in million VND); larger scenarios scale it in proportion to their rows.
pub const PLAN_PER_400_ROWS_MILLION: i64 = 6_300_000;

/// What to generate.
#[derive(Clone, Debug, PartialEq)]
pub struct GenerateOptions {
    /// Number of rows of `projects.csv`.
    pub rows: usize,
    /// Seed: the same options give the same bytes.
    pub seed: u64,
    /// Plan year.
    pub fiscal_year: i32,
    /// Date the figures describe.
    pub as_of: NaiveDate,
    /// Last disbursement date of the plan year: 31 January of the next year by default.
    pub deadline: NaiveDate,
    /// Scenario name written in `scenario.toml`.
    pub name: String,
    /// Province written in `scenario.toml` and used in province-wide project names.
    pub province: String,
    /// Total plan over all rows; `None` gives 6,300 bn VND per 400 rows.
    pub total_plan: Option<Money>,
    /// Also the monitoring inputs and last year's scenario (module `monitoring`): what `realloc
    /// generate` writes; false from [`GenerateOptions::new`], so that a portfolio for tests and
    /// benchmarks costs what it did.
    pub monitoring: bool,
}

impl GenerateOptions {
    /// `rows` rows from `seed`, plan year 2025, figures as of 30 September 2025, deadline
    /// 31 January 2026, province Lạng Sơn, total plan 6,300 bn VND per 400 rows.
    pub fn new(rows: usize, seed: u64) -> GenerateOptions {
        GenerateOptions {
            rows,
            seed,
            fiscal_year: 2025,
            as_of: NaiveDate::from_ymd_opt(2025, 9, 30).unwrap_or_default(),
            deadline: NaiveDate::from_ymd_opt(2026, 1, 31).unwrap_or_default(),
            name: String::new(),
            province: "Lạng Sơn".to_owned(),
            total_plan: None,
            monitoring: false,
        }
        .named()
    }

    /// The default scenario name: "{province} {year}: kịch bản tổng hợp {rows} dòng (seed {seed})".
    pub fn default_name(&self) -> String {
        format!(
            "{} {}: kịch bản tổng hợp {} dòng (seed {})",
            self.province, self.fiscal_year, self.rows, self.seed
        )
    }

    /// These options with the default name.
    fn named(mut self) -> GenerateOptions {
        self.name = self.default_name();
        self
    }

    /// The same options for another plan year: `as_of` 30 September and the deadline 31 January of the
    /// next year, the name following.
    pub fn with_fiscal_year(mut self, fiscal_year: i32) -> GenerateOptions {
        self.fiscal_year = fiscal_year;
        self.as_of = NaiveDate::from_ymd_opt(fiscal_year, 9, 30).unwrap_or(self.as_of);
        self.deadline = NaiveDate::from_ymd_opt(fiscal_year + 1, 1, 31).unwrap_or(self.deadline);
        self.named()
    }

    /// The total plan: [`GenerateOptions::total_plan`] or 6,300 bn VND per 400 rows, at most
    /// `i64::MAX / 4` đồng so that sums never overflow.
    pub fn effective_total_plan(&self) -> Money {
        let cap = i64::MAX / 4;
        match self.total_plan {
            Some(m) => Money::from_dong(m.dong().clamp(0, cap)),
            None => {
                let per_row = PLAN_PER_400_ROWS_MILLION * 1_000_000 / 400;
                Money::from_dong(
                    i64::try_from(self.rows).unwrap_or(i64::MAX).saturating_mul(per_row).min(cap),
                )
            }
        }
    }
}

/// The text of a generated scenario folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeneratedFiles {
    /// `scenario.toml`.
    pub scenario_toml: String,
    /// `projects.csv`.
    pub projects_csv: String,
    /// `disbursements.csv`.
    pub disbursements_csv: String,
    /// `pipeline.csv`, when the scenario names one.
    pub pipeline_csv: Option<String>,
    /// The monitoring files (`treasury.csv`, `schedule.csv`, `conclusions.csv`), when named.
    pub monitoring: Vec<(String, String)>,
    /// Last year's scenario folder: its name and its files.
    pub previous_year: Option<(String, Box<GeneratedFiles>)>,
}

impl GeneratedFiles {
    /// The files as (name, text) pairs, in the order to write them (`scenario.toml` last, so that a
    /// folder with a `scenario.toml` is complete).
    /// Last year's folder comes first, with its files under its name (`2024/projects.csv`).
    pub fn files(&self) -> Vec<(String, &str)> {
        let mut files = Vec::new();
        if let Some((dir, prev)) = &self.previous_year {
            files.extend(prev.files().into_iter().map(|(n, t)| (format!("{dir}/{n}"), t)));
        }
        files.push(("projects.csv".to_owned(), self.projects_csv.as_str()));
        files.push(("disbursements.csv".to_owned(), &self.disbursements_csv));
        if let Some(p) = &self.pipeline_csv {
            files.push(("pipeline.csv".to_owned(), p));
        }
        files.extend(self.monitoring.iter().map(|(n, t)| (n.clone(), t.as_str())));
        files.push(("scenario.toml".to_owned(), &self.scenario_toml));
        files
    }
}

/// Generates the files of a scenario folder: [`generate_scenario`] serialised.
pub fn generate_files(opts: &GenerateOptions) -> GeneratedFiles {
    files_of(&generate_scenario(opts))
}

/// Serialises a scenario into the files of its folder (the history, when absent, as a header only).
pub fn files_of(s: &Scenario) -> GeneratedFiles {
    let empty = History::default();
    GeneratedFiles {
        scenario_toml: write::scenario_toml(&s.meta),
        projects_csv: write::projects_csv(&s.portfolio),
        disbursements_csv: write::disbursements_csv(
            &s.portfolio,
            s.history.as_ref().unwrap_or(&empty),
            s.meta.fiscal_year,
        ),
        pipeline_csv: s.meta.pipeline.as_ref().map(|_| write::pipeline_csv(&s.pipeline)),
        monitoring: [
            s.monitoring.treasury.as_ref().map(|t| (monitoring::TREASURY, monitoring::treasury_csv(t))),
            s.monitoring.schedule.as_ref().map(|_| (monitoring::SCHEDULE, monitoring::schedule_csv(s))),
            s.monitoring
                .conclusions
                .as_ref()
                .map(|_| (monitoring::CONCLUSIONS, monitoring::conclusions_csv(s))),
        ]
        .into_iter()
        .flatten()
        .map(|(n, t)| (n.to_owned(), t))
        .collect(),
        previous_year: s
            .meta
            .monitoring
            .previous_year
            .as_ref()
            .zip(s.monitoring.previous_year.as_deref())
            .map(|(dir, prev)| (dir.clone(), Box::new(files_of(prev)))),
    }
}

/// Generates the scenario in memory: the same content as loading [`generate_files`]' output.
/// `inputs` is empty, since no file was read. With [`GenerateOptions::monitoring`] it has the
/// monitoring inputs (module `monitoring`) and last year's scenario in the folder named by the year
/// before (`2024`), with twelve months of history.
pub fn generate_scenario(opts: &GenerateOptions) -> Scenario {
    let mut s = generate_base(opts);
    if !opts.monitoring {
        return s;
    }
    let mut rng = monitoring::stream(opts.seed);
    monitoring::fill(&mut rng, &mut s);
    let year = opts.fiscal_year - 1;
    let mut last = opts.clone().with_fiscal_year(year);
    last.seed = opts.seed ^ 0x6c61_7374;
    last.as_of = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(opts.as_of);
    last.deadline = NaiveDate::from_ymd_opt(year + 1, 1, 31).unwrap_or(opts.deadline);
    last.name = format!("{} {year}: kế hoạch vốn đầu tư công cả năm", opts.province);
    let mut prev = generate_base(&last);
    prev.meta.pipeline = None;
    prev.pipeline = Vec::new();
    s.meta.monitoring.previous_year = Some(year.to_string());
    s.monitoring.previous_year = Some(Box::new(prev));
    s
}

/// The scenario without its monitoring inputs.
fn generate_base(opts: &GenerateOptions) -> Scenario {
    let meta = ScenarioMeta {
        name: opts.name.clone(),
        province: opts.province.clone(),
        fiscal_year: opts.fiscal_year,
        as_of: opts.as_of,
        deadline: opts.deadline,
        projects: "projects.csv".into(),
        disbursements: Some("disbursements.csv".into()),
        rules: None,
        amount_format: Some(crate::money::AmountFormat::Dot),
        pipeline: Some("pipeline.csv".into()),
        local_budget_delegated: false,
        document: Default::default(),
        monitoring: Default::default(),
    };
    let meta = ScenarioMeta { document: extra::document(&meta), ..meta };
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let drafts = draft_projects(&mut rng, opts);
    let plans = scale_plans(&drafts, opts.effective_total_plan());
    let mut rowgen = RowGen { rng, extra: extra::stream(opts.seed), meta: &meta, id_base: 7_000_000 };
    let mut rows = Vec::with_capacity(opts.rows);
    let mut history = History { months: Vec::with_capacity(opts.rows) };
    let mut next = 0;
    for (pi, d) in drafts.iter().enumerate() {
        let n = d.rows.len();
        let project_rows = rowgen.project(pi, d, &plans[next..next + n]);
        next += n;
        for (row, months) in project_rows {
            rows.push(row);
            history.months.push(months);
        }
    }
    let pipeline = extra::pipeline(&mut rowgen.extra, &rows, &meta);
    // Ids are unique per project and a project's rows have distinct sources, so no key repeats.
    let portfolio = Portfolio::from_rows(rows).unwrap_or_default();
    Scenario {
        meta,
        portfolio,
        history: Some(history),
        inputs: Vec::new(),
        pipeline,
        monitoring: Default::default(),
    }
}

/// Plan share of each source in the total, in the order of [`Source::ALL`]: central 78%
/// (Lạng Sơn 2025: NSTW 4,915 of 6,316 bn VND), local 22%.
const SOURCE_SHARE: [f64; 8] = [0.545, 0.085, 0.05, 0.035, 0.065, 0.14, 0.05, 0.03];

/// The first sketch of a project: what drives its size and its rows.
#[derive(Clone, Debug)]
struct Draft {
    /// The group its size is drawn for (the final group follows the total investment).
    group: ProjectGroup,
    sector: Sector,
    status: Status,
    key_project: bool,
    /// The ODA programme (index in [`names::ODA_PROGRAMMES`]) the project belongs to, if any.
    oda: Option<usize>,
    /// Source and unscaled plan (million VND) of each row; the first is the main row.
    rows: Vec<(Source, f64)>,
}

/// Draws the projects: their number, groups, sectors, statuses and sources, and unscaled plans.
fn draft_projects(rng: &mut ChaCha8Rng, opts: &GenerateOptions) -> Vec<Draft> {
    let rows = opts.rows;
    // About 8% of rows are the second source of a two-source project.
    let second = if rows >= 4 { (rows * 8 + 50) / 100 } else { 0 };
    let projects = rows - second;
    let n_a = if projects >= 40 { ((projects * 12 + 500) / 1000).max(1) } else { 0 };
    let n_b = (projects * 14 + 50) / 100;
    let mut groups: Vec<ProjectGroup> = (0..projects)
        .map(|i| {
            if i < n_a {
                ProjectGroup::A
            } else if i < n_a + n_b {
                ProjectGroup::B
            } else {
                ProjectGroup::C
            }
        })
        .collect();
    shuffle(rng, &mut groups);
    // Which projects get a second row: the largest keys of a uniform draw weighted by group.
    let mut keyed: Vec<(f64, usize)> = groups
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let w = match g {
                ProjectGroup::A => 4.0,
                ProjectGroup::B => 1.6,
                ProjectGroup::C => 1.0,
            };
            (rng.random::<f64>() * w, i)
        })
        .collect();
    keyed.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut two = vec![false; projects];
    for &(_, i) in keyed.iter().take(second) {
        two[i] = true;
    }
    groups.iter().zip(two).map(|(&g, two)| draft(rng, g, two)).collect()
}

/// One project sketch of group `group`, with two rows when `two`.
fn draft(rng: &mut ChaCha8Rng, group: ProjectGroup, two: bool) -> Draft {
    let gi = group.index();
    let sector = weighted(rng, &Sector::ALL, |s| s.weight(gi));
    let status =
        weighted(rng, &[Status::Ongoing, Status::New, Status::Completed, Status::Prep], |s| {
            match (group, s) {
                (ProjectGroup::A, Status::Ongoing) => 85,
                (ProjectGroup::A, Status::New) => 15,
                (ProjectGroup::A, _) => 0,
                (ProjectGroup::B, Status::Ongoing) => 60,
                (ProjectGroup::B, Status::New) => 20,
                (ProjectGroup::B, Status::Completed) => 12,
                (ProjectGroup::B, Status::Prep) => 8,
                (_, Status::Ongoing) => 45,
                (_, Status::New) => 25,
                (_, Status::Completed) => 18,
                (_, Status::Prep) => 12,
            }
        });
    let source = weighted(rng, Source::ALL, |s| match (group, s) {
        (ProjectGroup::A, Source::Nstw) => 70,
        (ProjectGroup::A, Source::NstwOda) => 30,
        (ProjectGroup::A, _) => 0,
        (ProjectGroup::B, Source::Nstw) => 45,
        (ProjectGroup::B, Source::NstwOda) => 10,
        (ProjectGroup::B, Source::Nsdp) => 25,
        (ProjectGroup::B, Source::NsdpTsdd) => 12,
        (ProjectGroup::B, Source::Xskt) => 8,
        (ProjectGroup::B, _) => 0,
        (_, Source::Nstw) => 14,
        (_, Source::NstwOda) => 2,
        (_, Source::CtmtqgNtm) => 22,
        (_, Source::CtmtqgGnbv) => 12,
        (_, Source::CtmtqgDtts) => 20,
        (_, Source::Nsdp) => 18,
        (_, Source::NsdpTsdd) => 6,
        (_, Source::Xskt) => 6,
    });
    // Log-normal plan sizes (million VND) around a median per group; preparation funds are small.
    let (median, sigma) = match group {
        ProjectGroup::A => (350_000.0, 0.3),
        ProjectGroup::B => (45_000.0, 0.6),
        ProjectGroup::C => (4_500.0, 0.7),
    };
    let prep = if status == Status::Prep { 0.08 } else { 1.0 };
    let plan = median * prep * exp(sigma * normal(rng).clamp(-3.0, 3.0));
    let mut rows = vec![(source, plan)];
    if two {
        let second = match source {
            Source::Nsdp => Source::NsdpTsdd,
            Source::NsdpTsdd | Source::Xskt => Source::Nsdp,
            _ => Source::Nsdp,
        };
        rows.push((second, plan * rng.random_range(0.08..0.3)));
    }
    let key_project = match group {
        ProjectGroup::A => rng.random_bool(0.8),
        ProjectGroup::B => status != Status::Prep && rng.random_bool(0.05),
        ProjectGroup::C => false,
    };
    // Most group A and B projects on ODA loans are the province's part of a donor programme.
    let mut sector = sector;
    let oda = if source == Source::NstwOda && group != ProjectGroup::C && rng.random_bool(0.7) {
        let i = rng.random_range(0..names::ODA_PROGRAMMES.len());
        sector = names::ODA_PROGRAMMES[i].1;
        Some(i)
    } else {
        None
    };
    Draft { group, sector, status, key_project, oda, rows }
}

/// The plan of every row, in draft order, scaled per source so that each present source holds its
/// share of `total`, rounded to whole thousand đồng.
fn scale_plans(drafts: &[Draft], total: Money) -> Vec<Money> {
    let mut raw = [0.0_f64; 8];
    for d in drafts {
        for &(s, p) in &d.rows {
            raw[s.index()] += p;
        }
    }
    let present: f64 = (0..8).filter(|&i| raw[i] > 0.0).map(|i| SOURCE_SHARE[i]).sum();
    let total_m = total.million_f64();
    let factor: Vec<f64> = (0..8)
        .map(|i| if raw[i] > 0.0 { total_m * SOURCE_SHARE[i] / present / raw[i] } else { 0.0 })
        .collect();
    drafts.iter().flat_map(|d| d.rows.iter().map(|&(s, p)| round_thousand(p * factor[s.index()]))).collect()
}

/// How fast a row disburses against the national curve.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pace {
    Fast,
    Normal,
    Slow,
    Stalled,
}

/// Turns drafts into rows, carrying the random state.
struct RowGen<'a> {
    rng: ChaCha8Rng,
    /// The version-2 stream (module `extra`).
    extra: ChaCha8Rng,
    meta: &'a ScenarioMeta,
    id_base: u64,
}

impl RowGen<'_> {
    /// The rows of project number `pi`, with their monthly history.
    fn project(&mut self, pi: usize, d: &Draft, plans: &[Money]) -> Vec<(Project, [Money; 12])> {
        let rng = &mut self.rng;
        let fy = self.meta.fiscal_year;
        // Ids: 7-digit codes like the treasury's, increasing with gaps, unique per project.
        let id = format!("{}", self.id_base + pi as u64 * 3 + rng.random_range(0..3_u64));
        let wide = d.oda.is_some()
            || match d.group {
                ProjectGroup::A => rng.random_bool(0.5),
                ProjectGroup::B => rng.random_bool(0.3),
                ProjectGroup::C => false,
            };
        let mut place: Place =
            if wide { names::province_wide(&self.meta.province) } else { names::commune(rng) };
        let (name, names_place) = match d.oda {
            Some(i) => (names::ODA_PROGRAMMES[i].0.to_owned(), false),
            None => names::project_name(rng, d.sector, d.group, &place),
        };
        // A province-level work ("... tỉnh ...") is province-wide whatever commune was drawn.
        if !names_place && name.contains("tỉnh") {
            place = names::province_wide(&self.meta.province);
        }
        let investor = if d.group == ProjectGroup::C && !wide && names_place && rng.random_bool(0.6) {
            place.committee.clone()
        } else {
            names::pick(rng, d.sector.investors()).to_owned()
        };

        // Total investment of the project from its plan, kept inside the intended group's range.
        let plan_total: Money = plans.iter().sum();
        let plan_m = plan_total.million_f64();
        let (a_from, b_from) = d.sector.thresholds();
        let share = match d.status {
            Status::New => rng.random_range(0.15..0.4),
            Status::Ongoing => rng.random_range(0.12..0.45),
            Status::Completed => rng.random_range(0.05..0.25),
            Status::Prep => rng.random_range(0.005..0.03),
        };
        let (lo, hi) = match d.group {
            ProjectGroup::A => (a_from * rng.random_range(1.02..1.5), a_from * 2.2),
            ProjectGroup::B => (b_from * rng.random_range(1.05..1.8), a_from * 0.8),
            ProjectGroup::C => (1_000.0, b_from * 0.95),
        };
        let ti_m = (plan_m / share).clamp(lo, hi).max(plan_m / 0.95);
        let ti_total = round_thousand(ti_m).max(plan_total);
        let group = if ti_m >= a_from {
            ProjectGroup::A
        } else if ti_m >= b_from {
            ProjectGroup::B
        } else {
            ProjectGroup::C
        };

        // Implementation period, consistent with the group's allocation time limit; some ongoing
        // projects are past it.
        let limit = group.allocation_limit_years() as i32;
        let duration = match group {
            ProjectGroup::A => rng.random_range(4..=6),
            ProjectGroup::B => rng.random_range(3..=4),
            ProjectGroup::C => rng.random_range(2..=3),
        };
        let (start_year, end_year) = match d.status {
            Status::New | Status::Prep => (fy, fy + duration - 1),
            Status::Ongoing => {
                if rng.random_bool(0.08) {
                    let start = fy - limit - rng.random_range(0..2);
                    (start, fy + rng.random_range(0..2))
                } else {
                    let start = fy - rng.random_range(1..limit.max(2));
                    (start, (start + duration - 1).max(fy))
                }
            }
            Status::Completed => {
                let end = fy - rng.random_range(0..2);
                (end - duration + 1, end)
            }
        };
        // Share of the total investment allocated before this year; completed projects still lack a
        // little beyond this year's plan.
        let done = match d.status {
            Status::New | Status::Prep => 0.0,
            Status::Ongoing => {
                let elapsed = f64::from(fy - start_year) / f64::from(duration.max(1));
                (elapsed * rng.random_range(0.6..1.1)).min(0.9)
            }
            Status::Completed => rng.random_range(0.0..0.08),
        };
        let fully_funded = d.status == Status::Ongoing && rng.random_bool(0.2);
        let elapsed_months = self.meta.months_elapsed();
        let curve = math::national_curve(elapsed_months);
        let n_months = history_months(self.meta);

        let mut out = Vec::with_capacity(plans.len());
        let mut paces = Vec::with_capacity(plans.len());
        let mut ti_left = ti_total;
        for (k, (&(source, _), &plan)) in d.rows.iter().zip(plans).enumerate() {
            let rng = &mut self.rng;
            let last = k + 1 == plans.len();
            // Each row carries the part of the total investment its source funds.
            let ti = if last {
                ti_left
            } else {
                // In whole thousand đồng, like every amount of the files.
                let k = i128::from(ti_total.dong() / 1_000) * i128::from(plan.dong() / 1_000)
                    / i128::from((plan_total.dong() / 1_000).max(1));
                Money::from_dong(i64::try_from(k).unwrap_or(i64::MAX / 1_000) * 1_000).max(plan).min(ti_left)
            };
            ti_left -= ti;
            let ti = ti.max(plan).min(Money::MAX_INPUT.max(plan));
            let room = ti - plan;
            let allocated_before = match d.status {
                _ if fully_funded => room,
                Status::Completed => (room - round_thousand(ti.million_f64() * done)).max_zero(),
                _ => round_thousand(ti.million_f64() * done).min(room),
            };

            let pace = pick_pace(rng, d.status, source, d.key_project);
            paces.push(pace);
            let mult = match pace {
                Pace::Fast => rng.random_range(1.35..2.1),
                Pace::Normal => rng.random_range(0.75..1.25),
                Pace::Slow => rng.random_range(0.3..0.7),
                Pace::Stalled => rng.random_range(0.0..0.15),
            };
            let rate = if n_months == 0 { 0.0 } else { (curve * mult).min(1.0) };
            let disbursed = round_thousand(plan.million_f64() * rate).min(plan);

            let obstacles = pick_obstacles(rng, pace, d, source, k > 0);
            let site_clearance_pct = if d.sector.needs_site() && d.status != Status::Prep {
                Some(if obstacles.contains(Obstacle::Land) {
                    tenths(rng.random_range(150..800))
                } else if d.status == Status::Completed || rng.random_bool(0.4) {
                    100.0
                } else {
                    tenths(rng.random_range(850..1000))
                })
            } else {
                None
            };
            let undisbursed = plan - disbursed;
            let headroom = ti - allocated_before - plan;
            let unpaid_volume = match (d.status, pace) {
                (Status::Completed, _) => round_thousand(
                    undisbursed.million_f64() + headroom.million_f64() * rng.random_range(0.5..1.0),
                ),
                (Status::Prep, _) | (_, Pace::Stalled) => Money::ZERO,
                (_, Pace::Fast) => round_thousand(
                    undisbursed.million_f64() * rng.random_range(0.1..0.6)
                        + if rng.random_bool(0.4) {
                            headroom.million_f64() * rng.random_range(0.0..0.2)
                        } else {
                            0.0
                        },
                ),
                _ if rng.random_bool(0.3) => {
                    round_thousand(undisbursed.million_f64() * rng.random_range(0.0..0.2))
                }
                _ => Money::ZERO,
            };
            let physical_progress_pct = match d.status {
                Status::Completed => 100.0,
                Status::Prep => 0.0,
                _ => {
                    let done_m = (allocated_before + disbursed + unpaid_volume).million_f64();
                    let p = done_m / ti.million_f64().max(0.001) * 100.0 * rng.random_range(0.9..1.1);
                    tenths((p * 10.0).round().clamp(0.0, 995.0) as i32)
                }
            };
            let locked = rng.random_bool(0.025);
            let months = split_history(rng, disbursed, pace, self.meta, n_months);
            out.push((
                Project {
                    id: id.as_str().into(),
                    name: name.as_str().into(),
                    investor: investor.as_str().into(),
                    locality: place.label.as_str().into(),
                    sector: d.sector.label().into(),
                    source,
                    group,
                    status: d.status,
                    key_project: d.key_project,
                    total_investment: ti,
                    allocated_before,
                    plan,
                    disbursed,
                    unpaid_volume,
                    site_clearance_pct,
                    physical_progress_pct,
                    start_year,
                    end_year,
                    obstacles,
                    locked,
                    extra: Default::default(),
                },
                months,
            ));
        }
        let facts = extra::ProjectFacts { oda: d.oda, paces, curve };
        let mut rows: Vec<&mut Project> = out.iter_mut().map(|(p, _)| p).collect();
        extra::fill_project(&mut self.extra, &mut rows, &facts, self.meta);
        out
    }
}

/// The pace of a row: key projects are pushed and rarely stall; completed projects mostly pay fast
/// unless settlement blocks them; new projects and ODA rows are slower.
fn pick_pace(rng: &mut ChaCha8Rng, status: Status, source: Source, key: bool) -> Pace {
    let w: [u32; 4] = match status {
        _ if key => [30, 50, 15, 5],
        Status::Completed => [50, 20, 22, 8],
        Status::New => [10, 35, 30, 25],
        Status::Ongoing => [25, 40, 22, 13],
        Status::Prep => [15, 45, 25, 15],
    };
    let w = if source == Source::NstwOda { [w[0] / 2, w[1], w[2] + 10, w[3] + 10] } else { w };
    weighted(rng, &[Pace::Fast, Pace::Normal, Pace::Slow, Pace::Stalled], |p| w[*p as usize])
}

/// The obstacles of a row: one or two for slow and stalled rows, sometimes one for normal rows, none
/// for fast ones; land only where there is a site, settlement for completed projects, ODA agreements
/// on NSTW_ODA rows, missing counterpart funds on ODA rows and on counterpart rows.
fn pick_obstacles(
    rng: &mut ChaCha8Rng,
    pace: Pace,
    d: &Draft,
    source: Source,
    counterpart_row: bool,
) -> Obstacles {
    let count = match pace {
        Pace::Fast => 0,
        Pace::Normal => usize::from(rng.random_bool(0.12)),
        Pace::Slow => rng.random_range(1..=2),
        Pace::Stalled => rng.random_range(1..=2),
    };
    let land = d.sector.needs_site() && matches!(d.status, Status::New | Status::Ongoing);
    let weight = |o: &Obstacle| -> u32 {
        match o {
            Obstacle::Land if land => 35,
            Obstacle::Land => 0,
            Obstacle::Procedure => {
                if matches!(d.status, Status::New | Status::Prep) {
                    35
                } else {
                    15
                }
            }
            Obstacle::Contractor if d.status != Status::Prep => 15,
            Obstacle::Materials if d.status != Status::Prep => 10,
            Obstacle::Settlement if d.status == Status::Completed => 60,
            Obstacle::OdaAgreement if source == Source::NstwOda => 50,
            Obstacle::Counterpart if source == Source::NstwOda || counterpart_row => 30,
            _ => 0,
        }
    };
    let mut set = Obstacles::NONE;
    for _ in 0..count {
        let candidates: Vec<Obstacle> = Obstacle::ALL.iter().copied().filter(|o| !set.contains(*o)).collect();
        if candidates.iter().map(weight).sum::<u32>() == 0 {
            break;
        }
        set.insert(weighted(rng, &candidates, weight));
    }
    set
}

/// Months of the plan year with history at `as_of`: January to the month of `as_of`, all twelve when
/// `as_of` is in a later year, none when it is earlier.
fn history_months(meta: &ScenarioMeta) -> usize {
    if meta.as_of.year() > meta.fiscal_year {
        12
    } else if meta.as_of.year() < meta.fiscal_year {
        0
    } else {
        meta.as_of.month() as usize
    }
}

/// Splits `disbursed` over the first `n` months, back-loaded like the national curve (stalled rows
/// stop early), in whole thousand đồng, the remainder in the last month with a share.
fn split_history(
    rng: &mut ChaCha8Rng,
    disbursed: Money,
    pace: Pace,
    meta: &ScenarioMeta,
    n: usize,
) -> [Money; 12] {
    let mut months = [Money::ZERO; 12];
    if n == 0 || disbursed.is_zero() {
        return months;
    }
    let elapsed = meta.months_elapsed();
    let stop = if pace == Pace::Stalled { rng.random_range(1..=n) } else { n };
    let mut weights = [0_u64; 12];
    for (m, w) in weights.iter_mut().enumerate().take(stop) {
        let from = math::national_curve((m as f64).min(elapsed));
        let to = math::national_curve(((m + 1) as f64).min(elapsed));
        let inc = (to - from).max(0.0) * rng.random_range(0.4..1.6);
        *w = (inc * 1e6).round() as u64;
    }
    let total_w: u64 = weights.iter().sum();
    let thousands = disbursed.dong() / 1_000;
    let last = weights.iter().rposition(|&w| w > 0).unwrap_or(n - 1);
    let mut given = 0_i64;
    for m in 0..=last {
        let part = if total_w == 0 {
            0
        } else {
            (i128::from(thousands) * i128::from(weights[m]) / i128::from(total_w)) as i64
        };
        months[m] = Money::from_dong(part * 1_000);
        given += part * 1_000;
    }
    // What the shares left (and any đồng below a thousand, though amounts are whole thousands).
    months[last] += disbursed - Money::from_dong(given);
    months
}

/// A percentage from tenths of a percent.
fn tenths(t: i32) -> f64 {
    f64::from(t) / 10.0
}

/// One of `items`, drawn with the given integer weights (the first when all are zero). Every caller
/// passes a non-empty constant table, so indexing the first item cannot fail.
fn weighted<T: Copy>(rng: &mut ChaCha8Rng, items: &[T], weight: impl Fn(&T) -> u32) -> T {
    let total: u32 = items.iter().map(&weight).sum();
    if total > 0 {
        let mut x = rng.random_range(0..total);
        for it in items {
            let w = weight(it);
            if x < w {
                return *it;
            }
            x -= w;
        }
    }
    items[0]
}

/// Fisher–Yates shuffle.
fn shuffle<T>(rng: &mut ChaCha8Rng, v: &mut [T]) {
    for i in (1..v.len()).rev() {
        let j = rng.random_range(0..=i);
        v.swap(i, j);
    }
}
