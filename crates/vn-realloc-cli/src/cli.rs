//! The command line: every command, option and its help text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Advise a province on moving planned public-investment capital from slow-disbursing projects to
/// fast, key or near-complete ones, within each capital source.
///
/// A scenario is a folder with `scenario.toml`, `projects.csv` and optionally `disbursements.csv`
/// (amounts in million VND). Start with `realloc validate`, then `realloc propose`.
#[derive(Debug, Parser)]
#[command(name = "realloc", version = realloc::LONG_VERSION, about, long_about, propagate_version = true, max_term_width = 100)]
#[command(
    after_help = "Examples:\n  realloc validate scenarios/lang-son-2025-q3\n  realloc propose scenarios/lang-son-2025-q3                  (a summary on a terminal)\n  realloc propose scenarios/lang-son-2025-q3 -o to-trinh.docx\n  realloc propose scenarios/lang-son-2025-q3 -o proposal.json --lang en\n  realloc compare proposal.json scenarios/lang-son-2025-q3\n  realloc rules export -o my-rules.toml\n  realloc generate --rows 50000 --seed 7 -o /tmp/national\n\nOutputs: the extension of -o chooses the format (each command's --help lists its formats); one\nline on standard error per file written (-q: none). REALLOC_LANG and REALLOC_RULES give the\ndefaults of --lang and --rules.\n\nInputs: a scenario's files stay inside its folder (see --allow-outside); an input file is at most\n512 MiB, a workbook at most 256 MiB inflated, a header at most 1,000 columns (README, \"Limits\").\n\nExit status: 0 success, 2 bad input or usage, 1 any other failure (such as a closed standard\noutput). Outputs are written all or none."
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// Read input files that `scenario.toml` names outside the scenario folder (an absolute path, a
    /// path with `..`, or a symlink pointing out); without it they are refused and never opened.
    #[arg(long, global = true)]
    pub allow_outside: bool,
    /// Options every command takes.
    #[command(flatten)]
    pub global: GlobalArgs,
}

/// The options of every command: language, verbosity, message format.
#[derive(Clone, Debug, Args)]
pub struct GlobalArgs {
    /// Language of documents, summaries and numbers: Vietnamese `1.234.567,8` or English
    /// `1,234,567.8`. JSON and CSV do not depend on it.
    #[arg(long, value_enum, global = true, env = "REALLOC_LANG", default_value_t = DocLang::Vi)]
    pub lang: DocLang,
    /// Say more on standard error: the time each stage took (load, rules, optimise, document,
    /// write).
    #[arg(short, long, global = true, conflicts_with = "quiet")]
    pub verbose: bool,
    /// Say nothing on standard error but errors and warnings (no "wrote FILE" lines).
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// How errors and warnings are written on standard error: `human` text, or `json`, one JSON
    /// object a line with `file`, `line`, `column`, `message` and `severity`.
    #[arg(long, value_enum, global = true, value_name = "FORMAT", default_value_t = MessageFormat::Human)]
    pub message_format: MessageFormat,
    /// Print the terminal summary (`always`), the full document (`never`), or decide by whether
    /// standard output is a terminal (`auto`).
    #[arg(long, value_enum, global = true, hide = true, value_name = "WHEN", default_value_t = When::Auto)]
    pub summary: When,
}

/// How diagnostics are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum MessageFormat {
    /// Text for people.
    #[default]
    Human,
    /// One JSON object a line.
    Json,
}

