//! Reading tabular input (records and rosters) into rows of text cells, whatever the encoding:
//! UTF-8 with or without BOM, UTF-16 with BOM, or GB18030/GBK as Excel writes it in China.

use std::io::Read;
use std::path::Path;

use encoding_rs::{DecoderResult, Encoding, GB18030, GBK, UTF_8, UTF_16BE, UTF_16LE};

use crate::error::Error;
use crate::i18n::{msg, ui, usage};

/// A forced text encoding (`--encoding`); `Auto` detects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TextEncoding {
    #[default]
    Auto,
    Utf8,
    Gbk,
    Gb18030,
    Utf16le,
    Utf16be,
}

impl std::str::FromStr for TextEncoding {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "auto" => Ok(Self::Auto),
            "utf-8" | "utf8" => Ok(Self::Utf8),
            "gbk" | "cp936" => Ok(Self::Gbk),
            "gb18030" => Ok(Self::Gb18030),
            "utf-16le" | "utf16le" => Ok(Self::Utf16le),
            "utf-16be" | "utf16be" => Ok(Self::Utf16be),
            other => Err(format!(
                "unknown encoding \"{other}\": expected utf-8, gbk, gb18030, utf-16le or utf-16be"
            )),
        }
    }
}

/// A byte sequence that is not text in the encoding read: where it is (its line, and its
/// column counted in characters of the line decoded before it) and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Malformed {
    pub line: u64,
    pub column: u64,
    pub bytes: Vec<u8>,
}

impl Malformed {
    /// `name:line:column`.
    fn at(&self, name: &str) -> String {
        format!("{name}:{}:{}", self.line, self.column)
    }

    /// The bytes in hex, `B2 BB`.
    fn hex(&self) -> String {
        let hex: Vec<String> = self.bytes.iter().map(|b| format!("{b:02X}")).collect();
        hex.join(" ")
    }
}

/// Bytes (without a byte-order mark) decoded in `enc`: the text, and the first malformed
/// sequence with how many there were. Strict (`lossy` false) stops at the first; lossy
/// replaces each with U+FFFD and goes on.
fn decode_checked(
    enc: &'static Encoding,
    bytes: &[u8],
    lossy: bool,
) -> (String, Option<(Malformed, u64)>) {
    let mut dec = enc.new_decoder_without_bom_handling();
    let room = |dec: &encoding_rs::Decoder, n: usize| dec.max_utf8_buffer_length(n).unwrap_or(n);
    let mut out = String::with_capacity(room(&dec, bytes.len()));
    let (mut pos, mut bad) = (0usize, None::<(Malformed, u64)>);
    loop {
        let (result, read) =
            dec.decode_to_string_without_replacement(&bytes[pos..], &mut out, true);
        pos += read;
        match result {
            DecoderResult::InputEmpty => return (out, bad),
            DecoderResult::OutputFull => out.reserve(room(&dec, bytes.len() - pos) + 4),
            DecoderResult::Malformed(len, extra) => {
                let end = pos.saturating_sub(usize::from(extra));
                let start = end.saturating_sub(usize::from(len));
                match &mut bad {
                    Some((_, n)) => *n += 1,
                    None => bad = Some((malformed_at(&out, &bytes[start..end]), 1)),
                }
                if !lossy {
                    return (out, bad);
                }
                out.push('\u{FFFD}');
            }
        }
    }
}

/// A malformed sequence placed after the text decoded before it.
fn malformed_at(before: &str, bytes: &[u8]) -> Malformed {
    let line_start = memchr::memrchr(b'\n', before.as_bytes()).map_or(0, |i| i + 1);
    Malformed {
        line: 1 + memchr::memchr_iter(b'\n', before.as_bytes()).count() as u64,
        column: 1 + before[line_start..].chars().count() as u64,
        bytes: bytes.to_vec(),
    }
}

/// The encoding named, and its name as messages give it.
fn named(encoding: TextEncoding) -> (&'static Encoding, &'static str) {
    match encoding {
        TextEncoding::Auto | TextEncoding::Utf8 => (UTF_8, "UTF-8"),
        TextEncoding::Gbk => (GBK, "GBK"),
        TextEncoding::Gb18030 => (GB18030, "GB18030"),
        TextEncoding::Utf16le => (UTF_16LE, "UTF-16LE"),
        TextEncoding::Utf16be => (UTF_16BE, "UTF-16BE"),
    }
}

/// The text of a whole input. Without `--encoding` a byte-order mark decides, else UTF-8;
/// bytes that are not UTF-8 are read as GB18030 (GBK's superset, as Excel in China saves)
/// only when all of them are GB18030 and most of the lines with other than ASCII are not
/// UTF-8: any other input is an error at its first byte that is not UTF-8. With `--encoding`,
/// a byte that is not text in it is an error, or with `lossy` U+FFFD and a note.
pub fn decode_text(
    name: &str,
    mut bytes: Vec<u8>,
    encoding: TextEncoding,
    lossy: bool,
) -> Result<String, Error> {
    if encoding == TextEncoding::Auto {
        return decode_auto(name, bytes);
    }
    let (enc, label) = named(encoding);
    if let Some((bom_enc, bom)) = Encoding::for_bom(&bytes)
        && bom_enc == enc
    {
        bytes.drain(..bom);
    }
    decode_in(name, bytes, enc, label, lossy)
}

/// Bytes without a byte-order mark in an encoding known, strictly or `lossy`.
fn decode_in(
    name: &str,
    bytes: Vec<u8>,
    enc: &'static Encoding,
    label: &str,
    lossy: bool,
) -> Result<String, Error> {
    let bytes = match enc == UTF_8 {
        true => match String::from_utf8(bytes) {
            Ok(text) => return Ok(text),
            Err(e) => e.into_bytes(),
        },
        false => bytes,
    };
    match decode_checked(enc, &bytes, lossy) {
        (text, None) => Ok(text),
        (text, Some((bad, n))) if lossy => {
            let note = msg::bytes_replaced(ui(), name, n, label, &bad.at(name), &bad.hex());
            eprintln!("note: {}", crate::write::message(&note));
            Ok(text)
        }
        (_, Some((bad, _))) => Err(Error::Invalid(msg::not_in_encoding(
            ui(),
            &bad.at(name),
            &bad.hex(),
            label,
        ))),
    }
}

/// The text of an input whose encoding is not named (see `decode_text`).
fn decode_auto(name: &str, mut bytes: Vec<u8>) -> Result<String, Error> {
    if let Some((enc, bom)) = Encoding::for_bom(&bytes) {
        bytes.drain(..bom);
        return decode_in(name, bytes, enc, enc.name(), false);
    }
    let bytes = match String::from_utf8(bytes) {
        Ok(text) => return Ok(text),
        Err(e) => e.into_bytes(),
    };
    // Mostly not UTF-8: GBK, unless a byte is not GBK either, where the error is.
    let (bad, message): (_, fn(_, &_, &_) -> _) = match mostly_not_utf8(&bytes) {
        true => match decode_checked(GB18030, &bytes, false) {
            (text, None) => return Ok(text),
            (_, bad) => (bad, msg::neither_utf8_nor_gbk),
        },
        false => (decode_checked(UTF_8, &bytes, false).1, msg::stray_not_utf8),
    };
    match bad {
        Some((bad, _)) => Err(Error::Invalid(message(ui(), &bad.at(name), &bad.hex()))),
        None => Err(Error::Internal(format!(
            "{name}: not UTF-8, yet it decodes"
        ))),
    }
}

