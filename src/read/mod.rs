//! The one reader of records: every input — CSV or TSV files in any encoding, standard input,
//! spreadsheets — goes the same way: decoded, split into blocks of whole records, each row
//! checked (a quick path for the usual row, the full check for any other), tallied into integer
//! stores that merge exactly, and every invalid row rejected in place with its file and line.
//! Records are not kept unless a command asks for them. Ids that repeat are settled after the
//! blocks, in file order, so that neither the block size nor the number of workers changes the
//! answer.

use std::borrow::Cow;
use std::fs::File;
use std::io::Read;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

use jiff::civil::Date;

use crate::engine;
use crate::error::Error;
use crate::fxhash::{ByteMap, Numbered};
use crate::i18n::{msg, ui};
use crate::input::{self, ReadConfig, ReadOptions, Row, Sheet, TextEncoding};
use crate::period::Month;
use crate::rubric::Rubric;
use crate::tally::{Layout, Slim, Store};
use crate::units::Units;

mod record;

pub use record::{Checked, Counts, Loaded, NotARecord, Record, Rejected, RowError, Status, finish};
use record::{Col, Layout as Columns};

/// What the reader produced.
pub struct Streamed {
    pub layout: Layout,
    pub store: Store,
    pub units: Units,
    pub counts: Counts,
    /// The inputs' names (a path, `<stdin>`, or `book.xlsx[Sheet1]`), indexed by `Record::file`.
    pub files: Vec<String>,
    /// The records a command asked to keep, in file order.
    pub records: Vec<Record>,
    /// The rows rejected, in file order.
    pub rejected: Vec<Rejected>,
    /// Each input's columns that no rule reads.
    pub unused_columns: Vec<(String, Vec<String>)>,
}

impl Streamed {
    /// What was read, as the pipeline takes it.
    pub fn loaded(self) -> (Units, Loaded) {
        let loaded = Loaded {
            unused_columns: self.unused_columns,
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

/// One block of whole records, and its place among the file's blocks (the lines of what a
/// block rejects or keeps are counted from its start, and placed in the file once every
/// block's lines are known).
struct Chunk<'a> {
    data: Data<'a>,
    seq: u64,
    /// Known to hold no quote and no carriage return (false: not known).
    plain: bool,
}

/// A block: bytes read into a buffer, a range of a window of the file mapped for it alone
/// (unmapped when the block is done, so that memory stays flat), a part of text decoded in
/// memory, or rows of a spreadsheet.
enum Data<'a> {
    Read(Vec<u8>),
    Mapped(memmap2::Mmap, std::ops::Range<usize>),
    Text(&'a [u8]),
    Rows(&'a [Row]),
}

/// Where a feeder sends its blocks, and what it answers to: the workers' stop flag and the
/// progress bar.
struct Out<'a, 's> {
    tx: &'s mpsc::SyncSender<Chunk<'a>>,
    bar: Option<&'s indicatif::ProgressBar>,
    pool: &'s Pool,
    /// The next block's place among the file's blocks.
    seq: u64,
    /// Bytes per block.
    block: usize,
    delimiter: u8,
    /// The input's name, for errors.
    name: &'s str,
    /// Where a quote opened that the input never closes: the block, and the lines before it
    /// in the block.
    unclosed: Option<(u64, u64)>,
}

impl<'a> Out<'a, '_> {
    /// Stops when a worker has.
    fn go_on(&self) -> Result<(), Stop> {
        match self.pool.stop.load(Ordering::Relaxed) {
            true => Err(Stop::Halted),
            false => Ok(()),
        }
    }

    fn progress(&self, bytes: u64) {
        if let Some(b) = self.bar {
            b.inc(bytes);
        }
    }

    /// Sends a block on, numbered.
    fn send(&mut self, data: Data<'a>, plain: bool) -> Result<(), Stop> {
        let seq = self.seq;
        self.seq += 1;
        self.tx
            .send(Chunk { data, seq, plain })
            .map_err(|_| Stop::Halted)
    }

    /// Notes a quote the next block opens and the input never closes.
    fn note(&mut self, window: &[u8], cut: &Cut) {
        if let Some(q) = cut.unclosed {
            self.unclosed = Some((self.seq, newlines(&window[..q])));
        }
    }
}

/// Why reading an input stopped short.
#[derive(Debug)]
enum Stop {
    /// A cell that must be read as text is not UTF-8: the input is read again, decoded.
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

/// Ids seen, kept as runs of consecutive numbers per prefix and width (`R000000001` …
/// `R010000000` is one run), so that the usual sequential ids cost almost nothing; ids without a
/// number at the end are kept whole. Exact: a repeat shows as a number inside a run, or as two
/// runs that overlap.
#[derive(Default)]
struct Ids {
    runs: Vec<(Vec<u8>, usize, u64, u64)>,
    open: Option<(Vec<u8>, usize, u64, u64)>,
    other: Vec<Vec<u8>>,
    /// The id that continues the open run (R…07 after R…06, R…20 after R…19), as
    /// [`words`](crate::fxhash::words), with its length and last digit; ids of up to 16 bytes.
    next: Option<((u64, u64), usize, u8)>,
    /// The same id as written (its first bytes, as many as its length).
    next_id: [u8; 16],
}

impl Ids {
    /// False when the id repeats one of the open run.
    #[inline]
    fn insert(&mut self, id: &[u8]) -> bool {
        // The usual case first: the id expected next, compared as two words.
        if let Some((words, n, _)) = self.next
            && id.len() == n
            && crate::fxhash::words(id) == words
            && let Some((_, _, _, hi)) = &mut self.open
        {
            *hi += 1;
            self.advance();
            return true;
        }
        self.insert_other(id)
    }

    #[inline(never)]
    fn insert_other(&mut self, id: &[u8]) -> bool {
        let others = self.other.len();
        let inserted = self.insert_slowly(id);
        self.next = None;
        // Into the open run (as its last id): what comes next is known.
        if inserted
            && self.other.len() == others
            && let Some(&digit) = id.last()
            && id.len() <= 16
        {
            self.next = Some((crate::fxhash::words(id), id.len(), digit));
            self.next_id[..id.len()].copy_from_slice(id);
            self.advance();
        }
        inserted
    }

    /// The id expected next, from the one just taken (in `next`): its number one up in the
    /// same width (none after R…99, whose successor has another digit).
    #[inline]
    fn advance(&mut self) {
        let Some(((a, b), n, d)) = self.next else {
            return;
        };
        if d < b'9' {
            // The last digit one up: a change to one byte of the words.
            let (da, db) = crate::fxhash::last_byte_up(n);
            self.next = Some(((a + da, b + db), n, d + 1));
            self.next_id[n - 1] = d + 1;
        } else {
            self.carry(n);
        }
    }

    /// After a 9: nines become zeros and the digit before them goes one up.
    #[inline(never)]
    fn carry(&mut self, n: usize) {
        let id = &mut self.next_id[..n];
        for i in (0..n).rev() {
            match id[i] {
                b'9' if i > 0 && id[i - 1].is_ascii_digit() => id[i] = b'0',
                d @ b'0'..=b'8' => {
                    id[i] = d + 1;
                    self.next = Some((crate::fxhash::words(id), n, id[n - 1]));
                    return;
                }
                _ => break,
            }
        }
        self.next = None;
    }

    fn insert_slowly(&mut self, id: &[u8]) -> bool {
        let Some((prefix, digits, n)) = crate::fxhash::split_number(id, 18) else {
            self.other.push(id.to_vec());
            return true;
        };
        if let Some((p, w, lo, hi)) = &mut self.open
            && *w == digits
            && p.len() == prefix.len()
            && same(p, prefix)
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
        self.open = Some((prefix.to_vec(), digits, n, n));
        true
    }

    /// True when no id is in two sets, nor twice in one.
    #[cfg(test)]
    fn all_distinct(sets: Vec<Ids>) -> bool {
        Ids::repeats(sets, Vec::new(), &[]).is_none()
    }

    /// The ids more than one row has: valid rows' ids in two sets or twice in one (`twice`:
    /// those an [`Ids::insert`] refused), and the ids of rejected rows that a valid row has
    /// too. `None` when there are none (the usual case).
    fn repeats(sets: Vec<Ids>, twice: Vec<Vec<u8>>, rejected: &[Vec<u8>]) -> Option<IdSet> {
        let mut runs = Vec::new();
        let mut other = Vec::new();
        for mut s in sets {
            runs.append(&mut s.runs);
            runs.extend(s.open);
            other.append(&mut s.other);
        }
        runs.sort_unstable();
        // The union of the runs, and where two of them overlap.
        let mut union: Vec<Run> = Vec::new();
        let mut again = IdSet::default();
        for r in runs {
            match union.last_mut() {
                Some(u) if u.0 == r.0 && u.1 == r.1 && r.2 <= u.3 => {
                    again.runs.push((r.0.clone(), r.1, r.2, r.3.min(u.3)));
                    u.3 = u.3.max(r.3);
                }
                _ => union.push(r),
            }
        }
        other.sort_unstable();
        for w in other.windows(2) {
            if w[0] == w[1] {
                again.other.push(w[0].clone());
            }
        }
        other.dedup();
        let claimed = IdSet { runs: union, other };
        let refused = rejected.iter().filter(|id| claimed.contains(id)).cloned();
        for id in twice.into_iter().chain(refused) {
            again.add(id);
        }
        (!again.runs.is_empty() || !again.other.is_empty()).then(|| again.settled())
    }
}

/// A run of ids: prefix, width of the number, first and last number.
type Run = (Vec<u8>, usize, u64, u64);

/// A set of ids: runs of numbers sorted and apart, the other ids sorted.
#[derive(Default)]
pub(crate) struct IdSet {
    runs: Vec<Run>,
    other: Vec<Vec<u8>>,
}

impl IdSet {
    fn add(&mut self, id: Vec<u8>) {
        match crate::fxhash::split_number(&id, 18) {
            Some((prefix, digits, n)) => self.runs.push((prefix.to_vec(), digits, n, n)),
            None => self.other.push(id),
        }
    }

    /// Runs sorted and joined where they meet, others sorted once each.
    fn settled(mut self) -> IdSet {
        self.runs.sort_unstable();
        let mut runs: Vec<Run> = Vec::new();
        for r in self.runs {
            match runs.last_mut() {
                Some(u) if u.0 == r.0 && u.1 == r.1 && r.2 <= u.3.saturating_add(1) => {
                    u.3 = u.3.max(r.3);
                }
                _ => runs.push(r),
            }
        }
        self.other.sort_unstable();
        self.other.dedup();
        IdSet {
            runs,
            other: self.other,
        }
    }

    fn contains(&self, id: &[u8]) -> bool {
        let Some((prefix, digits, n)) = crate::fxhash::split_number(id, 18) else {
            return self
                .other
                .binary_search_by(|o| o.as_slice().cmp(id))
                .is_ok();
        };
        // The last run of this prefix and width that starts at or before n.
        let after = self
            .runs
            .partition_point(|(p, w, lo, _)| (p.as_slice(), *w, *lo) <= (prefix, digits, n));
        after > 0 && {
            let (p, w, _, hi) = &self.runs[after - 1];
            p.as_slice() == prefix && *w == digits && n <= *hi
        }
    }
}

/// Equal byte strings of equal length, short ones compared as words (not by a `memcmp` call).
#[inline]
fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() <= 16 {
        crate::fxhash::words(a) == crate::fxhash::words(b)
    } else {
        a == b
    }
}

/// What the reader and the workers share: a flag to stop reading when a worker gives way, and
/// the buffers workers are done with.
struct Pool {
    stop: AtomicBool,
    spare: Mutex<Vec<Vec<u8>>>,
}

/// What one worker made of its blocks.
struct Part {
    store: Store,
    /// Units first seen by this worker, by local number (without a roster).
    new_units: Vec<String>,
    ids: Ids,
    /// Ids of valid rows that [`Ids::insert`] found taken already.
    twice: Vec<Vec<u8>>,
    counts: Counts,
    /// Records kept, their units by local number (without a roster), their lines counted from
    /// the start of their block; and the block of each.
    kept: Vec<Record>,
    kept_in: Vec<u64>,
    /// Rows rejected, their lines counted from the start of their block (given first).
    rejected: Vec<(u64, Rejected)>,
    /// The ids of the rows rejected: a valid row with one of them would have to be known to
    /// come before or after it.
    rejected_ids: Vec<Vec<u8>>,
    /// Valid rows whose id repeats (when ids are settled), held back until the order of every
    /// row with that id is known: their block, and the row.
    held: Vec<(u64, Held)>,
    /// Each block's number of lines.
    lines: Vec<(u64, u64)>,
}

/// A valid row whose id more than one row has: tallied if it is the first valid row with that
/// id, rejected if not.
struct Held {
    line: u64,
    cells: Vec<String>,
    checked: record::Checked,
}

/// What reading every input needs to know.
struct Env<'a> {
    rubric: &'a Rubric,
    layout: &'a Layout,
    roster: Option<&'a Units>,
    as_of: Option<Date>,
    progress: bool,
    keep: Option<Wanted<'a>>,
    opts: &'a ReadOptions,
    config: ReadConfig,
    /// The ids that repeat, once known: the rows that have them are held.
    repeats: Option<&'a IdSet>,
}

struct Ctx<'a> {
    config: ReadConfig,
    rubric: &'a Rubric,
    layout: &'a Layout,
    /// The input's name and header, and which of its columns is which (for rejected rows).
    head: &'a input::Head,
    columns: &'a Columns,
    roster: Option<&'a Units>,
    delimiter: u8,
    as_of: Option<Date>,
    keep: Option<Wanted<'a>>,
    /// The input's index among the inputs.
    file: u32,
    /// Every block is checked to be UTF-8 (bytes read from a file, not yet decoded).
    check_utf8: bool,
    repeats: Option<&'a IdSet>,
    /// The file column of each of [`ALL_COLS`], if present.
    idx: [Option<usize>; 13],
    /// The columns scoring reads, and their file columns.
    used: Vec<(usize, usize)>,
    /// Where the quick path puts each field of a plain line; `None` when records are kept
    /// (they need every field).
    plan: Option<Plan>,
}

