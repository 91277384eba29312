//! The domain vocabulary: capital sources, project groups and statuses, obstacle codes, the project row
//! and the [`Portfolio`] keyed by project id and capital source.
//!
//! **Invariant:** these types know nothing of CSV, TOML, the solver or the terminal.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use std::hash::BuildHasher;

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;
use serde::{Deserialize, Serialize};

use crate::money::Money;

/// Short Vietnamese labels accepted for codes besides the document labels, as the Excel template's
/// lists offer them: (what the code is, the code, the label).
pub const INPUT_LABELS: &[(&str, &str, &str)] = &[
    ("status", "new", "Khởi công mới"),
    ("status", "ongoing", "Chuyển tiếp"),
    ("status", "completed", "Hoàn thành"),
    ("status", "prep", "Chuẩn bị đầu tư"),
    ("obstacle code", "land", "GPMB"),
    ("obstacle code", "procedure", "Thủ tục"),
    ("obstacle code", "contractor", "Nhà thầu"),
    ("obstacle code", "materials", "Vật liệu"),
    ("obstacle code", "settlement", "Quyết toán"),
    ("obstacle code", "oda_agreement", "Hiệp định ODA"),
    ("obstacle code", "counterpart", "Vốn đối ứng"),
];

/// A label in the form labels are compared: lowercase, without Vietnamese diacritics (`đ` is `d`),
/// blanks collapsed.
pub fn fold_label(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        for c in word.nfd().filter(|c| !('\u{300}'..='\u{36f}').contains(c)).flat_map(char::to_lowercase) {
            out.push(if c == 'đ' { 'd' } else { c });
        }
    }
    out
}

/// Defines a fieldless enum with its file code, its Vietnamese label, `ALL`, `code()`, `FromStr`,
/// `Display` and serde as the code, so that every code table lives in one place.
macro_rules! code_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $what:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal, $label:literal; )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every value, in the order of the domain brief.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The code used in scenario files and JSON.
            pub const fn code(self) -> &'static str {
                match self { $($name::$variant => $code,)+ }
            }

            /// The Vietnamese name used in documents.
            pub const fn label_vi(self) -> &'static str {
                match self { $($name::$variant => $label,)+ }
            }

            /// Position in [`Self::ALL`], for dense per-value tables.
            pub const fn index(self) -> usize {
                self as usize
            }

            /// The value a Vietnamese label names: its document label ([`Self::label_vi`]) or a short
            /// label that the Excel template's lists offer ([`INPUT_LABELS`]), compared without case,
            /// diacritics or extra blanks (`Chuyển tiếp`, `chuyen tiep`).
            pub fn from_label(s: &str) -> Option<$name> {
                let folded = fold_label(s);
                if folded.is_empty() {
                    return None;
                }
                Self::ALL.iter().copied().find(|v| {
                    fold_label(v.label_vi()) == folded
                        || INPUT_LABELS
                            .iter()
                            .any(|(what, code, label)| *what == $what && *code == v.code() && fold_label(label) == folded)
                })
            }

            /// The codes accepted, comma-separated, for error messages.
            pub fn expected() -> String {
                Self::ALL.iter().map(|v| v.code()).collect::<Vec<_>>().join(", ")
            }
        }

        impl FromStr for $name {
            type Err = UnknownCode;
            fn from_str(s: &str) -> Result<Self, UnknownCode> {
                match s {
                    $($code => Ok($name::$variant),)+
                    _ => Self::from_label(s).ok_or_else(|| UnknownCode {
                        what: $what,
                        found: s.to_owned(),
                        expected: Self::expected(),
                    }),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.code())
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }

        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            /// One of the codes, as JSON writes them.
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({ "type": "string", "enum": [$($code),+] })
            }
        }
    };
}

/// A code that is not in its table.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} `{found}`, expected one of: {expected}")]
pub struct UnknownCode {
    /// What kind of code was expected ("capital source", "status", ...).
    pub what: &'static str,
    /// The text found.
    pub found: String,
    /// The codes accepted.
    pub expected: String,
}