/// Whether more of the lines that hold other than ASCII are not UTF-8 than are: so in a GBK
/// file (where a line of Chinese is seldom UTF-8 by chance), not in a UTF-8 file with a stray
/// line in another encoding.
fn mostly_not_utf8(bytes: &[u8]) -> bool {
    let (mut utf8, mut not) = (0u64, 0u64);
    for line in bytes.split(|&b| b == b'\n') {
        if line.is_ascii() {
            continue;
        }
        match std::str::from_utf8(line) {
            Ok(_) => utf8 += 1,
            Err(_) => not += 1,
        }
    }
    not > utf8
}

/// One input row: its 1-based line in the file and its cells, trimmed.
#[derive(Debug, Clone)]
pub struct Row {
    pub line: u64,
    pub cells: Vec<String>,
}

impl Row {
    pub fn is_blank(&self) -> bool {
        self.cells.iter().all(|c| c.is_empty())
    }
}

/// A header and its rows, as read from one input.
#[derive(Debug, Clone)]
pub struct Sheet {
    /// How messages name the input (its path, or `<stdin>`).
    pub name: String,
    pub header: Vec<String>,
    pub header_line: u64,
    pub rows: Vec<Row>,
}

/// How many of the first rows with text may stand above a header (titles, 填报单位…).
pub const HEADER_WITHIN: usize = 10;

impl Sheet {
    /// Where the header is (SPEC §2.1): 0 for the row read as the header, k for the k-th row
    /// after it. `want` (`--header-row N`) is the row numbered N, when `is_header` holds for it;
    /// otherwise the first of the first [`HEADER_WITHIN`] rows with text that it holds for.
    /// `None` when no row is.
    pub fn header_at(
        &self,
        want: Option<u64>,
        is_header: impl Fn(&[String]) -> bool,
    ) -> Option<usize> {
        let first = std::iter::once((self.header_line, &self.header));
        let rows = first.chain(self.rows.iter().map(|r| (r.line, &r.cells)));
        match want {
            Some(n) => rows
                .enumerate()
                .find(|(_, (line, _))| *line == n)
                .filter(|(_, (_, cells))| is_header(cells))
                .map(|(k, _)| k),
            None => rows
                .enumerate()
                .filter(|(_, (_, cells))| cells.iter().any(|c| !c.is_empty()))
                .take(HEADER_WITHIN)
                .find(|(_, (_, cells))| is_header(cells))
                .map(|(k, _)| k),
        }
    }

    /// The sheet read from its header at `k` (as [`Sheet::header_at`] gives it), with the note
    /// naming the rows above it, which are skipped.
    pub fn from_header(mut self, k: usize) -> (Sheet, Option<String>) {
        if k == 0 || k > self.rows.len() {
            return (self, None);
        }
        let mut above = std::mem::take(&mut self.rows);
        let rows = above.split_off(k);
        let Some(header) = above.pop() else {
            return (self, None);
        };
        let lines: Vec<(u64, &[String])> = std::iter::once((self.header_line, &self.header[..]))
            .chain(above.iter().map(|r| (r.line, &r.cells[..])))
            .collect();
        let note = above_note(&self.name, &lines);
        let sheet = Sheet {
            name: self.name,
            header: header.cells,
            header_line: header.line,
            rows,
        };
        (sheet, note)
    }
}

/// The note naming rows above a header: each row's number and its first text.
pub fn above_note(name: &str, rows: &[(u64, &[String])]) -> Option<String> {
    let rows: Vec<String> = rows
        .iter()
        .filter_map(|(line, cells)| {
            let text = cells.iter().map(|c| trim_cell(c)).find(|c| !c.is_empty())?;
            let short: String = text.chars().take(24).collect();
            let more = if short.len() < text.len() { "…" } else { "" };
            Some(format!("{line} ({short}{more})"))
        })
        .collect();
    (!rows.is_empty()).then(|| msg::rows_above_header(ui(), name, &msg::list(ui(), &rows)))
}

/// Options that shape how an input is read.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    pub encoding: TextEncoding,
    pub sheet: Option<String>,
    /// The header's row, as the file or sheet numbers it (`--header-row`); otherwise the first
    /// of the first ten rows that names the required columns.
    pub header_row: Option<u64>,
    /// Bytes that are not text in the named encoding are replaced (U+FFFD, with a note)
    /// rather than an error (`--lossy`).
    pub lossy: bool,
    /// Rows equal across inputs (double entry) are kept once, from the first input that has
    /// them (`--dedupe`); otherwise each counts, with a note.
    pub dedupe: bool,
    pub config: ReadConfig,
}

/// How the reader does its work: neither the number of workers nor the block size changes what
/// it reads, only how fast (tests read with tiny blocks and several workers to show it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadConfig {
    /// Workers that check and tally blocks at once (`-j/--jobs`).
    pub workers: usize,
    /// Bytes per block (a block holds whole records, so it may be longer).
    pub block: usize,
    /// Memory the records a command keeps may take, all workers together; past it they wait
    /// in temporary files (a report keeps millions).
    pub kept_bytes: usize,
    /// Memory the rows held back to be settled (an id that repeats, a row equal to one of
    /// another input) may take, all workers together; past it the run stops with an error.
    pub held_bytes: usize,
}

impl ReadConfig {
    /// The usual block: large enough that handing it over costs nothing, small enough to stay
    /// in the cache of the worker that checks it.
    pub const BLOCK: usize = 2 << 20;

    /// The most workers: more threads than that only cost memory (each holds its blocks and
    /// its tallies), and thousands cannot even be started (`-j 5000` was an internal error).
    pub const MAX_WORKERS: usize = 64;

    /// `jobs` workers (the machine's parallelism when `None`), at most [`Self::MAX_WORKERS`].
    pub fn with_jobs(jobs: Option<usize>) -> ReadConfig {
        let workers = jobs.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
        });
        ReadConfig {
            workers: workers.clamp(1, Self::MAX_WORKERS),
            ..ReadConfig::default()
        }
    }
}

impl Default for ReadConfig {
    fn default() -> Self {
        ReadConfig {
            workers: std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get),
            block: ReadConfig::BLOCK,
            kept_bytes: 64 << 20,
            held_bytes: 768 << 20,
        }
    }
}

/// The name and header of an input whose rows are being read.
#[derive(Debug, Clone)]
pub struct Head {
    pub name: String,
    pub header: Vec<String>,
    pub header_line: u64,
}

/// A reader that hands rows one by one to a callback.
type EachRow<'f> = &'f mut dyn FnMut(&Head, &Row) -> Result<(), Error>;

