//! `pipeline.csv` (or a `pipeline` sheet): projects of the medium-term plan ready to start this year
//! with no plan yet, every field checked like the projects', located by line (or sheet row) and
//! column; a project already in the projects file (same id and source) is refused.

use std::collections::HashMap;
use std::sync::Arc;

use super::headers::PIPELINE_ALIASES;
use super::numbers::NumberFormat;
use super::projects::{ProjectsTable, map_header};
use super::records::Records;
use super::text::{self, Fields};
use super::xlsx;
use crate::diag::{Diagnostics, Location};
use crate::domain::{PipelineProject, ProjectGroup, Source};
use crate::money::AmountFormat;
use crate::msg;

/// The columns of `pipeline.csv`; all but the last (`agreement`, for `NSTW_ODA` rows) are required.
pub const PIPELINE_COLUMNS: [&str; 12] = [
    "id",
    "name",
    "investor",
    "locality",
    "sector",
    "source",
    "group",
    "total_investment",
    "medium_term_room",
    "ready_amount",
    "decision",
    "agreement",
];

/// Names accepted for the pipeline sheet of a workbook, the first preferred.
pub const PIPELINE_SHEETS: [&str; 2] = ["pipeline", "Danh mục dự án chuẩn bị"];

/// The required columns: all but `agreement`.
const REQUIRED: usize = PIPELINE_COLUMNS.len() - 1;

/// Column indexes into [`PIPELINE_COLUMNS`].
mod col {
    pub const ID: usize = 0;
    pub const NAME: usize = 1;
    pub const INVESTOR: usize = 2;
    pub const LOCALITY: usize = 3;
    pub const SECTOR: usize = 4;
    pub const SOURCE: usize = 5;
    pub const GROUP: usize = 6;
    pub const TOTAL_INVESTMENT: usize = 7;
    pub const MEDIUM_TERM_ROOM: usize = 8;
    pub const READY_AMOUNT: usize = 9;
    pub const DECISION: usize = 10;
    pub const AGREEMENT: usize = 11;
}

/// Checks pipeline rows one at a time against the projects; CSV records or sheet rows drive it.
struct PipelineBuilder<'p> {
    file: String,
    pos: [usize; PIPELINE_COLUMNS.len()],
    width: usize,
    format: NumberFormat,
    projects: &'p ProjectsTable,
    rows: Vec<PipelineProject>,
    /// The line of each key kept, for duplicates.
    seen: HashMap<(String, Source), usize>,
}