code_enum! {
    /// A capital source (nguồn vốn). Each source is its own pool: capital never moves between sources.
    Source, "capital source" {
        /// Central budget, domestic (ngân sách trung ương).
        Nstw = "NSTW", "Ngân sách trung ương";
        /// Central budget, foreign loans (vốn nước ngoài ODA).
        NstwOda = "NSTW_ODA", "Ngân sách trung ương (vốn nước ngoài)";
        /// National target programme: new rural areas.
        CtmtqgNtm = "CTMTQG_NTM", "CTMTQG xây dựng nông thôn mới";
        /// National target programme: sustainable poverty reduction.
        CtmtqgGnbv = "CTMTQG_GNBV", "CTMTQG giảm nghèo bền vững";
        /// National target programme: ethnic minority and mountainous areas.
        CtmtqgDtts = "CTMTQG_DTTS", "CTMTQG vùng đồng bào dân tộc thiểu số và miền núi";
        /// Local budget (ngân sách địa phương).
        Nsdp = "NSDP", "Ngân sách địa phương";
        /// Local budget, land-use revenue (tiền sử dụng đất).
        NsdpTsdd = "NSDP_TSDD", "Ngân sách địa phương (tiền sử dụng đất)";
        /// Local budget, lottery revenue (xổ số kiến thiết).
        Xskt = "XSKT", "Xổ số kiến thiết";
    }
}

impl Source {
    /// True for central capital (NSTW, ODA and the national target programmes), which the Government
    /// can recall when it is not disbursed in time.
    pub const fn is_central(self) -> bool {
        matches!(
            self,
            Source::Nstw | Source::NstwOda | Source::CtmtqgNtm | Source::CtmtqgGnbv | Source::CtmtqgDtts
        )
    }

    /// True for the national target programmes.
    pub const fn is_target_programme(self) -> bool {
        matches!(self, Source::CtmtqgNtm | Source::CtmtqgGnbv | Source::CtmtqgDtts)
    }
}

code_enum! {
    /// The project group of the Law on Public Investment (nhóm dự án).
    ProjectGroup, "project group" {
        /// Group A.
        A = "A", "Nhóm A";
        /// Group B.
        B = "B", "Nhóm B";
        /// Group C.
        C = "C", "Nhóm C";
    }
}

impl ProjectGroup {
    /// The capital-allocation time limit in years (Law 58/2024 Art. 57): A 6, B 4, C 3.
    pub const fn allocation_limit_years(self) -> u32 {
        match self {
            ProjectGroup::A => 6,
            ProjectGroup::B => 4,
            ProjectGroup::C => 3,
        }
    }
}

code_enum! {
    /// Where a project stands.
    Status, "status" {
        /// New project, starting this year (khởi công mới).
        New = "new", "Khởi công mới";
        /// Ongoing (chuyển tiếp).
        Ongoing = "ongoing", "Chuyển tiếp";
        /// Completed and handed over, not fully funded (hoàn thành, bàn giao chưa bố trí đủ vốn).
        Completed = "completed", "Hoàn thành chưa bố trí đủ vốn";
        /// Planning and investment preparation (chuẩn bị đầu tư).
        Prep = "prep", "Chuẩn bị đầu tư";
    }
}

code_enum! {
    /// An obstacle code (vướng mắc) of `projects.csv`.
    Obstacle, "obstacle code" {
        /// Site clearance and compensation (giải phóng mặt bằng).
        Land = "land", "Giải phóng mặt bằng";
        /// Investment procedures and project adjustment (thủ tục đầu tư, điều chỉnh dự án).
        Procedure = "procedure", "Thủ tục đầu tư, điều chỉnh dự án";
        /// Contractor capacity (năng lực nhà thầu).
        Contractor = "contractor", "Năng lực nhà thầu";
        /// Material prices and shortages (giá, thiếu vật liệu).
        Materials = "materials", "Giá và thiếu vật liệu";
        /// Settlement (thanh quyết toán).
        Settlement = "settlement", "Thanh quyết toán";
        /// ODA loan agreement (hiệp định vay).
        OdaAgreement = "oda_agreement", "Hiệp định vay ODA";
        /// Missing counterpart funds (vốn đối ứng).
        Counterpart = "counterpart", "Thiếu vốn đối ứng";
    }
}

code_enum! {
    /// The kind of capital use when a row is not an ordinary project (version 2 `category` column),
    /// each matching a tier of the priority order of Law 58/2024 Art. 54(4).
    Category, "category" {
        /// Special and emergency projects (tier 1).
        Emergency = "emergency", "Dự án đặc biệt, khẩn cấp";
        /// Repayment of capital advanced earlier (tier 3).
        AdvanceRepayment = "advance_repayment", "Thu hồi vốn ứng trước";
        /// Counterpart funds of an ODA project (tier 5).
        Counterpart = "counterpart", "Vốn đối ứng dự án ODA";
        /// State capital in a PPP project (tier 6).
        PppStateCapital = "ppp_state_capital", "Vốn nhà nước tham gia dự án PPP";
        /// Planning and investment preparation tasks (tier 9).
        Planning = "planning", "Nhiệm vụ quy hoạch, chuẩn bị đầu tư";
        /// Construction debt from before 2015 (tier 10).
        DebtBefore2015 = "debt_before_2015", "Nợ đọng xây dựng cơ bản trước năm 2015";
        /// Interest subsidies and management fees (tier 11).
        InterestAndFees = "interest_and_fees", "Cấp bù lãi suất, phí quản lý";
        /// Capital entrusted to the Social Policy Bank (tier 12).
        SocialPolicyBank = "social_policy_bank", "Vốn ủy thác qua Ngân hàng Chính sách xã hội";
    }
}