/// When the terminal summary replaces the document on standard output.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum When {
    /// When standard output is a terminal.
    #[default]
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a scenario and summarise it: rows, pools, plan, disbursed and rate by capital source.
    ///
    /// Every problem found is listed with its file, line and column; the exit status is then 2.
    Validate(ValidateArgs),
    /// Propose moves of planned capital within each capital source and write the proposal.
    Propose(ProposeArgs),
    /// Write a deterministic synthetic scenario folder of any size, for demos, tests and benchmarks.
    Generate(GenerateArgs),
    /// Compare two proposals side by side: summaries, pools and the rows whose change differs.
    ///
    /// Each side is a scenario folder (run through the same pipeline as `propose`) or a JSON proposal
    /// written by `propose --format json`.
    Compare(CompareArgs),
    /// Group the projects for a review meeting: per obstacle group, pace class, investor and locality
    /// the count, plan, disbursed, rate and releasable capital, with each group's remedy.
    Classify(ClassifyArgs),
    /// Show every rule that matched or did not for one project row, with the values it saw.
    Explain(ExplainArgs),
    /// Replay the year-end forecast from an earlier date with the monthly history and report its error
    /// (mean absolute error, bias) by pace class.
    Backtest(BacktestArgs),
    /// Load and lint a rules file: errors (exit 2) and warnings, each with `file:line`.
    Check(CheckArgs),
    /// Write the Excel input template: sheets `projects` and `disbursements` with their headers and
    /// data validation, and a `notes` sheet explaining each column.
    ///
    /// With `--from SCENARIO` the workbook holds that scenario's rows: a CSV scenario turned into a
    /// workbook that reads back to the đồng.
    Template(TemplateArgs),
    /// Progress report: plan, disbursed and rate at the as-of date and period by period from the
    /// monthly history, by capital source first, with the rows lagging the expected curve.
    Report(ReportArgs),
    /// Emulation ranking of investors or localities against the provincial average rate, with the
    /// change since the previous period, the units to commend and those to call to the review meeting.
    Rank(RankArgs),
    /// Reconcile the investors' reported disbursement with the State Treasury's figures
    /// (`treasury.csv`): differences row by row, rows only one side has, advances by age, totals by
    /// capital source and investor.
    Reconcile(crate::cmd::reconcile::ReconcileArgs),
    /// Write the review-meeting conclusions register (`conclusions.csv`) with this meeting's
    /// conclusions added, one per project in difficulty, to a new file.
    Conclusions(crate::cmd::conclusions::ConclusionsArgs),
    /// Monte Carlo of the year-end disbursement: the probability of reaching a target rate, overall
    /// and per capital source, and the central capital at risk of recall, before and after the proposal.
    ///
    /// Each row's disbursement varies around its forecast with the spread of the rules' `[risk]`
    /// section (by pace class and obstacle group), rows sharing one provincial factor. The same seed
    /// gives the same numbers on any number of cores.
    Risk(RiskArgs),
    /// Re-run the proposal over values of one rules parameter and report, for each, the amount moved,
    /// the objective, the number of transfers and the forecast rate: a frontier table (and chart in HTML).
    Sweep(SweepArgs),
    /// Work with rules files: `realloc rules export` writes the built-in rules for editing.
    Rules(RulesCommandArgs),
    /// The planning session: a local web application (and HTTP JSON API) where a meeting locks,
    /// unlocks, forces or caps rows and changes rules parameters, sees each re-proposal on every
    /// screen, and takes the documents away.
    ///
    /// The adjustments are kept in the overrides file (`overrides.toml` in the scenario folder by
    /// default), which `realloc propose SCENARIO --overrides FILE` reproduces byte for byte; an
    /// existing one is read back at start (the meeting resumes). Listens on 127.0.0.1 only unless
    /// `--bind` says otherwise; then every request needs the token printed at start.
    Serve(ServeArgs),
    /// Print the completion script of a shell (bash, zsh, fish, elvish, powershell).
    ///
    /// For bash: `realloc completions bash > ~/.local/share/bash-completion/completions/realloc`.
    Completions(CompletionsArgs),
    /// Print the manual page (roff), for `man -l -` or a `man1` folder.
    Man(ManArgs),
}

/// Arguments of `rules`.
#[derive(Debug, Args)]
pub struct RulesCommandArgs {
    /// What to do with rules.
    #[command(subcommand)]
    pub action: RulesAction,
}

/// What `realloc rules` does.
#[derive(Debug, Subcommand)]
pub enum RulesAction {
    /// Write the built-in rules (TOML, with a comment citing the legal source of every rule) to edit
    /// them; pass the edited file with `--rules FILE` or name it in `scenario.toml`.
    Export(RulesExportArgs),
}

