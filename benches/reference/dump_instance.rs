//! Writes a random optimisation instance for the reference script: `model.csv` (one row per portfolio
//! row), `constraints.json`, the LP export `model.lp`, and realloc's own answer and time in
//! `realloc.json`.
//!
//! `cargo run --release -p realloc-benches --example dump_instance -- DIR ROWS SEED [crossing|nested] [MIN_TRANSFER_MILLION]`

use std::fmt::Write as _;
use std::time::Instant;

use realloc::model::SideConstraintKind;
use realloc::optimize::random::{RandomOptions, instance};
use realloc::optimize::{export_lp, propose};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let dir = std::path::PathBuf::from(
        args.get(1).ok_or("usage: dump_instance DIR ROWS SEED [crossing|nested] [MIN_TRANSFER_MILLION]")?,
    );
    let rows: usize = args.get(2).map_or(Ok(50_000), |s| s.parse())?;
    let seed: u64 = args.get(3).map_or(Ok(1), |s| s.parse())?;
    let mut opts = RandomOptions::new(rows, seed);
    opts.nested_investors = args.get(4).map(String::as_str) != Some("crossing");
    opts.min_transfer_million = args.get(5).map_or(Ok(1), |s| s.parse())?;
    let (portfolio, model) = instance(&opts);
    std::fs::create_dir_all(&dir)?;
    let mut csv = String::from(
        "row,id,source,locality,investor,plan_vnd,releasable_vnd,absorbable_vnd,value_in,value_out\n",
    );
    for (i, (p, b)) in portfolio.rows().iter().zip(&model.rows).enumerate() {
        writeln!(
            csv,
            "{i},{},{},\"{}\",\"{}\",{},{},{},{:?},{:?}",
            p.id,
            p.source,
            p.locality,
            p.investor,
            p.plan.dong(),
            b.releasable.dong(),
            b.absorbable.dong(),
            b.value_in,
            b.value_out
        )?;
    }
    std::fs::write(dir.join("model.csv"), csv)?;
    let mut constraints = Vec::new();
    for c in &model.constraints {
        constraints.push(match &c.kind {
            SideConstraintKind::LocalityLossShare { max_share } => {
                format!("{{\"kind\": \"locality\", \"max_share\": {max_share:?}}}")
            }
            SideConstraintKind::InvestorLossShare { max_share } => {
                format!("{{\"kind\": \"investor\", \"max_share\": {max_share:?}}}")
            }
            SideConstraintKind::PoolMoveCap { max, .. } => {
                format!("{{\"kind\": \"pool\", \"max_vnd\": {}}}", max.dong())
            }
            _ => return Err("unknown constraint kind".into()),
        });
    }
    let settings = format!(
        "{{\"min_unit_vnd\": {}, \"min_transfer_vnd\": {}, \"constraints\": [{}]}}",
        model.settings.min_unit.dong(),
        model.settings.min_transfer.dong(),
        constraints.join(", ")
    );
    std::fs::write(dir.join("constraints.json"), settings)?;
    std::fs::write(dir.join("model.lp"), export_lp(&portfolio, &model)?)?;
    let start = Instant::now();
    let proposal = propose(&portfolio, &model)?;
    let seconds = start.elapsed().as_secs_f64();
    let methods: Vec<String> = proposal.pools.iter().map(|p| format!("\"{}\"", p.method)).collect();
    std::fs::write(
        dir.join("realloc.json"),
        format!(
            "{{\"objective\": {:?}, \"moved_vnd\": {}, \"seconds\": {seconds}, \"methods\": [{}]}}\n",
            proposal.objective,
            proposal.moved.dong(),
            methods.join(", ")
        ),
    )?;
    println!(
        "{}: objective {:.6}, {:.1} ms ({})",
        dir.display(),
        proposal.objective,
        seconds * 1e3,
        methods.join(", ")
    );
    Ok(())
}
