//! Monitoring version 2 (issue 17) on `tests/data/monitor/v2`, every figure computed by hand below
//! (amounts in million VND; as of 30 September 2025, the built-in curve expects 45%).
//!
//! Rows (investor, locality, source, plan / disbursed):
//! P1 UBND xã Tân Văn, Xã Tân Văn, NSTW 1000/500; P2 UBND xã Tân Văn, Xã Tân Văn, NSDP 1000/400;
//! P3 Sở Xây dựng, Xã Tân Văn, NSTW 2000/200; P4 UBND phường Đông Kinh, Phường Đông Kinh, NSDP
//! 500/300; P5 Ban Quản lý dự án tỉnh, Toàn tỉnh, NSTW 3000/1200; P6 UBND xã Ba Sơn, Xã Ba Sơn, NSDP
//! 200/20 (land). Total 7700/2620 (34.026%).
//!
//! Treasury (paid + advance, since): P1 400+100 (2025-08) agrees; P2 300+50 (2025-01) differs by
//! +50; P3 150+50 (2024-06) agrees; P4 not listed (300 reported only); P5 1000+200 (2025-05) agrees;
//! P6 20+0 agrees; X9 NSTW 75 is not a project row. Totals: reported 2620, Treasury 2345 (paid 1945,
//! advances 400), difference 275 = 50 + 300 − 75. Advances by age at 2025-09: 0–3 months P1 100,
//! 4–6 P5 200, 7–12 P2 50, over 12 P3 50.
//!
//! Schedule: P2 registered 200 (Mar), 500 (Jun), 800 (Sep), 900 (Jan 2026): on the curve it is on
//! track (40/45 = 0.89), against its schedule slow (400/800 = 0.5); its schedule is 100 short of its
//! plan.
//!
//! Last year (2024/): Q1 UBND xã Tân Văn NSTW 1000, 300 by September; Q2 provincial, NSDP 1000, 500
//! by September. Same period: 800/2000 = 40%; NSTW 30%, NSDP 50%.
//!
//! Conclusions: P6 (meeting 30/6, due 15/7, open) 77 days overdue, disbursed 20 at the meeting and
//! now; P2 (31/7, due 31/8, open) 30 days overdue, 100 at the meeting (end of July), 400 now; P6
//! (31/7, done) and P3 (31/8, due 15/10) are not overdue.

use std::path::{Path, PathBuf};

use realloc::load::load_scenario;
use realloc::monitor::conclusions::overdue;
use realloc::monitor::reconcile::{Finding, Reconciliation};
use realloc::monitor::{Period, ProgressReport, RankBy, RankOptions, Ranking, ReportOptions};
use realloc::report::Lang;
use realloc::rules::Rules;
use realloc::scenario::Scenario;
use realloc_tests::run_cli;

const M: i64 = 1_000_000;

fn dir() -> PathBuf {
    realloc_tests::data_dir().join("monitor").join("v2")
}

fn load(dir: &Path) -> Scenario {
    let mut s = match load_scenario(dir) {
        Ok(l) => l.scenario,
        Err(e) => panic!("{}", e.diagnostics),
    };
    // Last year is read only by the commands that compare with it.
    assert!(s.monitoring.previous_year.is_none());
    if let Err(e) = realloc::load::load_previous_year(dir, &mut s, &Default::default()) {
        panic!("{}", e.diagnostics);
    }
    s
}

/// A copy of the fixture (last year's folder included) that a test may change.
fn copy() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    realloc_tests::copy_dir(&dir(), tmp.path()).unwrap();
    std::fs::create_dir(tmp.path().join("2024")).unwrap();
    realloc_tests::copy_dir(&dir().join("2024"), &tmp.path().join("2024")).unwrap();
    tmp
}

#[track_caller]
fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-9, "{a} != {b}");
}