/// Arguments of `rules export`.
#[derive(Debug, Args)]
pub struct RulesExportArgs {
    /// Where the rules go (`.toml`); standard output when absent.
    #[command(flatten)]
    pub output: OutputArg,
}

/// Arguments of `completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Arguments of `man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Where the page goes (`realloc.1`); standard output when absent.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
}

/// `--rules FILE`, for the commands that apply rules to a scenario (`report` words it for its curve).
#[derive(Debug, Args)]
pub struct RulesArg {
    /// Rules file; the scenario's `rules`, or the built-in rules (`realloc rules export` prints
    /// them), otherwise.
    #[arg(id = "rules", long = "rules", value_name = "FILE", env = "REALLOC_RULES")]
    pub file: Option<PathBuf>,
}

/// `-o FILE`, for the commands that write to a file or to standard output.
#[derive(Debug, Args)]
pub struct OutputArg {
    /// Output file, whose extension chooses the format; standard output when absent (a summary on
    /// a terminal, the whole document in a pipe).
    #[arg(id = "output", short, long = "output", value_name = "FILE")]
    pub file: Option<PathBuf>,
}

/// Format, language and output file of `report` and `rank`.
#[derive(Debug, Args)]
pub struct MonitorOutputArgs {
    /// Output format: md, html, xlsx, json or csv; the output file's extension decides when absent,
    /// else Markdown.
    #[arg(long, value_enum, hide_possible_values = true)]
    pub format: Option<Format>,
    /// Where the output goes.
    #[command(flatten)]
    pub output: OutputArg,
}

/// Options of the Monte Carlo, shared by `risk` and `propose --risk`.
#[derive(Debug, Args)]
pub struct RiskOptionsArgs {
    /// Number of draws.
    #[arg(long, default_value_t = 1000)]
    pub draws: u32,
    /// Random seed: the same seed gives the same numbers.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Target disbursement rate by the deadline, a fraction (0.95 is 95% of plan).
    #[arg(long, default_value_t = 0.95)]
    pub target: f64,
    /// Replace the pace spreads by the errors of a backtest over the scenario's monthly history
    /// (replayed from three months before `as_of`).
    #[arg(long)]
    pub calibrate: bool,
}

/// Arguments of `risk`.
#[derive(Debug, Args)]
pub struct RiskArgs {
    /// Scenario folder (holding `scenario.toml`).
    pub scenario: PathBuf,
    /// The rules.
    #[command(flatten)]
    pub rules: RulesArg,
    /// The Monte Carlo.
    #[command(flatten)]
    pub risk: RiskOptionsArgs,
    /// Output format: md, html, xlsx or json; the output file's extension decides when absent, else
    /// Markdown.
    #[arg(long, value_enum, hide_possible_values = true)]
    pub format: Option<Format>,
    /// Where the output goes.
    #[command(flatten)]
    pub output: OutputArg,
}

/// Arguments of `sweep`.
#[derive(Debug, Args)]
pub struct SweepArgs {
    /// Scenario folder (holding `scenario.toml`).
    pub scenario: PathBuf,
    /// The rules.
    #[command(flatten)]
    pub rules: RulesArg,
    /// The rules parameter to vary: `min_transfer`, `min_unit` (million VND), `locality_cap`,
    /// `investor_cap` (shares), `pool_move_cap` (million VND) or any `[params]` entry.
    #[arg(long, value_name = "NAME")]
    pub param: String,
    /// The values to try, comma-separated (such as `10,50,100,200`).
    #[arg(long, value_name = "V,...", value_delimiter = ',', num_args = 1.., required = true)]
    pub values: Vec<f64>,
    /// Output format: md, html, xlsx, json or csv; the output file's extension decides when absent,
    /// else Markdown.
    #[arg(long, value_enum, hide_possible_values = true)]
    pub format: Option<Format>,
    /// Where the output goes.
    #[command(flatten)]
    pub output: OutputArg,
}

