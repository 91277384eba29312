//! The words of the documents in Vietnamese and English: headings, column names, priority tiers of
//! Law 58/2024 Art. 54(4), capital-source and constraint labels, and the sentences of the optimiser's
//! pool notes.

use serde::{Deserialize, Serialize};

use crate::domain::Source;
use crate::optimize::{BindingCap, CapScope, PoolNote, StopReason};

use super::fmt;

/// The language of a document. Vietnamese is the default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Vietnamese (tiếng Việt), administrative style.
    #[default]
    Vi,
    /// English.
    En,
}

impl Lang {
    /// The BCP 47 code (`vi`, `en`), for `<html lang>`.
    pub const fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }
}

/// `vi` or `en`, whichever `lang` is: a label written in place, in both languages.
pub fn tr(lang: Lang, vi: &str, en: &str) -> String {
    match lang {
        Lang::Vi => vi.to_owned(),
        Lang::En => en.to_owned(),
    }
}

/// `s` with its first letter in upper case (a label used at the start of a line).
pub fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// Headings and column names of one language.
#[derive(Debug)]
#[allow(missing_docs)] // Each field is the label its name says; the values below document them.
pub struct Labels {
    pub doc_kind: &'static str,
    pub to: &'static str,
    pub scenario: &'static str,
    pub province: &'static str,
    pub as_of: &'static str,
    pub deadline: &'static str,
    pub unit: &'static str,
    pub sec_summary: &'static str,
    pub sec_groups: &'static str,
    pub sec_donors: &'static str,
    pub sec_recipients: &'static str,
    pub sec_transfers: &'static str,
    pub sec_constraints: &'static str,
    pub sec_sensitivity: &'static str,
    pub sec_manifest: &'static str,
    pub moved: &'static str,
    pub moved_short: &'static str,
    pub rate_overall: &'static str,
    pub central_at_risk: &'static str,
    pub before: &'static str,
    pub after: &'static str,
    pub counts: &'static str,
    pub donors_n: &'static str,
    pub recipients_n: &'static str,
    pub transfers_n: &'static str,
    pub objective: &'static str,
    pub by_source: &'static str,
    pub no: &'static str,
    pub source: &'static str,
    pub rows: &'static str,
    pub plan: &'static str,
    pub new_plan: &'static str,
    pub disbursed: &'static str,
    pub rate: &'static str,
    pub forecast_before: &'static str,
    pub forecast_after: &'static str,
    pub group: &'static str,
    pub releasable: &'static str,
    pub released: &'static str,
    pub remedy: &'static str,
    pub project: &'static str,
    pub investor: &'static str,
    pub locality: &'static str,
    pub groups: &'static str,
    pub cut: &'static str,
    pub added: &'static str,
    pub reason: &'static str,
    pub priority: &'static str,
    pub from: &'static str,
    pub to_project: &'static str,
    pub amount: &'static str,
    pub total: &'static str,
    pub constraint: &'static str,
    pub kind: &'static str,
    pub binding: &'static str,
    pub binding_yes: &'static str,
    pub binding_no: &'static str,
    pub objective_loss: &'static str,
    pub moved_forgone: &'static str,
    pub not_priced: &'static str,
    pub shadow_price: &'static str,
    pub best_unfunded: &'static str,
    pub notes: &'static str,
    pub tool_version: &'static str,
    pub rules: &'static str,
    pub rules_sha256: &'static str,
    pub solver: &'static str,
    pub input_file: &'static str,
    pub sha256: &'static str,
    pub none: &'static str,
    pub no_groups: &'static str,
    pub no_donors: &'static str,
    pub no_recipients: &'static str,
    pub no_transfers: &'static str,
    pub no_constraints: &'static str,
    pub closing: &'static str,
    pub chart_rates: &'static str,
    pub chart_groups: &'static str,
    pub chart_localities: &'static str,
    pub legend_plan: &'static str,
    pub legend_disbursed: &'static str,
    pub legend_released: &'static str,
    pub legend_added: &'static str,
    pub no_moves: &'static str,
    pub shadow_note: &'static str,
    pub constraints_note: &'static str,
    pub item: &'static str,
    pub value: &'static str,
    pub change: &'static str,
    pub side_a: &'static str,
    pub side_b: &'static str,
    pub compare_title: &'static str,
    pub compare_rows: &'static str,
    pub compare_same: &'static str,
    pub difference: &'static str,
    pub absent: &'static str,
    pub sec_idle: &'static str,
    pub pool: &'static str,
    pub idle_before: &'static str,
    pub idle_after: &'static str,
    pub options: &'static str,
    pub authority: &'static str,
    pub pipeline_heading: &'static str,
    pub forecast_note: &'static str,
    pub no_idle: &'static str,
    pub opt_pipeline: &'static str,
    pub opt_extend: &'static str,
    pub opt_return: &'static str,
}

