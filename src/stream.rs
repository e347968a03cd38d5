//! The streaming reader: millions of records in flat memory on every core. A CSV file is read in
//! blocks cut at record boundaries; two workers parse, check and tally their blocks into integer
//! stores that merge exactly. Records are never kept. It handles the common case — UTF-8 CSV or
//! TSV files whose rows are all valid — and answers `None` for anything else (a spreadsheet,
//! standard input, another encoding, any invalid row, a repeated id), so that the in-memory
//! reader, which reports every problem in detail, takes over with identical results.

use std::fs::File;
use std::io::Read;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

use jiff::civil::Date;

use crate::engine;
use crate::input;
use crate::records::{self, Col, Counts, Layout as Columns, Status};
use crate::rubric::Rubric;
use crate::tally::{Layout, Slim, Store};
use crate::units::Units;

/// What the streaming reader produced.
pub struct Streamed {
    pub layout: Layout,
    pub store: Store,
    pub units: Units,
    pub counts: Counts,
    pub files: Vec<String>,
}

const BLOCK: usize = 2 << 20;
const WORKERS: usize = 2;

/// One block of whole records.
struct Chunk {
    bytes: Vec<u8>,
}

/// Why the streaming reader gave way (for the curious; the in-memory reader takes over).
#[derive(Debug)]
struct GiveUp;

/// Ids seen, kept as runs of consecutive numbers per prefix and width (`R000000001` …
/// `R010000000` is one run), so that the usual sequential ids cost almost nothing; ids without a
/// number at the end are kept whole. Exact: a repeat shows as a number inside a run, or as two
/// runs that overlap.
#[derive(Default)]
struct Ids {
    runs: Vec<(String, usize, u64, u64)>,
    open: Option<(String, usize, u64, u64)>,
    other: Vec<String>,
}

impl Ids {
    /// False when the id repeats one of the open run.
    fn insert(&mut self, id: &str) -> bool {
        let digits = id.bytes().rev().take_while(u8::is_ascii_digit).count();
        let parsed = (1..=18)
            .contains(&digits)
            .then(|| id.split_at(id.len() - digits))
            .and_then(|(p, d)| d.parse::<u64>().ok().map(|n| (p, n)));
        let Some((prefix, n)) = parsed else {
            self.other.push(id.to_owned());
            return true;
        };
        if let Some((p, w, lo, hi)) = &mut self.open
            && p == prefix
            && *w == digits
        {
            if n == *hi + 1 {
                *hi = n;
                return true;
            }
            if (*lo..=*hi).contains(&n) {
                return false;
            }
        }
        if let Some(run) = self.open.take() {
            self.runs.push(run);
        }
        self.open = Some((prefix.to_owned(), digits, n, n));
        true
    }

    /// True when no id is in two sets, nor twice in one.
    fn all_distinct(sets: Vec<Ids>) -> bool {
        let mut runs = Vec::new();
        let mut other = Vec::new();
        for mut s in sets {
            runs.append(&mut s.runs);
            runs.extend(s.open);
            other.append(&mut s.other);
        }
        runs.sort_unstable();
        let overlap = runs
            .windows(2)
            .any(|w| w[0].0 == w[1].0 && w[0].1 == w[1].1 && w[1].2 <= w[0].3);
        other.sort_unstable();
        let twice = other.windows(2).any(|w| w[0] == w[1]);
        !overlap && !twice
    }
}

/// What one worker made of its blocks.
struct Part {
    store: Store,
    /// Units first seen by this worker, by local number (without a roster).
    new_units: Vec<String>,
    ids: Ids,
    counts: Counts,
}

fn trim(s: &str) -> &str {
    // Most cells start and end with a visible ASCII character: nothing to trim.
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(a), Some(b)) if a.is_ascii_graphic() && b.is_ascii_graphic() => s,
        _ => s.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}'),
    }
}

struct Ctx<'a> {
    rubric: &'a Rubric,
    layout: &'a Layout,
    columns: &'a Columns,
    header: &'a [String],
    roster: Option<&'a Units>,
    delimiter: u8,
    as_of: Option<Date>,
}

/// Records waiting to be tallied, sorted by unit first: a batch then touches each unit's few
/// blocks together instead of one random block per record (the tallies outgrow the cache).
const BATCH: usize = 1 << 17;

/// A record waiting in a batch: 16 bytes (records with a measured value go straight in).
#[derive(Clone, Copy, Default)]
struct Pending {
    unit: u32,
    month: i32,
    count: u32,
    indicator: u16,
    combo: u8,
    flags: u8,
}

const OVERDUE: u8 = 1;
const VOID: u8 = 2;

