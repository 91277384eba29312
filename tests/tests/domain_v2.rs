//! The domain model version 2 (DOMAIN.md §4), one test per rule, on hand-built rows: who may receive,
//! who may give and how much, offers first, key projects last, pools by loan agreement and by
//! commune, the pipeline, idle capital, the authority of each transfer and the priority tiers.

use realloc::domain::{Category, Obstacle, PipelineProject, Project, ProjectGroup, Source, Status};
use realloc::model::{Assessment, RowAssessment};
use realloc::money::Money;
use realloc::optimize::{Proposal, propose};
use realloc::report::{IdleOptionKind, ProposalDocument, RulesIdentity};
use realloc::rules::{DEFAULT_RULES, Rules};
use realloc::scenario::Scenario;
use realloc_tests::{million, project, scenario};

/// As of 30 September the curve expects 45% of the plan disbursed.
const AS_OF: &str = "2025-09-30";

/// Disbursing ahead of the curve (60% of a 1,000 plan), with room to absorb more.
fn fast(id: &str) -> Project {
    Project { disbursed: million("600"), physical_progress_pct: 70.0, ..project(id) }
}

/// On the curve (45%).
fn on_track(id: &str) -> Project {
    Project { disbursed: million("450"), ..project(id) }
}

/// Nearly nothing disbursed (5%).
fn stalled(id: &str) -> Project {
    Project { disbursed: million("50"), ..project(id) }
}

fn with_request(mut p: Project, change: &str) -> Project {
    p.extra.requested_change =
        Some(if let Some(x) = change.strip_prefix('-') { -million(x) } else { million(change) });
    p
}

fn run(s: &Scenario) -> (Assessment, Proposal) {
    let a = Rules::builtin().assess(s);
    let p = propose(&s.portfolio, &a.model).unwrap_or_else(|e| panic!("{e}"));
    (a, p)
}

fn one(p: Project) -> RowAssessment {
    let (a, _) = run(&scenario(AS_OF, vec![p]));
    a.rows[0].clone()
}

fn document(s: &Scenario) -> ProposalDocument {
    let (a, p) = run(s);
    let rules = Rules::builtin();
    let id = RulesIdentity { name: rules.name.clone(), sha256: rules.sha256().to_owned() };
    ProposalDocument::build(s, &id, &a, &p)
}

#[track_caller]
fn kept_out_by(r: &RowAssessment, rule: &str) {
    assert!(r.kept_out.iter().any(|k| **k == *rule), "expected `{rule}` among {:?}", r.kept_out);
}

#[test]
fn fixtures_are_what_they_say() {
    assert_eq!(&*one(fast("F")).pace, "fast");
    assert_eq!(&*one(on_track("O")).pace, "on_track");
    assert_eq!(&*one(stalled("S")).pace, "stalled");
    assert!(one(fast("F")).bounds.absorbable > Money::ZERO);
    assert!(one(stalled("S")).bounds.releasable > Money::ZERO);
}

#[test]
fn stalled_or_slow_row_never_receives() {
    let r = one(Project { total_investment: million("90000"), ..stalled("S") });
    assert_eq!(r.bounds.absorbable, Money::ZERO);
    kept_out_by(&r, "recipient_behind_curve");
    let slow = one(Project { disbursed: million("250"), ..project("L") });
    assert_eq!(&*slow.pace, "slow");
    assert_eq!(slow.bounds.absorbable, Money::ZERO);
}

#[test]
fn completed_row_with_unpaid_volume_above_what_it_holds_receives() {
    let p = Project {
        status: Status::Completed,
        disbursed: million("100"),
        unpaid_volume: million("1500"),
        ..project("C")
    };
    let r = one(p);
    assert_eq!(&*r.pace, "stalled");
    assert!(r.bounds.absorbable >= million("600"), "{:?}", r.bounds);
    // Completed but holding more than it owes: paperwork, not money.
    let q = Project {
        status: Status::Completed,
        disbursed: million("100"),
        unpaid_volume: million("300"),
        ..project("D")
    };
    assert_eq!(one(q).bounds.absorbable, Money::ZERO);
}

