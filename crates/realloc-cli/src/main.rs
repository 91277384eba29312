//! The `realloc` binary: parses the command line, runs the command, maps the outcome to an exit code.

fn main() {
    let code =
        realloc_cli::run(std::env::args_os(), &mut std::io::stdout().lock(), &mut std::io::stderr().lock());
    std::process::exit(code);
}