/// Keeps every row a row-by-row reader hands over, as a sheet.
fn collect_sheet(read: impl FnOnce(EachRow) -> Result<Head, Error>) -> Result<Sheet, Error> {
    let mut rows = Vec::new();
    let head = read(&mut |_, row| {
        rows.push(row.clone());
        Ok(())
    })?;
    Ok(Sheet {
        name: head.name,
        header: head.header,
        header_line: head.header_line,
        rows,
    })
}

/// Reads a file (or `-` for standard input) as a table.
pub fn read_table(path: &str, opts: &ReadOptions) -> Result<Sheet, Error> {
    collect_sheet(|f| for_each_row(path, opts, f))
}

/// Standard input, read from the process once: a command that reads its inputs under two
/// rubrics (`compare`) sees the same bytes twice.
pub fn stdin() -> Result<&'static [u8], Error> {
    static STDIN: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    if let Some(bytes) = STDIN.get() {
        return Ok(bytes);
    }
    let buf = read_capped("<stdin>", std::io::stdin())?;
    Ok(STDIN.get_or_init(|| buf))
}

/// The most bytes of one input read into memory whole (standard input, a file in another
/// encoding than UTF-8, a workbook, a roster): endless input (`/dev/zero`, `yes |`) stops here
/// with an error instead of growing until memory runs out.
pub const MAX_IN_MEMORY: u64 = 1 << 30;

/// A file read whole, up to [`MAX_IN_MEMORY`] bytes.
pub fn read_whole(path: &str) -> Result<Vec<u8>, Error> {
    let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    read_capped(path, f)
}

/// The most bytes of a rubric or a `civscore.toml` (the largest built-in rubric is a few KB).
pub const MAX_SMALL_FILE: u64 = 16 << 20;

/// A rubric or settings file read whole, up to [`MAX_SMALL_FILE`] bytes: `--rubric /dev/zero`
/// stops there instead of exhausting memory.
pub fn read_small(path: &Path) -> std::io::Result<Result<Vec<u8>, Error>> {
    let f = std::fs::File::open(path)?;
    let mut buf = Vec::new();
    f.take(MAX_SMALL_FILE + 1).read_to_end(&mut buf)?;
    if buf.len() as u64 > MAX_SMALL_FILE {
        let name = path.display().to_string();
        return Ok(Err(Error::Invalid(msg::small_file_too_large(
            ui(),
            &name,
            MAX_SMALL_FILE,
        ))));
    }
    Ok(Ok(buf))
}

fn read_capped(name: &str, r: impl Read) -> Result<Vec<u8>, Error> {
    let mut buf = Vec::new();
    r.take(MAX_IN_MEMORY + 1)
        .read_to_end(&mut buf)
        .map_err(|e| Error::io(name, e))?;
    if buf.len() as u64 > MAX_IN_MEMORY {
        return Err(Error::Invalid(msg::input_too_large(
            ui(),
            name,
            MAX_IN_MEMORY,
        )));
    }
    Ok(buf)
}

/// An input whose first bytes hold a NUL (and no UTF-16 byte-order mark) is binary: neither
/// text nor a spreadsheet civscore reads.
pub fn binary(head: &[u8]) -> bool {
    let utf16 = head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]);
    !utf16 && memchr::memchr(0, &head[..head.len().min(1 << 16)]).is_some()
}

/// Reads a file (or `-`) row by row: rows are handed to `f` as they are parsed, not kept.
pub fn for_each_row(
    path: &str,
    opts: &ReadOptions,
    f: &mut dyn FnMut(&Head, &Row) -> Result<(), Error>,
) -> Result<Head, Error> {
    let bytes = if path == "-" {
        stdin()?.to_vec()
    } else {
        let p = Path::new(path);
        if p.is_dir() {
            return Err(Error::Io {
                path: path.to_owned(),
                message: usage::input_is_folder(ui()),
            });
        }
        read_whole(path)?
    };
    let name = if path == "-" { "<stdin>" } else { path };
    let lower = path.to_ascii_lowercase();
    if is_spreadsheet(&lower, &bytes) {
        let sheet = read_spreadsheet(name, bytes, opts.sheet.as_deref())?;
        let head = Head {
            name: sheet.name.clone(),
            header: sheet.header.clone(),
            header_line: sheet.header_line,
        };
        for row in &sheet.rows {
            f(&head, row)?;
        }
        return Ok(head);
    }
    if binary(&bytes) {
        return Err(Error::Invalid(msg::binary_input(ui(), name)));
    }
    let text = decode_text(name, bytes, opts.encoding, opts.lossy)?;
    let delimiter = if lower.ends_with(".tsv") || lower.ends_with(".tab") {
        b'\t'
    } else {
        sniff_delimiter(&text)
    };
    each_delimited(name, &text, delimiter, f)
}

const SPREADSHEET_EXTENSIONS: &[&str] = &[".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"];

/// A spreadsheet by its extension, or by its first bytes (a zip archive or an OLE compound file)
/// when it comes from standard input or has an unexpected name.
pub(crate) fn is_spreadsheet(lower_path: &str, bytes: &[u8]) -> bool {
    SPREADSHEET_EXTENSIONS
        .iter()
        .any(|e| lower_path.ends_with(e))
        || bytes.starts_with(b"PK\x03\x04")
        || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1])
}

/// Reads the first sheet (or `sheet`) of an .xlsx, .xls or .ods workbook. Rows are numbered as
/// the spreadsheet shows them, and messages name the input as `book.xlsx[Sheet1]`.
pub fn read_spreadsheet(name: &str, bytes: Vec<u8>, sheet: Option<&str>) -> Result<Sheet, Error> {
    let which = sheet.map_or(Which::First, Which::Named);
    let (sheet, unread) = read_workbook_as(name, bytes, which)?
        .pop()
        .ok_or_else(|| Error::Invalid(usage::workbook_without_sheets(ui(), name)))?;
    if let Some(e) = unread {
        return Err(Error::Invalid(e));
    }
    if sheet.header.is_empty() {
        return Err(Error::Invalid(msg::empty_input(ui(), &sheet.name, true)));
    }
    Ok(sheet)
}

/// Reads every sheet of a workbook (or only `sheet`), in the workbook's order: a sheet without
/// any text comes with an empty header. Cells are read as the person sees them (SPEC §2.1): a
/// percent-formatted number as its percentage (`22.5%`), a merged region's value in every cell
/// it covers. A formula without a stored value is an error naming its cell, given with its
/// sheet: it stops the run only when that sheet is read.
pub fn read_workbook(
    name: &str,
    bytes: Vec<u8>,
    sheet: Option<&str>,
) -> Result<Vec<(Sheet, Option<String>)>, Error> {
    read_workbook_as(name, bytes, sheet.map_or(Which::All, Which::Named))
}

/// Which sheets of a workbook are read.
#[derive(Clone, Copy)]
enum Which<'a> {
    First,
    Named(&'a str),
    All,
}

/// A sheet, and the error that stops reading it as records (a formula without a value).
type Unread = (Sheet, Option<String>);

fn read_workbook_as(name: &str, bytes: Vec<u8>, which: Which) -> Result<Vec<Unread>, Error> {
    // A damaged workbook must be an error, even if the spreadsheet reader panics on it.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        spreadsheet(name, bytes, which)
    }))
    .unwrap_or_else(|_| Err(Error::Invalid(usage::damaged_spreadsheet(ui(), name))))
}

