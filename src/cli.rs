//! The command line (clap), turned once into the typed settings the commands take. Its shape is
//! declared here; its words (what each command and flag is for, the examples) are in
//! `i18n/help.rs`, in English and Chinese, put on by [`command`].

use std::ffi::OsString;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::cmd::{Inputs, Output, Selection};
use crate::config::Project;
use crate::error::Error;
use crate::i18n::{ui, usage};
use crate::input::{ReadConfig, ReadOptions};
use crate::period::{Period, parse_date};
use crate::render::Format;
use crate::rubric::Lang;

#[derive(Parser, Debug)]
#[command(name = "civscore", version, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    // Accepted by every command, anywhere on the line: the language of tables, and of help,
    // notes and errors (see `i18n::lang`).
    #[arg(long, global = true, value_name = "LANG", display_order = 900)]
    pub lang: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    Score {
        #[command(flatten)]
        input: InputArgs,
        #[arg(long, conflicts_with = "all")]
        period: Option<String>,
        #[arg(long)]
        all: bool,
        #[arg(long, value_name = "BY")]
        by: Option<String>,
        #[command(flatten)]
        output: OutputArgs,
    },
    Explain {
        #[command(flatten)]
        input: InputArgs,
        #[arg(long, value_name = "UNIT")]
        unit: String,
        #[arg(long, conflicts_with = "all")]
        period: Option<String>,
        #[arg(long)]
        all: bool,
        #[command(flatten)]
        output: OutputArgs,
    },
    Report {
        #[command(flatten)]
        input: InputArgs,
        #[arg(long)]
        period: Option<String>,
        #[arg(long, short, value_name = "FILE")]
        output: Option<String>,
        #[arg(long, value_name = "FORMAT")]
        format: Option<String>,
        #[arg(long)]
        top: Option<usize>,
        #[arg(long)]
        yellow: Option<i64>,
        #[arg(long)]
        red: Option<i64>,
    },
    Check {
        rubric: Option<String>,
    },
    Validate {
        #[command(flatten)]
        input: InputArgs,
    },
    Config {
        #[arg(long, value_name = "FILE|NAME")]
        rubric: Option<String>,
        #[arg(long, value_name = "FILE")]
        units: Option<String>,
    },
    Init {
        dir: Option<String>,
        #[arg(long, default_value = "community", value_name = "NAME")]
        rubric: String,
    },
    Compare {
        #[command(flatten)]
        input: InputArgs,
        #[arg(long, value_name = "FILE|NAME")]
        against: String,
        #[arg(long, conflicts_with = "all")]
        period: Option<String>,
        #[arg(long)]
        all: bool,
        #[command(flatten)]
        output: OutputArgs,
    },
    Completions {
        shell: clap_complete::Shell,
    },
    Man,
    Rubrics {
        #[command(subcommand)]
        action: Option<RubricsAction>,
    },
}

#[derive(Subcommand, Debug)]
pub enum RubricsAction {
    Show { name: String },
}

#[derive(Args, Debug)]
pub struct InputArgs {
    #[arg(value_name = "RECORDS")]
    pub records: Vec<String>,
    #[arg(long, value_name = "FILE|NAME")]
    pub rubric: Option<String>,
    #[arg(long, value_name = "FILE")]
    pub units: Option<String>,
    #[arg(long, value_name = "SHEET")]
    pub units_sheet: Option<String>,
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    #[arg(long)]
    pub skip_invalid: bool,
    #[arg(long)]
    pub strict_columns: bool,
    #[arg(long)]
    pub dedupe: bool,
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<String>,
    #[arg(long, default_value = "auto")]
    pub encoding: String,
    #[arg(long)]
    pub lossy: bool,
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub header_row: Option<u64>,
    #[arg(long, short)]
    pub quiet: bool,
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
}

#[derive(Args, Debug)]
pub struct OutputArgs {
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<String>,
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<String>,
    #[arg(long)]
    pub bom: bool,
    #[arg(long, default_value = "auto", value_name = "WHEN")]
    pub color: String,
}

fn usage<T>(r: Result<T, String>) -> Result<T, Error> {
    r.map_err(Error::Usage)
}

