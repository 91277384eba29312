//! A realistic hand-made proposal for the document renderers (several pools, groups, donors, recipients,
//! transfers, a binding constraint, Vietnamese names with diacritics, commas and quotes).

use chrono::NaiveDate;
use realloc::domain::{Obstacle, Obstacles, Portfolio, Project, ProjectGroup, Source, Status};
use realloc::model::{
    Assessment, GroupInfo, Model, PoolKey, RowAssessment, RowBounds, SideConstraint, SideConstraintKind,
};
use realloc::money::Money;
use realloc::optimize::{
    BindingCap, CapScope, ConstraintOutcome, PoolNote, PoolOutcome, Proposal, StopReason, Transfer,
};
use realloc::report::{ConstraintCost, ProposalDocument, RulesIdentity};
use realloc::scenario::{InputDigest, Scenario, ScenarioMeta};

/// Million VND written as in the scenario files ("7209.438"); panics on a typo in the fixture.
pub fn mil(text: &str) -> Money {
    Money::parse_million(text).unwrap_or_else(|e| panic!("fixture amount `{text}`: {e}"))
}

struct Row {
    id: &'static str,
    name: &'static str,
    investor: &'static str,
    locality: &'static str,
    source: Source,
    status: Status,
    key: bool,
    plan: &'static str,
    disbursed: &'static str,
    obstacles: &'static [Obstacle],
    locked: bool,
    // The rules' verdict.
    groups: &'static [&'static str],
    priority: u8,
    pace: &'static str,
    forecast: Money,
    releasable: &'static str,
    absorbable: &'static str,
    value_in: f64,
    value_out: f64,
    reason: &'static str,
    // The optimiser's change, million VND (negative: released).
    change: i64,
}

