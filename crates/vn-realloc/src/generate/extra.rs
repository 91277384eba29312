//! The version-2 content of a generated scenario: the optional project columns (agreements,
//! medium-term room, investors' requests, categories, extensions, decisions, lock reasons), the
//! pipeline of ready projects and the `[document]` table.
//!
//! Everything here is drawn from its own random stream, seeded from the scenario's seed, so that the
//! version-1 fields of a seed are the same as before version 2.

use chrono::Duration;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::math::round_thousand;
use super::names::{self, Sector};
use super::{Pace, weighted};
use crate::domain::{Category, PipelineProject, Project, ProjectGroup, Source, Status};
use crate::money::Money;
use crate::scenario::{DocumentMeta, ScenarioMeta};

/// Mixed into the seed for the version-2 stream.
const STREAM: u64 = 0x7632_5f65_7874_7261;

/// The loan agreement of each programme of [`names::ODA_PROGRAMMES`], in its order.
pub(super) const AGREEMENTS: [&str; 7] = [
    "ADB 3585-VIE",
    "ADB 3864-VIE",
    "WB 5749-VN",
    "ADB 3339-VIE",
    "WB 6653-VN",
    "JICA VN22-P5",
    "WB 5739-VN",
];

/// Why a locked row keeps its plan.
const LOCK_REASONS: [&str; 4] = [
    "giữ nguyên theo chỉ đạo của Chủ tịch UBND tỉnh",
    "giữ nguyên theo Nghị quyết của HĐND tỉnh",
    "vốn đã giao chi tiết theo hiệp định, không điều chỉnh",
    "dự án trọng điểm, cam kết hoàn thành trong năm",
];

/// The version-2 random stream of a seed.
pub(super) fn stream(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed ^ STREAM)
}

/// What the optional columns of a project's rows are drawn from.
pub(super) struct ProjectFacts {
    /// The project's ODA programme, if any.
    pub oda: Option<usize>,
    /// The pace of each row.
    pub paces: Vec<Pace>,
    /// The national curve's expected share of the plan disbursed at `as_of`.
    pub curve: f64,
}

/// Fills the optional columns of the rows of one project.
pub(super) fn fill_project(
    rng: &mut ChaCha8Rng,
    rows: &mut [&mut Project],
    facts: &ProjectFacts,
    meta: &ScenarioMeta,
) {
    let Some(main) = rows.first() else { return };
    let fy = meta.fiscal_year;
    // One investment decision for the project, a little before it started.
    let year = (main.start_year - rng.random_range(0..2)).min(fy);
    let decision = format!(
        "{}/QĐ-UBND ngày {:02}/{:02}/{year}",
        rng.random_range(100..3600),
        rng.random_range(1..=28),
        rng.random_range(1..=12)
    );
    let agreement: Option<std::sync::Arc<str>> = match facts.oda {
        Some(i) => Some(AGREEMENTS[i % AGREEMENTS.len()].into()),
        None if main.source == Source::NstwOda => {
            Some(AGREEMENTS[rng.random_range(0..AGREEMENTS.len())].into())
        }
        None => None,
    };
    let oda_project = main.source == Source::NstwOda;
    let limit = main.group.allocation_limit_years() as i32;
    for (k, p) in rows.iter_mut().enumerate() {
        let pace = facts.paces.get(k).copied().unwrap_or(Pace::Normal);
        let headroom = p.headroom();
        let unspent = (p.plan - p.disbursed).max_zero();
        let rate = p.disbursed.ratio(p.plan);
        let (source, status, locked, start_year) = (p.source, p.status, p.locked, p.start_year);
        let e = &mut p.extra;
        e.decision = Some(decision.as_str().into());
        let counterpart = oda_project && k > 0;
        if source == Source::NstwOda || counterpart {
            e.agreement = agreement.clone();
        }
        e.category = if counterpart {
            Some(Category::Counterpart)
        } else if status == Status::Prep && rng.random_bool(0.3) {
            Some(Category::Planning)
        } else if rng.random_bool(0.03) {
            Some(weighted(
                rng,
                &[
                    Category::Emergency,
                    Category::AdvanceRepayment,
                    Category::PppStateCapital,
                    Category::DebtBefore2015,
                ],
                |c| match c {
                    Category::Emergency => 3,
                    Category::AdvanceRepayment => 3,
                    Category::PppStateCapital => 1,
                    _ => 2,
                },
            ))
        } else {
            None
        };
        if rng.random_bool(0.85) {
            e.medium_term_room =
                Some(round_thousand(headroom.million_f64() * rng.random_range(0.3..1.0)).min(headroom));
        }
        // Requests: slow and stalled rows offer part of what they will not spend, fast rows with room
        // ask for more, a few ask to keep their plan.
        let behind = rate < facts.curve * 0.6;
        let ahead = rate > facts.curve * 1.2 || pace == Pace::Fast;
        e.requested_change = if !locked && behind && unspent > Money::ZERO && rng.random_bool(0.14) {
            Some(-round_thousand(unspent.million_f64() * rng.random_range(0.2..0.8)).min(unspent))
        } else if !locked && ahead && headroom > Money::ZERO && rng.random_bool(0.14) {
            let cap = e.medium_term_room.unwrap_or(headroom);
            Some(round_thousand(cap.million_f64() * rng.random_range(0.2..0.9)).min(cap))
        } else if rng.random_bool(0.01) {
            Some(Money::ZERO)
        } else {
            None
        };
        // Past its time limit (start year counted): some were extended by the competent authority.
        let last_year = start_year + limit - 1;
        if status == Status::Ongoing && last_year < fy && rng.random_bool(0.5) {
            e.extended_to = Some(fy + rng.random_range(0..2));
        }
        if locked {
            e.lock_reason = Some(LOCK_REASONS[rng.random_range(0..LOCK_REASONS.len())].into());
        }
    }
}

