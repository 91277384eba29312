use realloc::load::*;
fn main() {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).unwrap());
    let mode = std::env::args().nth(2).unwrap();
    let n: usize = std::env::args().nth(3).map_or(20, |s| s.parse().unwrap());
    let p = std::fs::read(dir.join("projects.csv")).unwrap();
    let h = std::fs::read(dir.join("disbursements.csv")).unwrap();
    let t = std::fs::read(dir.join("scenario.toml")).unwrap();
    let (meta, _) = parse_scenario_toml(&t, "s");
    let meta = meta.unwrap();
    let (table, _) = parse_projects_table(&p, "p");
    for _ in 0..n {
        match mode.as_str() {
            "projects" => {
                std::hint::black_box(parse_projects_table(&p, "p"));
            }
            "history" => {
                std::hint::black_box(parse_disbursements(&h, "h", &table, &meta));
            }
            "sha" => {
                std::hint::black_box((sha256_hex(&p), sha256_hex(&h)));
            }
            "load" => {
                std::hint::black_box(load_scenario(&dir).unwrap());
            }
            "none" => {}
            _ => panic!(),
        }
    }
}