fn rows() -> Vec<Row> {
    use Obstacle::*;
    use Source::*;
    vec![
        Row {
            id: "DA-001",
            name: "Đường tỉnh ĐT.226, đoạn Tân Thanh – Hoàng Văn Thụ",
            investor: "Ban QLDA đầu tư xây dựng tỉnh",
            locality: "Xã Tân Thanh",
            source: Nstw,
            status: Status::Ongoing,
            key: false,
            plan: "120000",
            disbursed: "18500.5",
            obstacles: &[Land],
            locked: false,
            groups: &["land"],
            priority: 8,
            pace: "stalled",
            forecast: mil("40000"),
            releasable: "60000",
            absorbable: "0",
            value_in: 0.0,
            value_out: 0.2,
            reason: "Vướng giải phóng mặt bằng (mới bàn giao 35% mặt bằng); tỷ lệ giải ngân 15,4%, dự báo không giải ngân hết 80.000 triệu đồng",
            change: -45_000,
        },
        Row {
            id: "DA-002",
            name: "Kè chống sạt lở bờ sông Kỳ Cùng (giai đoạn 2)",
            investor: "Ban QLDA ĐTXD các công trình NN&PTNT",
            locality: "Phường Kỳ Lừa",
            source: Nstw,
            status: Status::Ongoing,
            key: false,
            plan: "45000",
            disbursed: "4200.75",
            obstacles: &[Procedure, Contractor],
            locked: false,
            groups: &["procedure", "contractor"],
            priority: 8,
            pace: "slow",
            forecast: Money::from_dong(12_345_678_901),
            releasable: "25000",
            absorbable: "0",
            value_in: 0.0,
            value_out: 0.3,
            reason: "Đang điều chỉnh dự án; nhà thầu chậm huy động thiết bị, tỷ lệ giải ngân 9,3%",
            change: -20_000,
        },
        Row {
            id: "DA-003",
            name: "Cao tốc Đồng Đăng – Trà Lĩnh, hợp phần bồi thường, hỗ trợ, tái định cư",
            investor: "UBND xã Đồng Đăng",
            locality: "Xã Đồng Đăng",
            source: Nstw,
            status: Status::Ongoing,
            key: true,
            plan: "300000",
            disbursed: "240000",
            obstacles: &[],
            locked: false,
            groups: &[],
            priority: 2,
            pace: "fast",
            forecast: mil("295000"),
            releasable: "0",
            absorbable: "80000",
            value_in: 1.35,
            value_out: 0.0,
            reason: "Dự án trọng điểm, giải ngân 80,0%, còn khối lượng hoàn thành chưa thanh toán 62.000 triệu đồng",
            change: 50_000,
        },
        Row {
            id: "DA-004",
            name: "Trường THPT \"Chuyên Chu Văn An\", nhà đa năng",
            investor: "Sở Giáo dục và Đào tạo",
            locality: "Phường Lương Văn Tri",
            source: Nstw,
            status: Status::Completed,
            key: false,
            plan: "18000",
            disbursed: "17500",
            obstacles: &[],
            locked: false,
            groups: &[],
            priority: 4,
            pace: "fast",
            forecast: mil("18000"),
            releasable: "0",
            absorbable: "15000",
            value_in: 1.5,
            value_out: 0.0,
            reason: "Đã hoàn thành, bàn giao đưa vào sử dụng, còn thiếu 15.000 triệu đồng",
            change: 15_000,
        },
        Row {
            id: "ODA-030",
            name: "Phát triển cơ sở hạ tầng thích ứng biến đổi khí hậu (vay WB)",
            investor: "Ban QLDA các dự án ODA tỉnh",
            locality: "Toàn tỉnh",
            source: NstwOda,
            status: Status::Ongoing,
            key: false,
            plan: "90000",
            disbursed: "12000",
            obstacles: &[OdaAgreement, Counterpart],
            locked: true,
            groups: &["oda_agreement", "counterpart"],
            priority: 5,
            pace: "slow",
            forecast: mil("30000"),
            releasable: "0",
            absorbable: "0",
            value_in: 0.0,
            value_out: 0.0,
            reason: "",
            change: 0,
        },
        Row {
            id: "DP-010",
            name: "Trụ sở làm việc Đảng ủy, HĐND, UBND xã Hữu Liên",
            investor: "UBND xã Hữu Liên",
            locality: "Xã Hữu Liên",
            source: Nsdp,
            status: Status::New,
            key: false,
            plan: "10000",
            disbursed: "600",
            obstacles: &[Land],
            locked: false,
            groups: &["land"],
            priority: 13,
            pace: "stalled",
            forecast: mil("2500"),
            releasable: "7500",
            absorbable: "0",
            value_in: 0.0,
            value_out: 0.1,
            reason: "Chưa bàn giao mặt bằng; tỷ lệ giải ngân 6,0%",
            change: -3_000,
        },
        Row {
            id: "DP-011",
            name: "Nâng cấp đường giao thông nông thôn xã Mẫu Sơn",
            investor: "UBND xã Mẫu Sơn",
            locality: "Xã Mẫu Sơn",
            source: Nsdp,
            status: Status::Ongoing,
            key: false,
            plan: "12345.678",
            disbursed: "1234.567",
            obstacles: &[Materials],
            locked: false,
            groups: &["materials"],
            priority: 8,
            pace: "slow",
            forecast: mil("5000"),
            releasable: "5500",
            absorbable: "0",
            value_in: 0.0,
            value_out: 0.25,
            reason: "Thiếu đá, cát xây dựng; giá vật liệu tăng, tỷ lệ giải ngân 10,0%",
            change: -5_500,
        },
        Row {
            id: "DP-012",
            name: "Bệnh viện Đa khoa tỉnh, khoa Hồi sức tích cực",
            investor: "Sở Y tế",
            locality: "Phường Tam Thanh",
            source: Nsdp,
            status: Status::Ongoing,
            key: false,
            plan: "25000",
            disbursed: "21000",
            obstacles: &[],
            locked: false,
            groups: &[],
            priority: 7,
            pace: "fast",
            forecast: mil("25000"),
            releasable: "0",
            absorbable: "12000",
            value_in: 0.9,
            value_out: 0.0,
            reason: "Hoàn thành trong năm 2025, giải ngân 84,0%",
            change: 8_500,
        },
        Row {
            id: "DP-013",
            name: "Chợ trung tâm xã Na Sầm",
            investor: "UBND xã Na Sầm",
            locality: "Xã Na Sầm",
            source: Nsdp,
            status: Status::Ongoing,
            key: false,
            plan: "6000",
            disbursed: "3000",
            obstacles: &[Settlement],
            locked: true,
            groups: &["settlement"],
            priority: 8,
            pace: "on_track",
            forecast: mil("5400"),
            releasable: "0",
            absorbable: "0",
            value_in: 0.0,
            value_out: 0.0,
            reason: "",
            change: 0,
        },
        Row {
            id: "NTM-020",
            name: "Nhà văn hóa thôn Bản Chắt",
            investor: "UBND xã Đình Lập",
            locality: "Xã Đình Lập",
            source: CtmtqgNtm,
            status: Status::Ongoing,
            key: false,
            plan: "2400",
            disbursed: "150",
            obstacles: &[Settlement],
            locked: false,
            groups: &["settlement"],
            priority: 8,
            pace: "stalled",
            forecast: mil("600"),
            releasable: "1500",
            absorbable: "0",
            value_in: 0.0,
            value_out: 0.15,
            reason: "Chậm quyết toán hạng mục năm trước; tỷ lệ giải ngân 6,3%",
            change: -1_200,
        },
        Row {
            id: "NTM-021",
            name: "Đường vào khu sản xuất thôn Nà Pàn",
            investor: "UBND xã Văn Quan",
            locality: "Xã Văn Quan",
            source: CtmtqgNtm,
            status: Status::Ongoing,
            key: false,
            plan: "3100",
            disbursed: "2900",
            obstacles: &[],
            locked: false,
            groups: &[],
            priority: 2,
            pace: "fast",
            forecast: mil("3100"),
            releasable: "0",
            absorbable: "1200",
            value_in: 1.1,
            value_out: 0.0,
            reason: "Chương trình mục tiêu quốc gia, giải ngân 93,5%",
            change: 1_200,
        },
    ]
}