/// Period of `report` columns, or of the previous cut of `rank`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PeriodArg {
    /// Months.
    Month,
    /// Quarters.
    Quarter,
    /// The plan year.
    Year,
}

/// Second-level grouping of `report`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportBy {
    /// Capital source only.
    Source,
    /// Source, then investor.
    Investor,
    /// Source, then commune or ward.
    Locality,
    /// Source, then sector.
    Sector,
}

/// Units of `rank`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RankByArg {
    /// Investors (chủ đầu tư).
    Investor,
    /// Communes and wards.
    Locality,
}

/// Arguments of `report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Scenario folder (holding `scenario.toml`).
    pub scenario: PathBuf,
    /// Columns by month, quarter or year (needs the monthly history).
    #[arg(long, value_enum, default_value_t = PeriodArg::Month)]
    pub period: PeriodArg,
    /// Group each capital source further by investor, locality or sector.
    #[arg(long, value_enum, default_value_t = ReportBy::Source)]
    pub by: ReportBy,
    /// A row lags when its rate is below the expected curve minus this many percentage points.
    #[arg(long, value_name = "POINTS", default_value_t = 0.0)]
    pub lag_margin: f64,
    /// Rules file giving the expected curve; the scenario's `rules`, or the built-in rules, otherwise.
    #[arg(long, value_name = "FILE", env = "REALLOC_RULES")]
    pub rules: Option<PathBuf>,
    /// Last year's scenario folder, for the same period last year (instead of `previous_year`).
    #[arg(long, value_name = "DIR")]
    pub previous_year: Option<PathBuf>,
    /// Format, language and output file.
    #[command(flatten)]
    pub out: MonitorOutputArgs,
}

/// Arguments of `rank`.
#[derive(Debug, Args)]
pub struct RankArgs {
    /// Scenario folder (holding `scenario.toml`).
    pub scenario: PathBuf,
    /// Rank investors or localities.
    #[arg(long, value_enum, default_value_t = RankByArg::Investor)]
    pub by: RankByArg,
    /// The previous period of the change column: one month or one quarter earlier.
    #[arg(long, value_enum, default_value_t = PeriodArg::Month)]
    pub period: PeriodArg,
    /// How many units above the provincial average to commend.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub commend: usize,
    /// How many units below the average (largest undisbursed first) to call to the review meeting.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub review: usize,
    /// Smallest plan, in million VND, for a unit to be commended; by default the median plan of the
    /// units ranked.
    #[arg(long, value_name = "MILLION_VND")]
    pub min_plan: Option<String>,
    /// Last year's scenario folder, for the same period last year (instead of `previous_year`).
    #[arg(long, value_name = "DIR")]
    pub previous_year: Option<PathBuf>,
    /// Format, language and output file.
    #[command(flatten)]
    pub out: MonitorOutputArgs,
}

/// Arguments of `template`.
#[derive(Debug, Args)]
pub struct TemplateArgs {
    /// Output workbook (`.xlsx`); headers and notes in the language of `--lang` (both languages'
    /// headers are read back).
    #[arg(short, long, value_name = "FILE.xlsx")]
    pub output: PathBuf,
    /// Fill the workbook with this scenario's rows and monthly history.
    #[arg(long, value_name = "SCENARIO")]
    pub from: Option<PathBuf>,
}

/// Arguments of `classify`.
#[derive(Debug, Args)]
pub struct ClassifyArgs {
    /// Scenario folder (holding `scenario.toml`).
    pub scenario: PathBuf,
    /// The rules.
    #[command(flatten)]
    pub rules: RulesArg,
    /// Output format: md, html, xlsx, json or csv (one table with a `section` column); the output
    /// file's extension decides when absent, else Markdown.
    #[arg(long, value_enum, hide_possible_values = true)]
    pub format: Option<Format>,
    /// Where the output goes.
    #[command(flatten)]
    pub output: OutputArg,
}

