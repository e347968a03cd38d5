//! civscore scores civilized-city (文明城市) creation assessments: a rubric of measurement
//! indicators in YAML, inspection records in CSV, and ranked monthly, quarterly and yearly
//! results with every point explainable. See SPEC.md for the contract.

pub mod builtin;
pub mod cli;
pub mod cmd;
pub mod engine;
pub mod error;
pub mod explain;
#[doc(hidden)]
pub mod fuzz;
pub mod input;
pub mod labels;
pub mod period;
pub mod ranking;
pub mod records;
pub mod render;
pub mod rubric;
pub mod rules;
pub mod suggest;
pub mod units;
pub mod yaml;

pub use error::Error;

use cli::{Cli, Command, RubricsAction};

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<(), Error> {
    match cli.command {
        Command::Score {
            input,
            period,
            all,
            output,
        } => {
            let inputs = input.to_inputs()?;
            let output = output.to_output()?;
            let selection = cli::selection(&period, all)?;
            cmd::score::run(&inputs, selection, &output)
        }
        Command::Explain {
            input,
            unit,
            period,
            all,
            output,
        } => {
            let inputs = input.to_inputs()?;
            let output = output.to_output()?;
            let selection = cli::selection(&period, all)?;
            cmd::explain::run(&inputs, &unit, selection, &output)
        }
        Command::Report {
            input,
            period,
            output,
            top,
            yellow,
            red,
            lang,
        } => {
            let inputs = input.to_inputs()?;
            let period = match period {
                Some(p) => Some(p.parse().map_err(Error::Usage)?),
                None => None,
            };
            let lang = match lang {
                Some(l) => Some(
                    l.parse()
                        .map_err(|e| Error::Usage(format!("--lang: {e}")))?,
                ),
                None => None,
            };
            if yellow > red {
                return Err(Error::Usage(format!(
                    "--yellow {yellow} is above --red {red}: yellow comes first"
                )));
            }
            let settings = cmd::report::Settings {
                top,
                yellow,
                red,
                lang,
                output,
            };
            cmd::report::run(&inputs, period, &settings)
        }
        Command::Check { rubric } => cmd::check::run(rubric.as_deref()),
        Command::Validate { input } => cmd::validate::run(&input.to_inputs()?),
        Command::Rubrics { action } => match action {
            None => cmd::rubrics::list(),
            Some(RubricsAction::Show { name }) => cmd::rubrics::show(&name),
        },
    }
}