fn group_infos() -> Vec<GroupInfo> {
    let g = |id: &str, vi: &str, en: &str, rvi: &str, ren: &str| GroupInfo {
        id: id.into(),
        label_vi: vi.into(),
        label_en: en.into(),
        remedy_vi: rvi.into(),
        remedy_en: ren.into(),
    };
    vec![
        g(
            "land",
            "Vướng mắc giải phóng mặt bằng",
            "Site clearance and compensation",
            "UBND xã, phường tập trung kiểm đếm, phê duyệt phương án bồi thường; điều chuyển vốn chưa sử dụng",
            "Communes speed up inventories and compensation plans; unused capital is moved",
        ),
        g(
            "procedure",
            "Thủ tục đầu tư, điều chỉnh dự án",
            "Investment procedures and project adjustment",
            "Sở Tài chính thẩm định điều chỉnh dự án trong 15 ngày",
            "The Department of Finance appraises adjustments within 15 days",
        ),
        g(
            "contractor",
            "Năng lực nhà thầu hạn chế",
            "Contractor capacity",
            "Chủ đầu tư đôn đốc, xử lý nhà thầu vi phạm tiến độ theo hợp đồng",
            "Investors enforce contract schedules and sanction late contractors",
        ),
        g(
            "materials",
            "Giá và nguồn cung vật liệu xây dựng",
            "Material prices and shortages",
            "Công bố giá vật liệu kịp thời; cấp phép khai thác mỏ đất đắp",
            "Publish material prices promptly; license fill-material quarries",
        ),
        g(
            "settlement",
            "Chậm thanh quyết toán",
            "Settlement delays",
            "Chủ đầu tư hoàn thiện hồ sơ quyết toán trước ngày 15/11",
            "Investors complete settlement files before 15 November",
        ),
        g(
            "oda_agreement",
            "Chưa ký hiệp định vay ODA",
            "ODA loan agreement pending",
            "Báo cáo Bộ Tài chính đẩy nhanh đàm phán hiệp định",
            "Ask the Ministry of Finance to speed up the negotiation",
        ),
        g(
            "counterpart",
            "Thiếu vốn đối ứng",
            "Missing counterpart funds",
            "Bố trí vốn đối ứng từ ngân sách tỉnh",
            "Allocate counterpart funds from the provincial budget",
        ),
    ]
}