/// The most cells a sheet may hand over, counting each row as wide as its last cell: a sheet
/// beyond it (a stray cell at XFD1048576 under thousands of rows, or a workbook that unpacks to
/// millions of cells) is refused with an error rather than read into memory.
pub const MAX_SHEET_CELLS: u64 = 20_000_000;

/// The most cells an .xls sheet may declare or span: the spreadsheet library builds such a sheet
/// whole (about 70 bytes a cell) before any of it can be checked.
pub const MAX_WHOLE_CELLS: u64 = 4_000_000;

/// A cell that is not empty: its row and column (0-based, as the sheet has them) and its text.
type SparseCell = (u32, u32, String);

type Book = calamine::Sheets<std::io::Cursor<Vec<u8>>>;

fn spreadsheet(name: &str, bytes: Vec<u8>, which: Which) -> Result<Vec<Unread>, Error> {
    use calamine::Reader;
    // A compound file (.xls) whose sector chain loops would have the library grow memory
    // without end as it follows it.
    if crate::xls_extent::has_looping_chain(&bytes) {
        return Err(Error::Invalid(usage::damaged_spreadsheet(ui(), name)));
    }
    // The library builds every sheet of an .xls whole as it opens it: measure them first.
    if let Some(cells) = crate::xls_extent::largest_sheet(&bytes)
        && cells > MAX_WHOLE_CELLS
    {
        return Err(Error::Invalid(msg::xls_too_large(
            ui(),
            name,
            cells,
            MAX_WHOLE_CELLS,
        )));
    }
    // ... and every sheet of an .ods, as the box of its cells.
    if let Some(cells) = crate::ods_extent::largest_sheet(&bytes)
        && cells > MAX_WHOLE_CELLS
    {
        return Err(Error::Invalid(msg::ods_too_large(
            ui(),
            name,
            cells,
            MAX_WHOLE_CELLS,
        )));
    }
    // ... and the shared strings an .xlsx declares, which it reserves at once.
    if let Some(n) = crate::xlsx_extent::impossible_shared_strings(&bytes) {
        return Err(Error::Invalid(msg::shared_strings_impossible(
            ui(),
            name,
            n,
        )));
    }
    // The cells the library reads otherwise than shown: an .xls's percent-formatted numbers
    // (per sheet, in the workbook's order); an .ods's percentages and formulas without a value.
    let xls_percent = match crate::xls_extent::percent_cells(&bytes) {
        Some(Err(())) => return Err(Error::Invalid(msg::xls_percent(ui(), name))),
        Some(Ok(sheets)) => sheets,
        None => Vec::new(),
    };
    let single_merges = single_worksheet_merges(&bytes);
    let (ods, ods_cells) = if is_ods(&bytes) {
        (ods_unread(&bytes), crate::ods_extent::unshown(&bytes))
    } else {
        (OdsUnread::default(), None)
    };
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e| Error::Invalid(usage::unreadable_sheet(ui(), name, false, &e.to_string())))?;
    let names = book.sheet_names();
    let chosen = match which {
        Which::First => vec![choose_sheet(name, &names, None)?],
        Which::Named(s) => vec![choose_sheet(name, &names, Some(s))?],
        Which::All if names.is_empty() => {
            return Err(Error::Invalid(usage::workbook_without_sheets(ui(), name)));
        }
        Which::All => names.clone(),
    };
    let mut sheets = Vec::with_capacity(chosen.len());
    for chosen in &chosen {
        let label = format!("{name}[{chosen}]");
        let unshown = match &ods_cells {
            Some(tables) => tables
                .iter()
                .find(|(n, _)| n == chosen)
                .map(|(_, u)| Unshown::Ods(u)),
            None => names
                .iter()
                .position(|n| n == chosen)
                .and_then(|i| xls_percent.get(i))
                .map(|p| Unshown::Xls(p)),
        };
        let (cells, unread) =
            sheet_cells(&mut book, chosen, &label, single_merges.as_deref(), unshown)?;
        // The library does not say which cells an .ods merges: without the table's merged
        // regions found in its text, refused, never read otherwise than shown; nor are
        // percentages that could not be placed.
        if ods.merged_rows && !cells.is_empty() && !matches!(unshown, Some(Unshown::Ods(_))) {
            return Err(Error::Invalid(msg::ods_merged(ui(), &label, None)));
        }
        if ods.percent && !cells.is_empty() && !matches!(unshown, Some(Unshown::Ods(_))) {
            return Err(Error::Invalid(msg::ods_percent(ui(), &label)));
        }
        sheets.push((sheet_of_cells(label, cells)?, unread));
    }
    Ok(sheets)
}