impl<'p> PipelineBuilder<'p> {
    fn new(
        header: &dyn Fields,
        line: usize,
        file: &str,
        format: Option<AmountFormat>,
        projects: &'p ProjectsTable,
        diags: &mut Diagnostics,
    ) -> Option<PipelineBuilder<'p>> {
        let pos = map_header(header, &PIPELINE_ALIASES, REQUIRED, line, file, diags)?;
        Some(PipelineBuilder {
            file: file.to_owned(),
            pos,
            width: header.count(),
            format: NumberFormat(format),
            projects,
            rows: Vec::new(),
            seen: HashMap::new(),
        })
    }

    /// Checks one row starting at `line` and keeps it when every check passes.
    fn push(&mut self, row: &dyn Fields, line: usize, diags: &mut Diagnostics) {
        let file = self.file.as_str();
        if row.count() != self.width {
            diags.error(
                file,
                Location::Line { line },
                msg!(
                    "E601",
                    "expected {} fields as in the header, found {}",
                    "cần {} ô như dòng tiêu đề, nhưng dòng này có {}",
                    self.width,
                    row.count()
                ),
            );
            return;
        }
        let pos = self.pos;
        let present = |c: usize| pos[c] != usize::MAX;
        let get = |c: usize| if present(c) { text::trim(row.field(pos[c])) } else { "" };
        let mut ok = true;
        let at = |c: usize| Location::Field { line, column: PIPELINE_COLUMNS[c].to_owned() };
        for c in (0..PIPELINE_COLUMNS.len()).filter(|&c| present(c)) {
            if let Some(msg) = row.invalid_msg(pos[c]) {
                ok = false;
                diags.error(file, at(c), msg);
            }
        }
        // Compared with the projects' ids in the same normal form (see `text::key`).
        let id_key = text::key(get(col::ID));
        let id: &str = &id_key;
        if id.is_empty() {
            ok = false;
            diags.error(
                file,
                at(col::ID),
                msg!(
                    "E602",
                    "expected a project code, found an empty field",
                    "cần mã dự án, nhưng ô để trống"
                ),
            );
        }
        macro_rules! keep {
            ($c:expr, $r:expr) => {
                match $r {
                    Ok(v) => Some(v),
                    Err(msg) => {
                        ok = false;
                        diags.error(file, at($c), msg);
                        None
                    }
                }
            };
        }
        let source = keep!(col::SOURCE, text::code(get(col::SOURCE), Source::ALL, Source::code));
        let group = keep!(col::GROUP, text::code(get(col::GROUP), ProjectGroup::ALL, ProjectGroup::code));
        let nf = self.format;
        let amount = |c: usize| nf.amount(get(c), present(c) && row.is_number(pos[c]));
        let total_investment = keep!(col::TOTAL_INVESTMENT, amount(col::TOTAL_INVESTMENT));
        let medium_term_room = keep!(col::MEDIUM_TERM_ROOM, amount(col::MEDIUM_TERM_ROOM));
        let ready_amount = keep!(col::READY_AMOUNT, amount(col::READY_AMOUNT));
        let (Some(source), Some(group), Some(total_investment), Some(medium_term_room), Some(ready_amount)) =
            (source, group, total_investment, medium_term_room, ready_amount)
        else {
            return;
        };
        if !ok {
            return;
        }
        let agreement = Some(get(col::AGREEMENT)).filter(|s| !s.is_empty()).map(Arc::<str>::from);
        if source == Source::NstwOda && agreement.is_none() {
            diags.warning(
                file,
                Location::Field { line, column: PIPELINE_COLUMNS[col::AGREEMENT].to_owned() },
                msg!(
                    "W603",
                    "`{}` is an NSTW_ODA project without a loan agreement: ODA capital moves within one agreement, so it cannot receive",
                    "`{}` là dự án vốn NSTW_ODA nhưng không ghi hiệp định vay: vốn ODA chỉ điều chuyển trong một hiệp định nên dự án này không thể nhận thêm vốn",
                    text::quote(id)
                ),
            );
        }
        if let Some(row) = self.projects.portfolio.position(id, source) {
            let at = self.projects.lines.get(row).copied().unwrap_or(0);
            diags.error(
                file,
                Location::Field { line, column: PIPELINE_COLUMNS[col::ID].to_owned() },
                msg!(
                    "E604",
                    "project `{}` with source {source} is already in {} (line {at}); a pipeline project has no plan yet",
                    "dự án `{}` với nguồn vốn {source} đã có trong {} (dòng {at}); dự án chuẩn bị là dự án chưa có kế hoạch vốn năm",
                    text::quote(id),
                    self.projects.file
                ),
            );
            return;
        }
        if let Some(first) = self.seen.get(&(id.to_owned(), source)) {
            diags.error(
                file,
                Location::Line { line },
                msg!(
                    "E605",
                    "duplicate pipeline project `{}` with source {source}: already on line {first}",
                    "dự án chuẩn bị `{}` với nguồn vốn {source} bị trùng: đã có ở dòng {first}",
                    text::quote(id)
                ),
            );
            return;
        }
        self.seen.insert((id.to_owned(), source), line);
        let decision = Some(get(col::DECISION)).filter(|s| !s.is_empty()).map(str::to_owned);
        self.rows.push(PipelineProject {
            id: id.to_owned(),
            name: get(col::NAME).to_owned(),
            investor: Arc::from(&*text::name(get(col::INVESTOR))),
            locality: Arc::from(&*text::name(get(col::LOCALITY))),
            sector: Arc::from(&*text::name(get(col::SECTOR))),
            source,
            group,
            total_investment,
            medium_term_room,
            ready_amount,
            decision,
            agreement,
        });
    }
}

