//! Times each stage of the `propose` pipeline once per run on a scenario folder: a quick profile to
//! see where the time goes, not a benchmark (`cargo bench` is). Usage:
//! `cargo run --release -p realloc-benches --example stages -- DIR`.

use std::time::Instant;

use realloc::load::load_scenario;
use realloc::optimize::propose;
use realloc::report::{ProposalDocument, RulesIdentity, constraint_costs};
use realloc::rules::Rules;

fn main() {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: stages SCENARIO_DIR");
        std::process::exit(2);
    };
    for _ in 0..3 {
        let t = Instant::now();
        let loaded = match load_scenario(std::path::Path::new(&dir)) {
            Ok(l) => l,
            Err(e) => {
                eprintln!("{e}\n{}", e.diagnostics);
                std::process::exit(2);
            }
        };
        let t_load = t.elapsed();
        let rules = Rules::builtin();
        let assessment = rules.assess(&loaded.scenario);
        let t_assess = t.elapsed();
        let Ok(proposal) = propose(&loaded.scenario.portfolio, &assessment.model) else {
            eprintln!("the model cannot be optimised");
            std::process::exit(1);
        };
        let t_propose = t.elapsed();
        let costs = constraint_costs(&loaded.scenario.portfolio, &assessment.model, &proposal);
        let t_costs = t.elapsed();
        let id = RulesIdentity { name: rules.name.clone(), sha256: rules.sha256().to_owned() };
        let doc = ProposalDocument::build(&loaded.scenario, &id, &assessment, &proposal);
        let t_build = t.elapsed();
        let json = doc.to_json_bytes();
        let t_json = t.elapsed();
        println!(
            "load {t_load:?} assess {:?} propose {:?} costs {:?} ({} constraints) build {:?} json {:?} ({} bytes)",
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