/// The cells of an .xls or .ods sheet that the library reads otherwise than shown.
#[derive(Clone, Copy)]
enum Unshown<'a> {
    /// An .xls sheet's percent-formatted numbers.
    Xls(&'a [(u32, u32)]),
    /// An .ods table's percentages and formulas without a value.
    Ods(&'a crate::ods_extent::Unshown),
}

/// One sheet's cells with text, as the person sees them.
fn sheet_cells(
    book: &mut Book,
    chosen: &str,
    label: &str,
    single_merges: Option<&[calamine::Dimensions]>,
    unshown: Option<Unshown>,
) -> Result<(Vec<SparseCell>, Option<String>), Error> {
    use calamine::{Reader, Sheets};
    let unreadable = |e: &dyn std::fmt::Display| {
        Error::Invalid(usage::unreadable_sheet(ui(), label, true, &e.to_string()))
    };
    // .xlsx and .xlsb are read cell by cell, so that a used range far larger than the cells in
    // it is never allocated; .xls and .ods come whole from the reader.
    let mut unread = None;
    let (mut cells, merges) = match book {
        Sheets::Xlsx(x) => {
            let styled = styled_cells(x, chosen, label)?;
            // The library finds merged regions by reading the sheet a second time: a workbook
            // of one worksheet has them found in its text instead.
            let merges = match single_merges {
                Some(m) => m.to_vec(),
                None => x
                    .merge_cells_by_sheet_name(chosen)
                    .map_err(|e| unreadable(&e))?,
            };
            let mut r = x
                .worksheet_cells_reader(chosen)
                .map_err(|e| unreadable(&e))?;
            // The first formula without a stored value, and how many there are; the same of
            // cells with text struck through.
            let mut no_value: Option<(u32, u32)> = None;
            let mut no_values = 0u64;
            let (mut struck, mut strikes): (Option<(u32, u32)>, u64) = (None, 0);
            let cells = sparse(label, || {
                loop {
                    let Some(c) = r
                        .next_cell_with_formula_metadata()
                        .map_err(|e| unreadable(&e))?
                    else {
                        return Ok(None);
                    };
                    if c.formula.is_some() && matches!(c.value, calamine::DataRef::Empty) {
                        no_value.get_or_insert(c.pos);
                        no_values += 1;
                        continue;
                    }
                    let value: calamine::Data = c.value.into();
                    let text = match styled.percent.binary_search(&c.pos) {
                        Ok(_) => percent_text(&value),
                        Err(_) => cell_text(&value),
                    };
                    if !text.trim().is_empty() && styled.struck.binary_search(&c.pos).is_ok() {
                        struck.get_or_insert(c.pos);
                        strikes += 1;
                    }
                    return Ok(Some((c.pos, text)));
                }
            })?;
            if let Some((row, col)) = no_value {
                let place = format!("{label}:{}", u64::from(row) + 1);
                let cell = format!("{}{}", column_letters(col), u64::from(row) + 1);
                unread = Some(msg::formula_without_value(ui(), &place, &cell, no_values));
            } else if let Some((row, col)) = struck {
                // Struck-through text is shown as withdrawn; read, it would count.
                let place = format!("{label}:{}", u64::from(row) + 1);
                let cell = format!("{}{}", column_letters(col), u64::from(row) + 1);
                unread = Some(msg::struck_through(ui(), &place, &cell, strikes));
            }
            (cells, merges)
        }
        Sheets::Xlsb(x) => {
            let mut r = x
                .worksheet_cells_reader(chosen)
                .map_err(|e| unreadable(&e))?;
            let cells = sparse(label, || match r.next_cell() {
                Ok(c) => Ok(c.map(|c| {
                    let value: calamine::Data = c.get_value().clone().into();
                    (c.get_position(), cell_text(&value))
                })),
                Err(e) => Err(unreadable(&e)),
            })?;
            (cells, Vec::new())
        }
        other => {
            let range = other.worksheet_range(chosen).map_err(|e| unreadable(&e))?;
            let merges = match (other, unshown) {
                (Sheets::Xls(x), _) => x
                    .merge_cells_by_sheet_name(chosen)
                    .map_err(|e| unreadable(&e))?,
                // An .ods's regions, as found in its text where the library places its cells.
                (_, Some(Unshown::Ods(u))) => u.merges.clone(),
                _ => Vec::new(),
            };
            let (r0, c0) = range.start().unwrap_or((0, 0));
            let (percent, no_value) = match unshown {
                Some(Unshown::Xls(p)) => (p, &[][..]),
                Some(Unshown::Ods(u)) => (&u.percent[..], &u.no_value[..]),
                None => (&[][..], &[][..]),
            };
            // Percent cells read as shown (0.225 → 22.5%); in an .ods each must be a number
            // where the library placed it, or the cells are not where they were found.
            let mut placed = 0usize;
            let mut used = range.used_cells();
            let cells = sparse(label, || {
                Ok(used.next().map(|(r, c, v)| {
                    let pos = (r0 + r as u32, c0 + c as u32);
                    let text = match percent.binary_search(&pos) {
                        Ok(_) => {
                            use calamine::Data;
                            placed += usize::from(matches!(v, Data::Float(_) | Data::Int(_)));
                            percent_text(v)
                        }
                        Err(_) => cell_text(v),
                    };
                    (pos, text)
                }))
            })?;
            if matches!(unshown, Some(Unshown::Ods(_))) && placed != percent.len() {
                return Err(Error::Invalid(msg::ods_percent(ui(), label)));
            }
            // A covered cell's own text is hidden by its region: the region's value is shown.
            let mut cells = cells;
            if let Some(Unshown::Ods(u)) = unshown
                && !u.hidden.is_empty()
            {
                cells.retain(|&(r, c, _)| u.hidden.binary_search(&(r, c)).is_err());
            }
            // A region that cannot be placed exactly: refused, naming its first cell.
            if let (Some(Unshown::Ods(u)), false) = (unshown, cells.is_empty())
                && let Some((row, col)) = u.unplaced
            {
                let place = format!("{label}:{}", u64::from(row) + 1);
                let cell = format!("{}{}", column_letters(col), u64::from(row) + 1);
                return Err(Error::Invalid(msg::ods_merged(ui(), &place, Some(&cell))));
            }
            if let Some(&(row, col)) = no_value.first() {
                let place = format!("{label}:{}", u64::from(row) + 1);
                let cell = format!("{}{}", column_letters(col), u64::from(row) + 1);
                let n = no_value.len() as u64;
                unread = Some(msg::formula_without_value(ui(), &place, &cell, n));
            }
            (cells, merges)
        }
    };
    fill_merges(label, &mut cells, &merges)?;
    Ok((cells, unread))
}

/// The cells of an .xlsx sheet whose style changes what they say (see [`Styled`]); none (and
/// the sheet not read twice) when the workbook has no such style.
fn styled_cells(
    x: &mut calamine::Xlsx<std::io::Cursor<Vec<u8>>>,
    chosen: &str,
    label: &str,
) -> Result<Styled, Error> {
    let unreadable = |e: &dyn std::fmt::Display| {
        Error::Invalid(usage::unreadable_sheet(ui(), label, true, &e.to_string()))
    };
    let mut r = x
        .worksheet_cells_reader(chosen)
        .map_err(|e| unreadable(&e))?;
    let percent: Vec<bool> = r
        .styles()
        .iter()
        .map(|s| {
            s.number_format
                .as_ref()
                .is_some_and(|f| shows_percent(&f.format_code))
        })
        .collect();
    let struck: Vec<bool> = r
        .styles()
        .iter()
        .map(|s| s.font.as_ref().is_some_and(|f| f.has_strikethrough()))
        .collect();
    let mut cells = Styled::default();
    if !percent.contains(&true) && !struck.contains(&true) {
        return Ok(cells);
    }
    while let Some((row, col, style)) = r.next_style_id().map_err(|e| unreadable(&e))? {
        for (on, list) in [(&percent, &mut cells.percent), (&struck, &mut cells.struck)] {
            if on.get(style).copied().unwrap_or(false) {
                if list.len() as u64 >= MAX_SHEET_CELLS {
                    return Err(too_large(label));
                }
                list.push((row, col));
            }
        }
    }
    cells.percent.sort_unstable();
    cells.struck.sort_unstable();
    Ok(cells)
}

/// The cells of an .xlsx sheet whose style changes what they say: shown as a percentage, or
/// struck through (an office strikes a withdrawn record out), each sorted.
#[derive(Default)]
struct Styled {
    percent: Vec<(u32, u32)>,
    struck: Vec<(u32, u32)>,
}

/// Whether a number format shows its number as a percentage: a `%` outside quoted text,
/// brackets and escapes (`0.0%`, `0%;[Red]-0%`; not `0.0"%"`).
pub(crate) fn shows_percent(code: &str) -> bool {
    let mut chars = code.chars();
    let (mut quoted, mut bracket) = (false, false);
    while let Some(c) = chars.next() {
        match c {
            '"' if !bracket => quoted = !quoted,
            '[' if !quoted => bracket = true,
            ']' if !quoted => bracket = false,
            '\\' | '_' | '*' if !quoted && !bracket => {
                chars.next();
            }
            '%' if !quoted && !bracket => return true,
            _ => {}
        }
    }
    false
}

/// A percent-formatted cell as it is shown: its number times 100, with `%` (0.225 → `22.5%`),
/// exactly (the number's shortest decimal form, moved two places).
fn percent_text(value: &calamine::Data) -> String {
    use calamine::Data;
    use rust_decimal::Decimal;
    let f = match value {
        Data::Float(f) => *f,
        Data::Int(i) => *i as f64,
        other => return cell_text(other),
    };
    if !f.is_finite() {
        return cell_text(value);
    }
    let shown = format!("{f}");
    match Decimal::from_str_exact(&shown)
        .ok()
        .and_then(|d| d.checked_mul(Decimal::ONE_HUNDRED))
    {
        Some(d) => format!("{}%", d.normalize()),
        None => format!("{}%", f * 100.0),
    }
}

/// A column's letters as the spreadsheet shows them (0 → A, 26 → AA).
pub(crate) fn column_letters(col: u32) -> String {
    let mut n = u64::from(col) + 1;
    let mut out = Vec::new();
    while n > 0 {
        let r = ((n - 1) % 26) as u8;
        out.push(char::from(b'A' + r));
        n = (n - 1) / 26;
    }
    out.iter().rev().collect()
}

/// Every cell a merged region covers takes the value of its first cell, as the person sees the
/// sheet (暗访 merged over three rows is 暗访 in each).
fn fill_merges(
    label: &str,
    cells: &mut Vec<SparseCell>,
    merges: &[calamine::Dimensions],
) -> Result<(), Error> {
    if merges.is_empty() {
        return Ok(());
    }
    cells.sort_by_key(|&(r, c, _)| (r, c));
    let mut added = Vec::new();
    for m in merges {
        // The region shows its first cell's value, and only that: a covered cell that still
        // holds text of its own (a file written by a program) is shown as the region is.
        let text = match cells.binary_search_by_key(&m.start, |&(r, c, _)| (r, c)) {
            Ok(i) => cells[i].2.clone(),
            Err(_) => String::new(),
        };
        for r in m.start.0..=m.end.0 {
            for c in m.start.1..=m.end.1 {
                if (r, c) == m.start {
                    continue;
                }
                match cells.binary_search_by_key(&(r, c), |&(r, c, _)| (r, c)) {
                    Ok(i) => cells[i].2.clone_from(&text),
                    Err(_) if text.is_empty() => {}
                    Err(_) => {
                        if (cells.len() + added.len()) as u64 >= MAX_SHEET_CELLS {
                            return Err(too_large(label));
                        }
                        added.push((r, c, text.clone()));
                    }
                }
            }
        }
    }
    cells.append(&mut added);
    Ok(())
}

/// The merged regions of an .xlsx that has one worksheet, found in the text after its cells
/// (`<mergeCell ref="A1:J1"/>`); `None` for any other workbook, or a region not read (the
/// library reads them then).
fn single_worksheet_merges(bytes: &[u8]) -> Option<Vec<calamine::Dimensions>> {
    if !bytes.starts_with(b"PK\x03\x04") {
        return None;
    }
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
    let names: Vec<String> = zip
        .file_names()
        .filter_map(|n| n.ok().map(|n| n.into_owned()))
        .filter(|n| {
            n.strip_prefix("xl/worksheets/")
                .is_some_and(|f| !f.contains('/') && f.ends_with(".xml"))
        })
        .collect();
    let [only] = &names[..] else {
        return None;
    };
    let mut xml = Vec::new();
    // A sheet's text is held whole here: beyond this size (or a zip that unpacks to more)
    // the library's streaming reader looks instead.
    const MAX_TEXT: u64 = 256 << 20;
    let entry = zip.by_name(only).ok()?;
    if entry.size() > MAX_TEXT {
        return None;
    }
    let read = entry.take(MAX_TEXT + 1).read_to_end(&mut xml).ok()?;
    if read as u64 > MAX_TEXT {
        return None;
    }
    let after = memchr::memmem::rfind(&xml, b"sheetData>").map_or(0, |i| i + 10);
    let tail = &xml[after..];
    let mut merges = Vec::new();
    for at in memchr::memmem::find_iter(tail, b"mergeCell ") {
        let rest = &tail[at..];
        let end = memchr::memchr(b'>', rest)?;
        let element = std::str::from_utf8(&rest[..end]).ok()?;
        let (_, r) = element.split_once("ref=\"")?;
        let (r, _) = r.split_once('"')?;
        let (a, b) = r.split_once(':').unwrap_or((r, r));
        merges.push(calamine::Dimensions {
            start: cell_ref(a)?,
            end: cell_ref(b)?,
        });
    }
    Some(merges)
}

/// A cell reference (`J12`, `$J$12`) as a 0-based row and column.
fn cell_ref(r: &str) -> Option<(u32, u32)> {
    let r = r.replace('$', "");
    let digits = r.find(|c: char| c.is_ascii_digit())?;
    let (letters, row) = r.split_at(digits);
    if letters.is_empty() || letters.len() > 3 || !letters.bytes().all(|b| b.is_ascii_uppercase()) {
        return None;
    }
    let col = letters
        .bytes()
        .fold(0u32, |n, b| n * 26 + u32::from(b - b'A') + 1);
    let row: u32 = row.parse().ok()?;
    Some((row.checked_sub(1)?, col - 1))
}

/// An OpenDocument spreadsheet: a zip whose first entry names its type.
fn is_ods(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
        && bytes.get(30..bytes.len().min(100)).is_some_and(|b| {
            memchr::memmem::find(b, b"application/vnd.oasis.opendocument.spreadsheet").is_some()
        })
}

/// What an .ods holds that the spreadsheet library reads otherwise than it is shown.
#[derive(Default)]
struct OdsUnread {
    /// Cells merged over rows (`table:number-rows-spanned` above 1): the library gives the
    /// value to the first cell only.
    merged_rows: bool,
    /// Cells of value type `percentage`: the library gives 0.225 for a cell shown as 22.5 %.
    percent: bool,
}

fn ods_unread(bytes: &[u8]) -> OdsUnread {
    let mut found = OdsUnread::default();
    let Ok(mut zip) = zip::ZipArchive::new(std::io::Cursor::new(bytes)) else {
        return found;
    };
    let Ok(content) = zip.by_name("content.xml") else {
        return found;
    };
    let mut xml = Vec::new();
    if content
        .take(MAX_WHOLE_CELLS * 64)
        .read_to_end(&mut xml)
        .is_err()
    {
        return found;
    }
    let key = b"number-rows-spanned=\"";
    found.merged_rows =
        memchr::memmem::find_iter(&xml, key).any(|i| !xml[i + key.len()..].starts_with(b"1\""));
    found.percent = memchr::memmem::find(&xml, b"value-type=\"percentage\"").is_some();
    found
}

/// The sheet asked for by `--sheet`, or the first.
fn choose_sheet(name: &str, names: &[String], sheet: Option<&str>) -> Result<String, Error> {
    match sheet {
        Some(s) => names
            .iter()
            .find(|n| n.as_str() == s)
            .cloned()
            .ok_or_else(|| Error::Usage(usage::no_such_sheet(ui(), name, s, names))),
        None => names
            .first()
            .cloned()
            .ok_or_else(|| Error::Invalid(usage::workbook_without_sheets(ui(), name))),
    }
}

/// The cells with text that `next` hands over, at most [`MAX_SHEET_CELLS`] of them.
fn sparse(
    label: &str,
    mut next: impl FnMut() -> Result<Option<((u32, u32), String)>, Error>,
) -> Result<Vec<SparseCell>, Error> {
    let mut cells = Vec::new();
    while let Some(((row, col), text)) = next()? {
        if text.is_empty() {
            continue;
        }
        if cells.len() as u64 >= MAX_SHEET_CELLS {
            return Err(too_large(label));
        }
        cells.push((row, col, text));
    }
    Ok(cells)
}

fn too_large(label: &str) -> Error {
    Error::Invalid(msg::sheet_too_large(ui(), label, MAX_SHEET_CELLS))
}

/// Rows from the first cell's row to the last cell's, numbered as the spreadsheet shows them,
/// each as wide as its last cell; the first row with text is the header.
fn sheet_of_cells(label: String, mut cells: Vec<SparseCell>) -> Result<Sheet, Error> {
    cells.sort_by_key(|&(r, c, _)| (r, c));
    let mut width = 0u64;
    let mut last: Option<u32> = None;
    for &(r, c, _) in cells.iter().rev() {
        if last != Some(r) {
            width += u64::from(c) + 1;
            last = Some(r);
        }
    }
    if width > MAX_SHEET_CELLS {
        return Err(too_large(&label));
    }
    let mut rows: Vec<Row> = Vec::new();
    let first = cells.first().map_or(0, |c| c.0);
    for (r, c, text) in cells {
        let line = u64::from(r) + 1;
        while rows.last().is_none_or(|row| row.line < line) {
            let next = rows.last().map_or(u64::from(first) + 1, |row| row.line + 1);
            rows.push(Row {
                line: next,
                cells: Vec::new(),
            });
        }
        if let Some(row) = rows.last_mut() {
            let c = c as usize;
            if row.cells.len() <= c {
                row.cells.resize(c + 1, String::new());
            }
            row.cells[c] = text;
        }
    }
    let Some(h) = rows.iter().position(|r| !r.is_blank()) else {
        // An empty sheet: no header (a workbook's other sheets may hold the records).
        return Ok(Sheet {
            name: label,
            header: Vec::new(),
            header_line: 0,
            rows: Vec::new(),
        });
    };
    let mut rows = rows.split_off(h);
    let header = rows.remove(0);
    Ok(Sheet {
        name: label,
        header: header.cells,
        header_line: header.line,
        rows,
    })
}

/// A spreadsheet cell as the text a CSV would hold: whole numbers without `.0`, dates as
/// `2026-11-03`, errors as their code (`#DIV/0!`).
pub fn cell_text(cell: &calamine::Data) -> String {
    use calamine::Data;
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => trim_cell(s).to_owned(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => {
            if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{}", *f as i64)
            } else {
                format!("{f}")
            }
        }
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            format!("{y:04}-{m:02}-{d:02}")
        }
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("{e}"),
    }
}