/// Vietnamese labels.
pub const VI: Labels = Labels {
    doc_kind: "TỜ TRÌNH",
    to: "Kính gửi",
    scenario: "Phương án",
    province: "Tỉnh",
    as_of: "Số liệu đến ngày",
    deadline: "Thời hạn giải ngân",
    unit: "Đơn vị: triệu đồng",
    sec_summary: "I. TÓM TẮT ĐỀ XUẤT",
    sec_groups: "II. PHÂN NHÓM DỰ ÁN GẶP KHÓ KHĂN, VƯỚNG MẮC VÀ GIẢI PHÁP",
    sec_donors: "III. CÁC DỰ ÁN ĐỀ NGHỊ ĐIỀU CHỈNH GIẢM KẾ HOẠCH VỐN",
    sec_recipients: "IV. CÁC DỰ ÁN ĐỀ NGHỊ ĐIỀU CHỈNH TĂNG KẾ HOẠCH VỐN",
    sec_transfers: "V. CHI TIẾT ĐIỀU CHUYỂN KẾ HOẠCH VỐN",
    sec_constraints: "VI. CÁC ĐIỀU KIỆN RÀNG BUỘC VÀ ẢNH HƯỞNG",
    sec_sensitivity: "VIII. PHÂN TÍCH ĐỘ NHẠY THEO NGUỒN VỐN",
    sec_manifest: "IX. THÔNG TIN TÍNH TOÁN",
    moved: "Tổng kế hoạch vốn đề nghị điều chuyển",
    moved_short: "Vốn điều chuyển",
    rate_overall: "Tỷ lệ giải ngân dự kiến đến hết thời hạn",
    central_at_risk: "Vốn ngân sách trung ương dự báo không giải ngân hết (dự báo điểm)",
    before: "Trước điều chỉnh",
    after: "Sau điều chỉnh",
    counts: "Số lượng",
    donors_n: "dự án điều chỉnh giảm",
    recipients_n: "dự án điều chỉnh tăng",
    transfers_n: "lượt điều chuyển",
    objective: "Giá trị hàm mục tiêu",
    by_source: "Theo nguồn vốn",
    no: "STT",
    source: "Nguồn vốn",
    rows: "Số dự án",
    plan: "Kế hoạch vốn năm",
    new_plan: "Kế hoạch sau điều chỉnh",
    disbursed: "Đã giải ngân",
    rate: "Tỷ lệ giải ngân",
    forecast_before: "Tỷ lệ dự kiến trước",
    forecast_after: "Tỷ lệ dự kiến sau",
    group: "Nhóm khó khăn, vướng mắc",
    releasable: "Có thể điều chỉnh giảm",
    released: "Đề nghị điều chỉnh giảm",
    remedy: "Giải pháp",
    project: "Dự án",
    investor: "Chủ đầu tư",
    locality: "Xã, phường",
    groups: "Nhóm",
    cut: "Số vốn điều chỉnh giảm",
    added: "Số vốn điều chỉnh tăng",
    reason: "Lý do",
    priority: "Thứ tự ưu tiên",
    from: "Điều chỉnh giảm từ dự án",
    to_project: "Điều chỉnh tăng cho dự án",
    amount: "Số tiền",
    total: "Tổng cộng",
    constraint: "Điều kiện ràng buộc",
    kind: "Loại",
    binding: "Tình trạng",
    binding_yes: "Đang giới hạn phương án",
    binding_no: "Không giới hạn",
    objective_loss: "Giá trị mục tiêu giảm do ràng buộc",
    moved_forgone: "Vốn không điều chuyển được do ràng buộc",
    not_priced: "chưa tính",
    shadow_price: "Giá trị của 1 triệu đồng tăng thêm",
    best_unfunded: "Dự án ưu tiên tiếp theo chưa đủ vốn",
    notes: "Ghi chú",
    tool_version: "Phiên bản công cụ",
    rules: "Bộ quy tắc",
    rules_sha256: "Mã băm SHA-256 của bộ quy tắc",
    solver: "Bộ giải",
    input_file: "Tệp dữ liệu đầu vào",
    sha256: "Mã băm SHA-256",
    none: "không có",
    no_groups: "Không có dự án nào gặp khó khăn, vướng mắc.",
    no_donors: "Không có dự án đề nghị điều chỉnh giảm.",
    no_recipients: "Không có dự án đề nghị điều chỉnh tăng.",
    no_transfers: "Không có lượt điều chuyển nào.",
    no_constraints: "Bộ quy tắc không đặt điều kiện ràng buộc bổ sung.",
    closing: "Kính trình Ủy ban nhân dân tỉnh xem xét, quyết định./.",
    chart_rates: "Tỷ lệ giải ngân dự kiến theo nguồn vốn, trước và sau điều chỉnh",
    chart_groups: "Kế hoạch vốn theo nhóm khó khăn, vướng mắc (triệu đồng)",
    chart_localities: "Vốn điều chỉnh giảm và điều chỉnh tăng theo xã, phường (triệu đồng)",
    legend_plan: "Kế hoạch",
    legend_disbursed: "Đã giải ngân",
    legend_released: "Điều chỉnh giảm",
    legend_added: "Điều chỉnh tăng",
    no_moves: "Không có vốn điều chuyển.",
    shadow_note: "Giá trị tăng thêm của hàm mục tiêu nếu nguồn vốn có thêm 1 triệu đồng để phân bổ.",
    constraints_note: "Ảnh hưởng được tính bằng cách giải lại bài toán khi bỏ riêng từng điều kiện ràng buộc.",
    item: "Chỉ tiêu",
    value: "Giá trị",
    change: "Thay đổi",
    side_a: "Phương án A",
    side_b: "Phương án B",
    compare_title: "SO SÁNH HAI PHƯƠNG ÁN ĐIỀU CHUYỂN KẾ HOẠCH VỐN",
    compare_rows: "Các dự án có mức điều chỉnh khác nhau",
    compare_same: "Hai phương án có cùng mức điều chỉnh cho mọi dự án.",
    difference: "Chênh lệch (B − A)",
    absent: "không có",
    sec_idle: "VII. VỐN CÒN NHÀN RỖI SAU ĐIỀU CHỈNH VÀ PHƯƠNG ÁN XỬ LÝ",
    pool: "Nguồn vốn (hiệp định, xã)",
    idle_before: "Dự kiến không giải ngân hết, trước điều chỉnh",
    idle_after: "Dự kiến không giải ngân hết, sau điều chỉnh",
    options: "Phương án xử lý",
    authority: "Thẩm quyền quyết định",
    pipeline_heading: "Dự án đủ điều kiện khởi công, được bố trí vốn từ phần vốn còn lại",
    forecast_note: "Tỷ lệ và số vốn sau điều chỉnh là dự báo: vốn bổ sung cho dự án nhận chỉ được tính phần dự kiến giải ngân được theo tiến độ của dự án; dự án chuẩn bị sẵn sàng được tính theo số vốn đã sẵn sàng giải ngân.",
    no_idle: "Sau điều chỉnh không còn vốn dự kiến nhàn rỗi.",
    opt_pipeline: "bố trí cho dự án đã sẵn sàng khởi công",
    opt_extend: "đề nghị kéo dài thời gian thực hiện, giải ngân sang năm sau (vướng mắc khách quan)",
    opt_return: "đề nghị trả lại ngân sách trung ương để điều chuyển cho địa phương khác",
};