#[test]
fn land_obstacle_short_of_full_handover_never_receives() {
    let land = |pct: Option<f64>| {
        let mut p = fast("G");
        p.obstacles.insert(Obstacle::Land);
        p.site_clearance_pct = pct;
        one(p)
    };
    kept_out_by(&land(Some(99.0)), "land_not_handed_over");
    assert_eq!(land(Some(50.1)).bounds.absorbable, Money::ZERO);
    assert_eq!(
        land(None).bounds.absorbable,
        Money::ZERO,
        "an empty share with a land obstacle is not handed over"
    );
    assert!(land(Some(100.0)).bounds.absorbable > Money::ZERO);
}

#[test]
fn settlement_or_contractor_obstacle_never_receives() {
    for o in [Obstacle::Settlement, Obstacle::Contractor] {
        let mut p = fast("K");
        p.obstacles.insert(o);
        let r = one(p);
        assert_eq!(r.bounds.absorbable, Money::ZERO, "{o}");
        kept_out_by(&r, "settlement_or_contractor");
    }
}

#[test]
fn preparation_row_never_receives() {
    let r = one(Project { status: Status::Prep, ..fast("P") });
    assert_eq!(r.bounds.absorbable, Money::ZERO);
    kept_out_by(&r, "preparation_only");
}

#[test]
fn time_limit_counts_the_start_year_and_extensions() {
    let c = |start: i32, ext: Option<i32>| {
        let mut p = Project { group: ProjectGroup::C, start_year: start, ..fast("T") };
        p.extra.extended_to = ext;
        one(p)
    };
    assert!(c(2023, None).bounds.absorbable > Money::ZERO, "2023, 2024, 2025: within three years");
    let past = c(2022, None);
    assert_eq!(past.bounds.absorbable, Money::ZERO);
    kept_out_by(&past, "past_time_limit");
    assert!(c(2022, Some(2025)).bounds.absorbable > Money::ZERO, "extended to 2025");
    assert_eq!(c(2022, Some(2024)).bounds.absorbable, Money::ZERO);
}

#[test]
fn recipient_never_above_its_request_or_medium_term_room() {
    let asked = one(with_request(fast("A"), "100"));
    assert_eq!(asked.bounds.absorbable, million("100"));
    let mut p = fast("M");
    p.extra.medium_term_room = Some(million("40"));
    assert_eq!(one(p).bounds.absorbable, million("40"));
}

#[test]
fn request_to_keep_the_plan_neither_gives_nor_receives() {
    for p in [stalled("S"), fast("F")] {
        let r = one(with_request(p, "0"));
        assert_eq!((r.bounds.releasable, r.bounds.absorbable), (Money::ZERO, Money::ZERO));
        kept_out_by(&r, "asked_to_keep");
    }
}

#[test]
fn counterpart_row_is_never_a_donor_unless_it_offers() {
    let mut p = stalled("D");
    p.extra.category = Some(Category::Counterpart);
    let r = one(p.clone());
    assert_eq!(r.bounds.releasable, Money::ZERO);
    kept_out_by(&r, "counterpart_protected");
    let offered = one(with_request(p, "-200"));
    assert_eq!(offered.bounds.releasable, million("200"), "the offer lifts the protection, up to the offer");
    // A counterpart obstacle protects the row the same way.
    let mut q = stalled("E");
    q.obstacles.insert(Obstacle::Counterpart);
    assert_eq!(one(q).bounds.releasable, Money::ZERO);
}

#[test]
fn row_whose_investor_asked_for_more_is_never_a_donor() {
    let r = one(with_request(stalled("S"), "100"));
    assert_eq!(r.bounds.releasable, Money::ZERO);
    kept_out_by(&r, "asked_for_more");
}

#[test]
fn row_that_offered_capital_back_never_receives() {
    let r = one(with_request(fast("F"), "-100"));
    assert_eq!(r.bounds.absorbable, Money::ZERO);
    assert_eq!(r.bounds.releasable, million("100"));
}

#[test]
fn row_on_the_curve_gives_only_certain_savings_or_its_offer() {
    assert_eq!(one(on_track("O")).bounds.releasable, Money::ZERO);
    kept_out_by(&one(on_track("O")), "on_curve_gives_only_certain");
    let completed = Project {
        status: Status::Completed,
        unpaid_volume: million("100"),
        physical_progress_pct: 100.0,
        ..on_track("C")
    };
    let r = one(completed);
    assert!(r.bounds.releasable <= million("450"), "savings: 550 undisbursed - 100 unpaid: {:?}", r.bounds);
    assert_eq!(one(with_request(on_track("P"), "-300")).bounds.releasable, million("300"));
}