/// Where the quick path puts each field of a plain line.
struct Plan {
    /// Per file column, the column of [`ALL_COLS`] it holds ([`SINK`] for those not read).
    cells: Vec<u8>,
    /// How many fields a line needs for all of them.
    need: usize,
}

impl Ctx<'_> {
    /// The columns scoring reads ([`Ctx::used`]) and the quick path's plan ([`Ctx::plan`]).
    fn plan(idx: &[Option<usize>; 13], keep: bool) -> (Vec<(usize, usize)>, Option<Plan>) {
        let used: Vec<(usize, usize)> = idx
            .iter()
            .enumerate()
            .filter(|(k, _)| !matches!(ALL_COLS[*k], Col::Note | Col::Inspector))
            .filter_map(|(k, i)| i.map(|i| (k, i)))
            .collect();
        let need = used.iter().map(|&(_, i)| i + 1).max().unwrap_or(0);
        let mut plan = vec![SINK; need];
        for &(k, i) in &used {
            plan[i] = k as u8;
        }
        // Two columns in one file column (not made by `Columns`) would need two cells.
        let plan = (!keep && plan.iter().filter(|&&k| k != SINK).count() == used.len())
            .then_some(Plan { cells: plan, need });
        (used, plan)
    }
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
    // The tallies outgrow the cache: ask for each record's table entry, then its counters, a
    // few records ahead, so that the memory waits overlap.
    const AHEAD: usize = 16;
    for (k, s) in scratch.iter().enumerate() {
        if let Some(t) = scratch.get(k + AHEAD) {
            store.prefetch(layout, t.unit, Month(t.month), t.indicator as usize, false);
        }
        if let Some(t) = scratch.get(k + AHEAD / 2) {
            store.prefetch(layout, t.unit, Month(t.month), t.indicator as usize, true);
        }
        store.add(layout, &s.slim());
    }
    pending.clear();
}

/// A worker: parses and tallies blocks until the reader closes the channel. When it gives way
/// (or fails: a bug) it tells the reader to stop, and still drains the channel so that the
/// reader never waits on a full channel nobody reads.
fn work<'a>(
    ctx: &Ctx,
    chunks: &Mutex<mpsc::Receiver<Chunk<'a>>>,
    pool: &Pool,
) -> Result<Part, Stop> {
    /// Stops the reader and drains the channel unless the worker finished.
    struct Drain<'a, 'c> {
        chunks: &'a Mutex<mpsc::Receiver<Chunk<'c>>>,
        pool: &'a Pool,
        done: bool,
    }
    impl Drop for Drain<'_, '_> {
        fn drop(&mut self) {
            if self.done {
                return;
            }
            self.pool.stop.store(true, Ordering::Relaxed);
            let rx = match self.chunks.lock() {
                Ok(rx) => rx,
                Err(poisoned) => poisoned.into_inner(),
            };
            while rx.recv().is_ok() {}
        }
    }
    let mut drain = Drain {
        chunks,
        pool,
        done: false,
    };
    let result = work_blocks(ctx, chunks, &pool.spare);
    drain.done = result.is_ok();
    result
}

/// A parsed row's fields: a `csv` record (blocks with quotes) or a plainly split line.
trait Fields {
    fn len(&self) -> usize;
    fn get(&self, i: usize) -> Option<&[u8]>;
}

impl Fields for Row {
    fn len(&self) -> usize {
        self.cells.len()
    }
    fn get(&self, i: usize) -> Option<&[u8]> {
        self.cells.get(i).map(|c| c.as_bytes())
    }
}

impl Fields for csv::ByteRecord {
    fn len(&self) -> usize {
        csv::ByteRecord::len(self)
    }
    fn get(&self, i: usize) -> Option<&[u8]> {
        csv::ByteRecord::get(self, i)
    }
}

/// A line of a block without quotes, and where each of its fields ends.
struct Line<'a> {
    bytes: &'a [u8],
    ends: &'a [u32],
    /// The line's place in its block, from 0.
    index: u64,
}

