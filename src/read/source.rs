//! One input, to blocks: a file (read, or mapped when large), text in memory (decoded, or
//! standard input) or a spreadsheet's rows; its header found, its encoding settled.

use std::borrow::Cow;
use std::fs::File;
use std::io::Read;

use crate::error::Error;
use crate::i18n::{msg, ui};
use crate::input::{self, Sheet, TextEncoding};

use super::columns::{Col, Columns, column_of, is_total_cell, names_required};
use super::feed::{Data, Stamp, feed, feed_text};
use super::pool::run_blocks;
use super::split::{cut, newlines};
use super::worker::{Ctx, cells, utf8};
use super::{Env, FileRead, Stop};

/// Reads one input: a spreadsheet's rows; a text file as UTF-8 block by block, or decoded
/// whole when it is in another encoding (or turns out not to be UTF-8: then `decode_text`
/// decides once, for the whole file, between GBK and an error at its first byte that is not
/// UTF-8); standard input, read from the process once.
pub(super) fn read_input(path: &str, env: &Env, file: u32) -> Result<Vec<FileRead>, Error> {
    let (encoding, lossy) = (env.opts.encoding, env.opts.lossy);
    let sheet = env.opts.sheet.as_deref();
    if path == "-" {
        let bytes = input::stdin()?;
        if input::binary(bytes) && !input::is_spreadsheet("", bytes) {
            return Err(Error::Invalid(msg::binary_input(ui(), "<stdin>")));
        }
        if input::is_spreadsheet("", bytes) {
            let sheets = input::read_workbook("<stdin>", bytes.to_vec(), sheet)?;
            return read_sheets("<stdin>", &sheets, env, file);
        }
        let text = match utf8_text(bytes, encoding) {
            Some(t) => Cow::Borrowed(t),
            None => Cow::Owned(
                input::decode_text("<stdin>", bytes.to_vec(), encoding, lossy)?.into_bytes(),
            ),
        };
        return Ok(vec![read_text("<stdin>", "", &text, env, file)?]);
    }
    if std::path::Path::new(path).is_dir() {
        return Err(Error::Io {
            path: path.to_owned(),
            message: "is a folder, not a file".to_owned(),
        });
    }
    let lower = path.to_ascii_lowercase();
    let mut f = File::open(path).map_err(|e| Error::io(path, e))?;
    // A regular file's size and times when opened: one that is not the same at the end of
    // reading (or at its second reading, when ids repeat) changed while it was read.
    let stamp = Stamp::of(&f.metadata().map_err(|e| Error::io(path, e))?);
    same_as_first_reading(path, stamp, env.repeats.is_some())?;
    let mut head = Vec::new();
    let eof = read_more(&mut f, &mut head, env.config.block.max(1 << 16))
        .map_err(|e| Error::io(path, e))?;
    if input::is_spreadsheet(&lower, &head) {
        // Named as a spreadsheet but holding none: a web system's "Excel" export is often a web
        // page, and a CSV is sometimes saved under .xls.
        if !input::is_spreadsheet("", &head) && !head.is_empty() && !input::binary(&head) {
            let text = head.trim_ascii_start();
            let kind = match () {
                _ if text.starts_with(b"<?xml") => msg::NotSheet::Xml,
                _ if text.starts_with(b"<") => msg::NotSheet::Page,
                _ => msg::NotSheet::Text,
            };
            return Err(Error::Invalid(msg::not_a_spreadsheet(ui(), path, kind)));
        }
        let bytes = input::read_whole(path)?;
        unchanged(path, stamp)?;
        let sheets = input::read_workbook(path, bytes, sheet)?;
        return read_sheets(path, &sheets, env, file);
    }
    if input::binary(&head) {
        return Err(Error::Invalid(msg::binary_input(ui(), path)));
    }
    let utf16 = head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]);
    let as_utf8 = match encoding {
        TextEncoding::Auto => !utf16,
        TextEncoding::Utf8 => true,
        _ => false,
    };
    if as_utf8 {
        match read_file(path, &lower, f, stamp, head, eof, env, file) {
            Ok(read) => return Ok(vec![read]),
            Err(Stop::NotUtf8) => {}
            Err(stop) => return Err(stop.into_error(path)),
        }
    }
    let bytes = input::read_whole(path)?;
    unchanged(path, stamp)?;
    let text = input::decode_text(path, bytes, encoding, lossy)?;
    Ok(vec![read_text(path, &lower, text.as_bytes(), env, file)?])
}

