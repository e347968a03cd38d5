//! The commands: each takes typed settings, reads its inputs, and writes its output.

pub mod check;
pub mod compare;
pub mod explain;
pub mod project;
pub mod report;
pub mod rubrics;
pub mod score;
pub mod shell;
pub mod validate;

use std::io::Write;

use jiff::civil::Date;

use crate::error::Error;
use crate::i18n::{msg, ui};
use crate::input::ReadOptions;
use crate::period::Period;
use crate::read::Wanted;
use crate::read::{self, Loaded};
use crate::render::Format;
use crate::rubric::{Lang, Rubric};
use crate::units::{self, Units};

/// Where records, rubric and roster come from, and how to treat bad rows.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    pub records: Vec<String>,
    pub rubric: Option<String>,
    pub units: Option<String>,
    /// The roster's sheet when `units` is a workbook (`--units-sheet`).
    pub units_sheet: Option<String>,
    pub as_of: Option<Date>,
    /// The run's date (`CIVSCORE_TODAY`, else the clock): the default as-of date is never
    /// after it (SPEC §7.1). None: no cap (library callers).
    pub today: Option<Date>,
    pub skip_invalid: bool,
    /// A column that no rule reads is an error, not a note.
    pub strict_columns: bool,
    pub rejects: Option<String>,
    pub read: ReadOptions,
    pub quiet: bool,
    /// The `civscore.toml` that was read, if any.
    pub settings: Option<String>,
}

impl Inputs {
    /// The run's as-of date and today, for the pipeline.
    pub fn clock(&self) -> crate::pipeline::Clock {
        crate::pipeline::Clock {
            as_of: self.as_of,
            today: self.today,
        }
    }

    /// The files the run reads (standard input as `/dev/stdin`): no output may be one of them.
    pub fn files(&self) -> Vec<&str> {
        let records = self
            .records
            .iter()
            .map(|r| if r == "-" { "/dev/stdin" } else { r.as_str() });
        let others = [&self.rubric, &self.units, &self.settings];
        records
            .chain(others.into_iter().flatten().map(String::as_str))
            .collect()
    }
}

#[derive(Debug, Clone)]
pub struct Output {
    pub format: Format,
    pub path: Option<String>,
    pub lang: Option<Lang>,
    pub bom: bool,
    /// Colour in terminal tables (never in files).
    pub color: bool,
    /// Standard output is a terminal (sparklines are drawn).
    pub terminal: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selection {
    /// The latest assessed month and its quarter to date.
    Latest,
    Period(Period),
    All,
}

/// Prints a note on stderr unless quiet.
pub fn note(inputs: &Inputs, msg: &str) {
    if !inputs.quiet {
        eprintln!("note: {}", crate::write::message(msg));
    }
}

/// Reads the records under a rubric: the units and what was read (the pipeline calls this).
pub fn read(
    inputs: &Inputs,
    rubric: &Rubric,
    keep: Option<Wanted<'_>>,
) -> Result<(Units, Loaded), Error> {
    use std::io::IsTerminal;
    let roster = match &inputs.units {
        Some(path) => Some(units::load_roster(
            path,
            rubric,
            &inputs.read,
            inputs.units_sheet.as_deref(),
        )?),
        None => None,
    };
    for n in roster.iter().flat_map(|r| &r.notes) {
        note(inputs, n);
    }
    let progress = !inputs.quiet && std::io::stderr().is_terminal();
    let (units, loaded) = crate::read::read(
        &inputs.records,
        rubric,
        roster.as_ref(),
        inputs.as_of.or(inputs.today),
        progress,
        keep,
        &inputs.read,
    )?
    .loaded();
    // Rows refused for a missing value may be refused because its column went unread: the
    // columns not used are said before the errors (the run stops with them).
    if !loaded.rejected.is_empty() && !inputs.skip_invalid {
        for text in loaded.unused_notes() {
            note(inputs, &text);
        }
    }
    let loaded = read::finish(loaded, &inputs.records, inputs.skip_invalid)?;
    Ok((units, loaded))
}

/// With --skip-invalid: the rejected rows go to --rejects or stderr, and a line accounts for
/// every row.
pub(crate) fn report_rejects(inputs: &Inputs, loaded: &Loaded) -> Result<(), Error> {
    match &inputs.rejects {
        Some(path) => {
            let mut buf = Vec::new();
            write_rejects(loaded, &mut buf).map_err(|e| Error::io(path, e))?;
            crate::write::file::stage_bytes(path, &inputs.files(), &buf)?;
        }
        None => print_rejects(loaded),
    }
    print_rows_read(loaded);
    Ok(())
}

/// The rejected rows on stderr, a line per reason.
pub(crate) fn print_rejects(loaded: &Loaded) {
    for r in &loaded.rejected {
        for e in &r.reasons {
            eprintln!("rejected: {}", crate::write::message(&e.to_string()));
        }
    }
}

/// The line that accounts for every row read.
pub(crate) fn print_rows_read(loaded: &Loaded) {
    let c = loaded.counts;
    let mut line = msg::rows_read(ui(), c.read, c.scored, c.void, c.rejected);
    if c.skipped() > 0 {
        line += &msg::rows_skipped(ui(), c.skipped(), c.totals, c.numbered, c.doubles);
    }
    eprintln!("{line}");
}

/// The rejected rows as CSV: file, line, reason, then the row's original cells under the first
/// rejected file's header, every text defused (a cell `=HYPERLINK(…)` from the records must not
/// become a formula when the rejects are opened in Excel).
pub fn write_rejects(loaded: &Loaded, w: &mut dyn Write) -> std::io::Result<()> {
    let mut out = csv::WriterBuilder::new().flexible(true).from_writer(w);
    let header = loaded
        .rejected
        .first()
        .map(|r| r.header.clone())
        .unwrap_or_default();
    let defuse = crate::write::csv::defuse;
    let mut head = vec!["file".to_owned(), "line".to_owned(), "reason".to_owned()];
    head.extend(header.iter().map(|h| defuse(h)));
    out.write_record(&head)?;
    for r in &loaded.rejected {
        let reason = r
            .reasons
            .iter()
            .map(|e| msg::column_reason(ui(), &e.column, &e.message))
            .collect::<Vec<_>>()
            .join("; ");
        let mut row = vec![defuse(&r.file), r.line.to_string(), defuse(&reason)];
        row.extend(r.cells.iter().map(|c| defuse(c)));
        out.write_record(&row)?;
    }
    out.flush()
}

/// Sends output to stdout as it is written (nothing held in memory; a closed pipe, `| head`, is
/// not an error), or stages it for its file, put in place when the run has succeeded.
pub fn emit_with(
    output: &Output,
    inputs: &[&str],
    fill: &mut dyn FnMut(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), Error> {
    match &output.path {
        Some(p) => crate::write::file::stage(p, inputs, fill),
        None => to_stdout(fill),
    }
}

/// Prints text on stdout; a closed pipe (`| head`) is not an error.
pub fn print(text: &str) -> Result<(), Error> {
    to_stdout(&mut |w| w.write_all(text.as_bytes()))
}

/// Sends output to its file, or to stdout.
pub fn emit(output: &Output, bytes: &[u8], inputs: &[&str]) -> Result<(), Error> {
    emit_with(output, inputs, &mut |w| w.write_all(bytes))
}

/// Writes to stdout through a buffer; a closed pipe (`| head`) is not an error.
fn to_stdout(fill: &mut dyn FnMut(&mut dyn Write) -> std::io::Result<()>) -> Result<(), Error> {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    match fill(&mut out).and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r.map_err(|e| Error::io("<stdout>", e)),
    }
}
