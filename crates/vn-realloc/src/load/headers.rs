//! The column names of the input tables and the Vietnamese headers accepted for them, in one place
//! for `projects.csv`, `disbursements.csv`, `pipeline.csv` and their Excel sheets.
//!
//! A header cell matches a column when, once normalised, it equals the column name or one of its
//! aliases. Normalising lowercases, drops Vietnamese diacritics (precomposed or combining, so
//! `Lũy kế`, `Luỹ kế` and `Luy ke` are one header), turns `_` into a space, collapses blanks and
//! drops a trailing unit in parentheses (`Kế hoạch vốn năm (triệu đồng)`).

/// Vietnamese headers accepted for each column of `projects.csv`, in the order of
/// [`PROJECT_COLUMNS`](super::PROJECT_COLUMNS) then of the optional (version 2) columns
/// [`PROJECT_OPTIONAL_COLUMNS`](super::PROJECT_OPTIONAL_COLUMNS). The first alias is the one the
/// template writes.
pub const PROJECT_ALIASES: [(&str, &[&str]); 27] = [
    ("id", &["Mã dự án", "Mã DA"]),
    ("name", &["Tên dự án"]),
    ("investor", &["Chủ đầu tư"]),
    ("locality", &["Địa bàn", "Xã, phường", "Địa điểm"]),
    ("sector", &["Lĩnh vực", "Ngành, lĩnh vực"]),
    ("source", &["Nguồn vốn", "Mã nguồn vốn"]),
    ("group", &["Nhóm", "Nhóm dự án"]),
    ("status", &["Tình trạng", "Tình trạng dự án"]),
    ("key_project", &["Trọng điểm", "Dự án trọng điểm"]),
    ("total_investment", &["Tổng mức đầu tư", "TMĐT"]),
    ("allocated_before", &["Lũy kế vốn đã bố trí", "Lũy kế vốn bố trí các năm trước"]),
    ("plan", &["Kế hoạch vốn năm", "Kế hoạch vốn", "Kế hoạch năm"]),
    ("disbursed", &["Giải ngân", "Lũy kế giải ngân", "Đã giải ngân"]),
    ("unpaid_volume", &["Khối lượng chưa thanh toán", "Khối lượng hoàn thành chưa thanh toán"]),
    ("site_clearance_pct", &["Giải phóng mặt bằng", "Tỷ lệ giải phóng mặt bằng", "GPMB"]),
    ("physical_progress_pct", &["Tiến độ thực hiện", "Khối lượng thực hiện"]),
    ("start_year", &["Năm khởi công", "Năm bắt đầu"]),
    ("end_year", &["Năm hoàn thành", "Năm kết thúc"]),
    ("obstacles", &["Vướng mắc", "Khó khăn, vướng mắc"]),
    ("locked", &["Giữ nguyên", "Khóa"]),
    // Optional columns (version 2).
    ("category", &["Phân loại", "Loại vốn"]),
    ("medium_term_room", &["Kế hoạch trung hạn còn lại", "Dư địa kế hoạch trung hạn"]),
    ("requested_change", &["Đề nghị điều chỉnh", "Văn bản đề nghị (triệu đồng)"]),
    ("agreement", &["Hiệp định", "Mã hiệp định"]),
    ("extended_to", &["Gia hạn đến năm", "Gia hạn bố trí vốn đến"]),
    ("decision", &["Quyết định đầu tư", "QĐ đầu tư"]),
    ("lock_reason", &["Lý do giữ nguyên"]),
];

/// Vietnamese headers accepted for each column of `pipeline.csv`, in the order of
/// [`PIPELINE_COLUMNS`](super::PIPELINE_COLUMNS) (`agreement` last, optional).
pub const PIPELINE_ALIASES: [(&str, &[&str]); 12] = [
    ("id", &["Mã dự án", "Mã DA"]),
    ("name", &["Tên dự án"]),
    ("investor", &["Chủ đầu tư"]),
    ("locality", &["Địa bàn", "Xã, phường", "Địa điểm"]),
    ("sector", &["Lĩnh vực", "Ngành, lĩnh vực"]),
    ("source", &["Nguồn vốn", "Mã nguồn vốn"]),
    ("group", &["Nhóm", "Nhóm dự án"]),
    ("total_investment", &["Tổng mức đầu tư", "TMĐT"]),
    ("medium_term_room", &["Kế hoạch trung hạn còn lại", "Dư địa kế hoạch trung hạn"]),
    ("ready_amount", &["Vốn sẵn sàng giải ngân", "Nhu cầu vốn năm"]),
    ("decision", &["Quyết định đầu tư", "QĐ đầu tư"]),
    ("agreement", &["Hiệp định", "Mã hiệp định"]),
];

/// Vietnamese headers accepted for each column of `disbursements.csv`, in the order of its columns.
pub const HISTORY_ALIASES: [(&str, &[&str]); 4] = [
    ("id", &["Mã dự án", "Mã DA"]),
    ("source", &["Nguồn vốn", "Mã nguồn vốn"]),
    ("month", &["Tháng"]),
    ("amount", &["Giải ngân", "Số tiền", "Giá trị giải ngân"]),
];