/// The error for a file whose stamp is no longer the one it had when opened.
fn unchanged(path: &str, stamp: Option<Stamp>) -> Result<(), Error> {
    let now = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    match stamp.is_some() && Stamp::of(&now) != stamp {
        true => Err(changed(path)),
        false => Ok(()),
    }
}

fn changed(path: &str) -> Error {
    Error::Io {
        path: path.to_owned(),
        message: msg::changed_while_read(ui()),
    }
}

thread_local! {
    /// Each file's stamp at its first reading in this thread (the inputs are read on the
    /// thread that asks for them), for its second reading when ids repeat.
    static FIRST_READ: std::cell::RefCell<Vec<(String, Stamp)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// Notes a file's stamp at its first reading; at its second (`again`), the error for a file
/// that is not the one read the first time (rows held back by id would be placed among rows
/// of another version of it).
fn same_as_first_reading(path: &str, stamp: Option<Stamp>, again: bool) -> Result<(), Error> {
    let Some(stamp) = stamp else { return Ok(()) };
    FIRST_READ.with(|m| {
        let mut m = m.borrow_mut();
        let at = m.iter().position(|(p, _)| p == path);
        match (again, at) {
            (true, Some(k)) if m[k].1 != stamp => Err(changed(path)),
            (true, _) => Ok(()),
            (false, Some(k)) => {
                m[k].1 = stamp;
                Ok(())
            }
            (false, None) => {
                // Only the last few inputs matter: the map never grows past a run's inputs.
                if m.len() >= 4096 {
                    m.remove(0);
                }
                m.push((path.to_owned(), stamp));
                Ok(())
            }
        }
    })
}

/// A workbook's sheet, with the error that stops reading it as records, if any.
type SheetRead = (Sheet, Option<String>);

/// A workbook's sheets: each that carries a records header is read (numbered from `file` on);
/// the others are named in a note. With `--sheet`, the one sheet is read. When no sheet
/// carries one, the first sheet with text is read, to say what its header lacks.
fn read_sheets(
    name: &str,
    sheets: &[SheetRead],
    env: &Env,
    file: u32,
) -> Result<Vec<FileRead>, Error> {
    // A sheet read as records must be read whole: a formula without a value stops the run.
    let read_one = |(s, unread): &SheetRead, file: u32| match unread {
        Some(e) => Err(Error::Invalid(e.clone())),
        None => read_rows(s, env, file),
    };
    if env.opts.sheet.is_some() || sheets.len() == 1 {
        return match sheets.first() {
            Some(s) if !s.0.header.is_empty() => Ok(vec![read_one(s, file)?]),
            Some(s) => Err(Error::Invalid(msg::empty_input(ui(), &s.0.name, true))),
            None => Err(Error::Invalid(msg::empty_input(ui(), name, true))),
        };
    }
    let (records, skipped): (Vec<&SheetRead>, Vec<&SheetRead>) = sheets
        .iter()
        .partition(|(s, _)| !s.header.is_empty() && header_of(s, env.opts.header_row).is_some());
    if records.is_empty() {
        return match sheets.iter().find(|s| !s.0.header.is_empty()) {
            Some(s) => Ok(vec![read_one(s, file)?]),
            None => Err(Error::Invalid(msg::empty_input(ui(), name, true))),
        };
    }
    // A summary sheet (汇总, 总表 …) beside the sheets it sums would count their records again:
    // left out when each of its rows is one of theirs, an error when it holds others.
    let (summaries, records): (Vec<&SheetRead>, Vec<&SheetRead>) = if records.len() > 1 {
        records
            .into_iter()
            .partition(|s| summary_name(&sheet_name(name, &s.0.name)))
    } else {
        (Vec::new(), records)
    };
    let (summaries, records) = if records.is_empty() {
        (Vec::new(), summaries)
    } else {
        (summaries, records)
    };
    for s in &summaries {
        let others: Vec<&Sheet> = records.iter().map(|r| &r.0).collect();
        if let Some((line, n)) = rows_not_in(&s.0, &others, env.opts.header_row, env.roster) {
            return Err(Error::Invalid(msg::summary_sheet_differs(
                ui(),
                &s.0.name,
                n,
                line,
            )));
        }
    }
    let mut read = Vec::with_capacity(records.len());
    for (k, s) in records.iter().enumerate() {
        read.push(read_one(s, file + k as u32)?);
    }
    // Which sheets were read, and which not, are said: a summary sheet with a records header
    // would count its records again.
    let names = |sheets: &[&SheetRead]| {
        let names: Vec<String> = sheets.iter().map(|s| sheet_name(name, &s.0.name)).collect();
        msg::list(ui(), &names)
    };
    let mut notes = Vec::new();
    if records.len() > 1 {
        notes.push(msg::sheets_read(ui(), name, &names(&records)));
    }
    if !skipped.is_empty() {
        notes.push(msg::sheets_skipped(ui(), name, &names(&skipped)));
    }
    if !summaries.is_empty() {
        notes.push(msg::summary_sheets_skipped(ui(), name, &names(&summaries)));
    }
    if let Some(r) = read.first_mut() {
        r.notes.append(&mut notes);
    }
    Ok(read)
}

/// Words in a sheet's name that make it a summary of the others (汇总表, 总表, 合计 …).
const SUMMARY_WORDS: [&str; 7] = ["汇总", "总表", "合计", "总计", "统计", "summary", "total"];

fn summary_name(sheet: &str) -> bool {
    let key = input::header_key(sheet);
    SUMMARY_WORDS.iter().any(|w| key.contains(w))
}

/// The first data row of `summary` (its line) that is none of the other sheets' records, and
/// how many there are; `None` when each is one of theirs. Rows are compared as records, by the
/// columns both sheets have whatever their headers (`责任单位` is `单位`), their cells as read
/// (a date in any form, `22.5%` and `22.5`, a unit by its code or roster name, an empty count
/// and 1); totals and blank or numbered-only rows aside; ids and inspectors are not compared
/// (a summary renumbers rows).
fn rows_not_in(
    summary: &Sheet,
    others: &[&Sheet],
    want: Option<u64>,
    roster: Option<&crate::units::Units>,
) -> Option<(u64, usize)> {
    type Cols = Vec<Option<Col>>;
    fn data(sheet: &Sheet, want: Option<u64>) -> Option<(Cols, Vec<&input::Row>)> {
        let k = header_of(sheet, want)?;
        let (header, rows): (Vec<String>, &[input::Row]) = if k == 0 {
            (sheet.header.clone(), &sheet.rows)
        } else {
            (sheet.rows[k - 1].cells.clone(), &sheet.rows[k..])
        };
        let cols = header.iter().map(|h| column_of(h)).collect();
        Some((cols, rows.iter().filter(|r| !r.is_blank()).collect()))
    }
    let key = |col: Col, cell: Option<&String>| -> String {
        let text = input::trim_cell(cell.map_or("", String::as_str));
        let number = |t: &str| crate::rubric::parse_decimal(t).map(|d| d.to_string());
        let plain = input::header_key(text);
        match col {
            Col::Date | Col::Deadline | Col::Rectified => crate::period::parse_date(text)
                .map(|d| d.to_string())
                .unwrap_or(plain),
            Col::Unit => match roster.and_then(|r| r.find(text)) {
                Some(u) => format!("#{u}"),
                None => plain,
            },
            Col::Count if plain.is_empty() => "1".to_owned(),
            Col::Count => number(&plain).unwrap_or(plain),
            Col::Value => number(plain.strip_suffix('%').unwrap_or(&plain)).unwrap_or(plain),
            _ => plain,
        }
    };
    let (head, rows) = data(summary, want)?;
    // Per other sheet: the columns both have (the summary's index, its index), and its
    // records under them.
    type Sig = Vec<String>;
    let compared = |c: &Option<Col>| c.is_some_and(|c| !matches!(c, Col::Id | Col::Inspector));
    // Each other sheet: the summary's columns it shares, and its records' keys under them.
    type Other = (Vec<(usize, Col)>, std::collections::HashSet<Sig>);
    let mut sheets: Vec<Other> = Vec::new();
    for other in others {
        let Some((oh, orows)) = data(other, want) else {
            continue;
        };
        let shared: Vec<(usize, usize, Col)> = head
            .iter()
            .enumerate()
            .filter(|(_, c)| compared(c))
            .filter_map(|(i, c)| Some((i, oh.iter().position(|o| o == c)?, (*c)?)))
            .collect();
        let seen = orows
            .iter()
            .map(|r| {
                shared
                    .iter()
                    .map(|&(_, j, c)| key(c, r.cells.get(j)))
                    .collect()
            })
            .collect();
        sheets.push((shared.iter().map(|&(i, _, c)| (i, c)).collect(), seen));
    }
    let mut first = None;
    let mut n = 0;
    let total = |r: &input::Row| r.cells.iter().any(|c| is_total_cell(c));
    for r in rows.iter().filter(|r| !total(r)) {
        // A row with nothing under the compared columns (only a sequence number) is no record.
        let empty = head
            .iter()
            .enumerate()
            .filter(|(_, c)| compared(c))
            .all(|(i, _)| {
                r.cells
                    .get(i)
                    .is_none_or(|c| input::trim_cell(c).is_empty())
            });
        let found = empty
            || sheets.iter().any(|(cols, seen)| {
                let sig: Sig = cols.iter().map(|&(i, c)| key(c, r.cells.get(i))).collect();
                !cols.is_empty() && seen.contains(&sig)
            });
        if !found {
            first.get_or_insert(r.line);
            n += 1;
        }
    }
    first.map(|line| (line, n))
}

/// A sheet's own name, out of its label `book.xlsx[6月]`.
fn sheet_name(book: &str, label: &str) -> String {
    label
        .strip_prefix(book)
        .and_then(|l| l.strip_prefix('['))
        .and_then(|l| l.strip_suffix(']'))
        .unwrap_or(label)
        .to_owned()
}

/// Where a sheet's records header is (see [`Sheet::header_at`]): the row that names the
/// required columns.
fn header_of(sheet: &Sheet, want: Option<u64>) -> Option<usize> {
    sheet.header_at(want, names_required)
}

/// Bytes that are UTF-8 text as they are (a UTF-8 byte-order mark left out), unless another
/// encoding is asked for or marked.
fn utf8_text(bytes: &[u8], encoding: TextEncoding) -> Option<&[u8]> {
    let bytes = match encoding {
        TextEncoding::Auto | TextEncoding::Utf8 => {
            bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes)
        }
        _ => return None,
    };
    let utf16 = bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]);
    if encoding == TextEncoding::Auto && utf16 {
        return None;
    }
    std::str::from_utf8(bytes).is_ok().then_some(bytes)
}