/// A few ready projects per capital source present in `rows` (more at national scale), with ids
/// that no row uses.
pub(super) fn pipeline(rng: &mut ChaCha8Rng, rows: &[Project], meta: &ScenarioMeta) -> Vec<PipelineProject> {
    let per_pool = 1 + (rows.len() / 400).clamp(1, 20);
    let mut out = Vec::new();
    // Above every numeric id of the rows, so that no pipeline key is a row's.
    let top = rows.iter().filter_map(|p| p.id.parse::<u64>().ok()).max().unwrap_or(0);
    let mut next_id = top.max(7_999_000) + 1_000;
    for &source in Source::ALL {
        let plan: Money = rows.iter().filter(|p| p.source == source).map(|p| p.plan).sum();
        if plan.is_zero() {
            continue;
        }
        let n = per_pool + rng.random_range(0..3);
        for _ in 0..n {
            next_id += rng.random_range(1..4);
            let sector = weighted(rng, &Sector::ALL, |s| s.weight(2));
            let (a_from, b_from) = sector.thresholds();
            let group = if rng.random_bool(0.2) { ProjectGroup::B } else { ProjectGroup::C };
            let ti_m = match group {
                ProjectGroup::B => b_from * rng.random_range(1.05..1.6),
                _ => b_from * rng.random_range(0.05..0.6),
            }
            .min(a_from * 0.8);
            let total_investment = round_thousand(ti_m);
            let medium_term_room = round_thousand(ti_m * rng.random_range(0.4..0.9));
            let ready_amount = round_thousand(medium_term_room.million_f64() * rng.random_range(0.2..0.7));
            let place = names::commune(rng);
            let (name, names_place) = names::project_name(rng, sector, group, &place);
            let investor = if names_place && rng.random_bool(0.5) {
                place.committee.clone()
            } else {
                names::pick(rng, sector.investors()).to_owned()
            };
            let agreement =
                (source == Source::NstwOda).then(|| AGREEMENTS[rng.random_range(0..AGREEMENTS.len())].into());
            let decision = format!(
                "{}/QĐ-UBND ngày {:02}/{:02}/{}",
                rng.random_range(100..3600),
                rng.random_range(1..=28),
                rng.random_range(1..=12),
                meta.fiscal_year - 1
            );
            out.push(PipelineProject {
                id: next_id.to_string(),
                name,
                investor: investor.as_str().into(),
                locality: place.label.as_str().into(),
                sector: sector.label().into(),
                source,
                group,
                total_investment,
                medium_term_room,
                ready_amount,
                decision: Some(decision),
                agreement,
            });
        }
    }
    out
}

/// The `[document]` table of a submission by the provincial Department of Finance, dated a week
/// after the figures.
pub(super) fn document(meta: &ScenarioMeta) -> DocumentMeta {
    let date = meta.as_of + Duration::days(7);
    DocumentMeta {
        agency: Some("SỞ TÀI CHÍNH".into()),
        parent: Some(format!("UBND TỈNH {}", meta.province.to_uppercase())),
        number: Some("…/TTr-STC".into()),
        place: Some(meta.province.clone()),
        date: Some(date),
        signer: None,
        signer_title: Some("GIÁM ĐỐC".into()),
        recipients: vec!["UBND tỉnh".into(), "Lưu: VT, KHTC".into()],
        bases: Vec::new(),
    }
}