/// The delimiter of the header line: a comma, unless tabs (Excel's "Unicode text" export) or
/// semicolons (Excel in some locales) are more frequent there.
pub fn sniff_delimiter(text: &str) -> u8 {
    // The header is among the first lines, under any title rows: the line that has the most
    // separators of the first ten that are not blank.
    let seps = |l: &&str| l.chars().filter(|c| [',', '\t', ';'].contains(c)).count();
    let header = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(10)
        .enumerate()
        .max_by_key(|(i, l)| (seps(l), std::cmp::Reverse(*i)))
        .map_or("", |(_, l)| l);
    let count = |c: char| header.chars().filter(|&x| x == c).count();
    let (commas, tabs, semis) = (count(','), count('\t'), count(';'));
    if tabs > commas && tabs >= semis {
        b'\t'
    } else if semis > commas {
        b';'
    } else {
        b','
    }
}

/// Parses delimited text into a sheet. The first non-blank row is the header.
pub fn parse_delimited(name: &str, text: &str, delimiter: u8) -> Result<Sheet, Error> {
    collect_sheet(|f| each_delimited(name, text, delimiter, f))
}

/// Parses delimited text row by row. The first non-blank row is the header.
pub fn each_delimited(
    name: &str,
    text: &str,
    delimiter: u8,
    f: &mut dyn FnMut(&Head, &Row) -> Result<(), Error>,
) -> Result<Head, Error> {
    if let Some(line) = unclosed_quote(text.as_bytes(), delimiter) {
        return Err(Error::Invalid(msg::unclosed_quote(
            ui(),
            &format!("{name}:{line}"),
        )));
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut head: Option<Head> = None;
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                let at = format!("{name}:{line}");
                return Err(Error::Invalid(usage::unreadable_row(
                    ui(),
                    &at,
                    &e.to_string(),
                )));
            }
        }
        let line = record
            .position()
            .map(|p| true_line(text.as_bytes(), p))
            .unwrap_or(0);
        let cells: Vec<String> = record.iter().map(|c| trim_cell(c).to_owned()).collect();
        let row = Row { line, cells };
        match &head {
            None => {
                if !row.is_blank() {
                    head = Some(Head {
                        name: name.to_owned(),
                        header: row.cells,
                        header_line: line,
                    });
                }
            }
            Some(h) => f(h, &row)?,
        }
    }
    head.ok_or_else(|| Error::Invalid(msg::empty_input(ui(), name, false)))
}

