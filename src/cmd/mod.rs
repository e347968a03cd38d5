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
use std::path::Path;

use jiff::civil::Date;

use crate::builtin;
use crate::error::Error;
use crate::input::ReadOptions;
use crate::period::Period;
use crate::records::{self, Loaded};
use crate::render::Format;
use crate::rubric::{Lang, Rubric};
use crate::stream::Wanted;
use crate::units::{self, Units};

/// Where records, rubric and roster come from, and how to treat bad rows.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    pub records: Vec<String>,
    pub rubric: Option<String>,
    pub units: Option<String>,
    pub as_of: Option<Date>,
    pub skip_invalid: bool,
    pub rejects: Option<String>,
    pub read: ReadOptions,
    pub quiet: bool,
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
        eprintln!("note: {msg}");
    }
}

/// Rubric, units and valid records, with every invalid row reported.
pub struct Loaded3 {
    pub rubric: Rubric,
    pub units: Units,
    pub loaded: Loaded,
}

/// Reads the records: every one tallied, those `keep` wants kept (none without it). Streaming
/// (in flat memory, on every core) when the inputs are UTF-8 CSV files whose rows are all valid;
/// otherwise in memory, with every problem reported.
pub fn load_all(inputs: &Inputs, keep: Option<Wanted<'_>>) -> Result<Loaded3, Error> {
    let rubric = builtin::load_rubric(inputs.rubric.as_deref())?;
    let (units, loaded) = read(inputs, &rubric, keep)?;
    if inputs.units.is_none() {
        note(inputs, NO_ROSTER);
    }
    if inputs.skip_invalid {
        report_rejects(inputs, &loaded)?;
    }
    Ok(Loaded3 {
        rubric,
        units,
        loaded,
    })
}

/// [`load_all`] under a given rubric, without notes: the units and what was read.
pub fn read(
    inputs: &Inputs,
    rubric: &Rubric,
    keep: Option<Wanted<'_>>,
) -> Result<(Units, Loaded), Error> {
    use std::io::IsTerminal;
    let roster = match &inputs.units {
        Some(path) => Some(units::load_roster(path, rubric, &inputs.read)?),
        None => None,
    };
    let utf8 = matches!(
        inputs.read.encoding,
        crate::input::TextEncoding::Auto | crate::input::TextEncoding::Utf8
    );
    let progress = !inputs.quiet && std::io::stderr().is_terminal();
    let streamed = if utf8 {
        crate::stream::tally_keeping(
            &inputs.records,
            rubric,
            roster.as_ref(),
            inputs.as_of,
            progress,
            keep,
        )
    } else {
        None
    };
    let (units, loaded) = match streamed {
        Some(s) => (
            s.units,
            Loaded {
                records: s.records,
                store: s.store,
                files: s.files,
                rejected: Vec::new(),
                counts: s.counts,
            },
        ),
        None => {
            let mut units = roster.unwrap_or_default();
            let keep: records::Keep = match keep {
                Some(k) => Box::new(move |r, units: &Units| {
                    let u = &units.list[r.unit];
                    k(r, &u.code, u.name.as_deref())
                }),
                None => Box::new(|_, _| false),
            };
            let loaded = records::load(
                &inputs.records,
                rubric,
                &mut units,
                &inputs.read,
                inputs.skip_invalid,
                inputs.as_of,
                Some(keep),
            )?;
            (units, loaded)
        }
    };
    Ok((units, loaded))
}

/// Rubric, units, row counts and the tallies, without the records themselves.
pub struct Tallied {
    pub rubric: Rubric,
    pub units: Units,
    pub counts: crate::records::Counts,
    pub layout: crate::tally::Layout,
    pub store: crate::tally::Store,
}

/// Reads the records into tallies, keeping none.
pub fn tally_all(inputs: &Inputs) -> Result<Tallied, Error> {
    let Loaded3 {
        rubric,
        units,
        loaded,
    } = load_all(inputs, None)?;
    Ok(Tallied {
        layout: crate::tally::Layout::new(&rubric),
        rubric,
        units,
        counts: loaded.counts,
        store: loaded.store,
    })
}

const NO_ROSTER: &str = "no roster (--units): the units are those named in the records; units without any record cannot appear";