impl Pending {
    fn of(s: &Slim) -> Option<Pending> {
        Some(Pending {
            unit: s.unit,
            month: s.month.0,
            count: s.count,
            indicator: u16::try_from(s.indicator).ok()?,
            combo: u8::try_from(s.combo).ok()?,
            flags: if s.overdue { OVERDUE } else { 0 } | if s.void { VOID } else { 0 },
        })
    }

    fn slim(&self) -> Slim {
        Slim {
            unit: self.unit,
            indicator: u32::from(self.indicator),
            month: crate::period::Month(self.month),
            combo: u32::from(self.combo),
            count: self.count,
            overdue: self.flags & OVERDUE != 0,
            void: self.flags & VOID != 0,
            value: None,
        }
    }
}

fn flush(
    store: &mut Store,
    layout: &Layout,
    pending: &mut Vec<Pending>,
    scratch: &mut Vec<Pending>,
) {
    // A counting sort by unit: two passes, stable.
    let units = pending
        .iter()
        .map(|s| s.unit as usize + 1)
        .max()
        .unwrap_or(0);
    let mut starts = vec![0usize; units + 1];
    for s in pending.iter() {
        starts[s.unit as usize + 1] += 1;
    }
    for k in 1..starts.len() {
        starts[k] += starts[k - 1];
    }
    scratch.clear();
    scratch.resize(pending.len(), Pending::default());
    for s in pending.iter() {
        let at = &mut starts[s.unit as usize];
        scratch[*at] = *s;
        *at += 1;
    }
    for s in scratch.iter() {
        store.add(layout, &s.slim());
    }
    pending.clear();
}

/// A worker: parses and tallies blocks until the reader closes the channel. When it gives way it
/// tells the reader to stop, and still drains the channel so that the reader never waits on a
/// full channel nobody reads.
fn work(
    ctx: &Ctx,
    chunks: &Mutex<mpsc::Receiver<Chunk>>,
    stop: &AtomicBool,
) -> Result<Part, GiveUp> {
    // A panic (a bug) is giving way too: the in-memory reader then takes over.
    let result =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work_blocks(ctx, chunks)))
            .unwrap_or(Err(GiveUp));
    if result.is_err() {
        stop.store(true, Ordering::Relaxed);
        loop {
            let next = match chunks.lock() {
                Ok(rx) => rx.recv(),
                Err(_) => break,
            };
            if next.is_err() {
                break;
            }
        }
    }
    result
}

fn work_blocks(ctx: &Ctx, chunks: &Mutex<mpsc::Receiver<Chunk>>) -> Result<Part, GiveUp> {
    let mut part = Part {
        store: Store::new(ctx.layout),
        new_units: Vec::new(),
        ids: Ids::default(),
        counts: Counts::default(),
    };
    let mut pending: Vec<Pending> = Vec::with_capacity(BATCH);
    let mut scratch: Vec<Pending> = Vec::new();
    let mut local: crate::fxhash::StrMap<u32> = Default::default();
    let mut record = csv::ByteRecord::new();
    let idx: Vec<Option<usize>> = ALL_COLS.iter().map(|c| ctx.columns.index(*c)).collect();
    let used: Vec<(usize, usize)> = idx
        .iter()
        .enumerate()
        .filter(|(k, _)| !matches!(ALL_COLS[*k], Col::Note | Col::Inspector))
        .filter_map(|(k, i)| i.map(|i| (k, i)))
        .collect();
    let keys: Vec<String> = ctx.header.iter().map(|h| input::header_key(h)).collect();
    loop {
        let chunk = match chunks.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return Err(GiveUp),
        };
        let Ok(chunk) = chunk else {
            break;
        };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(ctx.delimiter)
            .from_reader(&chunk.bytes[..]);
        loop {
            match reader.read_byte_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(_) => return Err(GiveUp),
            }
            // The cells scoring reads, each checked as UTF-8 (notes are neither read nor checked).
            let text = |i: usize| record.get(i).and_then(|b| std::str::from_utf8(b).ok());
            let mut cells: [&str; 13] = [""; 13];
            for &(k, i) in &used {
                cells[k] = trim(text(i).ok_or(GiveUp)?);
            }
            if cells.iter().all(|c| c.is_empty()) {
                // Blank only when every cell is: otherwise an invalid row.
                if (0..record.len()).all(|i| text(i).is_some_and(|c| trim(c).is_empty())) {
                    continue;
                }
                return Err(GiveUp);
            }
            part.counts.read += 1;
            // Cheap first: lengths, then the names (lower case) only when they could match.
            let header_again = record.len() == keys.len()
                && keys
                    .iter()
                    .enumerate()
                    .all(|(i, k)| text(i).is_some_and(|c| trim(c).len() == k.len()))
                && keys
                    .iter()
                    .enumerate()
                    .all(|(i, k)| text(i).is_some_and(|c| input::header_key(c) == *k));
            if header_again {
                return Err(GiveUp);
            }
            let cell = |col: Col| -> &str { cells[col as usize] };
            let mut bad = false;
            let checked = records::check(ctx.rubric, &cell, &mut |_, _| bad = true);
            let (Some(c), false) = (checked, bad) else {
                return Err(GiveUp);
            };
            let unit_s = cell(Col::Unit);
            if unit_s.is_empty() {
                return Err(GiveUp);
            }
            let unit = match ctx.roster {
                Some(r) => r.find(unit_s).ok_or(GiveUp)? as u32,
                None => match local.get(unit_s) {
                    Some(u) => u,
                    None => {
                        let u = part.new_units.len() as u32;
                        local.insert(unit_s, u);
                        part.new_units.push(unit_s.to_owned());
                        u
                    }
                },
            };
            let id = cell(Col::Id);
            if !id.is_empty() && !part.ids.insert(id) {
                return Err(GiveUp);
            }
            if c.status == Status::Void {
                part.counts.void += 1;
            } else {
                part.counts.scored += 1;
            }
            let s = engine::slim(ctx.rubric, ctx.layout, unit, &c, ctx.as_of);
            match Pending::of(&s).filter(|_| s.value.is_none()) {
                Some(p) => {
                    pending.push(p);
                    if pending.len() >= BATCH {
                        flush(&mut part.store, ctx.layout, &mut pending, &mut scratch);
                    }
                }
                None => part.store.add(ctx.layout, &s),
            }
        }
    }
    flush(&mut part.store, ctx.layout, &mut pending, &mut scratch);
    Ok(part)
}