/// English labels.
pub const EN: Labels = Labels {
    doc_kind: "PROPOSAL",
    to: "To",
    scenario: "Scenario",
    province: "Province",
    as_of: "Figures as of",
    deadline: "Disbursement deadline",
    unit: "Unit: million VND",
    sec_summary: "I. SUMMARY",
    sec_groups: "II. PROJECTS FACING DIFFICULTIES, BY GROUP, AND REMEDIES",
    sec_donors: "III. PROJECTS PROPOSED FOR A REDUCED ALLOCATION",
    sec_recipients: "IV. PROJECTS PROPOSED FOR AN INCREASED ALLOCATION",
    sec_transfers: "V. TRANSFERS",
    sec_constraints: "VI. SIDE CONSTRAINTS AND WHAT THEY COST",
    sec_sensitivity: "VIII. SENSITIVITY BY CAPITAL SOURCE",
    sec_manifest: "IX. RUN MANIFEST",
    moved: "Capital proposed for transfer",
    moved_short: "Moved",
    rate_overall: "Forecast disbursement rate by the deadline",
    central_at_risk: "Central capital forecast not to be disbursed (point forecast)",
    before: "Before",
    after: "After",
    counts: "Counts",
    donors_n: "projects reduced",
    recipients_n: "projects increased",
    transfers_n: "transfers",
    objective: "Objective value",
    by_source: "By capital source",
    no: "No.",
    source: "Capital source",
    rows: "Projects",
    plan: "Annual plan",
    new_plan: "Plan after adjustment",
    disbursed: "Disbursed",
    rate: "Disbursement rate",
    forecast_before: "Forecast rate before",
    forecast_after: "Forecast rate after",
    group: "Difficulty group",
    releasable: "Releasable",
    released: "Proposed cut",
    remedy: "Remedy",
    project: "Project",
    investor: "Investor",
    locality: "Commune/ward",
    groups: "Groups",
    cut: "Amount cut",
    added: "Amount added",
    reason: "Reason",
    priority: "Priority tier",
    from: "From project",
    to_project: "To project",
    amount: "Amount",
    total: "Total",
    constraint: "Constraint",
    kind: "Kind",
    binding: "Status",
    binding_yes: "Binding",
    binding_no: "Not binding",
    objective_loss: "Objective lost to the constraint",
    moved_forgone: "Transfers forgone because of it",
    not_priced: "not computed",
    shadow_price: "Value of one more million VND",
    best_unfunded: "Best recipient left short",
    notes: "Notes",
    tool_version: "Tool version",
    rules: "Rules",
    rules_sha256: "Rules SHA-256",
    solver: "Solver",
    input_file: "Input file",
    sha256: "SHA-256",
    none: "none",
    no_groups: "No project faces a difficulty.",
    no_donors: "No project is proposed for a reduced allocation.",
    no_recipients: "No project is proposed for an increased allocation.",
    no_transfers: "No transfer.",
    no_constraints: "The rules set no side constraint.",
    closing: "Submitted to the Provincial People's Committee for consideration and decision.",
    chart_rates: "Forecast disbursement rate by capital source, before and after",
    chart_groups: "Plan by difficulty group (million VND)",
    chart_localities: "Capital cut and added by commune/ward (million VND)",
    legend_plan: "Plan",
    legend_disbursed: "Disbursed",
    legend_released: "Cut",
    legend_added: "Added",
    no_moves: "No capital moves.",
    shadow_note: "How much the objective would grow if the pool had one more million VND to allocate.",
    constraints_note: "The cost is found by solving again without that one constraint.",
    item: "Item",
    value: "Value",
    change: "Change",
    side_a: "Scenario A",
    side_b: "Scenario B",
    compare_title: "COMPARISON OF TWO REALLOCATION PROPOSALS",
    compare_rows: "Projects whose change differs",
    compare_same: "Both proposals change every project by the same amount.",
    difference: "Difference (B − A)",
    absent: "absent",
    sec_idle: "VII. CAPITAL STILL IDLE AFTER THE PROPOSAL, AND WHAT CAN BE DONE",
    pool: "Pool (source, agreement, commune)",
    idle_before: "Forecast idle before",
    idle_after: "Forecast idle after",
    options: "Options",
    authority: "Decided by",
    pipeline_heading: "Ready projects funded from what is left",
    forecast_note: "Rates and amounts after the proposal are forecasts: capital added to a recipient counts only for the share it is expected to spend at its own pace; a ready pipeline project counts for what it is ready to disburse.",
    no_idle: "No capital is forecast to stay idle after the proposal.",
    opt_pipeline: "place in projects ready to start",
    opt_extend: "ask to extend into next year (objective causes)",
    opt_return: "return to the central budget for reallocation to other provinces",
};

