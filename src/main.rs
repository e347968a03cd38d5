use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = match civscore::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match civscore::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            for line in e.lines() {
                eprintln!("error: {line}");
            }
            ExitCode::from(e.exit_code())
        }
    }
}