impl Category {
    /// The tier of the priority order (Law 58/2024 Art. 54(4)) the category stands for.
    pub const fn tier(self) -> u8 {
        match self {
            Category::Emergency => 1,
            Category::AdvanceRepayment => 3,
            Category::Counterpart => 5,
            Category::PppStateCapital => 6,
            Category::Planning => 9,
            Category::DebtBefore2015 => 10,
            Category::InterestAndFees => 11,
            Category::SocialPolicyBank => 12,
        }
    }
}

/// A set of obstacle codes, stored as bits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Obstacles(u8);

impl Obstacles {
    /// No obstacle.
    pub const NONE: Obstacles = Obstacles(0);

    /// Adds an obstacle.
    pub fn insert(&mut self, o: Obstacle) {
        self.0 |= 1 << o.index();
    }

    /// True when the set holds `o`.
    pub const fn contains(self, o: Obstacle) -> bool {
        self.0 & (1 << o as usize) != 0
    }

    /// True when there is no obstacle.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Number of obstacles.
    pub const fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// The obstacles, in the order of [`Obstacle::ALL`].
    pub fn iter(self) -> impl Iterator<Item = Obstacle> {
        Obstacle::ALL.iter().copied().filter(move |o| self.contains(*o))
    }

    /// The codes joined with ';' as in `projects.csv`.
    pub fn to_codes(self) -> String {
        self.iter().map(Obstacle::code).collect::<Vec<_>>().join(";")
    }
}

impl FromIterator<Obstacle> for Obstacles {
    fn from_iter<I: IntoIterator<Item = Obstacle>>(iter: I) -> Self {
        let mut set = Obstacles::NONE;
        for o in iter {
            set.insert(o);
        }
        set
    }
}

impl Serialize for Obstacles {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl schemars::JsonSchema for Obstacles {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Obstacles".into()
    }

    /// The obstacle codes, each at most once, in the order of the domain brief.
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let item = generator.subschema_for::<Obstacle>();
        schemars::json_schema!({ "type": "array", "items": item, "uniqueItems": true })
    }
}

/// One row of `projects.csv`: a project's figures for one capital source.
///
/// Amounts are exact [`Money`]; percentages are 0–100. The loader guarantees the row invariants
/// listed on each field; code that builds rows by hand should keep them too.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Project {
    /// Project code; with `source`, the row's key. Shared (`Arc<str>`) with the documents built from
    /// the row, which at national scale would otherwise copy half a million names.
    pub id: Arc<str>,
    /// Project name (Vietnamese); shared like `id`.
    pub name: Arc<str>,
    /// Investor (chủ đầu tư). Shared: a province has a few hundred investors for tens of thousands
    /// of rows, so the loader keeps one copy of each.
    pub investor: Arc<str>,
    /// Commune or ward, or "Toàn tỉnh"; shared like `investor`.
    pub locality: Arc<str>,
    /// Sector (lĩnh vực); shared like `investor`.
    pub sector: Arc<str>,
    /// Capital source: the row's pool.
    pub source: Source,
    /// Project group A, B or C.
    pub group: ProjectGroup,
    /// Status.
    pub status: Status,
    /// Key project (dự án trọng điểm).
    pub key_project: bool,
    /// Total investment (tổng mức đầu tư).
    pub total_investment: Money,
    /// Capital allocated in earlier years; `allocated_before + plan <= total_investment`.
    pub allocated_before: Money,
    /// This year's plan for this source.
    pub plan: Money,
    /// Disbursed to date; `disbursed <= plan`.
    pub disbursed: Money,
    /// Completed work not yet paid (khối lượng hoàn thành chưa thanh toán).
    pub unpaid_volume: Money,
    /// Share of the site handed over, 0–100, `None` when not applicable.
    pub site_clearance_pct: Option<f64>,
    /// Physical progress, 0–100.
    pub physical_progress_pct: f64,
    /// First year of implementation.
    pub start_year: i32,
    /// Last year of implementation; `start_year <= end_year`.
    pub end_year: i32,
    /// Obstacles reported.
    pub obstacles: Obstacles,
    /// When true the allocation must not change.
    pub locked: bool,
    /// Version 2 optional columns (an empty cell is `None`).
    #[serde(flatten)]
    pub extra: ProjectExtra,
}