/// The labels of `lang`.
pub const fn labels(lang: Lang) -> &'static Labels {
    match lang {
        Lang::Vi => &VI,
        Lang::En => &EN,
    }
}

/// The document's subject line.
pub fn subject(lang: Lang, fiscal_year: i32) -> String {
    match lang {
        Lang::Vi => format!("Về việc điều chỉnh kế hoạch vốn đầu tư công năm {fiscal_year}"),
        Lang::En => format!("Adjustment of the {fiscal_year} public investment plan"),
    }
}

/// The addressee: the provincial People's Committee.
pub fn addressee(lang: Lang, province: &str) -> String {
    match lang {
        Lang::Vi => format!("Ủy ban nhân dân tỉnh {province}"),
        Lang::En => format!("People's Committee of {province} province"),
    }
}

/// The priority tiers of Law 58/2024/QH15 Art. 54(4) as amended, highest first: (Vietnamese, English).
pub const PRIORITY_TIERS: [(&str, &str); 13] = [
    ("Dự án đặc biệt, dự án khẩn cấp", "Special and emergency projects"),
    (
        "Chương trình mục tiêu quốc gia, dự án quan trọng quốc gia",
        "National target programmes and nationally important projects",
    ),
    ("Hoàn trả vốn ứng trước", "Repayment of advanced capital"),
    (
        "Dự án đã hoàn thành, bàn giao đưa vào sử dụng nhưng chưa bố trí đủ vốn",
        "Completed and handed-over projects not yet fully funded",
    ),
    ("Dự án sử dụng vốn ODA và vốn đối ứng", "ODA projects and their counterpart funds"),
    ("Vốn nhà nước tham gia dự án PPP", "State capital in PPP projects"),
    ("Dự án chuyển tiếp hoàn thành trong kỳ", "Ongoing projects to be completed within the period"),
    ("Dự án chuyển tiếp thực hiện theo tiến độ", "Ongoing projects on schedule"),
    ("Nhiệm vụ quy hoạch, chuẩn bị đầu tư", "Planning and investment preparation"),
    ("Nợ đọng xây dựng cơ bản trước năm 2015", "Construction debt incurred before 2015"),
    ("Cấp bù lãi suất và phí quản lý", "Interest subsidies and fees"),
    ("Vốn ủy thác qua Ngân hàng Chính sách xã hội", "Capital entrusted to the Social Policy Bank"),
    ("Dự án khởi công mới", "New projects"),
];

