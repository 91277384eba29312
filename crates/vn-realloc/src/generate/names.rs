//! Vocabulary of generated scenarios: Lạng Sơn's localities, investors, sectors and project names.
//!
//! The communes and wards are a plausible list in the style of the 2025 merger (4 wards, 61 communes),
//! not a transcription of the resolution; the investors are the kinds of provincial units that hold
//! public investment projects in a province of Lạng Sơn's size.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use crate::domain::ProjectGroup;

/// Wards (phường) after the 2025 merger.
pub const WARDS: &[&str] = &["Tam Thanh", "Lương Văn Tri", "Đông Kinh", "Kỳ Lừa"];

/// Communes (xã) after the 2025 merger.
pub const COMMUNES: &[&str] = &[
    "Đồng Đăng",
    "Cao Lộc",
    "Công Sơn",
    "Ba Sơn",
    "Thụy Hùng",
    "Hoàng Văn Thụ",
    "Văn Lãng",
    "Hội Hoan",
    "Hoa Thám",
    "Lộc Bình",
    "Mẫu Sơn",
    "Na Dương",
    "Lợi Bác",
    "Thống Nhất",
    "Xuân Dương",
    "Khuất Xá",
    "Đình Lập",
    "Châu Sơn",
    "Kiên Mộc",
    "Thái Bình",
    "Tràng Định",
    "Thất Khê",
    "Đoàn Kết",
    "Quốc Khánh",
    "Tân Tiến",
    "Kháng Chiến",
    "Quốc Việt",
    "Bình Gia",
    "Hồng Phong",
    "Quý Hòa",
    "Thiện Hòa",
    "Thiện Thuật",
    "Thiện Long",
    "Tân Văn",
    "Bắc Sơn",
    "Vũ Lăng",
    "Vũ Lễ",
    "Hưng Vũ",
    "Tân Tri",
    "Nhất Hòa",
    "Văn Quan",
    "Điềm He",
    "Yên Phúc",
    "Tri Lễ",
    "Tân Đoàn",
    "Khánh Khê",
    "Chi Lăng",
    "Quan Sơn",
    "Chiến Thắng",
    "Nhân Lý",
    "Bằng Mạc",
    "Vạn Linh",
    "Hữu Lũng",
    "Hữu Liên",
    "Yên Bình",
    "Tuấn Sơn",
    "Tân Thành",
    "Vân Nham",
    "Thiện Tân",
    "Cai Kinh",
    "Na Sầm",
];

/// The locality of province-wide projects.
pub const PROVINCE_WIDE: &str = "Toàn tỉnh";

/// Villages (thôn, bản) used inside project names.
const VILLAGES: &[&str] = &[
    "Nà Pàn",
    "Khòn Phạ",
    "Bản Làn",
    "Pác Cáp",
    "Nà Lầm",
    "Còn Quan",
    "Pò Nhùng",
    "Khuổi Phầy",
    "Nà Sla",
    "Bản Chu",
    "Phai Danh",
    "Kéo Cặp",
    "Nà Thầm",
    "Lũng Vài",
    "Pò Lạn",
    "Bó Củng",
    "Nà Tèo",
    "Bản Quấn",
    "Khau Ràng",
    "Nà Mò",
    "Pắc Mòng",
    "Lùng Cằm",
    "Tà Lài",
    "Bản Pẻ",
];

/// Provincial and national roads of Lạng Sơn.
const ROADS: &[&str] = &[
    "ĐT.226", "ĐT.229", "ĐT.232", "ĐT.234", "ĐT.235", "ĐT.237", "ĐT.239", "ĐT.241", "ĐT.243", "ĐT.244",
    "ĐT.246", "ĐT.248", "QL.4B", "QL.279", "QL.31", "QL.3B", "QL.1B",
];

/// Rivers and streams.
const RIVERS: &[&str] = &["sông Kỳ Cùng", "sông Thương", "sông Bắc Giang", "sông Hóa", "suối Ba Sơn"];