/// The optional columns of `projects.csv` version 2: what a row says beyond the version-1 figures.
/// Every field is `None` when the column is absent or the cell empty.
#[derive(Clone, Debug, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ProjectExtra {
    /// The kind of capital use when the row is not an ordinary project.
    pub category: Option<Category>,
    /// What the approved medium-term plan still holds beyond the capital allocated so far (this
    /// year's plan included): an addition never exceeds it.
    pub medium_term_room: Option<Money>,
    /// The investor's written request, signed: negative offers capital back, positive asks for more,
    /// zero asks to keep the plan.
    pub requested_change: Option<Money>,
    /// The loan agreement (hiệp định) of an ODA row or of an ODA counterpart row.
    pub agreement: Option<Arc<str>>,
    /// The capital-allocation time limit as extended by the competent authority: the last year
    /// capital may be allocated.
    pub extended_to: Option<i32>,
    /// The investment decision, free text ("2345/QĐ-UBND ngày 15/10/2021").
    pub decision: Option<Arc<str>>,
    /// Why a locked row must not change.
    pub lock_reason: Option<Arc<str>>,
}

impl Project {
    /// True for counterpart funds of an ODA project: the `counterpart` category, or a `counterpart`
    /// obstacle (a row missing its counterpart funds is one).
    pub fn is_counterpart(&self) -> bool {
        self.extra.category == Some(Category::Counterpart) || self.obstacles.contains(Obstacle::Counterpart)
    }
}

/// A project of the medium-term plan ready to start this year with no plan yet (`pipeline.csv`):
/// it may receive up to `ready_amount`, never more than `medium_term_room`, after every eligible
/// project of the annual plan in its pool.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct PipelineProject {
    /// Project code; with `source`, the key (never a key of the portfolio).
    pub id: String,
    /// Project name.
    pub name: String,
    /// Investor.
    pub investor: Arc<str>,
    /// Commune or ward, or "Toàn tỉnh".
    pub locality: Arc<str>,
    /// Sector.
    pub sector: Arc<str>,
    /// Capital source: the pool it may receive from.
    pub source: Source,
    /// Project group.
    pub group: ProjectGroup,
    /// Total investment.
    pub total_investment: Money,
    /// Room left in the medium-term plan.
    pub medium_term_room: Money,
    /// What the project is ready to disburse this year.
    pub ready_amount: Money,
    /// The investment decision, free text.
    pub decision: Option<String>,
    /// The loan agreement, for `NSTW_ODA`.
    pub agreement: Option<Arc<str>>,
}

impl PipelineProject {
    /// The most the project may receive: `min(ready_amount, medium_term_room, total_investment)`.
    pub fn cap(&self) -> Money {
        self.ready_amount.min(self.medium_term_room).min(self.total_investment).max_zero()
    }
}

impl Project {
    /// The row's key.
    pub fn key(&self) -> ProjectKey {
        ProjectKey { id: self.id.to_string(), source: self.source }
    }

    /// Disbursed over plan, 0 when the plan is zero.
    pub fn disbursement_rate(&self) -> f64 {
        self.disbursed.ratio(self.plan)
    }

    /// Plan not yet disbursed.
    pub fn undisbursed(&self) -> Money {
        self.plan - self.disbursed
    }

    /// Capital the project still needs beyond this year's plan:
    /// `total_investment - allocated_before - plan`.
    pub fn headroom(&self) -> Money {
        self.total_investment - self.allocated_before - self.plan
    }
}

/// The key of a row: project id and capital source.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema)]
pub struct ProjectKey {
    /// Project code.
    pub id: String,
    /// Capital source.
    pub source: Source,
}

impl fmt::Display for ProjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.id, self.source)
    }
}

/// A row whose key is already in the portfolio.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("duplicate project `{key}`: already at row {first_row}")]
pub struct DuplicateKey {
    /// The repeated key.
    pub key: ProjectKey,
    /// Index of the row that holds it.
    pub first_row: usize,
}