/// Parses `pipeline.csv` from its bytes against the projects already read; `file` is the name shown
/// in messages, `format` the `amount_format` of `scenario.toml`. Any error in the diagnostics means
/// the rows must not be used. A header without rows is an empty pipeline.
pub fn parse_pipeline(
    bytes: &[u8],
    file: &str,
    format: Option<AmountFormat>,
    projects: &ProjectsTable,
) -> (Vec<PipelineProject>, Diagnostics) {
    let mut diags = Diagnostics::new();
    let Some(src) = text::decode(
        bytes,
        file,
        (
            "a header line naming the columns, then one row per pipeline project and source",
            "một dòng tiêu đề ghi tên các cột, rồi mỗi dòng một dự án chuẩn bị và một nguồn vốn",
        ),
        &mut diags,
    ) else {
        return (Vec::new(), diags);
    };
    let mut records = Records::new(src);
    let mut fields = Vec::with_capacity(PIPELINE_COLUMNS.len());
    let Some(header_line) = records.header(&mut fields, file, &mut diags) else {
        return (Vec::new(), diags);
    };
    let Some(mut builder) = PipelineBuilder::new(&fields, header_line, file, format, projects, &mut diags)
    else {
        return (Vec::new(), diags);
    };
    while let Some(rec) = records.next_record(&mut fields) {
        match rec {
            Ok(line) => builder.push(&fields, line, &mut diags),
            Err(e) => {
                diags.error(file, Location::Line { line: e.line }, e.message);
                break;
            }
        }
        if diags.is_full() {
            break;
        }
    }
    (builder.rows, diags)
}

/// Reads the pipeline file named `shown` (CSV, or the pipeline sheet of a workbook), its messages in
/// the file's own terms.
pub(crate) fn read_pipeline(
    bytes: &[u8],
    shown: &str,
    format: Option<AmountFormat>,
    projects: &ProjectsTable,
) -> (Vec<PipelineProject>, Diagnostics) {
    let mut names = vec![projects.file.clone()];
    let (rows, mut diags) = if xlsx::is_workbook(shown) {
        read_sheet(bytes, shown, format, projects, &mut names)
    } else {
        parse_pipeline(bytes, shown, format, projects)
    };
    xlsx::relocate(&mut diags, &names);
    (rows, diags)
}