/// ODA programmes (foreign loans) with their sector, used for NSTW_ODA projects.
pub const ODA_PROGRAMMES: &[(&str, Sector)] = &[
    (
        "Dự án Hạ tầng cơ bản phát triển toàn diện các tỉnh Đông Bắc: Hà Giang, Cao Bằng, Bắc Kạn, Lạng Sơn – Tiểu dự án tỉnh Lạng Sơn",
        Sector::Transport,
    ),
    (
        "Dự án Phát triển cơ sở hạ tầng thích ứng với biến đổi khí hậu cho đồng bào dân tộc thiểu số (CRIEM), tỉnh Lạng Sơn",
        Sector::Agriculture,
    ),
    ("Dự án Sửa chữa và nâng cao an toàn đập (WB8), tỉnh Lạng Sơn", Sector::Agriculture),
    (
        "Dự án Đầu tư xây dựng và phát triển hệ thống cung ứng dịch vụ y tế tuyến cơ sở, tỉnh Lạng Sơn",
        Sector::Health,
    ),
    (
        "Dự án \"Đổi mới sáng tạo giáo dục phổ thông\" vùng khó khăn (vốn vay WB), tỉnh Lạng Sơn",
        Sector::Education,
    ),
    ("Dự án Kết nối giao thông khu vực miền núi phía Bắc, đoạn qua tỉnh Lạng Sơn", Sector::Transport),
    ("Dự án Cấp nước sạch và vệ sinh nông thôn dựa trên kết quả, tỉnh Lạng Sơn", Sector::Water),
];

/// The sectors (lĩnh vực) of generated projects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sector {
    /// Roads and bridges.
    Transport,
    /// Schools.
    Education,
    /// Hospitals and health stations.
    Health,
    /// Agriculture and irrigation.
    Agriculture,
    /// Culture, sport and tourism.
    Culture,
    /// Defence and public security.
    Defence,
    /// Water supply and environment.
    Water,
    /// Urban infrastructure.
    Urban,
    /// State management offices.
    StateOffice,
    /// Science, technology and digital transformation.
    Digital,
    /// Border-gate economic zone infrastructure.
    BorderZone,
    /// Social welfare and martyrs' cemeteries.
    Social,
}

impl Sector {
    /// Every sector.
    pub const ALL: [Sector; 12] = [
        Sector::Transport,
        Sector::Education,
        Sector::Health,
        Sector::Agriculture,
        Sector::Culture,
        Sector::Defence,
        Sector::Water,
        Sector::Urban,
        Sector::StateOffice,
        Sector::Digital,
        Sector::BorderZone,
        Sector::Social,
    ];