#[test]
fn reconciliation_has_every_kind_of_finding() {
    let r = Reconciliation::build(&load(&dir())).unwrap();
    let kinds: Vec<(&str, Finding, i64)> =
        r.lines.iter().map(|l| (l.id.as_str(), l.finding, l.difference_vnd / M)).collect();
    assert_eq!(
        kinds,
        [
            ("P1", Finding::Match, 0),
            ("P2", Finding::Difference, 50),
            ("P3", Finding::Match, 0),
            ("P4", Finding::OnlyProjects, 300),
            ("P5", Finding::Match, 0),
            ("P6", Finding::Match, 0),
            ("X9", Finding::OnlyTreasury, -75),
        ]
    );
    let t = &r.total;
    assert_eq!(
        (t.reported_vnd, t.paid_vnd, t.advance_vnd, t.treasury_vnd, t.difference_vnd, t.findings),
        (2620 * M, 1945 * M, 400 * M, 2345 * M, 275 * M, 3)
    );
    let ages: Vec<(&str, usize, i64)> =
        r.advance_ages.iter().map(|a| (a.band, a.rows, a.amount_vnd / M)).collect();
    assert_eq!(
        ages,
        [("0_3", 1, 100), ("4_6", 1, 200), ("7_12", 1, 50), ("over_12", 1, 50), ("unknown", 0, 0)]
    );
    assert_eq!(r.lines[2].advance_age_months, Some(15));
    // By source: NSTW reported 1900, Treasury 500 + 200 + 1200 + 75 (X9) = 1975.
    let nstw = &r.by_source[0];
    assert_eq!(
        (nstw.key.as_str(), nstw.totals.treasury_vnd, nstw.totals.difference_vnd),
        ("NSTW", 1975 * M, -75 * M)
    );
    // By investor: UBND xã Tân Văn reported 900, Treasury 850.
    let tv = r.by_investor.iter().find(|g| g.key == "UBND xã Tân Văn").unwrap();
    assert_eq!((tv.totals.reported_vnd, tv.totals.treasury_vnd, tv.totals.findings), (900 * M, 850 * M, 1));
    assert_eq!(r.schema_version, 2);
}