/// The projects of a scenario in file order, with at most one row per `id` + `source`.
#[derive(Clone, Debug)]
pub struct Portfolio {
    rows: Vec<Project>,
    /// One table per source of (hash of the id, row index): lookups by `&str` need no allocation,
    /// the ids are not stored twice, and growing the table does not hash them again.
    index: Vec<HashTable<(u64, usize)>>,
}

impl Default for Portfolio {
    /// An empty portfolio, the same as [`Portfolio::new`] (a derived default would lack the
    /// per-source index and panic on the first insert).
    fn default() -> Portfolio {
        Portfolio::new()
    }
}

/// The hash of a project id in the index (computed beside the parsing of each part of a large file,
/// see [`Portfolio::insert_hashed`]).
pub(crate) fn id_hash(id: &str) -> u64 {
    FxBuildHasher.hash_one(id)
}

impl Portfolio {
    /// An empty portfolio.
    pub fn new() -> Portfolio {
        Portfolio { rows: Vec::new(), index: vec![HashTable::new(); Source::ALL.len()] }
    }

    /// An empty portfolio with room for `n` rows.
    pub fn with_capacity(n: usize) -> Portfolio {
        let mut p = Portfolio::new();
        p.rows.reserve(n);
        p
    }

    /// Makes room for `additional` more rows (the per-source index grows as rows come).
    pub fn reserve(&mut self, additional: usize) {
        self.rows.reserve(additional);
    }

    /// Makes room in the index for `rows[s]` more rows of source `s` (in the order of [`Source::ALL`]),
    /// so that it does not grow (and rehash) as they come.
    pub(crate) fn reserve_by_source(&mut self, rows: &[usize]) {
        for (table, &n) in self.index.iter_mut().zip(rows) {
            table.reserve(n, |&(h, _)| h);
        }
    }

    /// Adds a row and returns its index, or refuses a key already present.
    pub fn insert(&mut self, project: Project) -> Result<usize, DuplicateKey> {
        let hash = id_hash(&project.id);
        self.insert_hashed(project, hash)
    }

    /// [`Portfolio::insert`] of a row whose id hashes to `hash` ([`id_hash`]).
    pub(crate) fn insert_hashed(&mut self, project: Project, hash: u64) -> Result<usize, DuplicateKey> {
        debug_assert_eq!(hash, id_hash(&project.id));
        let row = self.rows.len();
        let rows = &self.rows;
        let entry = self.index[project.source.index()].entry(
            hash,
            |&(h, r)| h == hash && rows[r].id == project.id,
            |&(h, _)| h,
        );
        let vacant = match entry {
            hashbrown::hash_table::Entry::Occupied(o) => {
                return Err(DuplicateKey { key: project.key(), first_row: o.get().1 });
            }
            hashbrown::hash_table::Entry::Vacant(v) => v,
        };
        vacant.insert((hash, row));
        self.rows.push(project);
        Ok(row)
    }

    /// Builds a portfolio from rows, refusing the first duplicate key.
    pub fn from_rows(rows: impl IntoIterator<Item = Project>) -> Result<Portfolio, DuplicateKey> {
        let mut p = Portfolio::new();
        for r in rows {
            p.insert(r)?;
        }
        Ok(p)
    }

    /// The rows in file order.
    pub fn rows(&self) -> &[Project] {
        &self.rows
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when there is no row.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Index of the row with this key.
    pub fn position(&self, id: &str, source: Source) -> Option<usize> {
        let rows = &self.rows;
        let hash = id_hash(id);
        self.index[source.index()].find(hash, |&(h, r)| h == hash && *rows[r].id == *id).map(|&(_, r)| r)
    }

    /// The row with this key.
    pub fn get(&self, id: &str, source: Source) -> Option<&Project> {
        self.position(id, source).map(|i| &self.rows[i])
    }

    /// Replaces the investor, locality and sector names of every row by `f` of them (to merge names
    /// written differently into one form). Names are not part of the key: the index stays valid.
    pub fn map_names(&mut self, mut f: impl FnMut(&Arc<str>) -> Arc<str>) {
        for row in &mut self.rows {
            row.investor = f(&row.investor);
            row.locality = f(&row.locality);
            row.sector = f(&row.sector);
        }
    }

    /// The rows of one id, whatever their source.
    pub fn rows_of(&self, id: &str) -> impl Iterator<Item = &Project> {
        Source::ALL.iter().filter_map(move |s| self.get(id, *s))
    }

    /// The sources present, in the order of [`Source::ALL`].
    pub fn sources(&self) -> Vec<Source> {
        Source::ALL.iter().copied().filter(|s| !self.index[s.index()].is_empty()).collect()
    }
}