    /// The label written in `projects.csv`.
    pub const fn label(self) -> &'static str {
        match self {
            Sector::Transport => "Giao thông",
            Sector::Education => "Giáo dục và đào tạo",
            Sector::Health => "Y tế",
            Sector::Agriculture => "Nông nghiệp, thủy lợi",
            Sector::Culture => "Văn hóa, thể thao và du lịch",
            Sector::Defence => "Quốc phòng, an ninh",
            Sector::Water => "Cấp nước, môi trường",
            Sector::Urban => "Hạ tầng đô thị",
            Sector::StateOffice => "Quản lý nhà nước",
            Sector::Digital => "Khoa học, công nghệ và chuyển đổi số",
            Sector::BorderZone => "Hạ tầng khu kinh tế cửa khẩu",
            Sector::Social => "Xã hội",
        }
    }

    /// Relative frequency of the sector among projects of group A, B and C.
    pub const fn weight(self, group: usize) -> u32 {
        let w: [u32; 3] = match self {
            Sector::Transport => [60, 30, 22],
            Sector::Education => [0, 10, 18],
            Sector::Health => [10, 10, 6],
            Sector::Agriculture => [15, 14, 16],
            Sector::Culture => [0, 6, 8],
            Sector::Defence => [0, 6, 5],
            Sector::Water => [0, 5, 8],
            Sector::Urban => [5, 7, 4],
            Sector::StateOffice => [0, 4, 5],
            Sector::Digital => [0, 3, 2],
            Sector::BorderZone => [10, 5, 2],
            Sector::Social => [0, 0, 4],
        };
        w[group]
    }

    /// True when the project needs a site, so that site clearance applies.
    pub const fn needs_site(self) -> bool {
        !matches!(self, Sector::Digital | Sector::StateOffice)
    }

    /// Total investment (million VND) from which a project of this sector is group A, and from which it
    /// is group B: a simplified reading of the thresholds of the Law on Public Investment 2024
    /// (transport and industry; agriculture and infrastructure; social sectors).
    pub const fn thresholds(self) -> (f64, f64) {
        match self {
            Sector::Transport | Sector::BorderZone => (4_600_000.0, 240_000.0),
            Sector::Agriculture | Sector::Water | Sector::Urban => (3_000_000.0, 160_000.0),
            _ => (2_000_000.0, 120_000.0),
        }
    }

    /// Provincial investors (chủ đầu tư) of the sector.
    pub const fn investors(self) -> &'static [&'static str] {
        match self {
            Sector::Transport => {
                &["Ban Quản lý dự án đầu tư xây dựng các công trình giao thông tỉnh Lạng Sơn", "Sở Xây dựng"]
            }
            Sector::Education => &[
                "Sở Giáo dục và Đào tạo",
                "Ban Quản lý dự án đầu tư xây dựng các công trình dân dụng và công nghiệp tỉnh",
            ],
            Sector::Health => {
                &["Sở Y tế", "Ban Quản lý dự án đầu tư xây dựng các công trình dân dụng và công nghiệp tỉnh"]
            }
            Sector::Agriculture => &[
                "Ban Quản lý dự án đầu tư xây dựng các công trình nông nghiệp và phát triển nông thôn tỉnh",
                "Sở Nông nghiệp và Môi trường",
            ],
            Sector::Culture => {
                &["Sở Văn hóa, Thể thao và Du lịch", "Ban Quản lý dự án đầu tư xây dựng tỉnh Lạng Sơn"]
            }
            Sector::Defence => {
                &["Công an tỉnh", "Bộ Chỉ huy quân sự tỉnh", "Bộ Chỉ huy Bộ đội Biên phòng tỉnh"]
            }
            Sector::Water => {
                &["Sở Nông nghiệp và Môi trường", "Ban Quản lý dự án đầu tư xây dựng tỉnh Lạng Sơn"]
            }
            Sector::Urban => &["Ban Quản lý dự án đầu tư xây dựng tỉnh Lạng Sơn", "Sở Xây dựng"],
            Sector::StateOffice => &["Văn phòng UBND tỉnh", "Văn phòng Tỉnh ủy", "Sở Tài chính", "Sở Nội vụ"],
            Sector::Digital => &["Sở Khoa học và Công nghệ", "Văn phòng UBND tỉnh"],
            Sector::BorderZone => &["Ban Quản lý Khu kinh tế cửa khẩu Đồng Đăng – Lạng Sơn"],
            Sector::Social => &["Sở Nội vụ", "Ban Quản lý dự án đầu tư xây dựng tỉnh Lạng Sơn"],
        }
    }
}

/// A locality: its label in `projects.csv` ("Xã Đồng Đăng") and the phrase used in names ("xã Đồng Đăng").
#[derive(Clone, Debug)]
pub struct Place {
    /// The `locality` field.
    pub label: String,
    /// The place as written inside a project name.
    pub phrase: String,
    /// The People's Committee of the place, as an investor.
    pub committee: String,
}

/// A random commune or ward.
pub fn commune(rng: &mut ChaCha8Rng) -> Place {
    let i = rng.random_range(0..WARDS.len() + COMMUNES.len());
    let (kind, name) =
        if i < WARDS.len() { ("phường", WARDS[i]) } else { ("xã", COMMUNES[i - WARDS.len()]) };
    let cap = if kind == "xã" { "Xã" } else { "Phường" };
    Place {
        label: format!("{cap} {name}"),
        phrase: format!("{kind} {name}"),
        committee: format!("UBND {kind} {name}"),
    }
}