/// Arguments of `explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Scenario folder (holding `scenario.toml`).
    pub scenario: PathBuf,
    /// Project id.
    pub id: String,
    /// Capital source of the row, needed when the project has several.
    #[arg(long, value_name = "SOURCE")]
    pub source: Option<String>,
    /// The rules.
    #[command(flatten)]
    pub rules: RulesArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t = SummaryFormat::Text)]
    pub format: SummaryFormat,
}

/// Arguments of `backtest`.
#[derive(Debug, Args)]
pub struct BacktestArgs {
    /// Scenario folder (holding `scenario.toml` and a monthly history).
    pub scenario: PathBuf,
    /// Replay date (YYYY-MM-DD); the end of the month three months before `as_of` by default.
    #[arg(long, value_name = "DATE")]
    pub at: Option<String>,
    /// The rules.
    #[command(flatten)]
    pub rules: RulesArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t = SummaryFormat::Text)]
    pub format: SummaryFormat,
}

/// Arguments of `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Rules file (TOML).
    pub rules: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = SummaryFormat::Text)]
    pub format: SummaryFormat,
}

/// Output format of `validate`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SummaryFormat {
    /// A table for people.
    Text,
    /// JSON for tools.
    Json,
}

/// Arguments of `validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Scenario folder (holding `scenario.toml`).
    pub scenario: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = SummaryFormat::Text)]
    pub format: SummaryFormat,
}

/// The formats of the output files. Which a command writes: `realloc COMMAND --help`; an output
/// file's extension chooses it (`.json`, `.md`, `.html`, `.xlsx`, `.csv`, `.docx`, `.toml`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// JSON for tools (amounts in đồng, rates as fractions).
    Json,
    /// A Markdown document, for review or conversion to Word.
    Md,
    /// One self-contained, print-friendly HTML file.
    Html,
    /// An Excel workbook (needs `-o FILE.xlsx`).
    Xlsx,
    /// CSV (amounts in million VND, '.' decimals).
    Csv,
    /// A Word document (needs `-o FILE.docx`).
    Docx,
    /// A TOML rules file (`rules export`; chosen by the extension only).
    #[value(skip)]
    Toml,
}

/// Language of the documents.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum DocLang {
    /// Vietnamese (the default): 1.234.567,8 and 30/09/2025.
    #[default]
    Vi,
    /// English: 1,234,567.8 and 30 September 2025.
    En,
}

impl From<DocLang> for realloc::report::Lang {
    fn from(l: DocLang) -> Self {
        match l {
            DocLang::Vi => realloc::report::Lang::Vi,
            DocLang::En => realloc::report::Lang::En,
        }
    }
}

/// Arguments of `compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The first side: a scenario folder or a JSON proposal (named by its file or folder name).
    pub a: PathBuf,
    /// The second side: a scenario folder or a JSON proposal.
    pub b: PathBuf,
    /// Output format: md, html, xlsx or json; the output file's extension decides when absent, else
    /// Markdown.
    #[arg(long, value_enum, hide_possible_values = true)]
    pub format: Option<Format>,
    /// Where the output goes.
    #[command(flatten)]
    pub output: OutputArg,
}

/// Arguments of `propose`.
#[derive(Debug, Args)]
pub struct ProposeArgs {
    /// Scenario folder (holding `scenario.toml`).
    pub scenario: PathBuf,
    /// The rules.
    #[command(flatten)]
    pub rules: RulesArg,
    /// Output format: json (the contract for tools), md, html, xlsx (Summary, Groups, Donors,
    /// Recipients, Transfers sheets with charts), csv (every row with its change) or docx (the
    /// submission in the Decree 30/2020/NĐ-CP layout with its appendices and draft Decision); the
    /// output file's extension decides when absent, else JSON.
    #[arg(long, value_enum, hide_possible_values = true)]
    pub format: Option<Format>,
    /// Where the output goes.
    #[command(flatten)]
    pub output: OutputArg,
    /// Also write the optimised model in CPLEX LP format, for audit in any LP/MIP solver.
    #[arg(long, value_name = "FILE")]
    pub export_lp: Option<PathBuf>,
    /// Add an annex on the risk of missing the target (a Monte Carlo, as `realloc risk`).
    #[arg(long)]
    pub risk: bool,
    /// The Monte Carlo of `--risk`.
    #[command(flatten)]
    pub risk_options: RiskOptionsArgs,
    /// Only the part of one deciding authority (a code of the rules' authority table: `ubnd_tinh`,
    /// `hdnd_tinh`, `trung_uong`), with its appendix; every part by default.
    #[arg(long, value_name = "CODE")]
    pub authority: Option<String>,
    /// Apply the adjustments of a planning session (TOML: `[[lock]]`, `[[unlock]]`, `[[set]]`,
    /// `[params]`; README, "Adjustments"); the proposal lists them.
    #[arg(long, value_name = "FILE")]
    pub overrides: Option<PathBuf>,
    /// The solver.
    #[command(flatten)]
    pub solver: SolverArg,
}