#[test]
fn reconcile_command_in_every_format() {
    let tmp = tempfile::tempdir().unwrap();
    let run = run_cli(["reconcile".as_ref(), dir().as_os_str()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("| P2 – Trường P2 | NSDP | UBND xã Tân Văn | 400,000 | 300,000 | 50,000 | 50,000 |"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("| X9 | NSTW |  | 0,000 | 75,000 | 0,000 | -75,000 |"), "{}", run.stdout);
    assert!(
        run.stdout.contains("| P3 – Kè P3 | NSTW | Sở Xây dựng | 50,000 | Tháng 6/2024 | 15 |"),
        "{}",
        run.stdout
    );
    let run = run_cli(["reconcile".as_ref(), dir().as_os_str(), "--format".as_ref(), "json".as_ref()]);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["schema_version"], 2);
    assert_eq!(v["total"]["difference_vnd"], 275 * M);
    assert_eq!(v["lines"][3]["finding"], "only_projects");
    let run = run_cli(["reconcile".as_ref(), dir().as_os_str(), "--format".as_ref(), "csv".as_ref()]);
    assert!(
        run.stdout.contains("\nTOTAL,7,2620,1945,400,2345,275,3")
            || run.stdout.contains(",7,2620,1945,400,2345,275,3"),
        "{}",
        run.stdout
    );
    for name in ["r.html", "r.xlsx", "r.md"] {
        let out = tmp.path().join(name);
        let run = run_cli([
            "reconcile".as_ref(),
            dir().as_os_str(),
            "--lang".as_ref(),
            "en".as_ref(),
            "-o".as_ref(),
            out.as_os_str(),
        ]);
        assert_eq!(run.code, 0, "{name}: {}", run.stderr);
        assert!(std::fs::metadata(&out).unwrap().len() > 500);
    }
    // A scenario without Treasury figures cannot be reconciled: bad input.
    let run = run_cli(["reconcile".as_ref(), realloc_tests::data_dir().join("monitor/hand").as_os_str()]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("treasury"), "{}", run.stderr);
}

#[test]
fn a_schedule_turns_a_row_from_on_track_to_slow() {
    let s = load(&dir());
    let rules = Rules::builtin();
    let p2 = s.portfolio.position("P2", realloc::domain::Source::Nsdp).unwrap();
    assert_eq!(&*rules.assess(&s).rows[p2].pace, "slow");
    let mut without = s.clone();
    without.monitoring.schedule = None;
    assert_eq!(&*rules.assess(&without).rows[p2].pace, "on_track");
    // The rules can read it: explain shows the two names.
    let e = rules.explain(&s, p2).unwrap();
    let seen = |name: &str| e.inputs.iter().find(|i| i.name == name).map(|i| i.value.clone());
    assert!(seen("has_schedule").is_some() && seen("schedule_target").is_some());

    // In the report: judged against its schedule, 400 short of 800, its schedule 100 short of the plan.
    let a = rules.assess(&s);
    let r = ProgressReport::build(&s, &rules, &a, ReportOptions::default());
    let l = r.lagging.iter().find(|l| l.id == "P2").unwrap();
    assert!(l.against_schedule);
    assert_eq!(
        (l.expected_vnd, l.shortfall_vnd, l.schedule_shortfall_vnd),
        (800 * M, 400 * M, Some(100 * M))
    );
    assert_eq!(l.pace, "slow");
    assert_eq!(r.scheduled_rows, 1);
    // Without the schedule: 450 by the curve, 50 short.
    let r = ProgressReport::build(&without, &rules, &rules.assess(&without), ReportOptions::default());
    let l = r.lagging.iter().find(|l| l.id == "P2").unwrap();
    assert_eq!((l.against_schedule, l.expected_vnd, l.shortfall_vnd), (false, 450 * M, 50 * M));
    // Classify sees the same pace.
    let run = run_cli(["classify".as_ref(), dir().as_os_str(), "--format".as_ref(), "json".as_ref()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn same_period_last_year_in_report_and_rank() {
    let s = load(&dir());
    let rules = Rules::builtin();
    let r = ProgressReport::build(&s, &rules, &rules.assess(&s), ReportOptions::default());
    let ly = r.last_year.as_ref().unwrap();
    assert_eq!((ly.fiscal_year, ly.date.to_string()), (2024, "2024-09-30".to_owned()));
    let lines: Vec<(i64, i64)> = ly.lines.iter().map(|l| (l.plan_vnd / M, l.disbursed_vnd / M)).collect();
    assert_eq!(lines, [(1000, 300), (1000, 500), (2000, 800)]);
    close(ly.lines[0].change, 1900.0 / 6000.0 - 0.3);
    close(ly.lines[2].change, 2620.0 / 7700.0 - 0.4);
    let md = r.document(Lang::Vi).to_markdown(Lang::Vi);
    assert!(md.contains("| TỔNG CỘNG | 2.000,000 | 800,000 | 40,0% | 34,0% | -6,0 điểm phần trăm |"), "{md}");

    let k = Ranking::build(&s, RankOptions { by: RankBy::Locality, ..RankOptions::default() });
    let ly = k.last_year.unwrap();
    assert_eq!((ly.fiscal_year, ly.date.to_string()), (2024, "2024-09-30".to_owned()));
    close(ly.average_rate, 0.4);
    let tv = k.units.iter().find(|u| u.unit == "Xã Tân Văn").unwrap();
    close(tv.last_year_rate.unwrap(), 0.3);

    // `--previous-year DIR` gives the same when scenario.toml names none; a yearly ranking without
    // it says what is missing.
    let tmp = copy();
    let toml = std::fs::read_to_string(tmp.path().join("scenario.toml")).unwrap();
    std::fs::write(
        tmp.path().join("scenario.toml"),
        toml.lines().filter(|l| !l.starts_with("previous_year")).collect::<Vec<_>>().join("\n"),
    )
    .unwrap();
    let run = run_cli(["rank".as_ref(), tmp.path().as_os_str(), "--period".as_ref(), "year".as_ref()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("so sánh theo năm cần số liệu năm trước"), "{}", run.stdout);
    assert!(!run.stdout.contains("cần lịch sử giải ngân theo tháng"), "{}", run.stdout);
    let prev = tmp.path().join("2024");
    let run =
        run_cli(["report".as_ref(), tmp.path().as_os_str(), "--previous-year".as_ref(), prev.as_os_str()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("Cùng kỳ năm 2024 (30/09/2024): **40,0% (năm nay -6,0 điểm phần trăm)**"),
        "{}",
        run.stdout
    );
}

#[test]
fn overdue_conclusions_with_progress_since_the_meeting() {
    let s = load(&dir());
    let o = overdue(&s);
    let got: Vec<(&str, i64, Option<i64>, Option<i64>)> = o
        .iter()
        .map(|t| {
            (
                t.conclusion.id.as_str(),
                t.days_overdue,
                t.disbursed_at_meeting_vnd.map(|x| x / M),
                t.progress_since_vnd.map(|x| x / M),
            )
        })
        .collect();
    assert_eq!(got, [("P6", 77, Some(20), Some(0)), ("P2", 30, Some(100), Some(300))]);
    let run = run_cli(["report".as_ref(), dir().as_os_str()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("| P2 – Trường P2 | NSDP | 31/07/2025 | Đẩy nhanh nghiệm thu khối lượng | UBND xã Tân Văn | 31/08/2025 | 30 | 100,000 | 400,000 | 300,000 | 40,0% |"), "{}", run.stdout);
}

#[test]
fn the_register_is_written_to_a_new_file_without_losing_a_line() {
    let tmp = copy();
    let input = tmp.path().join("conclusions.csv");
    let before = std::fs::read_to_string(&input).unwrap();
    // Never over the input.
    let run = run_cli(["conclusions".as_ref(), tmp.path().as_os_str(), "-o".as_ref(), input.as_os_str()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&input).unwrap(), before);
    let xlsx = tmp.path().join("ket-luan.xlsx");
    let run = run_cli(["conclusions".as_ref(), tmp.path().as_os_str(), "-o".as_ref(), xlsx.as_os_str()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(!xlsx.exists());
    let out = tmp.path().join("ket-luan-moi.csv");
    let run = run_cli(["conclusions".as_ref(), tmp.path().as_os_str(), "-o".as_ref(), out.as_os_str()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let written = std::fs::read_to_string(&out).unwrap();
    let written = written.trim_start_matches('\u{feff}');
    // Every line of the register read, as it was (the extra column `ghi_chu` included), in order.
    let old: Vec<&str> = before.lines().collect();
    let new: Vec<&str> = written.lines().collect();
    assert_eq!(&new[..old.len()], &old[..]);
    // Then one conclusion per row in difficulty: P3 (stalled, no obstacle reported) and P6 (land),
    // owner its investor, deadline 30 September + 30 days.
    let added: Vec<Vec<&str>> = new[old.len()..].iter().map(|l| l.split(',').collect()).collect();
    assert_eq!(added.len(), 2, "{written}");
    assert_eq!(added[0][..3], ["2025-09-30", "P3", "NSTW"]);
    assert_eq!(added[1][..3], ["2025-09-30", "P6", "NSDP"]);
    for a in &added {
        // The last columns: owner, deadline, status and the register's own `ghi_chu`, left empty.
        let owner = if a[1] == "P3" { "Sở Xây dựng" } else { "UBND xã Ba Sơn" };
        assert_eq!(a[a.len() - 4..], [owner, "2025-10-30", "open", ""]);
    }
    // The new register reads back, and running again over it adds nothing.
    std::fs::copy(&out, &input).unwrap();
    let again = tmp.path().join("lan-hai.csv");
    let run = run_cli(["conclusions".as_ref(), tmp.path().as_os_str(), "-o".as_ref(), again.as_os_str()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&again).unwrap().lines().count(), new.len());
    // --due sets the deadline.
    let due = tmp.path().join("due.csv");
    let run = run_cli([
        "conclusions".as_ref(),
        tmp.path().as_os_str(),
        "-o".as_ref(),
        due.as_os_str(),
        "--meeting".as_ref(),
        "2025-10-05".as_ref(),
        "--due".as_ref(),
        "2025-10-20".as_ref(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(std::fs::read_to_string(&due).unwrap().contains("2025-10-05,P3,NSTW,"));
}

#[test]
fn locality_ranking_counts_only_a_communes_own_rows() {
    let s = load(&dir());
    let k = Ranking::build(
        &s,
        RankOptions { by: RankBy::Locality, median_min_plan: true, ..RankOptions::default() },
    );
    // Xã Tân Văn: P1 + P2 (P3 is the provincial Sở Xây dựng's); Phường Đông Kinh: P4; Xã Ba Sơn: P6.
    // P3 and P5 (Toàn tỉnh) are left out: 2 rows, plan 5000.
    let units: Vec<(&str, i64, i64)> =
        k.units.iter().map(|u| (u.unit.as_str(), u.plan_vnd / M, u.disbursed_vnd / M)).collect();
    assert_eq!(units, [("Phường Đông Kinh", 500, 300), ("Xã Tân Văn", 2000, 900), ("Xã Ba Sơn", 200, 20)]);
    assert_eq!((k.excluded_rows, k.excluded_plan_vnd), (2, 5000 * M));
    assert!(k.units.iter().all(|u| u.unit != "Toàn tỉnh"));
    // Median plan 500: both communes above the average are proposed for the Chairman's Bằng khen;
    // Xã Ba Sơn is called, its Chairman to answer.
    assert_eq!(k.min_plan_vnd, 500 * M);
    let awards: Vec<(&str, Option<realloc::monitor::Award>)> =
        k.units.iter().map(|u| (u.unit.as_str(), u.award)).collect();
    use realloc::monitor::Award::BangKhenChuTichUbndTinh as B;
    assert_eq!(awards, [("Phường Đông Kinh", Some(B)), ("Xã Tân Văn", Some(B)), ("Xã Ba Sơn", None)]);
    assert_eq!(k.to_review()[0].answerable.as_deref(), Some("Chủ tịch UBND xã Ba Sơn"));
    // Its schedule: Xã Tân Văn's scheduled row P2 disbursed 400 of 800.
    close(k.units[1].schedule_rate.unwrap(), 0.5);
    // With commend 1 the second is proposed for a Giấy khen.
    let k = Ranking::build(&s, RankOptions { by: RankBy::Locality, commend: 1, ..RankOptions::default() });
    assert_eq!(k.units[1].award, Some(realloc::monitor::Award::GiayKhen));
    // The Vietnamese documents carry no raw codes or ISO periods.
    let run = run_cli([
        "rank".as_ref(),
        dir().as_os_str(),
        "--by".as_ref(),
        "locality".as_ref(),
        "--period".as_ref(),
        "quarter".as_ref(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("Đề nghị Chủ tịch UBND tỉnh tặng Bằng khen")
            && !run.stdout.contains("Biểu dương"),
        "{}",
        run.stdout
    );
    let run = run_cli(["report".as_ref(), dir().as_os_str(), "--period".as_ref(), "quarter".as_ref()]);
    for raw in ["stalled", "on_track", "2025-Q", "| slow |"] {
        assert!(!run.stdout.contains(raw), "{raw} in\n{}", run.stdout);
    }
    assert!(run.stdout.contains("Quý III/2025") && run.stdout.contains("Giải ngân chậm"), "{}", run.stdout);
    let _ = Period::Quarter;
}

#[test]
fn bad_monitoring_files_are_bad_input_with_file_line_and_column() {
    for (file, from, to, want) in [
        (
            "treasury.csv",
            "P2,NSDP,300,50,2025-01",
            "P2,NSDP,3e2,50,2025-01",
            "treasury.csv:3: column `paid`: scientific notation",
        ),
        (
            "treasury.csv",
            "P2,NSDP,300,50,2025-01",
            "P2,NSDP,300,50,2025-1",
            "treasury.csv:3: column `advance_since`: expected a month as YYYY-MM",
        ),
        (
            "treasury.csv",
            "P6,NSDP,20,0,",
            "P1,NSTW,20,0,",
            "treasury.csv:6: duplicate row `P1` with source NSTW: already on line 2",
        ),
        (
            "schedule.csv",
            "P2,NSDP,2025-09,800",
            "P2,NSDP,2025-09,100",
            "schedule.csv:4: column `cumulative`: a cumulative amount cannot fall",
        ),
        (
            "schedule.csv",
            "P2,NSDP,2025-06,500",
            "P7,NSDP,2025-06,500",
            "schedule.csv:3: column `id`: project `P7` with source NSDP is not in",
        ),
        (
            "conclusions.csv",
            "2025-07-31,P2",
            "2025-07-32,P2",
            "conclusions.csv:3: column `meeting`: expected a date as YYYY-MM-DD",
        ),
        (
            "conclusions.csv",
            "2025-10-15,open",
            "2025-10-15,pending",
            "conclusions.csv:5: column `status`: expected `open` or `done`",
        ),
        ("2024/projects.csv", "Q2,Cầu Q2", "Q2,Cầu Q2,extra", "projects.csv:3: expected 20 fields"),
    ] {
        let tmp = copy();
        let path = tmp.path().join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{file}: {from}");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
        // Last year's scenario is read by the commands that compare with it.
        let commands: &[&str] =
            if file.starts_with("2024") { &["report", "rank"] } else { &["report", "reconcile", "rank"] };
        for cmd in commands {
            let out = tmp.path().join("out.md");
            let run = run_cli([
                cmd.as_ref(),
                tmp.path().as_os_str(),
                "-o".as_ref(),
                out.as_os_str(),
                "--lang".as_ref(),
                "en".as_ref(),
            ]);
            let cmd = *cmd;
            assert_eq!(run.code, 2, "{cmd} {file}: {}", run.stderr);
            assert!(run.stderr.contains(want), "{cmd} {file}: want {want}\n{}", run.stderr);
            assert!(!out.exists(), "{cmd} wrote output on bad input");
        }
    }
}