#[test]
fn key_project_gives_only_when_stalled_and_after_every_other_donor() {
    let key = |p: Project| Project { key_project: true, ..p };
    assert_eq!(one(key(on_track("K"))).bounds.releasable, Money::ZERO);
    let slow_key = one(key(Project { disbursed: million("250"), ..project("K") }));
    assert_eq!(slow_key.bounds.releasable, Money::ZERO);
    kept_out_by(&slow_key, "key_project_not_stalled");
    assert!(one(key(stalled("K"))).bounds.releasable > Money::ZERO);

    // One recipient needs less than the other donor holds: the key project keeps its capital.
    let recipient = with_request(fast("R"), "200");
    let s = scenario(AS_OF, vec![key(stalled("KEY")), stalled("OTHER"), recipient]);
    let (_, p) = run(&s);
    assert_eq!(p.changes[0], Money::ZERO, "the key project gives last");
    assert_eq!(p.changes[1], -million("200"));
    assert_eq!(p.changes[2], million("200"));
}

#[test]
fn offers_are_taken_before_any_other_donor() {
    let offer = with_request(on_track("OFFER"), "-150");
    let s = scenario(AS_OF, vec![stalled("STALLED"), offer, with_request(fast("R"), "150")]);
    let (_, p) = run(&s);
    assert_eq!(p.changes, vec![Money::ZERO, -million("150"), million("150")]);
}

#[test]
fn oda_capital_moves_only_within_its_loan_agreement() {
    let oda = |id: &str, base: Project, agreement: Option<&str>| {
        let mut p = Project { source: Source::NstwOda, ..base };
        p.id = id.into();
        p.extra.agreement = agreement.map(Into::into);
        p
    };
    let s = scenario(
        AS_OF,
        vec![
            oda("A-DONOR", stalled("x"), Some("ADB-1")),
            oda("B-RECIPIENT", fast("y"), Some("WB-2")),
            oda("NO-AGREEMENT", fast("z"), None),
            oda("A-RECIPIENT", with_request(fast("w"), "100"), Some("ADB-1")),
        ],
    );
    let (a, p) = run(&s);
    assert_eq!(p.changes[1], Money::ZERO, "another agreement");
    assert_eq!(p.changes[2], Money::ZERO, "no agreement");
    assert_eq!((a.rows[2].bounds.releasable, a.rows[2].bounds.absorbable), (Money::ZERO, Money::ZERO));
    kept_out_by(&a.rows[2], "oda_by_agreement");
    assert_eq!(p.changes[3], million("100"));
    assert_eq!(p.changes[0], -million("100"));
    let doc = document(&s);
    let agreements: Vec<_> = doc.pools.iter().map(|x| x.agreement.as_deref()).collect();
    assert_eq!(agreements, [Some("ADB-1"), Some("WB-2")]);
    assert!(doc.transfers.iter().all(|t| t.authority == "trung_uong"));
}

#[test]
fn target_programme_capital_moves_only_within_its_commune() {
    let ntm = |base: Project, locality: &str| Project {
        source: Source::CtmtqgNtm,
        locality: locality.into(),
        ..base
    };
    let s = scenario(
        AS_OF,
        vec![
            ntm(stalled("D1"), "Xã A"),
            ntm(fast("R1"), "Xã B"),
            ntm(with_request(fast("R2"), "120"), "Xã A"),
        ],
    );
    let (_, p) = run(&s);
    assert_eq!(p.changes[1], Money::ZERO);
    assert_eq!(p.changes[2], million("120"));
    assert_eq!(p.changes[0], -million("120"));
}