const ALL_COLS: [Col; 13] = [
    Col::Date,
    Col::Unit,
    Col::Indicator,
    Col::Count,
    Col::Value,
    Col::Severity,
    Col::Source,
    Col::Deadline,
    Col::Rectified,
    Col::Status,
    Col::Id,
    Col::Note,
    Col::Inspector,
];

/// The last newline in `bytes` outside quotes, given that `bytes` starts outside quotes.
fn cut_point(bytes: &[u8]) -> Option<usize> {
    if memchr::memchr(b'"', bytes).is_none() {
        return memchr::memrchr(b'\n', bytes);
    }
    let mut quotes = memchr::memchr_iter(b'"', bytes).peekable();
    let mut inside = false;
    let mut last = None;
    for nl in memchr::memchr_iter(b'\n', bytes) {
        while let Some(&q) = quotes.peek() {
            if q > nl {
                break;
            }
            inside = !inside;
            quotes.next();
        }
        if !inside {
            last = Some(nl);
        }
    }
    last
}

/// Scores files by streaming, or `None` when the in-memory reader must take over.
pub fn tally(
    paths: &[String],
    rubric: &Rubric,
    roster: Option<&Units>,
    as_of: Option<Date>,
    progress: bool,
) -> Option<Streamed> {
    let layout = Layout::new(rubric);
    let mut stores: Vec<Store> = Vec::new();
    let mut units = roster.cloned().unwrap_or_default();
    let mut maps: Vec<Vec<u32>> = Vec::new();
    let mut ids = Vec::new();
    let mut counts = Counts::default();
    for path in paths {
        let lower = path.to_ascii_lowercase();
        if path == "-"
            || [".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"]
                .iter()
                .any(|e| lower.ends_with(e))
        {
            return None;
        }
        let parts = tally_file(path, &lower, rubric, &layout, roster, as_of, progress).ok()?;
        for p in parts {
            counts.read += p.counts.read;
            counts.scored += p.counts.scored;
            counts.void += p.counts.void;
            let map: Vec<u32> = p
                .new_units
                .iter()
                .map(|u| units.find_or_add(u).map_or(0, |i| i as u32))
                .collect();
            maps.push(map);
            stores.push(p.store);
            ids.push(p.ids);
        }
    }
    if !Ids::all_distinct(ids) || counts.read == 0 {
        return None;
    }
    let mut total = Store::new(&layout);
    for (store, map) in stores.into_iter().zip(&maps) {
        let map: &[u32] = if roster.is_some() { &[] } else { map };
        total.merge(store, map);
    }
    if total.overflow {
        return None;
    }
    Some(Streamed {
        layout,
        store: total,
        units,
        counts,
        files: paths.to_vec(),
    })
}