impl InputArgs {
    /// The run's inputs; `period` is the command's `--period` (it fills `{month}` in the
    /// project file's record patterns).
    pub fn to_inputs(&self, project: &Project, period: Option<&str>) -> Result<Inputs, Error> {
        let records = self.records(project, period)?;
        let as_of = match &self.as_of {
            Some(s) => Some(usage(
                parse_date(s).map_err(|e: String| usage::flag(ui(), "--as-of", &e)),
            )?),
            None => None,
        };
        let today = Some(today()?);
        let encoding = usage(
            self.encoding
                .parse()
                // Its one error is an unknown name, said here in the interface language.
                .map_err(|_: String| {
                    let e = usage::unknown_encoding(ui(), &self.encoding);
                    usage::flag(ui(), "--encoding", &e)
                }),
        )?;
        if self.lossy && encoding == crate::input::TextEncoding::Auto {
            return Err(Error::Usage(usage::lossy_needs_encoding(ui())));
        }
        if self.rejects.is_some() && !self.skip_invalid {
            return Err(Error::Usage(usage::rejects_without_skip(ui())));
        }
        if let Some(from) = project.from_parent()
            && !self.quiet
        {
            eprintln!(
                "note: {}",
                crate::i18n::msg::settings_from(crate::i18n::ui(), &from)
            );
        }
        Ok(Inputs {
            records,
            rubric: self.rubric.clone().or_else(|| project.rubric.clone()),
            units: self.units.clone().or_else(|| project.units.clone()),
            units_sheet: self.units_sheet.clone(),
            as_of,
            today,
            skip_invalid: self.skip_invalid,
            strict_columns: self.strict_columns,
            rejects: self.rejects.clone(),
            read: ReadOptions {
                encoding,
                sheet: self.sheet.clone(),
                header_row: self.header_row,
                lossy: self.lossy,
                dedupe: self.dedupe,
                config: ReadConfig::with_jobs(self.jobs.map(usize::from).or(project.jobs)),
            },
            quiet: self.quiet,
            settings: project.path.as_deref().map(crate::config::relative),
        })
    }
}

impl InputArgs {
    /// The records files: those on the command line, else those of the project file's patterns
    /// for the run's month (notes on stderr for the months without a file).
    fn records(&self, project: &Project, period: Option<&str>) -> Result<Vec<String>, Error> {
        if !self.records.is_empty() {
            return Ok(self.records.clone());
        }
        if project.records.is_empty() {
            return Err(Error::Usage(crate::i18n::msg::no_records_named(ui())));
        }
        let period = match period {
            Some(p) => Some(usage(p.parse::<Period>())?),
            None => None,
        };
        let today = today()?;
        let month = crate::globs::run_month(period, today);
        let mut notes = Vec::new();
        let files = crate::globs::records(&project.records, month, &mut notes)?;
        if !self.quiet {
            for n in notes {
                eprintln!("note: {}", crate::write::message(&n));
            }
        }
        Ok(files)
    }
}

/// The run's date: `CIVSCORE_TODAY=YYYY-MM-DD` when set (reproducible runs and tests), else
/// the clock's local date. The default as-of date is never after it (SPEC §7.1).
pub fn today() -> Result<jiff::civil::Date, Error> {
    match std::env::var("CIVSCORE_TODAY") {
        Ok(s) if !s.trim().is_empty() => {
            usage(parse_date(&s).map_err(|e: String| usage::flag(ui(), "CIVSCORE_TODAY", &e)))
        }
        _ => Ok(jiff::ZonedDateTime::now().date()),
    }
}

/// The command line in a language: its shape from the declarations above, its words from the
/// catalogue.
pub fn command(lang: Lang) -> clap::Command {
    crate::i18n::help::localise(Cli::command(), lang)
}

/// Parses the process's command line, with help in the interface language, which it decides
/// (from the raw `--lang`, `civscore.toml` and the locale) and keeps for the run.
pub fn parse() -> Result<Cli, clap::Error> {
    let args: Vec<OsString> = std::env::args_os().collect();
    let lang = crate::i18n::lang::detect(&args);
    crate::i18n::lang::set_ui(lang);
    let matches = command(lang).try_get_matches_from(args)?;
    Cli::from_arg_matches(&matches)
}

/// `--lang`, checked.
pub fn lang(flag: Option<&str>) -> Result<Option<Lang>, Error> {
    flag.map(|l| {
        usage(
            l.parse()
                .map_err(|e: String| usage::flag(ui(), "--lang", &e)),
        )
    })
    .transpose()
}

impl OutputArgs {
    /// The output settings; `lang` is `--lang` (checked), else the project's.
    pub fn to_output(&self, project: &Project, lang: Option<Lang>) -> Result<Output, Error> {
        let format = match &self.format {
            Some(f) => Some(usage(
                f.parse::<Format>()
                    .map_err(|e: String| usage::flag(ui(), "--format", &e)),
            )?),
            None => None,
        };
        let format = match &self.output {
            Some(path) => usage(Format::for_output(format, path))?,
            None => format.unwrap_or(Format::Table),
        };
        if format == Format::Xlsx && self.output.is_none() {
            return Err(Error::Usage(usage::workbook_needs_file(ui())));
        }
        let lang = lang.or(project.lang);
        use std::io::IsTerminal;
        let to_stdout = self.output.is_none();
        let terminal = to_stdout && std::io::stdout().is_terminal();
        let color = to_stdout
            && match self.color.as_str() {
                "always" => true,
                "never" => false,
                "auto" => {
                    anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never
                }
                other => {
                    return Err(Error::Usage(usage::unknown_color(ui(), other)));
                }
            };
        Ok(Output {
            format,
            path: self.output.clone(),
            lang,
            bom: self.bom,
            color,
            terminal,
        })
    }
}

pub fn selection(period: &Option<String>, all: bool) -> Result<Selection, Error> {
    Ok(match (period, all) {
        (_, true) => Selection::All,
        (Some(p), false) => Selection::Period(usage(p.parse::<Period>())?),
        (None, false) => Selection::Latest,
    })
}