impl Fields for Line<'_> {
    fn len(&self) -> usize {
        self.ends.len()
    }
    fn get(&self, i: usize) -> Option<&[u8]> {
        let end = *self.ends.get(i)? as usize;
        let start = match i {
            0 => 0,
            _ => self.ends[i - 1] as usize + 1,
        };
        self.bytes.get(start..end)
    }
}

/// A row checked, with its unit resolved and its id as written.
type Resolved<'r> = (record::Checked, u32, &'r [u8]);

/// One worker's state between blocks.
struct Worker<'c> {
    ctx: &'c Ctx<'c>,
    part: Part,
    pending: Vec<Pending>,
    scratch: Vec<Pending>,
    /// Units already resolved, by their trimmed text: a unit cell written plainly is found here.
    units: ByteMap,
    /// The same units, those with codes of one prefix and width found by their number.
    numbered: Numbered,
    quick: record::Quick,
    keys: Vec<String>,
    /// The block being read.
    seq: u64,
}

impl<'c> Worker<'c> {
    fn new(ctx: &'c Ctx<'c>) -> Worker<'c> {
        Worker {
            ctx,
            part: Part {
                store: Store::new(ctx.layout),
                new_units: Vec::new(),
                ids: Ids::default(),
                twice: Vec::new(),
                counts: Counts::default(),
                kept: Vec::new(),
                kept_in: Vec::new(),
                rejected: Vec::new(),
                rejected_ids: Vec::new(),
                held: Vec::new(),
                lines: Vec::new(),
            },
            seq: 0,
            pending: Vec::with_capacity(BATCH),
            scratch: Vec::new(),
            units: ByteMap::default(),
            numbered: Numbered::default(),
            quick: record::Quick::new(ctx.rubric),
            keys: ctx
                .head
                .header
                .iter()
                .map(|h| input::header_key(h))
                .collect(),
        }
    }

    /// Reads a block: plain blocks split at separators, others parsed by `csv`, rows of a
    /// spreadsheet one by one. Lines are counted from the block's start.
    fn block(
        &mut self,
        data: &Data,
        seq: u64,
        plain: bool,
        record: &mut csv::ByteRecord,
        ends: &mut Vec<u32>,
    ) -> Result<(), Stop> {
        self.seq = seq;
        let bytes: &[u8] = match data {
            Data::Read(v) => v,
            Data::Mapped(map, range) => map.get(range.clone()).unwrap_or_default(),
            Data::Text(t) => t,
            Data::Rows(rows) => {
                // Rows carry their own lines (the input's start counts as line 0).
                for row in rows.iter() {
                    self.row(row, row.line)?;
                }
                self.part.lines.push((seq, 0));
                return Ok(());
            }
        };
        if self.ctx.check_utf8 && simdutf8::basic::from_utf8(bytes).is_err() {
            return Err(Stop::NotUtf8);
        }
        let lines = if plain || memchr::memchr2(b'"', b'\r', bytes).is_none() {
            match &self.ctx.plan {
                Some(plan) => self.plain_block(bytes, plan, ends)?,
                None => split_plain(bytes, self.ctx.delimiter, ends, |line| {
                    self.row(&line, line.index)
                })?,
            }
        } else {
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .delimiter(self.ctx.delimiter)
                .from_reader(bytes);
            loop {
                match reader.read_byte_record(record) {
                    Ok(true) => {}
                    Ok(false) => break,
                    Err(e) => return Err(Error::Internal(e.to_string()).into()),
                }
                // Counted as the whole input's parser counts.
                let line = record
                    .position()
                    .map_or(0, |p| input::true_line(bytes, p) - 1);
                self.row(record, line)?;
            }
            newlines(bytes)
        };
        self.part.lines.push((seq, lines));
        Ok(())
    }

    /// A block without quotes or carriage returns, when no record is kept: each field goes
    /// straight to its column's cell as it is split, and a line whose cells are all in the
    /// usual form is tallied from them; any other line is split again and read by [`row`].
    /// Answers how many lines the block has.
    fn plain_block(&mut self, block: &[u8], plan: &Plan, ends: &mut Vec<u32>) -> Result<u64, Stop> {
        let (delimiter, need) = (self.ctx.delimiter, plan.need);
        let slot = |field: usize| usize::from(plan.cells.get(field).copied().unwrap_or(SINK));
        let mut cells: [&[u8]; SINK as usize + 1] = [&[]; SINK as usize + 1];
        let (mut field, mut start, mut line_start, mut lines) = (0usize, 0usize, 0usize, 0u64);
        let mut line_end = |p: usize, fields: usize, line_start: usize, cells: &[&[u8]], index| {
            // An empty line is no record (as for `csv`).
            if p == line_start {
                return Ok(());
            }
            if fields >= need
                && let Some((c, unit, id)) = self.quick(|col| cells[col as usize])
                && !self.holds(id)
            {
                self.part.counts.read += 1;
                self.take(c, unit, id);
                return Ok(());
            }
            let line = &block[line_start..p];
            split_plain(line, delimiter, ends, |l| self.row(&l, index)).map(|_| ())
        };
        each_separator(block, delimiter, |p, newline| {
            cells[slot(field)] = &block[start..p];
            field += 1;
            start = p + 1;
            if newline {
                line_end(p, field, line_start, &cells, lines)?;
                (field, line_start) = (0, p + 1);
                lines += 1;
            }
            Ok(())
        })?;
        if line_start < block.len() {
            let p = block.len();
            cells[slot(field)] = &block[start..p];
            line_end(p, field + 1, line_start, &cells, lines)?;
        }
        Ok(lines)
    }

    /// The usual row: every cell in its plain form, compared as bytes; the unit and the id as
    /// written, when resolved before or plain ASCII. `None` for anything else.
    #[inline]
    fn quick<'r>(&mut self, raw: impl Fn(Col) -> &'r [u8]) -> Option<Resolved<'r>> {
        let c = self.quick.check(self.ctx.rubric, &raw)?;
        Some((c, self.unit(raw(Col::Unit))?, plain_id(raw(Col::Id))?))
    }

    fn row(&mut self, rec: &impl Fields, line: u64) -> Result<(), Stop> {
        let ctx = self.ctx;
        let idx = &ctx.idx;
        let raw = |col: Col| -> &[u8] {
            idx[col as usize]
                .and_then(|i| rec.get(i))
                .unwrap_or_default()
        };
        let (c, unit, id) = match self.quick(raw) {
            Some((c, unit, id)) => {
                self.part.counts.read += 1;
                (c, Some(unit), id)
            }
            None => match self.slow(rec, line)? {
                Some((c, id)) => (c, None, id),
                None => return Ok(()),
            },
        };
        if self.holds(id) {
            return self.hold(rec, line, c);
        }
        let unit = match unit {
            Some(u) => u,
            None => self.resolve(rec),
        };
        self.take(c, unit, id);
        if let Some(keep) = ctx.keep {
            self.keep(keep, rec, line, c, unit)?;
        }
        Ok(())
    }

    /// Whether a valid row with this id waits for the order of the rows that share it.
    #[inline]
    fn holds(&self, id: &[u8]) -> bool {
        self.ctx
            .repeats
            .is_some_and(|r| !id.is_empty() && r.contains(id))
    }

    /// Holds a valid row back: whether it is tallied depends on the rows before it.
    #[cold]
    fn hold(&mut self, rec: &impl Fields, line: u64, checked: record::Checked) -> Result<(), Stop> {
        let cells = cells(rec)?;
        self.part.held.push((
            self.seq,
            Held {
                line,
                cells,
                checked,
            },
        ));
        Ok(())
    }

    /// Tallies a row checked and resolved.
    #[inline]
    fn take(&mut self, c: record::Checked, unit: u32, id: &[u8]) {
        let ctx = self.ctx;
        if !id.is_empty() && ctx.repeats.is_none() && !self.part.ids.insert(id) {
            self.part.twice.push(id.to_vec());
        }
        if c.status == Status::Void {
            self.part.counts.void += 1;
        } else {
            self.part.counts.scored += 1;
        }
        let s = engine::slim(ctx.layout, unit, &c, ctx.as_of);
        match Pending::of(&s).filter(|_| s.value.is_none()) {
            Some(p) => {
                self.pending.push(p);
                if self.pending.len() >= BATCH {
                    flush(
                        &mut self.part.store,
                        ctx.layout,
                        &mut self.pending,
                        &mut self.scratch,
                    );
                }
            }
            None => self.part.store.add(ctx.layout, &s),
        }
    }

    /// Keeps the record when asked to: its cells as text.
    fn keep(
        &mut self,
        keep: Wanted,
        rec: &impl Fields,
        line: u64,
        c: record::Checked,
        unit: u32,
    ) -> Result<(), Stop> {
        let text = |col: Col| -> Result<&str, Stop> {
            match self.ctx.idx[col as usize].and_then(|i| rec.get(i)) {
                Some(b) => utf8(b).map(input::trim_cell),
                None => Ok(""),
            }
        };
        let record = record_of(self.ctx.file, line, &c, unit as usize);
        let wanted = match self.ctx.roster {
            Some(r) => {
                let u = r.list.get(unit as usize);
                u.is_some_and(|u| keep(&record, &u.code, u.name.as_deref()))
            }
            None => keep(&record, text(Col::Unit)?, None),
        };
        if wanted {
            let record = with_text(record, &text)?;
            self.part.kept.push(record);
            self.part.kept_in.push(self.seq);
        }
        Ok(())
    }

    /// Any other row: its cells as text, trimmed, checked in full. The checked fields and the
    /// id of a valid row; `None` for a blank row or a rejected one.
    fn slow<'r>(
        &mut self,
        rec: &'r impl Fields,
        line: u64,
    ) -> Result<Option<(record::Checked, &'r [u8])>, Stop> {
        let ctx = self.ctx;
        // The cells scoring reads, each checked as UTF-8 (notes are neither read nor checked).
        let text = |i: usize| rec.get(i).map(utf8).transpose();
        let mut cells: [&str; 13] = [""; 13];
        for &(k, i) in &ctx.used {
            // A line shorter than the header: its missing cells are empty.
            if let Some(t) = text(i)? {
                cells[k] = input::trim_cell(t);
            }
        }
        if cells.iter().all(|c| c.is_empty()) {
            // Blank only when every cell is: otherwise an invalid row.
            let mut blank = true;
            for i in 0..rec.len() {
                blank &= text(i)?.is_none_or(|c| input::trim_cell(c).is_empty());
            }
            if blank {
                return Ok(None);
            }
            self.part.counts.read += 1;
            return self.reject(rec, line);
        }
        self.part.counts.read += 1;
        // Cheap first: lengths, then the names (lower case) only when they could match.
        let keys = &self.keys;
        let header_again = rec.len() == keys.len()
            && keys.iter().enumerate().all(|(i, k)| {
                text(i)
                    .ok()
                    .flatten()
                    .is_some_and(|c| input::trim_cell(c).len() == k.len())
            })
            && keys.iter().enumerate().all(|(i, k)| {
                text(i)
                    .ok()
                    .flatten()
                    .is_some_and(|c| input::header_key(c) == *k)
            });
        if header_again {
            return self.reject(rec, line);
        }
        let cell = |col: Col| -> &str { cells[col as usize] };
        let mut bad = false;
        let checked = record::check(ctx.rubric, &cell, &mut |_, _| bad = true);
        let unit_s = cell(Col::Unit);
        let in_roster = ctx.roster.is_none_or(|r| r.find(unit_s).is_some());
        let (Some(c), false, false, true) = (checked, bad, unit_s.is_empty(), in_roster) else {
            return self.reject(rec, line);
        };
        Ok(Some((c, cell(Col::Id).as_bytes())))
    }

    /// The number of a valid row's unit (known to be in the roster, if there is one); a unit
    /// met for the first time is numbered, and remembered for the quick path.
    fn resolve(&mut self, rec: &impl Fields) -> u32 {
        let cell = self.ctx.idx[Col::Unit as usize].and_then(|i| rec.get(i));
        let unit_s = input::trim_cell(cell.and_then(|b| std::str::from_utf8(b).ok()).unwrap_or(""));
        let unit = match self.ctx.roster {
            Some(r) => r.find(unit_s).unwrap_or(0) as u32,
            None => match self.units.get(unit_s.as_bytes()) {
                Some(u) => u,
                None => {
                    let u = self.part.new_units.len() as u32;
                    self.part.new_units.push(unit_s.to_owned());
                    u
                }
            },
        };
        // Remembered: the quick path finds it when it is written plainly (needs no trimming).
        self.units.insert(unit_s.as_bytes(), unit);
        self.numbered.insert(unit_s.as_bytes(), unit);
        unit
    }

    /// Rejects a row, with every reason but a repeated id (settled after the blocks).
    #[cold]
    fn reject<T>(&mut self, rec: &impl Fields, line: u64) -> Result<Option<T>, Stop> {
        let ctx = self.ctx;
        let row = Row {
            line,
            cells: cells(rec)?,
        };
        match record::not_a_record(ctx.columns, &row) {
            Some(record::NotARecord::Total) => {
                self.part.counts.totals += 1;
                return Ok(None);
            }
            Some(record::NotARecord::Numbered) => {
                self.part.counts.numbered += 1;
                return Ok(None);
            }
            None => {}
        }
        let roster = Units::default();
        let units = ctx.roster.unwrap_or(&roster);
        let reasons = match record::problems(ctx.rubric, ctx.columns, ctx.head, &row, units) {
            Err(reasons) => reasons,
            Ok((_, reasons)) if !reasons.is_empty() => reasons,
            Ok(_) => {
                return Err(Error::Internal(format!(
                    "{}: the quick and the full check disagree on a row",
                    ctx.head.name
                ))
                .into());
            }
        };
        let id = ctx.columns.cell(&row, Col::Id);
        if !id.is_empty() {
            self.part.rejected_ids.push(id.as_bytes().to_vec());
        }
        self.part.counts.rejected += 1;
        self.part.rejected.push((
            self.seq,
            Rejected {
                file: ctx.head.name.clone(),
                line,
                cells: row.cells,
                header: ctx.head.header.clone(),
                reasons,
            },
        ));
        Ok(None)
    }

    /// A unit already resolved, by its cell written plainly.
    #[inline]
    fn unit(&self, cell: &[u8]) -> Option<u32> {
        self.numbered.get(cell).or_else(|| self.units.get(cell))
    }

    fn finish(mut self) -> Part {
        flush(
            &mut self.part.store,
            self.ctx.layout,
            &mut self.pending,
            &mut self.scratch,
        );
        self.part
    }
}