#[allow(clippy::too_many_arguments)]
fn tally_file(
    path: &str,
    lower: &str,
    rubric: &Rubric,
    layout: &Layout,
    roster: Option<&Units>,
    as_of: Option<Date>,
    progress: bool,
) -> Result<Vec<Part>, GiveUp> {
    let mut file = File::open(path).map_err(|_| GiveUp)?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut buf = vec![0u8; BLOCK];
    let n = read_full(&mut file, &mut buf)?;
    buf.truncate(n);
    // UTF-8 only (a UTF-8 BOM is fine); other encodings go to the in-memory reader.
    let mut start = 0;
    if buf.starts_with(&[0xEF, 0xBB, 0xBF]) {
        start = 3;
    } else if buf.starts_with(&[0xFF, 0xFE]) || buf.starts_with(&[0xFE, 0xFF]) {
        return Err(GiveUp);
    }
    // The header: the first non-blank row of the first block.
    let head_end = cut_point(&buf[start..])
        .map(|c| start + c + 1)
        .ok_or(GiveUp)?;
    let first = std::str::from_utf8(&buf[start..head_end]).map_err(|_| GiveUp)?;
    let delimiter = if lower.ends_with(".tsv") || lower.ends_with(".tab") {
        b'\t'
    } else {
        input::sniff_delimiter(first)
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(&buf[start..head_end]);
    let mut rec = csv::StringRecord::new();
    let mut header = None;
    while reader.read_record(&mut rec).map_err(|_| GiveUp)? {
        if rec.iter().any(|c| !trim(c).is_empty()) {
            let cells: Vec<String> = rec.iter().map(|c| trim(c).to_owned()).collect();
            let end = reader.position().byte() as usize;
            header = Some((cells, end));
            break;
        }
    }
    let (header, header_end) = header.ok_or(GiveUp)?;
    let head = input::Head {
        name: path.to_owned(),
        header: header.clone(),
        header_line: 1,
    };
    let columns = Columns::of(&head).map_err(|_| GiveUp)?;
    let body_start = start + header_end;

    let bar = (progress && size > 64 << 20).then(|| {
        let bar = indicatif::ProgressBar::new(size);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {bytes}/{total_bytes} {wide_bar} {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let ctx = Ctx {
        rubric,
        layout,
        columns: &columns,
        header: &header,
        roster,
        delimiter,
        as_of,
    };
    let (tx, rx) = mpsc::sync_channel::<Chunk>(WORKERS);
    let rx = Mutex::new(rx);
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..WORKERS)
            .map(|_| scope.spawn(|| work(&ctx, &rx, &stop)))
            .collect();
        let fed = feed(&mut file, buf, body_start, &tx, bar.as_ref(), &stop);
        drop(tx);
        let parts: Vec<Result<Part, GiveUp>> = workers
            .into_iter()
            .map(|w| w.join().unwrap_or(Err(GiveUp)))
            .collect();
        if let Some(b) = &bar {
            b.finish_and_clear();
        }
        fed?;
        parts.into_iter().collect()
    })
}

/// Reads the file in blocks, cut after the last newline outside quotes, and sends them on.
fn feed(
    file: &mut File,
    mut buf: Vec<u8>,
    start: usize,
    tx: &mpsc::SyncSender<Chunk>,
    bar: Option<&indicatif::ProgressBar>,
    stop: &AtomicBool,
) -> Result<(), GiveUp> {
    let mut carry: Vec<u8> = buf.split_off(start);
    drop(buf);
    let mut eof = false;
    loop {
        if stop.load(Ordering::Relaxed) {
            return Err(GiveUp);
        }
        if !eof && carry.len() < BLOCK {
            let have = carry.len();
            carry.resize(have + BLOCK, 0);
            let n = read_full(file, &mut carry[have..])?;
            carry.truncate(have + n);
            eof = n == 0;
            if let Some(b) = bar {
                b.inc(n as u64);
            }
        }
        if carry.is_empty() {
            return Ok(());
        }
        let cut = if eof {
            // The rest: it must not end inside a quote (the in-memory reader reports that).
            if memchr::memchr_iter(b'"', &carry).count() % 2 == 1 {
                return Err(GiveUp);
            }
            carry.len()
        } else {
            match cut_point(&carry) {
                Some(c) => c + 1,
                // A record longer than the buffer: read more before cutting, within reason (a
                // stray quote makes every later newline look quoted).
                None if carry.len() < 16 * BLOCK => continue,
                None => return Err(GiveUp),
            }
        };
        let rest = carry.split_off(cut);
        let chunk = Chunk {
            bytes: std::mem::replace(&mut carry, rest),
        };
        if tx.send(chunk).is_err() {
            return Err(GiveUp);
        }
        if eof && carry.is_empty() {
            return Ok(());
        }
    }
}

fn read_full(file: &mut File, buf: &mut [u8]) -> Result<usize, GiveUp> {
    let mut n = 0;
    while n < buf.len() {
        match file.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return Err(GiveUp),
        }
    }
    Ok(n)
}