/// A priority tier as `"7. Dự án chuyển tiếp hoàn thành trong kỳ"`; an unknown tier as its number.
pub fn priority(tier: u8, lang: Lang) -> String {
    match PRIORITY_TIERS.get(usize::from(tier).wrapping_sub(1)) {
        Some((vi, en)) => format!("{tier}. {}", if lang == Lang::Vi { vi } else { en }),
        None => tier.to_string(),
    }
}

/// The name of a capital source.
pub fn source(s: Source, lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => s.label_vi(),
        Lang::En => match s {
            Source::Nstw => "Central budget",
            Source::NstwOda => "Central budget (foreign loans)",
            Source::CtmtqgNtm => "NTP new rural areas",
            Source::CtmtqgGnbv => "NTP sustainable poverty reduction",
            Source::CtmtqgDtts => "NTP ethnic minority and mountainous areas",
            Source::Nsdp => "Local budget",
            Source::NsdpTsdd => "Local budget (land-use revenue)",
            Source::Xskt => "Lottery revenue",
        },
    }
}

/// The name of a side-constraint kind; an unknown kind as its code.
pub fn constraint_kind(kind: &str, lang: Lang) -> String {
    let (vi, en) = match kind {
        "locality_loss_share" => {
            ("Giới hạn tỷ lệ vốn điều chỉnh giảm của mỗi xã, phường", "Cap on the share a locality loses")
        }
        "investor_loss_share" => {
            ("Giới hạn tỷ lệ vốn điều chỉnh giảm của mỗi chủ đầu tư", "Cap on the share an investor loses")
        }
        "pool_move_cap" => ("Giới hạn tổng vốn điều chuyển trong nguồn", "Cap on the amount moved in a pool"),
        other => return other.to_owned(),
    };
    (if lang == Lang::Vi { vi } else { en }).to_owned()
}