/// A cell as text: a cell that is not UTF-8 means the input is not, and is read again decoded.
fn utf8(b: &[u8]) -> Result<&str, Stop> {
    std::str::from_utf8(b).map_err(|_| Stop::NotUtf8)
}

/// Every cell of a row as text, trimmed.
fn cells(rec: &impl Fields) -> Result<Vec<String>, Stop> {
    (0..rec.len())
        .map(|i| utf8(rec.get(i).unwrap_or_default()).map(|c| input::trim_cell(c).to_owned()))
        .collect()
}

/// A valid row's record, its text cells (severity, source, id, note, inspector) still empty:
/// a command is asked whether it wants the record before they are copied.
fn record_of(file: u32, line: u64, c: &record::Checked, unit: usize) -> Record {
    Record {
        file,
        line,
        date: c.date,
        month: c.month,
        unit,
        indicator: c.indicator,
        count: c.count,
        value: c.value,
        severity: None,
        severity_index: c.severity,
        source: None,
        source_index: c.source,
        weight: c.weight,
        deadline: c.deadline,
        rectified: c.rectified,
        status: c.status,
        id: None,
        note: String::new(),
        inspector: String::new(),
    }
}

/// The record with its text cells, read by `text`.
fn with_text<'t>(
    mut record: Record,
    text: &dyn Fn(Col) -> Result<&'t str, Stop>,
) -> Result<Record, Stop> {
    let opt = |col: Col| text(col).map(|s| (!s.is_empty()).then(|| s.to_owned()));
    record.severity = opt(Col::Severity)?;
    record.source = opt(Col::Source)?;
    record.id = opt(Col::Id)?;
    record.note = text(Col::Note)?.to_owned();
    record.inspector = text(Col::Inspector)?.to_owned();
    Ok(record)
}

/// An id cell that needs no trimming and no UTF-8 check: empty, or ASCII starting and ending
/// with a visible character.
fn plain_id(b: &[u8]) -> Option<&[u8]> {
    match (b.first(), b.last()) {
        (None, _) => Some(b),
        (Some(f), Some(l)) if f.is_ascii_graphic() && l.is_ascii_graphic() && b.is_ascii() => {
            Some(b)
        }
        _ => None,
    }
}

/// Splits a block holding no quote and no carriage return into lines at `\n` and fields at the
/// delimiter, as `csv` would (an empty line is no record), 64 bytes at a time.
fn split_plain(
    block: &[u8],
    delimiter: u8,
    ends: &mut Vec<u32>,
    mut row: impl FnMut(Line) -> Result<(), Stop>,
) -> Result<u64, Stop> {
    let mut start = 0usize;
    let mut index = 0u64;
    ends.clear();
    let mut at = |p: usize, ends: &mut Vec<u32>, start: &mut usize| -> Result<(), Stop> {
        ends.push((p - *start) as u32);
        if block[p] == b'\n' {
            // An empty line is no record (as for `csv`), but it is a line.
            if p > *start {
                row(Line {
                    bytes: &block[*start..p],
                    ends,
                    index,
                })?;
            }
            index += 1;
            ends.clear();
            *start = p + 1;
        }
        Ok(())
    };
    each_separator(block, delimiter, |p, _| at(p, ends, &mut start))?;
    if start < block.len() {
        ends.push((block.len() - start) as u32);
        row(Line {
            bytes: &block[start..],
            ends,
            index,
        })?;
    }
    Ok(index)
}