/// The aliases of `column` among `table`, empty when it has none.
pub fn aliases(table: &[(&'static str, &'static [&'static str])], column: &str) -> &'static [&'static str] {
    table.iter().find(|(c, _)| *c == column).map_or(&[], |(_, a)| *a)
}

/// The index in `table` of the column a header cell names, if any.
pub(crate) fn column_of(table: &[(&str, &[&str])], header: &str) -> Option<usize> {
    let h = normalize(header);
    if h.is_empty() {
        return None;
    }
    table.iter().position(|(name, aliases)| normalize(name) == h || aliases.iter().any(|a| normalize(a) == h))
}

/// The form in which headers are compared (see the module documentation).
pub(crate) fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        if ('\u{300}'..='\u{36f}').contains(&c) {
            continue;
        }
        let c = base_letter(c);
        if c == '_' || c.is_whitespace() {
            if !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
    let mut t = out.trim_end().to_owned();
    // A trailing unit such as "(triệu đồng)" or "(%)".
    if t.ends_with(')')
        && let Some(open) = t.rfind('(')
        && open > 0
    {
        t.truncate(open);
        let trimmed = t.trim_end().len();
        t.truncate(trimmed);
    }
    t
}

/// The letter without its Vietnamese diacritics (`ằ` is `a`, `đ` is `d`); other characters as they are.
fn base_letter(c: char) -> char {
    const TABLE: [(char, &str); 7] = [
        ('a', "àáảãạăằắẳẵặâầấẩẫậ"),
        ('e', "èéẻẽẹêềếểễệ"),
        ('i', "ìíỉĩị"),
        ('o', "òóỏõọôồốổỗộơờớởỡợ"),
        ('u', "ùúủũụưừứửữự"),
        ('y', "ỳýỷỹỵ"),
        ('d', "đ"),
    ];
    if c.is_ascii() {
        return c;
    }
    TABLE.iter().find(|(_, marked)| marked.contains(c)).map_or(c, |(base, _)| *base)
}

/// The spelling of one of the `missing` columns of `table` (its English name or a Vietnamese alias)
/// closest to an unknown header cell, when it is close enough to be a typo: at most one edit in five
/// letters, counted on the normalised forms. Returns the column's index and the spelling, so that a
/// file written with Vietnamese headers is answered with the Vietnamese one.
pub(crate) fn suggest<'t>(
    table: &[(&'t str, &'t [&'t str])],
    header: &str,
    missing: &[usize],
) -> Option<(usize, &'t str)> {
    let h = normalize(header);
    if h.is_empty() || h.chars().count() > 80 {
        return None;
    }
    let mut best: Option<(usize, usize, &'t str)> = None;
    for &c in missing {
        let Some((name, aliases)) = table.get(c) else { continue };
        for spelling in std::iter::once(name).chain(aliases.iter()) {
            let n = normalize(spelling);
            let d = edit_distance(&h, &n);
            let allowed = 1 + n.chars().count().max(h.chars().count()) / 5;
            if d <= allowed && best.is_none_or(|(bd, _, _)| d < bd) {
                best = Some((d, c, spelling));
            }
        }
    }
    best.map(|(_, c, s)| (c, s))
}

/// The Levenshtein distance between two short strings, in characters.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diag = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let up = row[j + 1];
            row[j + 1] = (diag + usize::from(ca != *cb)).min(row[j] + 1).min(up + 1);
            diag = up;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_headers_in_any_spelling_match() {
        let t = &PROJECT_ALIASES;
        assert_eq!(column_of(t, "Mã dự án"), Some(0));
        assert_eq!(column_of(t, "  MÃ DỰ ÁN "), Some(0));
        assert_eq!(column_of(t, "Ma du an"), Some(0));
        assert_eq!(column_of(t, "Luỹ kế vốn đã bố trí"), Some(10));
        assert_eq!(column_of(t, "Lũy kế vốn đã bố trí (triệu đồng)"), Some(10));
        // Decomposed (NFD) diacritics.
        assert_eq!(column_of(t, "Ke\u{302}\u{301} hoa\u{323}ch vo\u{302}\u{301}n na\u{306}m"), Some(11));
        assert_eq!(column_of(t, "KEY_PROJECT"), Some(8));
        assert_eq!(column_of(t, "key project"), Some(8));
        assert_eq!(column_of(t, "Giải phóng mặt bằng (%)"), Some(14));
        assert_eq!(column_of(t, "ghi chú"), None);
        assert_eq!(column_of(t, ""), None);
        assert_eq!(column_of(&HISTORY_ALIASES, "Tháng"), Some(2));
        assert_eq!(column_of(&HISTORY_ALIASES, "Giải ngân"), Some(3));
        assert_eq!(column_of(t, "Phân loại"), Some(20));
        assert_eq!(column_of(t, "Dư địa kế hoạch trung hạn (triệu đồng)"), Some(21));
        assert_eq!(column_of(t, "Văn bản đề nghị (triệu đồng)"), Some(22));
        assert_eq!(column_of(t, "Mã hiệp định"), Some(23));
        assert_eq!(column_of(t, "Gia hạn bố trí vốn đến"), Some(24));
        assert_eq!(column_of(t, "QĐ đầu tư"), Some(25));
        assert_eq!(column_of(t, "Lý do giữ nguyên"), Some(26));
        assert_eq!(column_of(&PIPELINE_ALIASES, "Vốn sẵn sàng giải ngân"), Some(9));
    }

    #[test]
    fn no_two_columns_share_a_header() {
        for table in [&PROJECT_ALIASES[..], &HISTORY_ALIASES[..], &PIPELINE_ALIASES[..]] {
            let mut seen = std::collections::HashSet::new();
            for (name, aliases) in table {
                for a in std::iter::once(name).chain(aliases.iter()) {
                    assert!(seen.insert(normalize(a)), "`{a}` is used twice");
                }
            }
        }
    }

    #[test]
    fn a_header_typo_gets_the_closest_spelling_in_its_language() {
        let t = &PROJECT_ALIASES;
        assert_eq!(suggest(t, "disbursd", &[12]), Some((12, "disbursed")));
        assert_eq!(suggest(t, "Giải ngânn", &[12]), Some((12, "Giải ngân")));
        assert_eq!(suggest(t, "ghi chú", &[12]), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