/// The parts a document is built from: scenario, rules identity, assessment and proposal.
pub fn fixture_parts() -> (Scenario, RulesIdentity, Assessment, Proposal) {
    let rows = rows();
    let projects: Vec<Project> = rows
        .iter()
        .map(|r| Project {
            id: r.id.into(),
            name: r.name.into(),
            investor: r.investor.into(),
            locality: r.locality.into(),
            sector: "Giao thông".into(),
            source: r.source,
            group: ProjectGroup::B,
            status: r.status,
            key_project: r.key,
            total_investment: mil(r.plan) + mil(r.plan) + mil("100000"),
            allocated_before: mil(r.plan),
            plan: mil(r.plan),
            disbursed: mil(r.disbursed),
            unpaid_volume: Money::ZERO,
            site_clearance_pct: None,
            physical_progress_pct: 50.0,
            start_year: 2023,
            end_year: 2026,
            obstacles: r.obstacles.iter().copied().collect::<Obstacles>(),
            locked: r.locked,
            extra: Default::default(),
        })
        .collect();
    let portfolio = Portfolio::from_rows(projects).unwrap_or_else(|e| panic!("fixture portfolio: {e}"));
    let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
    let scenario = Scenario {
        meta: ScenarioMeta {
            name: "Lạng Sơn 2025: điều chỉnh kế hoạch vốn quý III, \"phương án cơ sở\"".into(),
            province: "Lạng Sơn".into(),
            fiscal_year: 2025,
            as_of: date(2025, 9, 30),
            deadline: date(2026, 1, 31),
            projects: "projects.csv".into(),
            disbursements: Some("disbursements.csv".into()),
            rules: None,
            amount_format: None,
            pipeline: None,
            local_budget_delegated: false,
            document: Default::default(),
            monitoring: Default::default(),
        },
        portfolio,
        history: None,
        pipeline: Vec::new(),
        monitoring: Default::default(),
        inputs: vec![
            InputDigest {
                file: "projects.csv".into(),
                sha256: "3f1c9a0e5b7d2e8f4a6c1b3d5e7f9a0b2c4d6e8f1a3b5c7d9e0f2a4b6c8d0e1f".into(),
            },
            InputDigest {
                file: "disbursements.csv".into(),
                sha256: "a0b1c2d3e4f5061728394a5b6c7d8e9f00112233445566778899aabbccddeeff".into(),
            },
        ],
    };
    let model_rows: Vec<RowBounds> = rows
        .iter()
        .map(|r| RowBounds {
            releasable: mil(r.releasable),
            absorbable: mil(r.absorbable),
            value_in: r.value_in,
            value_out: r.value_out,
        })
        .collect();
    let constraints = vec![
        SideConstraint {
            name: "Mỗi xã, phường bị điều giảm tối đa 30% kế hoạch vốn của nguồn".into(),
            kind: SideConstraintKind::LocalityLossShare { max_share: 0.3 },
        },
        SideConstraint {
            name: "Tổng vốn điều chuyển mỗi nguồn không quá 100.000 triệu đồng".into(),
            kind: SideConstraintKind::PoolMoveCap { source: None, max: mil("100000") },
        },
    ];
    let assessment = Assessment {
        rows: rows
            .iter()
            .zip(&model_rows)
            .map(|(r, b)| RowAssessment {
                groups: r.groups.iter().map(|g| (*g).into()).collect(),
                pace: r.pace.into(),
                priority: r.priority,
                forecast: r.forecast,
                bounds: *b,
                reason: r.reason.into(),
                absorption: 1.0,
                kept_out: Vec::new(),
                arithmetic_errors: Vec::new(),
            })
            .collect(),
        groups: group_infos(),
        model: Model { rows: model_rows, settings: Default::default(), constraints, ..Default::default() },
        authority: Vec::new(),
        eligibility: Vec::new(),
    };
    let m = |v: i64| Money::from_million(v).unwrap_or_default();
    let pos = |id: &str| rows.iter().position(|r| r.id == id).unwrap_or(usize::MAX);
    let t = |from: &str, to: &str, source, amount| Transfer {
        from: pos(from),
        to: pos(to),
        source,
        amount: m(amount),
        below_min_reason: None,
    };
    let changes: Vec<Money> = rows.iter().map(|r| m(r.change)).collect();
    let objective = rows
        .iter()
        .map(|r| if r.change > 0 { r.value_in * r.change as f64 } else { r.value_out * r.change as f64 })
        .sum();
    let moved = changes.iter().filter(|c| c.dong() < 0).map(|c| -*c).sum();
    let proposal = Proposal {
        changes,
        pipeline: Vec::new(),
        moved,
        transfers: vec![
            t("DA-001", "DA-003", Source::Nstw, 45_000),
            t("DA-002", "DA-003", Source::Nstw, 5_000),
            t("DA-002", "DA-004", Source::Nstw, 15_000),
            t("DP-010", "DP-012", Source::Nsdp, 3_000),
            t("DP-011", "DP-012", Source::Nsdp, 5_500),
            t("NTM-020", "NTM-021", Source::CtmtqgNtm, 1_200),
        ],
        objective,
        pools: vec![
            PoolOutcome {
                source: Source::Nstw,
                key: PoolKey::source(Source::Nstw),
                moved: m(65_000),
                objective: 0.0,
                method: "greedy".into(),
                gap: 0.0,
                shadow_price: 1.05,
                best_unfunded: Some(pos("DA-003")),
                notes: vec![
                    PoolNote::Moved { amount: m(65_000), donors: 2, recipients: 2 },
                    PoolNote::Stops {
                        reason: StopReason::BelowMinTransfer {
                            from: pos("DA-001"),
                            to: pos("DA-003"),
                            min_transfer: m(50),
                        },
                    },
                ],
            },
            PoolOutcome {
                source: Source::NstwOda,
                key: PoolKey::source(Source::NstwOda),
                moved: Money::ZERO,
                objective: 0.0,
                method: "greedy".into(),
                gap: 0.0,
                shadow_price: 0.0,
                best_unfunded: None,
                notes: vec![
                    PoolNote::NoDonors { rows: 1, locked: 1, small: 0 },
                    PoolNote::NoRecipients { rows: 1, small: 0 },
                ],
            },
            PoolOutcome {
                source: Source::CtmtqgNtm,
                key: PoolKey::source(Source::CtmtqgNtm),
                moved: m(1_200),
                objective: 0.0,
                method: "greedy".into(),
                gap: 0.0,
                shadow_price: 0.0,
                best_unfunded: None,
                notes: vec![
                    PoolNote::Moved { amount: m(1_200), donors: 1, recipients: 1 },
                    PoolNote::Stops { reason: StopReason::RecipientsFull },
                ],
            },
            PoolOutcome {
                source: Source::Nsdp,
                key: PoolKey::source(Source::Nsdp),
                moved: m(8_500),
                objective: 0.0,
                method: "greedy".into(),
                gap: 0.0,
                shadow_price: 0.65,
                best_unfunded: Some(pos("DP-012")),
                notes: vec![
                    PoolNote::Moved { amount: m(8_500), donors: 2, recipients: 1 },
                    PoolNote::Stops { reason: StopReason::DonorsExhaustedByCaps },
                    PoolNote::Binds {
                        constraint: "Mỗi xã, phường bị điều giảm tối đa 30% kế hoạch vốn của nguồn".into(),
                        caps: vec![BindingCap {
                            scope: CapScope::Locality,
                            name: "Xã Hữu Liên".into(),
                            limit: m(3_000),
                        }],
                        more: 0,
                    },
                    PoolNote::Dropped { moves: 1, min_transfer: m(50) },
                ],
            },
        ],
        constraints: vec![
            ConstraintOutcome {
                name: "Mỗi xã, phường bị điều giảm tối đa 30% kế hoạch vốn của nguồn".into(),
                kind: "locality_loss_share".into(),
                binding: true,
                binding_at: vec!["NSDP: Xã Hữu Liên".into()],
            },
            ConstraintOutcome {
                name: "Tổng vốn điều chuyển mỗi nguồn không quá 100.000 triệu đồng".into(),
                kind: "pool_move_cap".into(),
                binding: false,
                binding_at: vec![],
            },
        ],
        solver: "microlp 0.2 (exact rounding)".into(),
    };
    let rules = RulesIdentity {
        name: "default (Luật 58/2024/QH15, Nghị định 85/2025/NĐ-CP)".into(),
        sha256: "5d41402abc4b2a76b9719d911017c592ae1f0b7cd8a5e2f3c4b6a7d8e9f01234".into(),
    };
    (scenario, rules, assessment, proposal)
}

/// The hand-made proposal document, the binding constraint priced by hand (the real pricing solves
/// again, which needs the optimiser).
pub fn fixture_document() -> ProposalDocument {
    let (scenario, rules, assessment, proposal) = fixture_parts();
    let mut doc = ProposalDocument::build(&scenario, &rules, &assessment, &proposal);
    // A fixed commit: the stored JSON (`tests/data/documents/proposal.json`) and the snapshots must
    // not change with every commit of the code that builds them.
    doc.manifest.tool_commit = "0000000".into();
    if let Some(c) = doc.constraints.first_mut() {
        c.cost = Some(ConstraintCost { objective_loss: 0.25, moved_forgone_vnd: 1_000_000_000 });
    }
    doc
}