/// Calls `at` with the place of each delimiter or newline in `block`, in order, and whether it
/// is a newline; 64 bytes at a time.
#[inline(always)]
fn each_separator(
    block: &[u8],
    delimiter: u8,
    mut at: impl FnMut(usize, bool) -> Result<(), Stop>,
) -> Result<(), Stop> {
    let mut words = block.chunks_exact(64);
    let mut base = 0usize;
    for w in &mut words {
        let mut hits = separators(w.try_into().unwrap_or(&[0; 64]), delimiter);
        while hits != 0 {
            let p = base + hits.trailing_zeros() as usize;
            hits &= hits - 1;
            at(p, block[p] == b'\n')?;
        }
        base += 64;
    }
    for (k, &b) in words.remainder().iter().enumerate() {
        if b == delimiter || b == b'\n' {
            at(base + k, b == b'\n')?;
        }
    }
    Ok(())
}

/// Bit k set when byte k of `w` is the delimiter or a newline. One mask per 64 bytes means one
/// loop exit for the processor to guess wrong where eight words had eight. On x86-64, sixteen
/// bytes per compare (SSE2 is part of every x86-64 processor, so no detection is needed).
#[cfg(target_arch = "x86_64")]
#[inline]
fn separators(w: &[u8; 64], delimiter: u8) -> u64 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };
    let mut m = 0u64;
    // SAFETY: SSE2 is part of every x86-64 processor (the intrinsics ask for it only because
    // they are declared for it); each load reads sixteen bytes inside `w` (k < 4) and allows
    // any alignment.
    unsafe {
        let delims = _mm_set1_epi8(delimiter as i8);
        let newlines = _mm_set1_epi8(b'\n' as i8);
        for k in 0..4 {
            let x = _mm_loadu_si128(w.as_ptr().add(16 * k).cast::<__m128i>());
            let hits = _mm_or_si128(_mm_cmpeq_epi8(x, delims), _mm_cmpeq_epi8(x, newlines));
            m |= u64::from(_mm_movemask_epi8(hits) as u16) << (16 * k);
        }
    }
    m
}

/// The same mask, eight bytes at a time in plain integer arithmetic (other processors).
#[cfg(any(test, not(target_arch = "x86_64")))]
fn separators_by_words(w: &[u8; 64], delimiter: u8) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    // The high bit of each byte of `x` that is zero, exactly (no borrow between bytes).
    let zeros = |x: u64| !(((x & LOW7).wrapping_add(LOW7)) | x | LOW7);
    let delims = u64::from_ne_bytes([delimiter; 8]);
    let newlines = u64::from_ne_bytes([b'\n'; 8]);
    let mut m = 0u64;
    for (k, c) in w.chunks_exact(8).enumerate() {
        let x = u64::from_le_bytes(c.try_into().unwrap_or_default());
        let hits = (zeros(x ^ delims) | zeros(x ^ newlines)) >> 7;
        // Byte j's bit (now bit 8j) gathered to bit 56 + j: the partial products never carry.
        m |= (hits.wrapping_mul(0x0102_0408_1020_4080) >> 56) << (8 * k);
    }
    m
}

#[cfg(not(target_arch = "x86_64"))]
#[inline]
fn separators(w: &[u8; 64], delimiter: u8) -> u64 {
    separators_by_words(w, delimiter)
}

fn work_blocks<'a>(
    ctx: &Ctx,
    chunks: &Mutex<mpsc::Receiver<Chunk<'a>>>,
    spare: &Mutex<Vec<Vec<u8>>>,
) -> Result<Part, Stop> {
    let mut worker = Worker::new(ctx);
    let mut record = csv::ByteRecord::new();
    let mut ends = Vec::new();
    loop {
        let chunk = match chunks.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return Err(Stop::Halted),
        };
        let Ok(chunk) = chunk else {
            break;
        };
        worker.block(&chunk.data, chunk.seq, chunk.plain, &mut record, &mut ends)?;
        // A buffer goes back to the reader, which refills it instead of asking for fresh pages
        // (a mapped window is unmapped here).
        if let Data::Read(bytes) = chunk.data
            && let Ok(mut s) = spare.lock()
            && s.len() < ctx.config.workers + 2
        {
            s.push(bytes);
        }
    }
    Ok(worker.finish())
}

/// Where the quick path puts the fields it does not read.
const SINK: u8 = 13;

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

/// How many line feeds: a plain loop the compiler turns into wide compares (faster than a
/// search per line when lines are short).
fn newlines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u64
}

/// Where a window is cut, and what is known of it.
#[derive(Clone, Copy)]
struct Cut {
    /// The bytes the block takes: up to and with the last newline outside quotes, or all.
    at: usize,
    /// The window holds no quote and no carriage return.
    plain: bool,
    /// At the end of the input, where a quote opened that is never closed.
    unclosed: Option<usize>,
}

/// Where to cut `window` (which starts at a record boundary): after its last newline outside
/// quotes, or at its end if it is the end of the input; and whether the window is plain (no
/// quote, no carriage return), so that the worker need not look again. `None`: no record ends
/// in it, read further.
fn cut(window: &[u8], at_end: bool, delimiter: u8) -> Option<Cut> {
    let plain = memchr::memchr2(b'"', b'\r', window).is_none();
    let whole = Cut {
        at: window.len(),
        plain,
        unclosed: None,
    };
    if plain {
        return match at_end {
            true => Some(whole),
            false => memchr::memrchr(b'\n', window).map(|c| Cut { at: c + 1, ..whole }),
        };
    }
    let quotes = scan_quotes(window, delimiter);
    match at_end {
        true => Some(Cut {
            unclosed: quotes.open,
            ..whole
        }),
        false => quotes.last_newline.map(|c| Cut { at: c + 1, ..whole }),
    }
}

/// What the quotes of some bytes leave.
struct Quotes {
    /// The last newline outside quoted cells.
    last_newline: Option<usize>,
    /// Where the quoted cell that the bytes end in opened.
    open: Option<usize>,
}