/// `1 project`, `3 projects`.
fn projects_en(n: usize) -> String {
    if n == 1 { "1 project".to_owned() } else { format!("{n} projects") }
}

/// `is` or `are` for `n` things.
const fn is_are(n: usize) -> &'static str {
    if n == 1 { "is" } else { "are" }
}

/// One binding cap, as a clause of the constraint's sentence.
fn binding_cap(cap: &BindingCap, lang: Lang) -> String {
    let amount = fmt::million_text(cap.limit.dong(), lang);
    match (lang, cap.scope) {
        (Lang::Vi, CapScope::Pool) => format!("tổng vốn điều chuyển trong nguồn tối đa {amount} triệu đồng"),
        (Lang::Vi, _) => format!("{} được điều chỉnh giảm tối đa {amount} triệu đồng", cap.name),
        (Lang::En, CapScope::Pool) => format!("the pool may move at most {amount} million VND"),
        (Lang::En, CapScope::Locality) => {
            format!("locality {} may lose at most {amount} million VND", cap.name)
        }
        (Lang::En, _) => format!("investor {} may lose at most {amount} million VND", cap.name),
    }
}

/// Why a pool stopped (or moved nothing), as the end of a sentence, without its final period.
fn stop_reason(reason: &StopReason<String>, lang: Lang) -> String {
    let value = |v: f64| fmt::float(v, 3, lang);
    match (lang, reason) {
        (Lang::Vi, StopReason::RecipientsFull) => {
            "các dự án nhận đã được bố trí đủ mức có thể giải ngân".to_owned()
        }
        (Lang::Vi, StopReason::DonorsExhausted) => {
            "các dự án điều chỉnh giảm đã giảm hết mức cho phép".to_owned()
        }
        (Lang::Vi, StopReason::DonorsExhaustedByCaps) => {
            "các dự án điều chỉnh giảm đã giảm hết mức cho phép của từng dự án và của các điều kiện ràng buộc"
                .to_owned()
        }
        (Lang::Vi, StopReason::NotWorthMore { recipient, value_in, donor, value_out }) => format!(
            "giá trị của 1 triệu đồng bố trí thêm cho dự án nhận tiếp theo ({recipient}: {}) không lớn hơn \
             giá trị mất đi khi điều chỉnh giảm 1 triệu đồng của dự án tiếp theo ({donor}: {})",
            value(*value_in),
            value(*value_out)
        ),
        (Lang::Vi, StopReason::BelowMinTransfer { from, to, min_transfer }) => format!(
            "lượt điều chuyển tiếp theo, từ dự án {from} sang dự án {to}, nhỏ hơn mức điều chuyển tối thiểu \
             ({} triệu đồng)",
            fmt::million_text(min_transfer.dong(), lang)
        ),
        (Lang::En, StopReason::RecipientsFull) => {
            "every recipient is funded up to what it can absorb".to_owned()
        }
        (Lang::En, StopReason::DonorsExhausted) => "every donor has released all it may".to_owned(),
        (Lang::En, StopReason::DonorsExhaustedByCaps) => {
            "every donor has released all that its bounds and the side constraints allow".to_owned()
        }
        (Lang::En, StopReason::NotWorthMore { recipient, value_in, donor, value_out }) => format!(
            "the best recipient left, {recipient} (value in {}), is worth no more than the cheapest donor \
             left, {donor} (value out {})",
            value(*value_in),
            value(*value_out)
        ),
        (Lang::En, StopReason::BelowMinTransfer { from, to, min_transfer }) => format!(
            "the next move, from {from} to {to}, would be smaller than the minimum transfer ({} million VND)",
            fmt::million_text(min_transfer.dong(), lang)
        ),
    }
}