/// With --skip-invalid: the rejected rows go to --rejects or stderr, and a line accounts for
/// every row.
fn report_rejects(inputs: &Inputs, loaded: &Loaded) -> Result<(), Error> {
    match &inputs.rejects {
        Some(path) => {
            let mut buf = Vec::new();
            write_rejects(loaded, &mut buf).map_err(|e| Error::io(path, e))?;
            write_file(path, &buf, &inputs.records)?;
        }
        None => {
            for r in &loaded.rejected {
                for e in &r.reasons {
                    eprintln!("rejected: {e}");
                }
            }
        }
    }
    let c = loaded.counts;
    eprintln!(
        "rows read {} = scored {} + void {} + rejected {}",
        c.read, c.scored, c.void, c.rejected
    );
    Ok(())
}

/// The rejected rows as CSV: file, line, reason, then the row's original cells under the first
/// rejected file's header.
pub fn write_rejects(loaded: &Loaded, w: &mut dyn Write) -> std::io::Result<()> {
    let mut out = csv::WriterBuilder::new().flexible(true).from_writer(w);
    let header = loaded
        .rejected
        .first()
        .map(|r| r.header.clone())
        .unwrap_or_default();
    let mut head = vec!["file".to_owned(), "line".to_owned(), "reason".to_owned()];
    head.extend(header);
    out.write_record(&head)?;
    for r in &loaded.rejected {
        let reason = r
            .reasons
            .iter()
            .map(|e| format!("column \"{}\": {}", e.column, e.message))
            .collect::<Vec<_>>()
            .join("; ");
        let mut row = vec![r.file.clone(), r.line.to_string(), reason];
        row.extend(r.cells.iter().cloned());
        out.write_record(&row)?;
    }
    out.flush()
}

/// Writes output atomically: to a temporary file beside the target, then renamed over it, so
/// that a failed run never leaves half a file. Refuses to overwrite an input.
pub fn write_file(path: &str, bytes: &[u8], inputs: &[String]) -> Result<(), Error> {
    write_with(path, inputs, &mut |w| w.write_all(bytes))
}

/// Writes a file atomically through a writer: a temporary file beside the target, renamed over
/// it once complete. Refuses to overwrite an input.
pub fn write_with(
    path: &str,
    inputs: &[String],
    fill: &mut dyn FnMut(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), Error> {
    write_atomic(path, inputs, &mut |w| fill(w))
}

/// [`write_with`] for writers that need to own a `Send` writer (the workbook's).
pub fn write_atomic(
    path: &str,
    inputs: &[String],
    fill: &mut dyn FnMut(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> Result<(), Error> {
    let target = Path::new(path);
    if let Ok(t) = target.canonicalize() {
        for i in inputs {
            if Path::new(i).canonicalize().ok().as_deref() == Some(t.as_path()) {
                return Err(Error::Usage(format!(
                    "{path}: refusing to overwrite an input file"
                )));
            }
        }
    }
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let file_name = target
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".into());
    let tmp = dir.join(format!(".{file_name}.civscore-{}.tmp", std::process::id()));
    let result = std::fs::File::create(&tmp)
        .and_then(|f| {
            let mut w = std::io::BufWriter::with_capacity(1 << 16, f);
            fill(&mut w)?;
            w.flush()
        })
        .and_then(|_| std::fs::rename(&tmp, target));
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::io(path, e));
    }
    Ok(())
}

/// Sends output to its file or to stdout as it is written (nothing held in memory); a closed
/// pipe (`| head`) is not an error.
pub fn emit_with(
    output: &Output,
    inputs: &[String],
    fill: &mut dyn FnMut(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), Error> {
    match &output.path {
        Some(p) => write_with(p, inputs, fill),
        None => to_stdout(fill),
    }
}

/// Prints text on stdout; a closed pipe (`| head`) is not an error.
pub fn print(text: &str) -> Result<(), Error> {
    to_stdout(&mut |w| w.write_all(text.as_bytes()))
}

/// Sends output to its file, or to stdout.
pub fn emit(output: &Output, bytes: &[u8], inputs: &[String]) -> Result<(), Error> {
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