/// Reads the quotes of `bytes` (which start at a record boundary) as `csv` does: a quote opens
/// a quoted cell only at the start of a cell (elsewhere it is a character like any other), `""`
/// inside one is a quote, and the next lone quote closes it.
fn scan_quotes(bytes: &[u8], delimiter: u8) -> Quotes {
    let opens =
        |q: usize| q == 0 || matches!(bytes[q - 1], b'\n' | b'\r') || bytes[q - 1] == delimiter;
    let mut last_newline = None;
    let mut outside = 0usize;
    loop {
        let open = memchr::memchr_iter(b'"', &bytes[outside..])
            .map(|q| outside + q)
            .find(|&q| opens(q));
        let end = open.unwrap_or(bytes.len());
        if let Some(n) = memchr::memrchr(b'\n', &bytes[outside..end]) {
            last_newline = Some(outside + n);
        }
        let Some(q) = open else {
            return Quotes {
                last_newline,
                open: None,
            };
        };
        let mut p = q + 1;
        loop {
            match memchr::memchr(b'"', &bytes[p..]) {
                None => {
                    return Quotes {
                        last_newline,
                        open: Some(q),
                    };
                }
                Some(c) if bytes.get(p + c + 1) == Some(&b'"') => p += c + 2,
                Some(c) => {
                    outside = p + c + 1;
                    break;
                }
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
    as_of: Option<Date>,
    progress: bool,
    keep: Option<Wanted>,
    opts: &ReadOptions,
) -> Result<Streamed, Error> {
    let layout = Layout::new(rubric);
    let env = Env {
        rubric,
        layout: &layout,
        roster,
        as_of,
        progress,
        keep,
        opts,
        config: ReadConfig {
            block: opts.config.block.max(16),
            workers: opts.config.workers.max(1),
            ..opts.config
        },
        repeats: None,
    };
    read_settled(&Inputs::All(paths), env)
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
        as_of: None,
        progress: false,
        keep: Some(&all),
        opts: &opts,
        config: opts.config,
        repeats: None,
    };
    read_settled(&Inputs::Sheet(sheet), env)
}

/// Reads the inputs; when an id repeats, reads them again holding back the rows that have one,
/// and settles those in file order.
fn read_settled(inputs: &Inputs, env: Env) -> Result<Streamed, Error> {
    let mut read = read_all(inputs, &env)?;
    if let Some(repeats) = read.repeats() {
        drop(read);
        let again = Env {
            repeats: Some(&repeats),
            ..env
        };
        return Ok(read_all(inputs, &again)?.assemble(&again));
    }
    Ok(read.assemble(&env))
}

/// What is read: files (or `-`), or one table already in memory.
enum Inputs<'i> {
    All(&'i [String]),
    Sheet(&'i Sheet),
}

/// What the workers made of every input.
struct ReadAll {
    files: Vec<FileRead>,
}

/// What the workers made of one input, with its name and columns.
struct FileRead {
    name: String,
    header: Vec<String>,
    columns: Columns,
    parts: Vec<Part>,
}

fn read_all(inputs: &Inputs, env: &Env) -> Result<ReadAll, Error> {
    let files = match inputs {
        Inputs::All(paths) => paths
            .iter()
            .enumerate()
            .map(|(i, p)| read_input(p, env, i as u32))
            .collect::<Result<Vec<_>, Error>>()?,
        Inputs::Sheet(sheet) => vec![read_rows(sheet, env, 0)?],
    };
    Ok(ReadAll { files })
}

/// Reads one input: a spreadsheet's rows; a text file as UTF-8 block by block, or decoded
/// whole when it is in another encoding (or turns out not to be UTF-8); standard input, read
/// from the process once.
fn read_input(path: &str, env: &Env, file: u32) -> Result<FileRead, Error> {
    let encoding = env.opts.encoding;
    let sheet = env.opts.sheet.as_deref();
    if path == "-" {
        let bytes = input::stdin()?;
        if input::is_spreadsheet("", bytes) {
            let rows = input::read_spreadsheet("<stdin>", bytes.to_vec(), sheet)?;
            return read_rows(&rows, env, file);
        }
        let text = match utf8_text(bytes, encoding) {
            Some(t) => Cow::Borrowed(t),
            None => Cow::Owned(input::decode_owned(bytes.to_vec(), encoding).into_bytes()),
        };
        return read_text("<stdin>", "", &text, env, file);
    }
    if std::path::Path::new(path).is_dir() {
        return Err(Error::Io {
            path: path.to_owned(),
            message: "is a folder, not a file".to_owned(),
        });
    }
    let lower = path.to_ascii_lowercase();
    let mut f = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut head = Vec::new();
    let eof =
        read_more(&mut f, &mut head, env.config.block.max(8)).map_err(|e| Error::io(path, e))?;
    if input::is_spreadsheet(&lower, &head) {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let rows = input::read_spreadsheet(path, bytes, sheet)?;
        return read_rows(&rows, env, file);
    }
    let utf16 = head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]);
    let as_utf8 = match encoding {
        TextEncoding::Auto => !utf16,
        TextEncoding::Utf8 => true,
        _ => false,
    };
    if as_utf8 {
        match read_file(path, &lower, f, head, eof, env, file) {
            Ok(read) => return Ok(read),
            Err(Stop::NotUtf8) => {}
            Err(stop) => return Err(stop.into_error(path)),
        }
    }
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let text = input::decode_owned(bytes, encoding);
    read_text(path, &lower, text.as_bytes(), env, file)
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
}

/// The header: the first row with a cell that is not blank, in the first lines of an input
/// (`None`: read further). A quote that the input never closes, or no header at all, is an
/// error.
fn head_of(name: &str, lower: &str, bytes: &[u8], at_end: bool) -> Result<Option<Found>, Stop> {
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
    while reader
        .read_byte_record(&mut rec)
        .map_err(|e| Error::Internal(e.to_string()))?
    {
        let header = cells(&rec)?;
        if header.iter().any(|c| !c.is_empty()) {
            let header_line = rec.position().map_or(1, |p| input::true_line(region, p));
            let head = input::Head {
                name: name.to_owned(),
                header,
                header_line,
            };
            let body = reader.position().byte() as usize;
            return Ok(Some(Found {
                head,
                delimiter,
                body,
            }));
        }
    }
    match at_end {
        true => Err(Error::Invalid(msg::empty_input(ui(), name, false)).into()),
        false => Ok(None),
    }
}

impl<'a> Ctx<'a> {
    fn new(
        env: &Env<'a>,
        head: &'a input::Head,
        columns: &'a Columns,
        delimiter: u8,
        file: u32,
        check_utf8: bool,
    ) -> Ctx<'a> {
        let idx = ALL_COLS.map(|c| columns.index(c));
        let (used, plan) = Ctx::plan(&idx, env.keep.is_some());
        Ctx {
            config: env.config,
            rubric: env.rubric,
            layout: env.layout,
            head,
            columns,
            roster: env.roster,
            delimiter,
            as_of: env.as_of,
            keep: env.keep,
            file,
            check_utf8,
            repeats: env.repeats,
            idx,
            used,
            plan,
        }
    }
}

/// The error for a quote that the rows (from `first_line` on) never close, if one is.
fn unclosed(found: &Found, rows: &[u8], first_line: u64) -> Option<Error> {
    let q = cut(rows, true, found.delimiter)?.unclosed?;
    let at = format!("{}:{}", found.head.name, first_line + newlines(&rows[..q]));
    Some(Error::Invalid(msg::unclosed_quote(ui(), &at)))
}

/// A UTF-8 text file, block by block: read, or mapped window by window when large.
fn read_file(
    path: &str,
    lower: &str,
    mut f: File,
    mut buf: Vec<u8>,
    mut eof: bool,
    env: &Env,
    file: u32,
) -> Result<FileRead, Stop> {
    let io = |e| Stop::Failed(Error::io(path, e));
    let size = f.metadata().map(|m| m.len()).unwrap_or(0);
    let start = if buf.starts_with(&[0xEF, 0xBB, 0xBF]) {
        3
    } else {
        0
    };
    let found = loop {
        if let Some(found) = head_of(path, lower, &buf[start..], eof)? {
            break found;
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
    let bar = (env.progress && size > 64 << 20).then(|| progress_bar(size));
    let ctx = Ctx::new(env, &found.head, &columns, found.delimiter, file, true);
    let map = size >= env.config.map_from;
    let parts = run_blocks(&ctx, first_line, bar.as_ref(), |out| match map {
        true => {
            drop(buf);
            feed_mapped(&f, size, body, out)
        }
        false => feed(&mut f, buf, body, out),
    })?;
    Ok(FileRead {
        name: path.to_owned(),
        header: found.head.header.clone(),
        columns,
        parts,
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
    let found = head_of(name, lower, text, true)
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
    })
}

/// A spreadsheet's rows (or rows parsed already), a few at a time; their lines are the sheet's.
fn read_rows(sheet: &Sheet, env: &Env, file: u32) -> Result<FileRead, Error> {
    let head = input::Head {
        name: sheet.name.clone(),
        header: sheet.header.clone(),
        header_line: sheet.header_line,
    };
    let columns = Columns::of(&head)?;
    let ctx = Ctx::new(env, &head, &columns, b',', file, false);
    let rows = (env.config.block / 64).max(1);
    let parts = run_blocks(&ctx, 0, None, |out| {
        for chunk in sheet.rows.chunks(rows) {
            out.go_on()?;
            out.send(Data::Rows(chunk), false)?;
        }
        Ok(())
    })
    .map_err(|s| s.into_error(&sheet.name))?;
    Ok(FileRead {
        name: sheet.name.clone(),
        header: sheet.header.clone(),
        columns,
        parts,
    })
}

/// Checks and tallies the blocks `feed` sends on, with the workers of the configuration; the
/// lines of what they reject or keep are counted from `first_line`.
fn run_blocks<'a>(
    ctx: &Ctx,
    first_line: u64,
    bar: Option<&indicatif::ProgressBar>,
    feed: impl FnOnce(&mut Out<'a, '_>) -> Result<(), Stop>,
) -> Result<Vec<Part>, Stop> {
    let (tx, rx) = mpsc::sync_channel::<Chunk<'a>>(ctx.config.workers);
    let rx = Mutex::new(rx);
    let pool = Pool {
        stop: AtomicBool::new(false),
        spare: Mutex::new(Vec::new()),
    };
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..ctx.config.workers)
            .map(|_| scope.spawn(|| work(ctx, &rx, &pool)))
            .collect();
        let mut out = Out {
            tx: &tx,
            bar,
            pool: &pool,
            seq: 0,
            block: ctx.config.block,
            delimiter: ctx.delimiter,
            name: &ctx.head.name,
            unclosed: None,
        };
        let fed = feed(&mut out);
        let unclosed = out.unclosed;
        drop(tx);
        // A worker that panicked (a bug) is not a reason to read again: the panic goes on.
        let results: Vec<Result<Part, Stop>> = workers
            .into_iter()
            .map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect();
        if let Some(b) = bar {
            b.finish_and_clear();
        }
        let mut parts = Vec::new();
        let mut stop = fed.err();
        for r in results {
            match r {
                Ok(p) => parts.push(p),
                Err(e) if stop.is_none() || matches!(stop, Some(Stop::Halted)) => stop = Some(e),
                Err(_) => {}
            }
        }
        if let Some(stop) = stop {
            return Err(stop);
        }
        let starts = place_lines(&mut parts, first_line);
        if let Some((seq, before)) = unclosed {
            let line = starts.get(seq as usize).copied().unwrap_or(first_line) + before;
            let at = format!("{}:{line}", ctx.head.name);
            return Err(Error::Invalid(msg::unclosed_quote(ui(), &at)).into());
        }
        Ok(parts)
    })
}

/// Numbers the lines of the records kept, the rows rejected and the rows held from the start
/// of the input, now that every block's lines are known (the first block starts at
/// `first_line`); answers where each block starts.
fn place_lines(parts: &mut [Part], first_line: u64) -> Vec<u64> {
    let mut lines: Vec<(u64, u64)> = parts.iter().flat_map(|p| p.lines.iter().copied()).collect();
    lines.sort_unstable();
    let mut starts = Vec::with_capacity(lines.len());
    let mut at = first_line;
    for (_, n) in lines {
        starts.push(at);
        at += n;
    }
    let start = |seq: u64| starts.get(seq as usize).copied().unwrap_or(0);
    for p in parts {
        for (r, &seq) in p.kept.iter_mut().zip(&p.kept_in) {
            r.line += start(seq);
        }
        for (seq, r) in &mut p.rejected {
            r.line += start(*seq);
            for e in &mut r.reasons {
                e.line += start(*seq);
            }
        }
        for (seq, h) in &mut p.held {
            h.line += start(*seq);
        }
    }
    starts
}