/// The line of a quoted field that runs to the end of the input, if any. The csv reader accepts
/// such a field silently, which would swallow every row after it.
fn unclosed_quote(bytes: &[u8], delimiter: u8) -> Option<u64> {
    #[derive(PartialEq)]
    enum S {
        FieldStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }
    let mut state = S::FieldStart;
    let mut line = 1u64;
    let mut opened = 0u64;
    for &b in bytes {
        state = match (state, b) {
            (S::FieldStart, b'"') => {
                opened = line;
                S::Quoted
            }
            (S::Quoted, b'"') => S::QuoteInQuoted,
            (S::Quoted, _) => S::Quoted,
            (S::QuoteInQuoted, b'"') => S::Quoted,
            (_, b'\n') => S::FieldStart,
            (_, d) if d == delimiter => S::FieldStart,
            (S::FieldStart | S::Unquoted | S::QuoteInQuoted, _) => S::Unquoted,
        };
        if b == b'\n' {
            line += 1;
        }
    }
    (state == S::Quoted).then_some(opened)
}

/// The line a record really starts on: the csv reader reports the position before the blank
/// lines it skipped.
pub(crate) fn true_line(bytes: &[u8], p: &csv::Position) -> u64 {
    let mut line = p.line();
    let start = usize::try_from(p.byte()).unwrap_or(usize::MAX);
    for &b in bytes.iter().skip(start) {
        match b {
            b'\n' => line += 1,
            b'\r' => {}
            _ => break,
        }
    }
    line
}

/// Normalizes a header cell for matching: no BOM, no surrounding spaces, lower case.
pub fn header_key(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let s: String = trim_cell(s).nfkc().filter(|c| !c.is_whitespace()).collect();
    s.to_lowercase()
}