#[test]
fn every_transfer_names_its_authority_by_source() {
    let rows =
        |src: Source| vec![Project { source: src, ..stalled("D") }, Project { source: src, ..fast("R") }];
    for (src, delegated, want) in [
        (Source::Nstw, false, "ubnd_tinh"),
        (Source::Nsdp, false, "hdnd_tinh"),
        (Source::Xskt, true, "ubnd_tinh"),
        (Source::NsdpTsdd, true, "ubnd_tinh"),
    ] {
        let mut s = scenario(AS_OF, rows(src));
        s.meta.local_budget_delegated = delegated;
        let doc = document(&s);
        assert!(!doc.transfers.is_empty());
        assert!(doc.transfers.iter().all(|t| t.authority == want), "{src} delegated={delegated}");
        assert!(doc.pools.iter().all(|p| p.authority == want));
    }
}

#[test]
fn pipeline_projects_receive_after_every_eligible_row() {
    let pipe = PipelineProject {
        id: "NEW-1".into(),
        name: "Dự án mới".into(),
        investor: "Ban QLDA tỉnh".into(),
        locality: "Xã A".into(),
        sector: "Giao thông".into(),
        source: Source::Nstw,
        group: ProjectGroup::C,
        total_investment: million("5000"),
        medium_term_room: million("5000"),
        ready_amount: million("300"),
        decision: None,
        agreement: None,
    };
    let mut s = scenario(AS_OF, vec![stalled("D"), with_request(fast("R"), "100")]);
    s.pipeline = vec![pipe];
    let (a, p) = run(&s);
    assert_eq!(p.changes[1], million("100"), "the plan's recipient first");
    assert_eq!(p.pipeline, vec![million("300")]);
    assert_eq!(p.changes[0], -million("400"));
    assert!(a.model.pipeline[0].value_in < a.rows[1].bounds.value_in);
    let doc = document(&s);
    assert_eq!(doc.pipeline.len(), 1);
    assert!(doc.transfers.iter().any(|t| &*t.to == "NEW-1"));
    let pool = &doc.pools[0];
    let total: i64 = doc.projects.iter().map(|x| x.change_vnd).sum::<i64>() + doc.pipeline[0].amount_vnd;
    assert_eq!(total, 0, "the pool balances with its pipeline amounts");
    assert!(pool.options.iter().any(|o| o.kind == IdleOptionKind::Pipeline && o.rows == ["NEW-1"]));
}

#[test]
fn idle_capital_gets_options_that_add_up() {
    let mut land = stalled("LAND");
    land.obstacles.insert(Obstacle::Land);
    land.site_clearance_pct = Some(20.0);
    let s = scenario(AS_OF, vec![land, stalled("IDLE")]);
    let doc = document(&s);
    let pool = &doc.pools[0];
    assert!(pool.idle_after_vnd > 0);
    let amount = |k| pool.options.iter().filter(|o| o.kind == k).map(|o| o.amount_vnd).sum::<i64>();
    assert!(amount(IdleOptionKind::Extend) > 0);
    assert!(amount(IdleOptionKind::ReturnCentral) > 0);
    assert!(amount(IdleOptionKind::Extend) + amount(IdleOptionKind::ReturnCentral) <= pool.idle_after_vnd);
    // Local capital is not returned to the central budget.
    let local = scenario(AS_OF, vec![Project { source: Source::Nsdp, ..stalled("L") }]);
    let doc = document(&local);
    assert!(doc.pools[0].options.iter().all(|o| o.kind != IdleOptionKind::ReturnCentral));
}

#[test]
fn every_priority_tier_is_reachable() {
    let mut tiers: Vec<u8> = Vec::new();
    let cat = |c: Category| {
        let mut p = project("X");
        p.extra.category = Some(c);
        p
    };
    let rows = vec![
        cat(Category::Emergency),
        Project { source: Source::CtmtqgNtm, ..project("X") },
        cat(Category::AdvanceRepayment),
        Project { status: Status::Completed, ..project("X") },
        cat(Category::Counterpart),
        cat(Category::PppStateCapital),
        Project { physical_progress_pct: 90.0, ..project("X") },
        project("X"),
        Project { status: Status::Prep, ..project("X") },
        cat(Category::DebtBefore2015),
        cat(Category::InterestAndFees),
        cat(Category::SocialPolicyBank),
        Project { status: Status::New, ..project("X") },
    ];
    for p in rows {
        tiers.push(one(p).priority);
    }
    assert_eq!(tiers, (1..=13).collect::<Vec<u8>>());
}