/// The pipeline sheet of a workbook; the diagnostics name the sheet as `xlsx::marked` does, and its
/// marked name is added to `names`.
fn read_sheet(
    bytes: &[u8],
    file: &str,
    format: Option<AmountFormat>,
    projects: &ProjectsTable,
    names: &mut Vec<String>,
) -> (Vec<PipelineProject>, Diagnostics) {
    let mut diags = Diagnostics::new();
    let Some(sheet) = xlsx::open_sheet(bytes, file, &PIPELINE_SHEETS, &mut diags) else {
        return (Vec::new(), diags);
    };
    let name = xlsx::marked(file, &sheet.name);
    names.push(name.clone());
    if sheet.rows.is_empty() {
        return (Vec::new(), diags);
    }
    let Some((at, width)) = xlsx::find_header(&sheet.rows, &PIPELINE_ALIASES, &name, &mut diags) else {
        return (Vec::new(), diags);
    };
    let (header_row, header_cells) = &sheet.rows[at];
    let header = xlsx::header_fields(header_cells, width);
    let kinds = vec![xlsx::Column::Plain; width];
    let Some(mut builder) = PipelineBuilder::new(&header, *header_row, &name, format, projects, &mut diags)
    else {
        return (Vec::new(), diags);
    };
    for (row, cells) in &sheet.rows[at + 1..] {
        let fields = xlsx::cell_row(cells, &kinds, (file, &sheet.name, *row), &mut diags);
        builder.push(&fields, *row, &mut diags);
        if diags.is_full() {
            break;
        }
    }
    xlsx::locate_columns(&mut diags, &name, &sheet.name, &header, &PIPELINE_ALIASES);
    (builder.rows, diags)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::parse_projects_table;

    const PROJECTS: &str = "id,name,investor,locality,sector,source,group,status,key_project,total_investment,allocated_before,plan,disbursed,unpaid_volume,site_clearance_pct,physical_progress_pct,start_year,end_year,obstacles,locked\nP01,Đường,Ban A,Toàn tỉnh,giao thông,NSTW,B,ongoing,false,1000,100,200,50,0,,10,2024,2026,,false\n";
    const HEADER: &str = "id,name,investor,locality,sector,source,group,total_investment,medium_term_room,ready_amount,decision,agreement\n";

    fn read(body: &str, format: Option<AmountFormat>) -> (Vec<PipelineProject>, String) {
        let (table, d) = parse_projects_table(PROJECTS.as_bytes(), "projects.csv", Some(AmountFormat::Dot));
        assert!(!d.has_errors(), "{d}");
        let (rows, d) = parse_pipeline(format!("{HEADER}{body}").as_bytes(), "pipeline.csv", format, &table);
        (rows, d.to_string())
    }

    #[test]
    fn reads_ready_projects() {
        let (rows, d) = read(
            "N01,Trường mới,Ban B,Xã Cao Lộc,giáo dục,NSDP,C,5000,4000,1500.5,123/QĐ-UBND ngày 01/02/2025,\nN02,Cầu ODA,Ban C,Toàn tỉnh,giao thông,NSTW_ODA,B,90000,60000,20000,,WB-1234\n",
            Some(AmountFormat::Dot),
        );
        assert_eq!(d, "");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].ready_amount.to_million_string(), "1500.5");
        assert_eq!(rows[0].decision.as_deref(), Some("123/QĐ-UBND ngày 01/02/2025"));
        assert_eq!(rows[1].agreement.as_deref(), Some("WB-1234"));
        assert_eq!(rows[1].decision, None);
    }

    #[test]
    fn every_field_is_checked_and_a_planned_project_is_refused() {
        let (rows, d) = read(
            "P01,Đường,Ban A,Toàn tỉnh,giao thông,NSTW,B,1000,100,50,,\nN03,x,y,z,w,NSTX,D,1e3,-5,30.000,,\nN04,x,y,z,w,NSTW_ODA,C,10,10,10,,\nN04,x,y,z,w,NSTW_ODA,C,10,10,10,,\n",
            None,
        );
        assert_eq!(rows.len(), 1, "{d}");
        for want in [
            "pipeline.csv:2: column `id`: project `P01` with source NSTW is already in projects.csv (line 2)",
            "pipeline.csv:3: column `source`: unknown capital source `NSTX`",
            "pipeline.csv:3: column `group`:",
            "pipeline.csv:3: column `total_investment`: scientific notation",
            "pipeline.csv:3: column `medium_term_room`:",
            "pipeline.csv:3: column `ready_amount`: `30.000` could be 30 or 30,000 million VND",
            "pipeline.csv:4: column `agreement`: `N04` is an NSTW_ODA project without a loan agreement",
            "pipeline.csv:5: duplicate pipeline project `N04` with source NSTW_ODA: already on line 4",
        ] {
            assert!(d.contains(want), "{want}\n{d}");
        }
    }

    #[test]
    fn a_missing_column_is_named() {
        let (table, _) = parse_projects_table(PROJECTS.as_bytes(), "projects.csv", Some(AmountFormat::Dot));
        let (_, d) = parse_pipeline(b"id,name\nN1,x\n", "pipeline.csv", None, &table);
        let shown = d.to_string();
        assert!(shown.contains("pipeline.csv:1: missing columns") && shown.contains("`ready_amount`"), "{d}");
    }
}
