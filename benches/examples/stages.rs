//! Times each stage of the `propose` pipeline once per run on a scenario folder, then the library's
//! whole pipeline (`realloc::pipeline`, what `realloc propose` runs: pricing the constraints beside
//! the document build): a quick profile to see where the time goes, not a benchmark (`cargo bench`
//! is). Usage: `cargo run --release -p realloc-benches --example stages -- DIR`.

use std::path::Path;
use std::time::Instant;

use realloc::optimize::propose;
use realloc::pipeline::Pipeline;
use realloc::report::{ProposalDocument, RulesIdentity, constraint_costs};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Minor page faults, peak resident memory (MB) and CPU time (user + system, ms) so far (Linux; zeros
/// elsewhere).
fn mem() -> (u64, u64, u64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let field = |n: usize| -> u64 {
        stat.rsplit(')')
            .next()
            .and_then(|t| t.split_whitespace().nth(n))
            .and_then(|f| f.parse().ok())
            .unwrap_or(0)
    };
    // utime and stime are in clock ticks, 100 a second on Linux.
    let (faults, cpu_ms) = (field(7), (field(11) + field(12)) * 10);
    let hwm = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|k| k.parse().ok())
        })
        .unwrap_or(0);
    (faults, hwm / 1024, cpu_ms)
}

fn main() {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: stages SCENARIO_DIR");
        std::process::exit(2);
    };
    let dir = Path::new(&dir);
    for _ in 0..3 {
        let t = Instant::now();
        // Loading and choosing the rules as `realloc propose` does.
        let prepared = match Pipeline::new().prepare_dir(dir) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("error: {e}");
                std::process::exit(if e.is_bad_input() { 2 } else { 1 });
            }
        };
        let (scenario, rules) = (&prepared.scenario, &prepared.rules);
        let t_load = t.elapsed();
        let m_load = mem();
        let assessment = rules.assess(scenario);
        let t_assess = t.elapsed();
        let m_assess = mem();
        let Ok(proposal) = propose(&scenario.portfolio, &assessment.model) else {
            eprintln!("the model cannot be optimised");
            std::process::exit(1);
        };
        let t_propose = t.elapsed();
        let m_propose = mem();
        let costs = constraint_costs(&scenario.portfolio, &assessment.model, &proposal);
        let t_costs = t.elapsed();
        let m_costs = mem();
        let id = RulesIdentity { name: rules.name.clone(), sha256: rules.sha256().to_owned() };
        let doc = ProposalDocument::build(scenario, &id, &assessment, &proposal);
        let t_build = t.elapsed();
        let m_build = mem();
        let json = doc.to_json_bytes();
        let t_json = t.elapsed();
        let m_json = mem();
        println!(
            "minor faults / peak MB / CPU ms after: load {m_load:?} assess {m_assess:?} propose {m_propose:?} costs {m_costs:?} build {m_build:?} json {m_json:?}"
        );
        drop((doc, proposal, assessment, prepared));
        let t_whole = Instant::now();
        let _bytes = match Pipeline::new().run_dir(dir) {
            Ok(run) => run.document.to_json_bytes().len(),
            Err(e) => {
                eprintln!("error: {e}");
                std::process::exit(1);
            }
        };
        let t_whole = t_whole.elapsed();
        println!(
            "load {t_load:?} assess {:?} propose {:?} costs {:?} ({} constraints) build {:?} json {:?} ({} bytes); whole pipeline + json {t_whole:?}",
            t_assess - t_load,
            t_propose - t_assess,
            t_costs - t_propose,
            costs.len(),
            t_build - t_costs,
            t_json - t_build,
            json.len()
        );
    }
}