/// Arguments of `serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Scenario folder or workbook; without it the page asks for a workbook to upload (kept in the
    /// current folder).
    pub scenario: Option<PathBuf>,
    /// Port to listen on; 0 takes any free port (the address is printed).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Address to listen on; anything but a loopback address makes a token that every request must
    /// carry.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// The overrides file the session keeps and resumes from; `overrides.toml` in the scenario folder
    /// (`NAME.overrides.toml` beside a workbook) by default.
    #[arg(long, value_name = "FILE")]
    pub overrides: Option<PathBuf>,
    /// The rules.
    #[command(flatten)]
    pub rules: RulesArg,
}

/// Arguments of `generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Number of project rows.
    #[arg(long, default_value_t = 400)]
    pub rows: usize,
    /// Random seed: the same seed gives the same files, byte for byte.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Plan year.
    #[arg(long, default_value_t = 2025)]
    pub fiscal_year: i32,
    /// Date the figures describe (YYYY-MM-DD); 30 September of the plan year by default.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Last disbursement date (YYYY-MM-DD); 31 January after the plan year by default.
    #[arg(long, value_name = "DATE")]
    pub deadline: Option<String>,
    /// Scenario name written in `scenario.toml`.
    #[arg(long)]
    pub name: Option<String>,
    /// Province written in `scenario.toml` and used in province-wide project names.
    #[arg(long)]
    pub province: Option<String>,
    /// Total plan in million VND (such as 6300000); 6,300 bn VND per 400 rows by default.
    #[arg(long, value_name = "MILLION_VND")]
    pub total_plan: Option<String>,
    /// Output folder; created if missing, refused if it already holds a scenario.
    #[arg(short, long, value_name = "DIR")]
    pub output: PathBuf,
}

/// `--solver`: which solver optimises.
#[derive(Debug, Args)]
pub struct SolverArg {
    /// The solver: `builtin` (the exact per-pool solver, pure Rust) or `highs` (each pool's whole
    /// model solved by HiGHS, an independent exact check; only in a build with the `highs` feature:
    /// `cargo install vn-realloc-cli --features highs`, which needs cmake, a C++ compiler and
    /// libclang). The binding constraints are priced with the built-in solver either way.
    #[arg(long, value_enum, default_value_t = Solver::Builtin)]
    pub solver: Solver,
}

/// The solvers of `--solver`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Solver {
    /// The exact per-pool solver (greedy, min-cost flow, branch and bound for `min_transfer`).
    #[default]
    Builtin,
    /// HiGHS, when built with the `highs` feature.
    Highs,
}

impl Solver {
    /// The library's method, or a bad-input error when this build lacks the solver.
    pub fn method(self) -> anyhow::Result<realloc::optimize::Method> {
        let method = match self {
            Solver::Builtin => realloc::optimize::Method::Auto,
            Solver::Highs => realloc::optimize::Method::Highs,
        };
        if !method.is_available() {
            return Err(crate::output::bad_input(
                "--solver highs: this realloc was built without HiGHS; install one that has it with `cargo install vn-realloc-cli --features highs` (building HiGHS needs cmake, a C++ compiler and libclang: `apt-get install cmake g++ libclang-dev`)",
            ));
        }
        Ok(method)
    }
}