/// Windows of the file start at multiples of this (a multiple of every page size in use).
const ALIGN: u64 = 1 << 16;

/// Maps the file a window at a time, cut after the last newline outside quotes, and sends the
/// windows on; each is unmapped when its worker is done with it.
fn feed_mapped(file: &File, size: u64, start: usize, out: &mut Out) -> Result<(), Stop> {
    let mut pos = start as u64;
    let block = out.block as u64;
    let mut want = block;
    while pos < size {
        out.go_on()?;
        let base = pos / ALIGN * ALIGN;
        let len = (pos - base + want).min(size - base);
        // SAFETY: the map is only read, and only while the file is open. Another program
        // truncating the file meanwhile could fault the read (as for every reader that maps
        // files, ripgrep's included); the files scored are exports nobody writes to meanwhile.
        let map = unsafe {
            memmap2::MmapOptions::new()
                .offset(base)
                .len(len as usize)
                .populate()
                .map(file)
        }
        .map_err(|e| Error::io(out.name, e))?;
        let from = (pos - base) as usize;
        // A record longer than the window: look further.
        let Some(c) = cut(&map[from..], base + len == size, out.delimiter) else {
            want *= 2;
            continue;
        };
        want = block;
        out.progress(c.at as u64);
        pos += c.at as u64;
        out.note(&map[from..], &c);
        out.send(Data::Mapped(map, from..from + c.at), c.plain)?;
    }
    Ok(())
}

/// Reads the file in blocks, cut after the last newline outside quotes, and sends them on.
fn feed(file: &mut File, mut buf: Vec<u8>, start: usize, out: &mut Out) -> Result<(), Stop> {
    let mut carry: Vec<u8> = buf.split_off(start);
    drop(buf);
    let block = out.block;
    let (mut eof, mut more) = (false, false);
    loop {
        out.go_on()?;
        if !eof && (carry.len() < block || more) {
            // Into the spare capacity, not zeroed first; a short read is the end of the file.
            carry.reserve_exact(block);
            let n = file
                .by_ref()
                .take(block as u64)
                .read_to_end(&mut carry)
                .map_err(|e| Error::io(out.name, e))?;
            eof = n < block;
            out.progress(n as u64);
        }
        if carry.is_empty() {
            return Ok(());
        }
        let Some(c) = cut(&carry, eof, out.delimiter) else {
            // A record longer than the buffer: read more before cutting.
            more = true;
            continue;
        };
        more = false;
        out.note(&carry, &c);
        // The part after the cut moves to a buffer a worker has given back (or a new one).
        let mut rest = out
            .pool
            .spare
            .lock()
            .ok()
            .and_then(|mut s| s.pop())
            .unwrap_or_else(|| Vec::with_capacity(2 * block));
        rest.clear();
        rest.extend_from_slice(&carry[c.at..]);
        carry.truncate(c.at);
        out.send(Data::Read(std::mem::replace(&mut carry, rest)), c.plain)?;
        if eof && carry.is_empty() {
            return Ok(());
        }
    }
}

/// Sends text in memory on in blocks cut after the last newline outside quotes.
fn feed_text<'a>(text: &'a [u8], start: usize, out: &mut Out<'a, '_>) -> Result<(), Stop> {
    let mut pos = start;
    let mut want = out.block;
    while pos < text.len() {
        out.go_on()?;
        let end = pos.saturating_add(want).min(text.len());
        let window = &text[pos..end];
        let Some(c) = cut(window, end == text.len(), out.delimiter) else {
            want = want.saturating_mul(2);
            continue;
        };
        want = out.block;
        out.note(window, &c);
        out.send(Data::Text(&window[..c.at]), c.plain)?;
        pos += c.at;
    }
    Ok(())
}

/// Reads up to `n` more bytes onto `buf`; true at the end of the file.
fn read_more(file: &mut File, buf: &mut Vec<u8>, n: usize) -> std::io::Result<bool> {
    let got = file.by_ref().take(n as u64).read_to_end(buf)?;
    Ok(got < n)
}

impl ReadAll {
    /// The ids that more than one row has, from every worker's ids (`None`: every id is once).
    fn repeats(&mut self) -> Option<IdSet> {
        let (mut sets, mut twice, mut rejected) = (Vec::new(), Vec::new(), Vec::new());
        for p in self.files.iter_mut().flat_map(|f| f.parts.iter_mut()) {
            sets.push(std::mem::take(&mut p.ids));
            twice.append(&mut p.twice);
            rejected.append(&mut p.rejected_ids);
        }
        Ids::repeats(sets, twice, &rejected)
    }

    /// The workers' parts as one answer: units numbered in roster order (else code order),
    /// tallies merged, repeated ids settled in file order, records and rejects in file order.
    fn assemble(self, env: &Env) -> Streamed {
        let mut counts = Counts::default();
        let mut rejected: Vec<(u32, Rejected)> = Vec::new();
        let mut held: Vec<(u32, Held)> = Vec::new();
        let mut parts = Vec::new();
        let mut files = Vec::new();
        for (file, f) in self.files.into_iter().enumerate() {
            for mut p in f.parts {
                counts.read += p.counts.read;
                counts.scored += p.counts.scored;
                counts.void += p.counts.void;
                counts.rejected += p.counts.rejected;
                counts.totals += p.counts.totals;
                counts.numbered += p.counts.numbered;
                rejected.extend(p.rejected.drain(..).map(|(_, r)| (file as u32, r)));
                held.extend(p.held.drain(..).map(|(_, h)| (file as u32, h)));
                parts.push(p);
            }
            files.push(Meta {
                name: f.name,
                header: f.header,
                columns: f.columns,
            });
        }
        let claims = settle(&files, held, &mut rejected, &mut counts);
        let units = units_of(env.roster, &parts, &files, &claims);
        let mut total = Totals {
            store: Store::new(env.layout),
            records: Vec::new(),
            counts,
        };
        for p in parts {
            let map: Vec<u32> = match env.roster {
                Some(_) => Vec::new(),
                None => p
                    .new_units
                    .iter()
                    .map(|u| units.find(u).unwrap_or(0) as u32)
                    .collect(),
            };
            for mut r in p.kept {
                r.unit = map.get(r.unit).map_or(r.unit, |&u| u as usize);
                total.records.push(r);
            }
            total.store.merge(p.store, &map);
        }
        for (file, h) in claims {
            total.take(env, &units, &files[file as usize], file, h);
        }
        total.records.sort_unstable_by_key(|r| (r.file, r.line));
        rejected.sort_by_key(|(file, r)| (*file, r.line));
        Streamed {
            layout: env.layout.clone(),
            store: total.store,
            units,
            counts: total.counts,
            unused_columns: files
                .iter()
                .filter(|f| !f.columns.unused.is_empty())
                .map(|f| (f.name.clone(), f.columns.unused.clone()))
                .collect(),
            files: files.into_iter().map(|f| f.name).collect(),
            records: total.records,
            rejected: rejected.into_iter().map(|(_, r)| r).collect(),
        }
    }
}

/// An input's name and columns.
struct Meta {
    name: String,
    header: Vec<String>,
    columns: Columns,
}

impl Meta {
    fn cell<'c>(&self, cells: &'c [String], col: Col) -> &'c str {
        self.columns
            .index(col)
            .and_then(|i| cells.get(i))
            .map_or("", String::as_str)
    }
}

/// Settles the rows whose id repeats, in file order: the first valid row with an id keeps it
/// (returned, to be tallied); a later valid row with it is rejected, and a rejected row after
/// it is told so too.
fn settle(
    files: &[Meta],
    held: Vec<(u32, Held)>,
    rejected: &mut Vec<(u32, Rejected)>,
    counts: &mut Counts,
) -> Vec<(u32, Held)> {
    enum Kind {
        Valid(Held),
        Invalid(usize),
    }
    if held.is_empty() {
        return Vec::new();
    }
    let mut rows: Vec<(u32, u64, Kind)> = held
        .into_iter()
        .map(|(f, h)| (f, h.line, Kind::Valid(h)))
        .collect();
    rows.extend(
        rejected
            .iter()
            .enumerate()
            .map(|(k, (f, r))| (*f, r.line, Kind::Invalid(k))),
    );
    rows.sort_by_key(|(f, line, _)| (*f, *line));
    let mut first: std::collections::HashMap<String, (u32, u64)> = Default::default();
    let mut claims = Vec::new();
    for (f, line, kind) in rows {
        let meta = &files[f as usize];
        let repeat = |id: &str, (ff, fl): (u32, u64)| RowError {
            file: meta.name.clone(),
            line,
            column: meta.columns.name(Col::Id),
            message: msg::id_repeats(ui(), id, &files[ff as usize].name, fl),
        };
        match kind {
            Kind::Invalid(k) => {
                let r = &mut rejected[k].1;
                let id = meta.cell(&r.cells, Col::Id);
                if let Some(&at) = first.get(id).filter(|_| !id.is_empty()) {
                    let e = repeat(id, at);
                    r.reasons.push(e);
                }
            }
            Kind::Valid(h) => {
                let id = meta.cell(&h.cells, Col::Id).to_owned();
                match first.get(&id) {
                    Some(&at) => {
                        let reasons = vec![repeat(&id, at)];
                        counts.rejected += 1;
                        rejected.push((
                            f,
                            Rejected {
                                file: meta.name.clone(),
                                line,
                                cells: h.cells,
                                header: meta.header.clone(),
                                reasons,
                            },
                        ));
                    }
                    None => {
                        first.insert(id, (f, line));
                        claims.push((f, h));
                    }
                }
            }
        }
    }
    claims
}

