//! The one reader of records: every input — CSV or TSV files in any encoding, standard input,
//! spreadsheets — goes the same way: decoded, split into blocks of whole records, each row
//! checked (a quick path for the usual row, the full check for any other), tallied into integer
//! stores that merge exactly, and every invalid row rejected in place with its file and line.
//! Records are not kept unless a command asks for them. Ids that repeat are settled after the
//! blocks, in file order, so that neither the block size nor the number of workers changes the
//! answer.
//!
//! The way through: `source` opens an input and finds its header (`columns`); `feed` cuts
//! it into blocks of whole records (`split`); `pool` runs the workers, and each `worker`
//! checks a row by the `quick` path or the full `check`, tallies it (`batch`), keeps,
//! holds or rejects it; `assemble` makes the workers' parts one answer, repeated `ids`
//! settled in file order. `record` holds what reading yields.

mod assemble;
mod batch;
mod check;
mod columns;
mod feed;
mod ids;
mod pool;
mod quick;
mod record;
mod source;
mod split;
mod twins;
mod worker;

use jiff::civil::Date;

use crate::error::Error;
use crate::i18n::{msg, ui};
use crate::input::{self, ReadConfig, ReadOptions, Sheet};
use crate::rubric::Rubric;
use crate::tally::{Layout, Store};
use crate::units::Units;

use columns::Columns;
use ids::IdSet;
use source::{read_input, read_rows};
use worker::Part;

pub(crate) use check::Checked;
pub use record::{Counts, Loaded, Record, Rejected, RowError, Status};

/// What the reader produced.
pub struct Streamed {
    pub layout: Layout,
    pub store: Store,
    pub units: Units,
    pub counts: Counts,
    /// The inputs' names (a path, `<stdin>`, or `book.xlsx[Sheet1]`), indexed by `Record::file`.
    pub files: Vec<String>,
    /// The records a command asked to keep.
    pub records: crate::spill::Kept,
    /// The rows rejected, in file order.
    pub rejected: Vec<Rejected>,
    /// Each input's columns that no rule reads.
    pub unused_columns: Vec<(String, Vec<String>)>,
    /// Notes on how the inputs were read (rows above a header, sheets skipped).
    pub notes: Vec<String>,
}

impl Streamed {
    /// What was read, as the pipeline takes it.
    pub fn loaded(self) -> (Units, Loaded) {
        let loaded = Loaded {
            unused_columns: self.unused_columns,
            notes: self.notes,
            records: self.records,
            store: self.store,
            files: self.files,
            rejected: self.rejected,
            counts: self.counts,
        };
        (self.units, loaded)
    }
}

/// Which records to keep (all are tallied), asked of each valid record with its unit's code and
/// name; workers ask it at once, so it holds no state. It is asked before the record's text
/// cells (severity, source, id, note, inspector) are copied: those read empty.
pub type Wanted<'a> = &'a (dyn Fn(&Record, &str, Option<&str>) -> bool + Sync);

/// What reading every input needs to know.
pub(super) struct Env<'a> {
    rubric: &'a Rubric,
    layout: &'a Layout,
    roster: Option<&'a Units>,
    progress: bool,
    keep: Option<Wanted<'a>>,
    opts: &'a ReadOptions,
    config: ReadConfig,
    /// The ids that repeat, once known: the rows that have them are held.
    repeats: Option<&'a IdSet>,
    /// Rows compared across inputs (double entry), once there is more than one.
    twins: twins::Twins<'a>,
}

/// Why reading an input stopped short.
#[derive(Debug)]
pub(super) enum Stop {
    /// A cell that must be read as text is not UTF-8: the input is decoded whole, as GBK if
    /// it is that, else an error at its first byte that is not UTF-8 (`input::decode_text`).
    NotUtf8,
    /// Another worker (or the reader) stopped first.
    Halted,
    Failed(Error),
}

impl From<Error> for Stop {
    fn from(e: Error) -> Stop {
        Stop::Failed(e)
    }
}

impl Stop {
    fn into_error(self, name: &str) -> Error {
        match self {
            Stop::Failed(e) => e,
            Stop::NotUtf8 | Stop::Halted => {
                Error::Internal(format!("{name}: the reader stopped without a reason"))
            }
        }
    }
}

/// Reads every input: each record tallied, those `keep` wants kept, every invalid row rejected.
/// Ids that repeat are settled in file order: the first valid row with an id keeps it, a later
/// row with it is rejected (its rows are read again, held back until their order is known).
pub fn read(
    paths: &[String],
    rubric: &Rubric,
    roster: Option<&Units>,
    // The one date other than a month's last day that the tallies may be judged as of
    // (`--as-of`, else today): lateness is told apart by the day around it (SPEC §7.13).
    pin: Option<Date>,
    progress: bool,
    keep: Option<Wanted>,
    opts: &ReadOptions,
) -> Result<Streamed, Error> {
    let layout = Layout::new(rubric).pinned(pin);
    let seed = crate::fxhash::FxBuild::default();
    let env = Env {
        rubric,
        layout: &layout,
        roster,
        progress,
        keep,
        opts,
        config: ReadConfig {
            block: opts.config.block.max(16),
            workers: opts.config.workers.max(1),
            ..opts.config
        },
        repeats: None,
        twins: match may_be_several(paths) {
            true => twins::Twins::Collect(&seed),
            false => twins::Twins::Off,
        },
    };
    read_settled(&Inputs::All(paths), env)
}