/// The whole province.
pub fn province_wide(province: &str) -> Place {
    Place {
        label: PROVINCE_WIDE.to_owned(),
        phrase: format!("tỉnh {province}"),
        committee: "Ban Quản lý dự án đầu tư xây dựng tỉnh Lạng Sơn".to_owned(),
    }
}

/// A random element of a non-empty table.
pub fn pick<'a>(rng: &mut ChaCha8Rng, table: &[&'a str]) -> &'a str {
    // Every table passed here is a non-empty constant.
    table.get(rng.random_range(0..table.len().max(1))).copied().unwrap_or("")
}

/// A real-looking project name for a sector, a group and a place, and whether it names the place (so
/// that the place's People's Committee can be its investor). Group A projects get the province's
/// large works, group B district-scale works, group C commune-scale works.
pub fn project_name(
    rng: &mut ChaCha8Rng,
    sector: Sector,
    group: ProjectGroup,
    place: &Place,
) -> (String, bool) {
    let p = &place.phrase;
    let v = pick(rng, VILLAGES);
    let v2 = pick(rng, VILLAGES);
    let road = pick(rng, ROADS);
    let river = pick(rng, RIVERS);
    let km = rng.random_range(0..60_u32);
    let m = rng.random_range(0..10_u32) * 100;
    let len = rng.random_range(2..25_u32);
    let rooms = rng.random_range(2..7_u32) * 2;
    let stage = rng.random_range(1..4_u32);
    let variant = rng.random_range(0..4_u32);
    let named = |s: String| (s, true);
    let plain = |s: &str| (s.to_owned(), false);
    match (group, sector, variant) {
        (ProjectGroup::A, Sector::Transport, 0) => {
            plain("Đường cao tốc Đồng Đăng – Trà Lĩnh (phần vốn ngân sách nhà nước), đoạn qua tỉnh Lạng Sơn")
        }
        (ProjectGroup::A, Sector::Transport, 1) => {
            plain("Đường cao tốc Hữu Nghị – Chi Lăng: giải phóng mặt bằng, tái định cư và phần vốn nhà nước")
        }
        (ProjectGroup::A, Sector::Transport, _) => (
            format!(
                "Cải tạo, nâng cấp {road} đoạn Km{km}+{m:03} – Km{}+000, kết nối các tỉnh Đông Bắc",
                km + 40 + len
            ),
            false,
        ),
        (ProjectGroup::A, Sector::BorderZone, _) => {
            plain("Hạ tầng Khu kinh tế cửa khẩu Đồng Đăng – Lạng Sơn, giai đoạn 2021–2025 và 2026–2030")
        }
        (ProjectGroup::A, Sector::Agriculture | Sector::Water, _) => {
            plain("Hồ chứa nước Bản Lải, giai đoạn 2 (hệ thống kênh, cấp nước)")
        }
        (ProjectGroup::A, Sector::Health, _) => plain("Bệnh viện Đa khoa tỉnh Lạng Sơn, quy mô 700 giường"),
        (ProjectGroup::A, _, _) => {
            plain("Hạ tầng khu đô thị mới Mai Pha – Kỳ Lừa và trục cảnh quan sông Kỳ Cùng")
        }

        (ProjectGroup::B, Sector::Transport, 0) => (
            format!(
                "Cải tạo, nâng cấp đường {road} đoạn Km{km}+{m:03} – Km{}+{:03}",
                km + len,
                (m + 500) % 1000
            ),
            false,
        ),
        (ProjectGroup::B, Sector::Transport, 1) => named(format!("Đường kết nối trung tâm {p} với {road}")),
        (ProjectGroup::B, Sector::Transport, 2) => {
            named(format!("Cầu {v} qua {river} trên tuyến {road}, {p}"))
        }
        (ProjectGroup::B, Sector::Transport, _) => {
            (format!("Xử lý điểm đen, sạt lở trên tuyến {road}, giai đoạn {stage}"), false)
        }
        (ProjectGroup::B, Sector::Education, 0 | 1) => {
            named(format!("Trường THPT {}: nhà học bộ môn, nhà đa năng, ký túc xá", place_name(p)))
        }
        (ProjectGroup::B, Sector::Education, _) => {
            plain("Trường Cao đẳng Lạng Sơn: cơ sở thực hành, nhà xưởng, ký túc xá")
        }
        (ProjectGroup::B, Sector::Health, 0 | 1) => {
            named(format!("Cải tạo, nâng cấp Trung tâm Y tế khu vực {}", place_name(p)))
        }
        (ProjectGroup::B, Sector::Health, _) => {
            plain("Bệnh viện Phục hồi chức năng tỉnh, giai đoạn 2 (khối kỹ thuật, thiết bị)")
        }
        (ProjectGroup::B, Sector::Agriculture, 0) => named(format!("Hồ chứa nước {v}, {p}")),
        (ProjectGroup::B, Sector::Agriculture, 1) => {
            named(format!("Kè chống sạt lở bờ {river} đoạn qua {p}"))
        }
        (ProjectGroup::B, Sector::Agriculture, _) => {
            (format!("Sửa chữa, nâng cấp hồ {v} (hạng mục \"Tràn xả lũ\")"), false)
        }
        (ProjectGroup::B, Sector::Culture, 0 | 1) => {
            plain("Hạ tầng khu du lịch quốc gia Mẫu Sơn, giai đoạn 2")
        }
        (ProjectGroup::B, Sector::Culture, _) => named(format!("Sân vận động, nhà thi đấu đa năng {p}")),
        (ProjectGroup::B, Sector::Defence, 0 | 1) => {
            (format!("Đường tuần tra biên giới đoạn mốc {}–{}", km + 1000, km + 1000 + len), false)
        }
        (ProjectGroup::B, Sector::Defence, _) => {
            plain("Doanh trại Ban Chỉ huy phòng thủ khu vực, Bộ Chỉ huy quân sự tỉnh")
        }
        (ProjectGroup::B, Sector::Water, _) => {
            named(format!("Hệ thống thu gom, xử lý nước thải {p}, giai đoạn {stage}"))
        }
        (ProjectGroup::B, Sector::Urban, 0 | 1) => {
            named(format!("Hạ tầng khu tái định cư {p}, giai đoạn {stage}"))
        }
        (ProjectGroup::B, Sector::Urban, _) => named(format!("Kè, đường dạo ven {river} đoạn qua {p}")),
        (ProjectGroup::B, Sector::StateOffice, _) => {
            plain("Cải tạo, sửa chữa trụ sở các sở, ngành tỉnh (khu hành chính tập trung)")
        }
        (ProjectGroup::B, Sector::Digital, 0 | 1) => {
            plain("Xây dựng chính quyền số tỉnh Lạng Sơn, giai đoạn 2024–2026")
        }
        (ProjectGroup::B, Sector::Digital, _) => {
            plain("Hệ thống camera giám sát an ninh, giao thông \"Lạng Sơn an toàn\"")
        }
        (ProjectGroup::B, Sector::BorderZone, 0 | 1) => {
            plain("Hạ tầng khu kiểm soát hàng hóa cửa khẩu Hữu Nghị, giai đoạn 2")
        }
        (ProjectGroup::B, Sector::BorderZone, _) => {
            plain("Đường vành đai biên giới khu vực cửa khẩu Tân Thanh – Cốc Nam")
        }
        (ProjectGroup::B, Sector::Social, _) => {
            plain("Trung tâm Bảo trợ xã hội tỉnh, hạng mục nhà nuôi dưỡng, phục hồi chức năng")
        }

        (_, Sector::Transport, 0) => named(format!("Đường giao thông liên xã {v} – {v2}, {p}")),
        (_, Sector::Transport, 1) => named(format!("Đường giao thông nông thôn thôn {v}, {p}")),
        (_, Sector::Transport, 2) => named(format!("Cầu treo dân sinh {v}, {p}")),
        (_, Sector::Transport, _) => named(format!("Cải tạo, nâng cấp đường nội thôn {v} – {v2}, {p}")),
        (_, Sector::Education, 0) => named(format!("Trường THCS {}", place_name(p))),
        (_, Sector::Education, 1) => named(format!("Trường Tiểu học {} (điểm trường {v})", place_name(p))),
        (_, Sector::Education, 2) => {
            named(format!("Trường Mầm non {}, hạng mục: nhà lớp học {rooms} phòng", place_name(p)))
        }
        (_, Sector::Education, _) => {
            named(format!("Nhà lớp học 2 tầng {rooms} phòng Trường PTDTBT THCS {}", place_name(p)))
        }
        (_, Sector::Health, 0 | 1) => named(format!("Trạm Y tế {p}")),
        (_, Sector::Health, _) => named(format!("Cải tạo, mua sắm trang thiết bị Trạm Y tế {p}")),
        (_, Sector::Agriculture, 0) => named(format!("Kênh mương nội đồng thôn {v}, {p}")),
        (_, Sector::Agriculture, 1) => named(format!("Đập dâng {v} và hệ thống kênh tưới, {p}")),
        (_, Sector::Agriculture, 2) => {
            named(format!("Sửa chữa, nâng cấp hồ {v} (hạng mục \"Tràn xả lũ\"), {p}"))
        }
        (_, Sector::Agriculture, _) => named(format!("Hạ tầng vùng sản xuất hồi, quế tập trung {p}")),
        (_, Sector::Culture, 0 | 1) => named(format!("Nhà văn hóa thôn {v}, {p}")),
        (_, Sector::Culture, 2) => named(format!("Tu bổ, tôn tạo di tích lịch sử {v}, {p}")),
        (_, Sector::Culture, _) => named(format!("Bảo tồn làng văn hóa truyền thống \"{v}\", {p}")),
        (_, Sector::Defence, 0 | 1) => named(format!("Trụ sở làm việc Công an {p}")),
        (_, Sector::Defence, _) => named(format!("Nhà làm việc Ban Chỉ huy quân sự {p}")),
        (_, Sector::Water, 0 | 1) => named(format!("Hệ thống cấp nước sinh hoạt tập trung thôn {v}, {p}")),
        (_, Sector::Water, 2) => named(format!("Bãi xử lý rác thải sinh hoạt {p}")),
        (_, Sector::Water, _) => named(format!("Công trình nước sạch liên thôn {v} – {v2}, {p}")),
        (_, Sector::Urban, 0 | 1) => named(format!("Hạ tầng kỹ thuật khu dân cư {v}, {p}")),
        (_, Sector::Urban, _) => named(format!("Chỉnh trang vỉa hè, chiếu sáng đô thị {p}")),
        (_, Sector::StateOffice, 0 | 1) => named(format!("Trụ sở làm việc Đảng ủy, HĐND, UBND {p}")),
        (_, Sector::StateOffice, _) => named(format!("Trung tâm Phục vụ hành chính công {p}")),
        (_, Sector::Digital, _) => {
            named(format!("Số hóa hồ sơ địa chính, xây dựng cơ sở dữ liệu đất đai {p}"))
        }
        (_, Sector::BorderZone, _) => named(format!("Bãi kiểm hóa tập trung, {p}")),
        (_, Sector::Social, 0 | 1) => named(format!("Nghĩa trang liệt sĩ {p}: tu bổ, nâng cấp")),
        (_, Sector::Social, _) => {
            named(format!("Nhà bia ghi tên liệt sĩ {p} (hạng mục \"Cổng, tường rào\")"))
        }
    }
}

/// "Đồng Đăng" from "xã Đồng Đăng"; the province phrase unchanged otherwise.
fn place_name(phrase: &str) -> &str {
    phrase.strip_prefix("xã ").or_else(|| phrase.strip_prefix("phường ")).unwrap_or(phrase)
}