/// The units: the roster, or every unit a valid row names, in code order.
fn units_of(
    roster: Option<&Units>,
    parts: &[Part],
    files: &[Meta],
    claims: &[(u32, Held)],
) -> Units {
    if let Some(r) = roster {
        return r.clone();
    }
    let mut units = Units::default();
    for p in parts {
        for u in &p.new_units {
            units.find_or_add(u);
        }
    }
    for (f, h) in claims {
        units.find_or_add(files[*f as usize].cell(&h.cells, Col::Unit));
    }
    units.in_code_order().0
}

/// The merged tallies, records kept and counts.
struct Totals {
    store: Store,
    records: Vec<Record>,
    counts: Counts,
}

impl Totals {
    /// Tallies a held row that keeps its id (and keeps its record when asked to).
    fn take(&mut self, env: &Env, units: &Units, meta: &Meta, file: u32, h: Held) {
        let unit_s = meta.cell(&h.cells, Col::Unit);
        let unit = units.find(unit_s).unwrap_or(0);
        match h.checked.status {
            Status::Void => self.counts.void += 1,
            _ => self.counts.scored += 1,
        }
        let slim = engine::slim(env.layout, unit as u32, &h.checked, env.as_of);
        self.store.add(env.layout, &slim);
        let Some(keep) = env.keep else {
            return;
        };
        let record = record_of(file, h.line, &h.checked, unit);
        let wanted = match env.roster {
            Some(r) => r
                .list
                .get(unit)
                .is_some_and(|u| keep(&record, &u.code, u.name.as_deref())),
            None => keep(&record, unit_s, None),
        };
        let text = |col: Col| -> Result<&str, Stop> { Ok(meta.cell(&h.cells, col)) };
        if wanted && let Ok(record) = with_text(record, &text) {
            self.records.push(record);
        }
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn with_csv(text: &[u8], delimiter: u8) -> Vec<Vec<Vec<u8>>> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(text);
        reader
            .byte_records()
            .map(|r| r.unwrap().iter().map(<[u8]>::to_vec).collect())
            .collect()
    }

    fn plainly(text: &[u8], delimiter: u8) -> Vec<Vec<Vec<u8>>> {
        let mut rows = Vec::new();
        let mut ends = Vec::new();
        split_plain(text, delimiter, &mut ends, |line| {
            rows.push(
                (0..line.len())
                    .map(|i| line.get(i).unwrap().to_vec())
                    .collect(),
            );
            Ok(())
        })
        .unwrap();
        rows
    }

    proptest! {
        /// Without quotes and carriage returns, splitting at delimiters and newlines is what
        /// `csv` does: the same records, the same fields.
        #[test]
        fn plain_splitting_is_csv_parsing(
            bytes in prop::collection::vec(
                prop::sample::select(vec![b'a', b'7', b',', b',', b'\n', b' ', b'\t', b';', 0xE6, 0x9A]),
                0..200,
            ),
            tab in any::<bool>(),
        ) {
            let delimiter = if tab { b'\t' } else { b',' };
            prop_assert_eq!(plainly(&bytes, delimiter), with_csv(&bytes, delimiter));
        }
    }

    proptest! {
        /// Ids split between two readers are found distinct exactly when no id repeats: runs
        /// of consecutive numbers (the quick path), numbers passing a 9, ids of every length
        /// up to past sixteen bytes, and jumps back.
        #[test]
        fn ids_are_distinct_exactly_when_none_repeats(
            prefix in prop::sample::select(vec!["", "R", "R-2026-", "a-long-prefix-of-ids-"]),
            width in 1usize..12,
            steps in prop::collection::vec(
                prop_oneof![
                    4 => Just(1i64),
                    1 => Just(2i64),
                    1 => Just(0i64),
                    1 => Just(-1i64),
                    1 => -30i64..30,
                ],
                1..120,
            ),
            split in 0usize..120,
        ) {
            let mut n = 5i64;
            let mut all = Vec::new();
            for step in steps {
                n = (n + step).max(0);
                all.push(format!("{prefix}{n:0width$}"));
            }
            let (mut a, mut b) = (Ids::default(), Ids::default());
            let mut taken = true;
            for (k, id) in all.iter().enumerate() {
                let ids = if k < split { &mut a } else { &mut b };
                taken &= ids.insert(id.as_bytes());
            }
            let distinct = all.iter().collect::<std::collections::HashSet<_>>().len() == all.len();
            prop_assert_eq!(taken && Ids::all_distinct(vec![a, b]), distinct);
        }
    }

    proptest! {
        /// The 64-byte mask marks exactly the delimiters and newlines, whatever the other bytes
        /// (high bytes included, where a carry between bytes would show).
        #[test]
        fn separator_masks_are_exact(
            bytes in prop::collection::vec(
                prop_oneof![Just(b','), Just(b'\n'), Just(b'\t'), Just(0x80u8), Just(0xffu8), any::<u8>()],
                64,
            ),
            tab in any::<bool>(),
        ) {
            let delimiter = if tab { b'\t' } else { b',' };
            let w: &[u8; 64] = bytes.as_slice().try_into().unwrap();
            let want = bytes.iter().enumerate().fold(0u64, |m, (k, &b)| {
                m | u64::from(b == delimiter || b == b'\n') << k
            });
            prop_assert_eq!(separators(w, delimiter), want);
            prop_assert_eq!(separators_by_words(w, delimiter), want);
        }
    }

    #[test]
    fn plain_lines_and_fields() {
        let rows = plainly(
            b"id,date\nR1,2026-11-03\n\n,,\nlast,row,longer than eight",
            b',',
        );
        let want: Vec<Vec<&[u8]>> = vec![
            vec![b"id", b"date"],
            vec![b"R1", b"2026-11-03"],
            vec![b"", b"", b""],
            vec![b"last", b"row", b"longer than eight"],
        ];
        assert_eq!(rows, want);
    }

    #[test]
    fn ids_find_repeats_in_runs_and_outside_them() {
        let mut ids = Ids::default();
        for id in ["R001", "R002", "R003", "X", "R010", "Y"] {
            assert!(ids.insert(id.as_bytes()), "{id}");
        }
        assert!(!ids.insert(b"R010"), "a repeat within the open run");
        for id in ["R011", "R012", "R013"] {
            assert!(ids.insert(id.as_bytes()), "{id}");
        }
        assert!(!ids.insert(b"R012"), "a repeat after the quick path");
        // Past a 9 the next number is expected too: R…09 is followed by R…10, not R…11.
        let mut carried = Ids::default();
        for id in ["R08", "R09", "R11", "R10"] {
            assert!(carried.insert(id.as_bytes()), "{id}");
        }
        assert!(!carried.insert(b"R10"), "a repeat after a carry");
        let mut jumps = Ids::default();
        for id in ["R19", "R30", "R21", "R20"] {
            assert!(jumps.insert(id.as_bytes()), "{id}");
        }
        let mut wider = Ids::default();
        for id in ["R099", "R100", "R101"] {
            assert!(wider.insert(id.as_bytes()), "{id}");
        }
        assert!(
            !wider.insert(b"R100"),
            "a repeat after a carry over two digits"
        );
        assert!(wider.insert(b"R102"));
        assert!(Ids::all_distinct(vec![carried, wider, jumps]));
        // Nineteen digits are kept whole: their successor is no successor of the open run.
        let mut whole = Ids::default();
        assert!(whole.insert(b"A1"));
        assert!(whole.insert(b"1234567890123456781"));
        assert!(whole.insert(b"1234567890123456782"));
        assert!(whole.insert(b"A2"), "not taken for a repeat of A2");
        whole.insert(b"1234567890123456782");
        assert!(!Ids::all_distinct(vec![whole]), "a repeat kept whole");
        assert!(Ids::all_distinct(vec![ids]));
        let mut a = Ids::default();
        let mut b = Ids::default();
        for id in ["R001", "R002", "R003"] {
            a.insert(id.as_bytes());
        }
        b.insert(b"R003");
        assert!(!Ids::all_distinct(vec![a, b]), "runs that overlap");
        let (mut a, mut b) = (Ids::default(), Ids::default());
        a.insert(b"A-x");
        b.insert(b"A-x");
        assert!(!Ids::all_distinct(vec![a, b]), "ids without a number");
    }
}