/// Whether the inputs may be more than one (rows are then compared across them): several
/// files, or one that is a workbook (a sheet each) by its name or its first bytes, or standard
/// input (which may be one).
fn may_be_several(paths: &[String]) -> bool {
    use std::io::Read;
    let workbook = |p: &String| {
        // A pipe (`<(…)`) is never read ahead: its bytes would be lost to the reading.
        if !std::fs::metadata(p).is_ok_and(|m| m.is_file()) {
            return true;
        }
        let mut head = [0u8; 8];
        let n = std::fs::File::open(p)
            .and_then(|mut f| f.read(&mut head))
            .unwrap_or(0);
        input::is_spreadsheet(&p.to_ascii_lowercase(), &head[..n])
    };
    paths.len() > 1 || paths.iter().any(|p| p == "-" || workbook(p))
}

/// Reads a table already in memory (rows parsed from a whole text, or a spreadsheet's) as the
/// reader reads every input, with one worker: every record kept, every problem collected.
pub fn read_sheet(
    sheet: &Sheet,
    rubric: &Rubric,
    roster: Option<&Units>,
) -> Result<Streamed, Error> {
    let layout = Layout::new(rubric);
    let opts = ReadOptions {
        config: ReadConfig {
            workers: 1,
            ..ReadConfig::default()
        },
        ..ReadOptions::default()
    };
    let all = |_: &Record, _: &str, _: Option<&str>| true;
    let env = Env {
        rubric,
        layout: &layout,
        roster,
        progress: false,
        keep: Some(&all),
        opts: &opts,
        config: opts.config,
        repeats: None,
        twins: twins::Twins::Off,
    };
    read_settled(&Inputs::Sheet(sheet), env)
}

/// Reads the inputs; when an id repeats, or rows of two inputs may be equal (double entry),
/// reads them again holding back the rows that have such an id or print, and settles those in
/// file order.
fn read_settled(inputs: &Inputs, env: Env) -> Result<Streamed, Error> {
    let mut read = read_all(inputs, &env)?;
    let repeats = read.repeats();
    let prints = match env.twins {
        twins::Twins::Collect(seed) => read
            .prints()
            .and_then(|p| twins::shared(seed, p))
            .map(|p| (seed, p)),
        _ => None,
    };
    if repeats.is_none() && prints.is_none() {
        return read.assemble(&env);
    }
    drop(read);
    let again = Env {
        repeats: repeats.as_ref(),
        twins: match &prints {
            Some((seed, p)) => twins::Twins::Hold(seed, p),
            None => twins::Twins::Off,
        },
        ..env
    };
    read_all(inputs, &again)?.assemble(&again)
}

/// What is read: files (or `-`), or one table already in memory.
enum Inputs<'i> {
    All(&'i [String]),
    Sheet(&'i Sheet),
}

/// What the workers made of every input.
pub(super) struct ReadAll {
    files: Vec<FileRead>,
}

/// What the workers made of one input, with its name and columns.
pub(super) struct FileRead {
    name: String,
    header: Vec<String>,
    columns: Columns,
    parts: Vec<Part>,
    /// Notes on how it was read (rows above the header, sheets skipped).
    notes: Vec<String>,
}

fn read_all(inputs: &Inputs, env: &Env) -> Result<ReadAll, Error> {
    let files = match inputs {
        Inputs::All(paths) => {
            // A workbook gives one input per sheet read: inputs are numbered as they come.
            let mut files = Vec::with_capacity(paths.len());
            for p in paths.iter() {
                let first = files.len() as u32;
                files.extend(read_input(p, env, first)?);
            }
            files
        }
        Inputs::Sheet(sheet) => vec![read_rows(sheet, env, 0)?],
    };
    Ok(ReadAll { files })
}

/// What was read, or the error that stops the run: every invalid row (unless `skip_invalid`),
/// or no record at all.
pub fn finish(loaded: Loaded, paths: &[String], skip_invalid: bool) -> Result<Loaded, Error> {
    if !loaded.rejected.is_empty() && !skip_invalid {
        let errors: Vec<RowError> = loaded
            .rejected
            .iter()
            .flat_map(|r| r.reasons.iter().cloned())
            .collect();
        let summary = msg::rows_invalid(ui(), loaded.counts.rejected, loaded.counts.read);
        return Err(Error::Rows { errors, summary });
    }
    if loaded.counts.scored + loaded.counts.void == 0 {
        return Err(Error::Invalid(if loaded.counts.read == 0 {
            msg::no_records(ui(), Some(&paths.join(", ")))
        } else {
            msg::no_valid_record(ui(), loaded.counts.read)
        }));
    }
    Ok(loaded)
}
