//! civscore scores civilized-city (文明城市) creation assessments: a rubric of measurement
//! indicators in YAML, inspection records in CSV, and ranked monthly, quarterly and yearly
//! results with every point explainable. See SPEC.md for the contract.

pub mod builtin;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod doc;
pub mod engine;
pub mod error;
pub mod explain;
#[doc(hidden)]
pub mod fuzz;
pub mod fxhash;
pub mod globs;
pub mod i18n;
pub mod input;
mod ods_extent;
pub mod period;
pub mod pipeline;
pub mod ranking;
pub mod read;
pub mod render;
pub mod rubric;
pub mod rules;
pub mod spill;
pub mod suggest;
pub mod tally;
pub mod units;
pub mod write;
mod xls_extent;
mod xlsx_extent;
pub mod yaml;

pub use error::Error;

use cli::{Cli, Command, RubricsAction};

/// The settings of the commands that read records and print tables: flags over the project
/// file over defaults.
fn prepare(
    input: &cli::InputArgs,
    period: &Option<String>,
    all: bool,
    output: &cli::OutputArgs,
    lang: Option<rubric::Lang>,
) -> Result<(cmd::Inputs, cmd::Selection, cmd::Output), Error> {
    let project = config::load()?;
    let inputs = input.to_inputs(&project, period.as_deref())?;
    let output = output.to_output(&project, lang)?;
    let outputs = [inputs.rejects.as_deref(), output.path.as_deref()];
    write::file::check(&outputs, &inputs.files())?;
    Ok((inputs, cli::selection(period, all)?, output))
}

/// Runs a parsed command line. Its output files are put in place only when it has succeeded.
pub fn run(cli: Cli) -> Result<(), Error> {
    write::file::finish(dispatch(cli))
}

fn dispatch(cli: Cli) -> Result<(), Error> {
    let project = || config::load();
    let lang = cli::lang(cli.lang.as_deref())?;
    match cli.command {
        Command::Score {
            input,
            period,
            all,
            by,
            output,
        } => {
            let by_category = match by.as_deref().map(str::trim) {
                None => false,
                Some("category" | "categories" | "分项" | "类别") => true,
                Some(other) => {
                    return Err(Error::Usage(i18n::usage::unknown_by(i18n::ui(), other)));
                }
            };
            let (inputs, selection, output) = prepare(&input, &period, all, &output, lang)?;
            cmd::score::run(&inputs, selection, &output, by_category)
        }
        Command::Explain {
            input,
            unit,
            period,
            all,
            output,
        } => {
            let (inputs, selection, output) = prepare(&input, &period, all, &output, lang)?;
            cmd::explain::run(&inputs, &unit, selection, &output)
        }
        Command::Report {
            input,
            period,
            output,
            format,
            top,
            yellow,
            red,
        } => {
            let project = project()?;
            let inputs = input.to_inputs(&project, period.as_deref())?;
            let period = match period {
                Some(p) => Some(p.parse().map_err(Error::Usage)?),
                None => None,
            };
            let settings =
                report_settings(&project, &inputs, (output, format), top, yellow, red, lang)?;
            cmd::report::run(&inputs, period, &settings)
        }
        Command::Check { rubric } => {
            let project = project()?;
            let rubric = rubric.or(project.rubric);
            cmd::check::run(rubric.as_deref(), lang.or(project.lang))
        }
        Command::Validate { input } => cmd::validate::run(&input.to_inputs(&project()?, None)?),
        Command::Config { rubric, units } => cmd::project::config(&project()?, rubric, units, lang),
        Command::Init { dir, rubric } => cmd::project::init(dir.as_deref().unwrap_or("."), &rubric),
        Command::Compare {
            input,
            against,
            period,
            all,
            output,
        } => {
            let (inputs, selection, output) = prepare(&input, &period, all, &output, lang)?;
            cmd::compare::run(&inputs, &against, selection, &output)
        }
        Command::Completions { shell } => cmd::shell::completions(shell),
        Command::Man => cmd::shell::man(),
        Command::Rubrics { action } => match action {
            None => cmd::rubrics::list(),
            Some(RubricsAction::Show { name }) => cmd::rubrics::show(&name),
        },
    }
}

/// A report's format: `--format`, else an `.html`/`.htm` output's, else a workbook; only a
/// workbook or an HTML bulletin, and never one that `-o`'s extension contradicts.
fn report_format(output: Option<&str>, format: Option<&str>) -> Result<render::Format, Error> {
    use render::Format;
    let given = match format {
        Some(f) => Some(f.parse::<Format>().map_err(Error::Usage)?),
        None => None,
    };
    let html = |o: &str| {
        let ext = std::path::Path::new(o).extension();
        let ext = ext.map(|e| e.to_string_lossy().to_lowercase());
        matches!(ext.as_deref(), Some("html" | "htm")).then_some(Format::Html)
    };
    let format = given.or(output.and_then(html)).unwrap_or(Format::Xlsx);
    if !matches!(format, Format::Xlsx | Format::Html) {
        return Err(Error::Usage(i18n::usage::report_format(
            i18n::ui(),
            format.name(),
        )));
    }
    if let Some(o) = output {
        Format::for_output(Some(format), o).map_err(Error::Usage)?;
    }
    Ok(format)
}

/// The report's settings (flags over the project file over defaults), once its output is known
/// to be a workbook that overwrites no input and its escalation days are in order.
fn report_settings(
    project: &config::Project,
    inputs: &cmd::Inputs,
    (output, format): (Option<String>, Option<String>),
    top: Option<usize>,
    yellow: Option<i64>,
    red: Option<i64>,
    lang: Option<rubric::Lang>,
) -> Result<cmd::report::Settings, Error> {
    let format = report_format(output.as_deref(), format.as_deref())?;
    let settings = cmd::report::Settings {
        format,
        top: top.or(project.top).unwrap_or(3),
        yellow: yellow.or(project.yellow).unwrap_or(7),
        red: red.or(project.red).unwrap_or(15),
        lang: lang.or(project.lang),
        output,
        output_dir: project.output_dir.clone(),
    };
    let outputs = [inputs.rejects.as_deref(), settings.output.as_deref()];
    write::file::check(&outputs, &inputs.files())?;
    for (name, days) in [("yellow", settings.yellow), ("red", settings.red)] {
        if days < 0 {
            return Err(Error::Usage(i18n::msg::days_negative(
                i18n::ui(),
                name,
                days,
            )));
        }
    }
    if settings.yellow > settings.red {
        let (y, r) = (settings.yellow, settings.red);
        return Err(Error::Usage(i18n::usage::yellow_above_red(
            i18n::ui(),
            y,
            r,
        )));
    }
    Ok(settings)
}