/// One of the optimiser's pool notes as a short sentence in `lang`, amounts formatted for the reader.
/// Rows are named by the caller (project ids, or ids and names) through [`PoolNote::map_rows`].
///
/// ```
/// use realloc::money::Money;
/// use realloc::optimize::PoolNote;
/// use realloc::report::{Lang, text::pool_note};
///
/// let note: PoolNote<String> =
///     PoolNote::Moved { amount: Money::from_dong(264_403_000_000), donors: 19, recipients: 25 };
/// assert_eq!(pool_note(&note, Lang::Vi), "Điều chuyển 264.403 triệu đồng từ 19 dự án sang 25 dự án.");
/// assert_eq!(pool_note(&note, Lang::En), "Moves 264,403 million VND from 19 projects to 25 projects.");
/// ```
pub fn pool_note(note: &PoolNote<String>, lang: Lang) -> String {
    let amount = |m: crate::money::Money| fmt::million_text(m.dong(), lang);
    match (lang, note) {
        (Lang::Vi, PoolNote::Moved { amount: a, donors, recipients }) => {
            format!("Điều chuyển {} triệu đồng từ {donors} dự án sang {recipients} dự án.", amount(*a))
        }
        (Lang::En, PoolNote::Moved { amount: a, donors, recipients }) => {
            format!(
                "Moves {} million VND from {} to {}.",
                amount(*a),
                projects_en(*donors),
                projects_en(*recipients)
            )
        }
        (Lang::Vi, PoolNote::NoDonors { rows, locked, small }) => {
            let why = if locked >= rows {
                format!("{rows} dự án của nguồn được giữ nguyên kế hoạch vốn")
            } else if *locked == 0 {
                format!(
                    "{rows} dự án của nguồn đã giải ngân hết kế hoạch hoặc không thuộc diện điều chỉnh giảm"
                )
            } else {
                format!(
                    "trong {rows} dự án của nguồn, {locked} dự án được giữ nguyên kế hoạch vốn, các dự án còn lại \
                     đã giải ngân hết kế hoạch hoặc không thuộc diện điều chỉnh giảm"
                )
            };
            let mut s = format!("Không có dự án nào có thể điều chỉnh giảm vốn: {why}.");
            if *small > 0 {
                s.push_str(&format!(
                    " Có {small} dự án chỉ có thể điều chỉnh giảm ít hơn mức điều chuyển tối thiểu."
                ));
            }
            s
        }
        (Lang::En, PoolNote::NoDonors { rows, locked, small }) => {
            let why = if locked >= rows {
                format!("the pool's {} {} locked", projects_en(*rows), is_are(*rows))
            } else if *locked == 0 {
                format!(
                    "the pool's {} {} fully disbursed or not slow enough to give",
                    projects_en(*rows),
                    is_are(*rows)
                )
            } else {
                format!(
                    "of the pool's {}, {locked} {} locked and the others are fully disbursed or not slow \
                     enough to give",
                    projects_en(*rows),
                    is_are(*locked)
                )
            };
            let mut s = format!("No project can release capital: {why}.");
            if *small > 0 {
                s.push_str(&format!(
                    " {} could release less than the minimum transfer.",
                    projects_en(*small)
                ));
            }
            s
        }
        (Lang::Vi, PoolNote::NoRecipients { rows, small }) => {
            let mut s = format!(
                "Không có dự án nào có thể tiếp nhận thêm vốn: {rows} dự án của nguồn được giữ nguyên kế hoạch \
                 vốn, đã được bố trí đủ tổng mức đầu tư hoặc không đủ điều kiện điều chỉnh tăng."
            );
            if *small > 0 {
                s.push_str(&format!(
                    " Có {small} dự án chỉ có thể tiếp nhận ít hơn mức điều chuyển tối thiểu."
                ));
            }
            s
        }
        (Lang::En, PoolNote::NoRecipients { rows, small }) => {
            let mut s = format!(
                "No project can absorb more capital: the pool's {} {} locked, funded up to the total \
                 investment or not eligible to receive.",
                projects_en(*rows),
                is_are(*rows)
            );
            if *small > 0 {
                s.push_str(&format!(" {} could absorb less than the minimum transfer.", projects_en(*small)));
            }
            s
        }
        (Lang::Vi, PoolNote::NothingMoves { reason }) => {
            format!("Không điều chuyển vốn vì {}.", stop_reason(reason, lang))
        }
        (Lang::En, PoolNote::NothingMoves { reason }) => {
            format!("Nothing moves because {}.", stop_reason(reason, lang))
        }
        (Lang::Vi, PoolNote::Stops { reason }) => format!("Dừng tại đây vì {}.", stop_reason(reason, lang)),
        (Lang::En, PoolNote::Stops { reason }) => {
            format!("Stops here because {}.", stop_reason(reason, lang))
        }
        (_, PoolNote::Binds { constraint, caps, more }) => {
            let list: Vec<String> = caps.iter().map(|c| binding_cap(c, lang)).collect();
            let list = list.join("; ");
            let scope = caps.first().map_or(CapScope::Pool, |c| c.scope);
            match lang {
                Lang::Vi => {
                    let more = match (*more, scope) {
                        (0, _) => String::new(),
                        (n, CapScope::Locality) => format!(" và {n} xã, phường khác"),
                        (n, CapScope::Investor) => format!(" và {n} chủ đầu tư khác"),
                        (n, _) => format!(" và {n} nơi khác"),
                    };
                    format!("Ràng buộc «{constraint}» đang giới hạn: {list}{more}.")
                }
                Lang::En => {
                    let more = match (*more, scope) {
                        (0, _) => String::new(),
                        (1, CapScope::Locality) => " and 1 more locality".to_owned(),
                        (n, CapScope::Locality) => format!(" and {n} more localities"),
                        (1, CapScope::Investor) => " and 1 more investor".to_owned(),
                        (n, CapScope::Investor) => format!(" and {n} more investors"),
                        (n, _) => format!(" and {n} more"),
                    };
                    format!("Side constraint “{constraint}” binds: {list}{more}.")
                }
            }
        }
        (Lang::Vi, PoolNote::Dropped { moves, min_transfer }) => format!(
            "Đã loại bỏ {moves} lượt điều chuyển nhỏ hơn mức điều chuyển tối thiểu ({} triệu đồng).",
            amount(*min_transfer)
        ),
        (Lang::En, PoolNote::Dropped { moves, min_transfer }) => format!(
            "Dropped {moves} partial {} smaller than the minimum transfer ({} million VND).",
            if *moves == 1 { "move" } else { "moves" },
            amount(*min_transfer)
        ),
        (Lang::Vi, PoolNote::SearchLimit { nodes, gap }) => format!(
            "Việc tìm phương án tối ưu với mức điều chuyển tối thiểu dừng sau {nodes} bước: chưa chứng minh \
             được là tối ưu, nhưng giá trị mục tiêu kém tối ưu không quá {}.",
            fmt::float(*gap, 3, lang)
        ),
        (Lang::En, PoolNote::SearchLimit { nodes, gap }) => format!(
            "The exact search under the minimum transfer stopped after {nodes} nodes: not proven optimal, \
             but at most {} below the optimum objective.",
            fmt::float(*gap, 3, lang)
        ),
    }
}
