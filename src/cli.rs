//! The command line (clap), turned once into the typed settings the commands take.

use clap::{Args, Parser, Subcommand};

use crate::cmd::{Inputs, Output, Selection};
use crate::config::Project;
use crate::error::Error;
use crate::input::{ReadConfig, ReadOptions};
use crate::period::{Period, parse_date};
use crate::render::Format;

#[derive(Parser, Debug)]
#[command(
    name = "civscore",
    version,
    about = "Score civilized-city (文明城市) creation assessments: rubric in YAML, inspection records in CSV, ranked results",
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Ranked tables: the latest assessed month and its quarter to date, or any period
    #[command(after_help = "Examples:
  civscore score examples/inspections.csv
  civscore score examples/inspections.csv --units examples/units.csv --period 2026Q3
  civscore score records.csv --all --format json -o scores.json")]
    Score {
        #[command(flatten)]
        input: InputArgs,
        /// The period: a month (2026-11), a quarter (2026Q4) or a year (2026)
        #[arg(long, conflicts_with = "all")]
        period: Option<String>,
        /// Every month, quarter and year in the data
        #[arg(long)]
        all: bool,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// The audit trail of one unit's score: every record, rule, factor and cap behind it
    #[command(after_help = "Examples:
  civscore explain examples/inspections.csv --unit 桥南社区
  civscore explain examples/inspections.csv --units examples/units.csv --unit U03 --period 2026Q3
  civscore explain records.csv --unit U01 --period 2026-11 --format json")]
    Explain {
        #[command(flatten)]
        input: InputArgs,
        /// The unit, by code or name
        #[arg(long, value_name = "UNIT")]
        unit: String,
        /// The period: a month (2026-11), a quarter (2026Q4) or a year (2026)
        #[arg(long, conflicts_with = "all")]
        period: Option<String>,
        /// Every month, quarter and year in the data
        #[arg(long)]
        all: bool,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// The monthly publication workbook: rankings, ledger, overdue list, statistics, charts
    #[command(after_help = "Examples:
  civscore report examples/inspections.csv --units examples/units.csv -o 2026-11.xlsx
  civscore report records.csv --period 2026-10 --top 5 --yellow 5 --red 10 -o 2026-10.xlsx
  civscore report records.csv          # with civscore.toml: writes OUTPUT_DIR/2026-11.xlsx")]
    Report {
        #[command(flatten)]
        input: InputArgs,
        /// The month to report [default: the latest assessed month]
        #[arg(long)]
        period: Option<String>,
        /// The workbook to write [default: MONTH.xlsx in the project's output_dir, or here]
        #[arg(long, short, value_name = "FILE")]
        output: Option<String>,
        /// Units on the red list (best) and on the black list (worst) [default: 3]
        #[arg(long)]
        top: Option<usize>,
        /// Days overdue after which a rectification is escalated yellow [default: 7]
        #[arg(long)]
        yellow: Option<i64>,
        /// Days overdue after which a rectification is escalated red [default: 15]
        #[arg(long)]
        red: Option<i64>,
        /// Language of sheet names and labels: zh or en [default: the rubric's]
        #[arg(long)]
        lang: Option<String>,
    },
    /// Validate a rubric and print its tree of categories, indicators, rules and points
    #[command(after_help = "Examples:
  civscore check                     # the built-in default rubric
  civscore check my-rubric.yaml
  civscore check city-management")]
    Check {
        /// A rubric file or a built-in name (default: community)
        rubric: Option<String>,
    },
    /// Validate records (and a roster) against the rubric without scoring
    #[command(after_help = "Examples:
  civscore validate examples/inspections.csv
  civscore validate november.csv --units units.csv --rubric my-rubric.yaml")]
    Validate {
        #[command(flatten)]
        input: InputArgs,
    },
    /// Print the effective settings (civscore.toml, flags, defaults) and where each came from
    #[command(after_help = "Examples:
  civscore config
  civscore config --rubric city-management")]
    Config {
        /// Rubric file or built-in name
        #[arg(long, value_name = "FILE|NAME")]
        rubric: Option<String>,
        /// Roster of units
        #[arg(long, value_name = "FILE")]
        units: Option<String>,
        /// Language: zh or en
        #[arg(long)]
        lang: Option<String>,
    },
    /// Scaffold a working folder: rubric, civscore.toml, roster and records templates, monthly.sh
    #[command(after_help = "Examples:
  civscore init 2027-street --rubric community
  civscore init . --rubric school")]
    Init {
        /// The folder [default: here]
        dir: Option<String>,
        /// The built-in rubric to start from
        #[arg(long, default_value = "community", value_name = "NAME")]
        rubric: String,
    },
    /// Show how every unit's score, rank and grade would change under a revised rubric
    #[command(after_help = "Examples:
  civscore compare examples/inspections.csv --rubric community --against my-revision.yaml
  civscore compare records.csv --rubric old.yaml --against new.yaml --period 2026Q3 --format md")]
    Compare {
        #[command(flatten)]
        input: InputArgs,
        /// The revised rubric to compare with --rubric
        #[arg(long, value_name = "FILE|NAME")]
        against: String,
        /// The period: a month (2026-11), a quarter (2026Q4) or a year (2026)
        #[arg(long, conflicts_with = "all")]
        period: Option<String>,
        /// Every month, quarter and year in the data
        #[arg(long)]
        all: bool,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish)
    #[command(after_help = "Examples:
  civscore completions bash > ~/.local/share/bash-completion/completions/civscore
  civscore completions zsh > ~/.zfunc/_civscore
  civscore completions fish > ~/.config/fish/completions/civscore.fish")]
    Completions {
        /// The shell
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), with every subcommand
    #[command(after_help = "Examples:
  civscore man > ~/.local/share/man/man1/civscore.1 && man civscore
  civscore man | man -l -")]
    Man,
    /// List the built-in rubrics, or print one as a template to start from
    #[command(after_help = "Examples:
  civscore rubrics
  civscore rubrics show community > my-rubric.yaml")]
    Rubrics {
        #[command(subcommand)]
        action: Option<RubricsAction>,
    },
}

#[derive(Subcommand, Debug)]
pub enum RubricsAction {
    /// Print a built-in rubric as YAML
    Show { name: String },
}

#[derive(Args, Debug)]
pub struct InputArgs {
    /// Inspection record files (CSV, TSV, .xlsx, .xls, .ods); `-` reads standard input
    #[arg(required = true, value_name = "RECORDS")]
    pub records: Vec<String>,
    /// Rubric file or built-in name [default: community]
    #[arg(long, value_name = "FILE|NAME")]
    pub rubric: Option<String>,
    /// Roster of units (code, name, group, not_applicable)
    #[arg(long, value_name = "FILE")]
    pub units: Option<String>,
    /// The date overdue rectifications are judged at [default: each record's month end]
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Score the valid rows and report the invalid ones instead of failing
    #[arg(long)]
    pub skip_invalid: bool,
    /// Write rejected rows (with file, line and reason) to this CSV file
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<String>,
    /// Text encoding of the inputs: auto, utf-8, gbk, gb18030, utf-16le, utf-16be
    #[arg(long, default_value = "auto")]
    pub encoding: String,
    /// Sheet of a spreadsheet input
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// No notes on stderr (errors are still shown)
    #[arg(long, short)]
    pub quiet: bool,
    /// Workers that read the records at once [default: the machine's cores]
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
}

#[derive(Args, Debug)]
pub struct OutputArgs {
    /// Output format: table, json, csv, md, xlsx or html [default: from -o's extension, else table]
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<String>,
    /// Write to this file (atomically) instead of standard output
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<String>,
    /// Language of headers and labels: zh or en [default: the rubric's]
    #[arg(long)]
    pub lang: Option<String>,
    /// Start CSV output with a UTF-8 BOM so that Excel reads Chinese text
    #[arg(long)]
    pub bom: bool,
    /// Colour: auto (on a terminal, unless NO_COLOR is set; CLICOLOR_FORCE forces it), always, never
    #[arg(long, default_value = "auto", value_name = "WHEN")]
    pub color: String,
}

fn usage<T>(r: Result<T, String>) -> Result<T, Error> {
    r.map_err(Error::Usage)
}

impl InputArgs {
    pub fn to_inputs(&self, project: &Project) -> Result<Inputs, Error> {
        let as_of = match &self.as_of {
            Some(s) => Some(usage(parse_date(s).map_err(|e| format!("--as-of: {e}")))?),
            None => None,
        };
        if self.rejects.is_some() && !self.skip_invalid {
            return Err(Error::Usage(
                "--rejects goes with --skip-invalid (without it, invalid rows stop the run)".into(),
            ));
        }
        Ok(Inputs {
            records: self.records.clone(),
            rubric: self.rubric.clone().or_else(|| project.rubric.clone()),
            units: self.units.clone().or_else(|| project.units.clone()),
            as_of,
            skip_invalid: self.skip_invalid,
            rejects: self.rejects.clone(),
            read: ReadOptions {
                encoding: usage(
                    self.encoding
                        .parse()
                        .map_err(|e| format!("--encoding: {e}")),
                )?,
                sheet: self.sheet.clone(),
                config: ReadConfig::with_jobs(self.jobs.map(usize::from).or(project.jobs)),
            },
            quiet: self.quiet,
            settings: project.path.as_deref().map(crate::config::relative),
        })
    }
}

impl OutputArgs {
    pub fn to_output(&self, project: &Project) -> Result<Output, Error> {
        let format = match &self.format {
            Some(f) => Some(usage(
                f.parse::<Format>().map_err(|e| format!("--format: {e}")),
            )?),
            None => None,
        };
        let format = match &self.output {
            Some(path) => usage(Format::for_output(format, path))?,
            None => format.unwrap_or(Format::Table),
        };
        if format == Format::Xlsx && self.output.is_none() {
            return Err(Error::Usage(
                "a workbook is written to a file: give -o FILE.xlsx".into(),
            ));
        }
        let lang = match &self.lang {
            Some(l) => Some(usage(l.parse().map_err(|e| format!("--lang: {e}")))?),
            None => project.lang,
        };
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
                    return Err(Error::Usage(format!(
                        "--color: unknown value \"{other}\": expected auto, always or never"
                    )));
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