/// A cell without the white space (and byte-order marks and zero-width spaces, which a cell
/// copied from a web page or a chat carries unseen) around it.
pub fn trim_cell(s: &str) -> &str {
    // Most cells start and end with a visible ASCII character: nothing to trim.
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(a), Some(b)) if a.is_ascii_graphic() && b.is_ascii_graphic() => s,
        _ => s.trim_matches(|c: char| {
            c.is_whitespace() || matches!(c, '\u{feff}' | '\u{200b}'..='\u{200d}' | '\u{2060}')
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(bytes: &[u8], encoding: TextEncoding) -> Result<String, String> {
        decode_text("x.csv", bytes.to_vec(), encoding, false).map_err(|e| e.to_string())
    }

    /// Text as UTF-16LE with its byte-order mark.
    fn utf16le(text: &str) -> Vec<u8> {
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        bytes
    }

    #[test]
    fn decodes_boms_and_gbk() {
        let text = "日期,单位\n";
        let mut utf8_bom = vec![0xEF, 0xBB, 0xBF];
        utf8_bom.extend_from_slice(text.as_bytes());
        assert_eq!(decode(&utf8_bom, TextEncoding::Auto).unwrap(), text);
        let (gbk, _, _) = GBK.encode(text);
        assert_eq!(decode(&gbk, TextEncoding::Auto).unwrap(), text);
        let utf16 = utf16le(text);
        assert_eq!(decode(&utf16, TextEncoding::Auto).unwrap(), text);
        assert_eq!(decode(&utf16[2..], TextEncoding::Utf16le).unwrap(), text);
        assert_eq!(decode(&gbk, TextEncoding::Gbk).unwrap(), text);
    }

    /// A UTF-8 file with one line in GBK is not GBK: its first byte that is not UTF-8 is the
    /// error, its column in characters.
    #[test]
    fn a_stray_line_is_an_error_where_it_is() {
        let mut bytes = "a,b\n和平社区,1\n和平社区,".as_bytes().to_vec();
        bytes.extend_from_slice(&GBK.encode("坏").0);
        bytes.extend_from_slice("\n和平社区,3\n".as_bytes());
        let e = decode(&bytes, TextEncoding::Auto).unwrap_err();
        assert!(
            e.starts_with("x.csv:3:6: the bytes BB are not UTF-8"),
            "{e}"
        );
    }

    /// A GBK file with a byte that is not GBK is an error at that byte, not U+FFFD.
    #[test]
    fn a_bad_byte_in_gbk_is_an_error_unless_lossy() {
        let mut bytes = GBK
            .encode("单位,备注\n和平社区,好\n和平社区,")
            .0
            .into_owned();
        bytes.push(0xFF);
        bytes.extend_from_slice(&GBK.encode("坏\n").0);
        for enc in [TextEncoding::Auto, TextEncoding::Gbk, TextEncoding::Gb18030] {
            let e = decode(&bytes, enc).unwrap_err();
            assert!(
                e.starts_with("x.csv:3:6: the bytes FF are "),
                "{enc:?}: {e}"
            );
        }
        let text = decode_text("x.csv", bytes, TextEncoding::Gbk, true).unwrap();
        assert_eq!(text, "单位,备注\n和平社区,好\n和平社区,\u{FFFD}坏\n");
    }

    /// Named UTF-8 or UTF-16, a byte that is not is an error too.
    #[test]
    fn a_named_encoding_is_held_to() {
        let e = decode(&GBK.encode("a\n单位\n").0, TextEncoding::Utf8).unwrap_err();
        assert!(
            e.starts_with("x.csv:2:1: the bytes B5 are not UTF-8"),
            "{e}"
        );
        let mut utf16 = utf16le("a\nb");
        utf16.extend_from_slice(&[0x00, 0xD8, b'c', 0]);
        let e = decode(&utf16, TextEncoding::Auto).unwrap_err();
        assert!(
            e.starts_with("x.csv:2:2: the bytes 00 D8 are not UTF-16LE"),
            "{e}"
        );
    }

    #[test]
    fn gbk_is_most_lines_not_utf8() {
        let gbk = GBK.encode("单位\n社区\n").0.into_owned();
        assert!(mostly_not_utf8(&gbk));
        let mut mixed = "单位\n社区\n".as_bytes().to_vec();
        mixed.extend_from_slice(&gbk);
        assert!(!mostly_not_utf8(&mixed));
        assert!(mostly_not_utf8(b"ascii\n\xB5\n"));
    }

    #[test]
    fn sheet_lines_and_blank_rows() {
        let s =
            parse_delimited("x.csv", "\n a ,b\n1,\"two\nlines\"\n,\n\n\r\n3,4\n", b',').unwrap();
        assert_eq!(s.header, ["a", "b"]);
        assert_eq!(s.header_line, 2);
        assert_eq!(s.rows[0].line, 3);
        assert!(s.rows[1].is_blank());
        assert_eq!(s.rows[2].line, 8);
    }

    #[test]
    fn cell_references_are_read() {
        assert_eq!(cell_ref("A1"), Some((0, 0)));
        assert_eq!(cell_ref("$J$12"), Some((11, 9)));
        assert_eq!(cell_ref("AA3"), Some((2, 26)));
        assert_eq!(cell_ref("A0"), None);
        assert_eq!(cell_ref("12"), None);
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(7), "H");
    }

    #[test]
    fn percent_cells_read_exactly_as_shown() {
        use calamine::Data;
        // The stored fraction's shortest decimal form, moved two places: no float drift.
        assert_eq!(percent_text(&Data::Float(0.225)), "22.5%");
        assert_eq!(percent_text(&Data::Float(7.0 / 100.0)), "7%");
        assert_eq!(percent_text(&Data::Float(22.5 / 100.0)), "22.5%");
        assert_eq!(percent_text(&Data::Float(1.0)), "100%");
        assert_eq!(percent_text(&Data::Int(1)), "100%");
        assert_eq!(percent_text(&Data::String("n/a".into())), "n/a");
    }

    #[test]
    fn delimiters_are_sniffed_from_the_header() {
        assert_eq!(sniff_delimiter("date,unit,indicator\n"), b',');
        assert_eq!(sniff_delimiter("\n日期\t单位\t指标\n"), b'\t');
        assert_eq!(sniff_delimiter("date;unit;indicator\n"), b';');
        assert_eq!(sniff_delimiter(""), b',');
    }

    #[test]
    fn an_unclosed_quote_is_found() {
        assert_eq!(unclosed_quote(b"a,b\n1,\"x\n2,y\n", b','), Some(2));
        assert_eq!(
            unclosed_quote(b"a,b\n1,\"x\"\"y\"\n2,\"multi\nline\"\n", b','),
            None
        );
        assert_eq!(unclosed_quote(b"a,b\n1,ab\"c\n", b','), None);
        assert!(parse_delimited("q.csv", "a,b\n1,\"x\n2,y\n", b',').is_err());
    }

    #[test]
    fn empty_input_is_an_error() {
        assert!(parse_delimited("x.csv", "", b',').is_err());
        assert!(parse_delimited("x.csv", "\n\n", b',').is_err());
    }
}