#[test]
fn target_programme_rows_are_ordered_by_status_with_a_reason_that_says_which() {
    let ntm = |status| Project { source: Source::CtmtqgNtm, status, ..fast("N") };
    let (c, o, n) = (one(ntm(Status::Completed)), one(ntm(Status::Ongoing)), one(ntm(Status::New)));
    assert_eq!((c.priority, o.priority, n.priority), (2, 2, 2));
    assert!(c.bounds.value_in > o.bounds.value_in && o.bounds.value_in > n.bounds.value_in);
    assert!(o.reason.contains("chuyển tiếp"), "{}", o.reason);
    assert!(n.reason.contains("khởi công mới"), "{}", n.reason);
}

#[test]
fn version_1_rules_file_still_loads_with_the_built_in_protections() {
    let cut = DEFAULT_RULES.find("# Eligibility (version 2)").unwrap_or(DEFAULT_RULES.len());
    let model = DEFAULT_RULES.find("# The model, million VND").unwrap_or(DEFAULT_RULES.len());
    // Drop the version-2 sections (they sit between the tiers and the model) and the new settings.
    let start = DEFAULT_RULES[..cut].rfind("# ----").unwrap_or(cut);
    let end = DEFAULT_RULES[..model].rfind("# ----").unwrap_or(model);
    let v1 = format!("{}{}", &DEFAULT_RULES[..start], &DEFAULT_RULES[end..])
        .replace("pipeline_value_in = 10", "")
        .replace("absorption = ", "# absorption = ");
    assert!(!v1.contains("\n[[eligibility]]") && !v1.contains("\n[[authority]]"));
    let rules = Rules::parse(&v1, "v1.toml").unwrap_or_else(|e| panic!("{e}"));
    let s = scenario(AS_OF, vec![Project { total_investment: million("90000"), ..stalled("S") }]);
    let a = rules.assess(&s);
    assert_eq!(a.rows[0].bounds.absorbable, Money::ZERO, "built-in eligibility applies");
    assert_eq!(a.authority_of(Source::Nstw).map(|x| x.code.as_str()), Some("ubnd_tinh"));
}

#[test]
fn explain_says_in_words_which_rule_kept_a_row_out() {
    let s = scenario(AS_OF, vec![Project { key_project: true, ..on_track("K") }]);
    let e = Rules::builtin().explain(&s, 0).unwrap_or_else(|| panic!("no row"));
    let ids: Vec<&str> = e.kept_out.iter().map(|k| k.id.as_str()).collect();
    assert!(ids.contains(&"key_project_not_stalled"), "{ids:?}");
    assert!(e.kept_out.iter().all(|k| !k.label_vi.is_empty() && !k.label_en.is_empty()));
    assert!(e.result.reason.starts_with("Không điều chuyển: "), "{}", e.result.reason);
}

#[test]
fn an_ongoing_recipient_gets_at_most_a_share_of_its_plan() {
    // 70% disbursed by September: its own pace would take 456 more, the cap is 30% of the plan.
    let r = one(Project { disbursed: million("700"), ..project("F") });
    assert_eq!(r.bounds.absorbable, million("300"));
    // A completed project paying accepted volume is not capped.
    let c = one(Project {
        status: Status::Completed,
        disbursed: million("1000"),
        unpaid_volume: million("800"),
        physical_progress_pct: 100.0,
        ..project("C")
    });
    assert_eq!(c.bounds.absorbable, million("800"));
}

#[test]
fn an_offer_does_not_count_against_the_loss_share_caps() {
    // The default rules cap what one locality or investor loses at 30% of its plan; an investor's own
    // offer comes on top of that.
    let mut offer = with_request(stalled("OFFER"), "-800");
    offer.locality = "Xã A".into();
    offer.investor = "Ban QLDA A".into();
    let recipient = Project {
        locality: "Xã B".into(),
        investor: "Ban QLDA B".into(),
        plan: million("5000"),
        disbursed: million("3000"),
        total_investment: million("50000"),
        ..with_request(fast("R"), "800")
    };
    let (_, p) = run(&scenario(AS_OF, vec![offer, recipient]));
    assert_eq!(p.changes, vec![-million("800"), million("800")]);
}