/// The header of an input, and where its rows begin.
struct Found {
    head: input::Head,
    delimiter: u8,
    /// The offset of the first byte after the header row.
    body: usize,
    /// The note naming rows above the header, if any.
    notes: Vec<String>,
}

/// The header (SPEC §2.1): the row `--header-row` names, else the first of the first ten rows
/// with text that names the required columns, else the first row with text (read as the header
/// to say what it lacks); in the first lines of an input (`None`: read further). A quote that
/// the input never closes, or no header at all, is an error.
fn head_of(
    name: &str,
    lower: &str,
    bytes: &[u8],
    at_end: bool,
    want: Option<u64>,
) -> Result<Option<Found>, Stop> {
    let lines = match (at_end, memchr::memrchr(b'\n', bytes)) {
        (true, _) => bytes.len(),
        (false, Some(n)) => n + 1,
        (false, None) => return Ok(None),
    };
    let delimiter = if lower.ends_with(".tsv") || lower.ends_with(".tab") {
        b'\t'
    } else {
        input::sniff_delimiter(utf8(&bytes[..lines])?)
    };
    let Some(cut) = cut(bytes, at_end, delimiter) else {
        return Ok(None);
    };
    let region = &bytes[..cut.at];
    if let Some(q) = cut.unclosed {
        let at = format!("{name}:{}", 1 + newlines(&region[..q]));
        return Err(Error::Invalid(msg::unclosed_quote(ui(), &at)).into());
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(region);
    let mut rec = csv::ByteRecord::new();
    // The rows with text so far: line, cells, and where the next row begins.
    let mut seen: Vec<(u64, Vec<String>, usize)> = Vec::new();
    let found = |seen: &mut Vec<(u64, Vec<String>, usize)>, k: usize| {
        let (header_line, header, body) = seen.swap_remove(k);
        let above: Vec<(u64, &[String])> = seen[..k.min(seen.len())]
            .iter()
            .map(|(l, c, _)| (*l, &c[..]))
            .collect();
        let notes = input::above_note(name, &above).into_iter().collect();
        Found {
            head: input::Head {
                name: name.to_owned(),
                header,
                header_line,
            },
            delimiter,
            body,
            notes,
        }
    };
    while reader
        .read_byte_record(&mut rec)
        .map_err(|e| Error::Internal(e.to_string()))?
    {
        let cells = cells(&rec)?;
        let line = rec.position().map_or(1, |p| input::true_line(region, p));
        let body = reader.position().byte() as usize;
        match want {
            Some(n) if line == n => return Ok(Some(found(&mut vec![(line, cells, body)], 0))),
            Some(n) if line > n => break,
            Some(_) => {}
            None if cells.iter().any(|c| !c.is_empty()) => {
                let header = names_required(&cells);
                seen.push((line, cells, body));
                if header {
                    let k = seen.len() - 1;
                    return Ok(Some(found(&mut seen, k)));
                }
                if seen.len() >= input::HEADER_WITHIN {
                    return Ok(Some(found(&mut seen, 0)));
                }
            }
            None => {}
        }
    }
    if !at_end {
        return Ok(None);
    }
    if !seen.is_empty() {
        return Ok(Some(found(&mut seen, 0)));
    }
    Err(Error::Invalid(msg::empty_input(ui(), name, false)).into())
}

/// The error for a quote that the rows (from `first_line` on) never close, if one is.
fn unclosed(found: &Found, rows: &[u8], first_line: u64) -> Option<Error> {
    let q = cut(rows, true, found.delimiter)?.unclosed?;
    let at = format!("{}:{}", found.head.name, first_line + newlines(&rows[..q]));
    Some(Error::Invalid(msg::unclosed_quote(ui(), &at)))
}

/// The most bytes looked through for a file's header.
const MAX_HEAD: u64 = 16 << 20;

/// A UTF-8 text file, block by block.
#[allow(clippy::too_many_arguments)]
fn read_file(
    path: &str,
    lower: &str,
    mut f: File,
    stamp: Option<Stamp>,
    mut buf: Vec<u8>,
    mut eof: bool,
    env: &Env,
    file: u32,
) -> Result<FileRead, Stop> {
    let io = |e| Stop::Failed(Error::io(path, e));
    let size = stamp.map(|s| s.len);
    let start = if buf.starts_with(&[0xEF, 0xBB, 0xBF]) {
        3
    } else {
        0
    };
    let found = loop {
        if let Some(found) = head_of(path, lower, &buf[start..], eof, env.opts.header_row)? {
            break found;
        }
        // The header is among the first rows: that many bytes without it is no records file
        // (or an endless line).
        if buf.len() as u64 > MAX_HEAD {
            return Err(Error::Invalid(msg::no_header_within(ui(), path, MAX_HEAD)).into());
        }
        eof = read_more(&mut f, &mut buf, env.config.block).map_err(io)?;
    };
    let body = start + found.body;
    let first_line = 1 + newlines(&buf[..body]);
    let columns = match Columns::of(&found.head) {
        Ok(c) => c,
        Err(e) => {
            // A file that is not UTF-8 is read decoded; then a quote never closed is the first
            // thing to say of it.
            f.read_to_end(&mut buf).map_err(io)?;
            utf8(&buf[start..])?;
            return Err(unclosed(&found, &buf[body..], first_line)
                .unwrap_or(e)
                .into());
        }
    };
    let bar = size
        .filter(|&s| env.progress && s > 64 << 20)
        .map(progress_bar);
    let ctx = Ctx::new(env, &found.head, &columns, found.delimiter, file, true);
    let parts = run_blocks(&ctx, first_line, bar.as_ref(), |out| {
        feed(&mut f, buf, body, stamp, out)
    })?;
    Ok(FileRead {
        name: path.to_owned(),
        header: found.head.header.clone(),
        columns,
        parts,
        notes: found.notes,
    })
}

fn progress_bar(size: u64) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(size);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {bytes}/{total_bytes} {wide_bar} {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar
}

/// Text in memory (decoded, or standard input), block by block.
fn read_text(
    name: &str,
    lower: &str,
    text: &[u8],
    env: &Env,
    file: u32,
) -> Result<FileRead, Error> {
    let found = head_of(name, lower, text, true, env.opts.header_row)
        .map_err(|s| s.into_error(name))?
        .ok_or_else(|| Error::Invalid(msg::empty_input(ui(), name, false)))?;
    let first_line = 1 + newlines(&text[..found.body]);
    let columns = Columns::of(&found.head)
        .map_err(|e| unclosed(&found, &text[found.body..], first_line).unwrap_or(e))?;
    let ctx = Ctx::new(env, &found.head, &columns, found.delimiter, file, false);
    let parts = run_blocks(&ctx, first_line, None, |out| {
        feed_text(text, found.body, out)
    })
    .map_err(|s| s.into_error(name))?;
    Ok(FileRead {
        name: name.to_owned(),
        header: found.head.header.clone(),
        columns,
        parts,
        notes: found.notes,
    })
}

/// A spreadsheet's rows (or rows parsed already), a few at a time; their lines are the sheet's.
pub(super) fn read_rows(sheet: &Sheet, env: &Env, file: u32) -> Result<FileRead, Error> {
    let want = env.opts.header_row;
    // The header (SPEC §2.1): rows above it are skipped, and named in a note. Without one, the
    // row asked for (or the first with text) is read as the header, to say what it lacks.
    let at = header_of(sheet, want).unwrap_or_else(|| match want {
        Some(n) => sheet
            .rows
            .iter()
            .position(|r| r.line == n)
            .map_or(0, |k| k + 1),
        None => 0,
    });
    let (head, body, notes) = match at {
        0 => {
            let head = input::Head {
                name: sheet.name.clone(),
                header: sheet.header.clone(),
                header_line: sheet.header_line,
            };
            (head, &sheet.rows[..], Vec::new())
        }
        k => {
            let row = &sheet.rows[k - 1];
            let head = input::Head {
                name: sheet.name.clone(),
                header: row.cells.clone(),
                header_line: row.line,
            };
            let above: Vec<(u64, &[String])> =
                std::iter::once((sheet.header_line, &sheet.header[..]))
                    .chain(sheet.rows[..k - 1].iter().map(|r| (r.line, &r.cells[..])))
                    .collect();
            let notes = input::above_note(&sheet.name, &above).into_iter().collect();
            (head, &sheet.rows[k..], notes)
        }
    };
    let columns = Columns::of(&head)?;
    let ctx = Ctx::new(env, &head, &columns, b',', file, false);
    let rows = (env.config.block / 64).max(1);
    let parts = run_blocks(&ctx, 0, None, |out| {
        for chunk in body.chunks(rows) {
            out.go_on()?;
            out.send(Data::Rows(chunk), false)?;
        }
        Ok(())
    })
    .map_err(|s| s.into_error(&sheet.name))?;
    Ok(FileRead {
        name: sheet.name.clone(),
        header: head.header.clone(),
        columns,
        parts,
        notes,
    })
}

/// Reads up to `n` more bytes onto `buf`; true at the end of the file.
fn read_more(file: &mut File, buf: &mut Vec<u8>, n: usize) -> std::io::Result<bool> {
    let got = file.by_ref().take(n as u64).read_to_end(buf)?;
    Ok(got < n)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// When ids repeat the inputs are read twice: a file that is another one at its second
    /// reading (rewritten, or replaced) is an error, not rows of two versions settled together.
    #[test]
    fn a_file_changed_between_two_readings_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.csv"), dir.path().join("b.csv"));
        std::fs::write(&a, "x").unwrap();
        std::fs::write(&b, "x").unwrap();
        let stamp = |p: &std::path::Path| Stamp::of(&std::fs::metadata(p).unwrap());
        let path = "r.csv";
        same_as_first_reading(path, stamp(&a), false).unwrap();
        same_as_first_reading(path, stamp(&a), true).unwrap();
        let Err(Error::Io { message, .. }) = same_as_first_reading(path, stamp(&b), true) else {
            panic!("another file at the second reading");
        };
        assert!(message.contains("changed while it was read"), "{message}");
        // A new first reading starts over.
        same_as_first_reading(path, stamp(&b), false).unwrap();
        same_as_first_reading(path, stamp(&b), true).unwrap();
    }
}
