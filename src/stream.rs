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
use crate::fxhash::{ByteMap, Numbered};
use crate::input::{self, ReadConfig};
use crate::period::Month;
use crate::records::{self, Col, Counts, Layout as Columns, Record, Rejected, Status};
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
    /// The records a command asked to keep, in file order.
    pub records: Vec<Record>,
    /// The rows rejected, in file order.
    pub rejected: Vec<Rejected>,
}

/// Which records to keep (all are tallied), asked of each valid record with its unit's code and
/// name; workers ask it at once, so it holds no state. It is asked before the record's text
/// cells (severity, source, id, note, inspector) are copied: those read empty.
pub type Wanted<'a> = &'a (dyn Fn(&Record, &str, Option<&str>) -> bool + Sync);

/// One block of whole records, and its place among the file's blocks (the lines of what a
/// block rejects or keeps are counted from its start, and placed in the file once every
/// block's lines are known).
struct Chunk {
    data: Data,
    seq: u64,
    /// Known to hold no quote and no carriage return (false: not known).
    plain: bool,
}

/// A block's bytes: read into a buffer, or a range of a window of the file mapped for it alone
/// (unmapped when the block is done, so that memory stays flat).
enum Data {
    Read(Vec<u8>),
    Mapped(memmap2::Mmap, std::ops::Range<usize>),
}

impl Data {
    fn bytes(&self) -> Result<&[u8], GiveUp> {
        match self {
            Data::Read(v) => Ok(v),
            Data::Mapped(map, range) => map.get(range.clone()).ok_or(GiveUp),
        }
    }
}

/// Where a feeder sends its blocks, and what it answers to: the workers' stop flag and the
/// progress bar.
struct Out<'a> {
    tx: &'a mpsc::SyncSender<Chunk>,
    bar: Option<&'a indicatif::ProgressBar>,
    pool: &'a Pool,
    /// The next block's place among the file's blocks.
    seq: u64,
    /// Bytes per block.
    block: usize,
}

impl Out<'_> {
    /// Gives way when a worker has.
    fn go_on(&self) -> Result<(), GiveUp> {
        match self.pool.stop.load(Ordering::Relaxed) {
            true => Err(GiveUp),
            false => Ok(()),
        }
    }

    fn progress(&self, bytes: u64) {
        if let Some(b) = self.bar {
            b.inc(bytes);
        }
    }

    /// Sends a block on, numbered.
    fn send(&mut self, data: Data, plain: bool) -> Result<(), GiveUp> {
        let seq = self.seq;
        self.seq += 1;
        self.tx.send(Chunk { data, seq, plain }).map_err(|_| GiveUp)
    }
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
        Ids::merged(sets).is_some()
    }

    /// Every id of the sets, when no id is in two sets nor twice in one.
    fn merged(sets: Vec<Ids>) -> Option<Claimed> {
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
        (!overlap && !twice).then_some(Claimed { runs, other })
    }
}

/// The ids valid rows claimed, each once: runs sorted, the others sorted.
struct Claimed {
    runs: Vec<(Vec<u8>, usize, u64, u64)>,
    other: Vec<Vec<u8>>,
}

impl Claimed {
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
    /// Each block's number of lines.
    lines: Vec<(u64, u64)>,
}

struct Ctx<'a> {
    config: ReadConfig,
    rubric: &'a Rubric,
    layout: &'a Layout,
    /// The file's name and header, and which of its columns is which (for rejected rows).
    head: &'a input::Head,
    columns: &'a Columns,
    header: &'a [String],
    roster: Option<&'a Units>,
    delimiter: u8,
    as_of: Option<Date>,
    keep: Option<Wanted<'a>>,
    /// The file's index among the inputs.
    file: u32,
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
fn work(ctx: &Ctx, chunks: &Mutex<mpsc::Receiver<Chunk>>, pool: &Pool) -> Result<Part, GiveUp> {
    /// Stops the reader and drains the channel unless the worker finished.
    struct Drain<'a> {
        chunks: &'a Mutex<mpsc::Receiver<Chunk>>,
        pool: &'a Pool,
        done: bool,
    }
    impl Drop for Drain<'_> {
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
type Resolved<'r> = (records::Checked, u32, &'r [u8]);

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
    quick: records::Quick,
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
                counts: Counts::default(),
                kept: Vec::new(),
                kept_in: Vec::new(),
                rejected: Vec::new(),
                rejected_ids: Vec::new(),
                lines: Vec::new(),
            },
            seq: 0,
            pending: Vec::with_capacity(BATCH),
            scratch: Vec::new(),
            units: ByteMap::default(),
            numbered: Numbered::default(),
            quick: records::Quick::new(ctx.rubric),
            keys: ctx.header.iter().map(|h| input::header_key(h)).collect(),
        }
    }

    /// Reads a block: plain blocks split at separators, others parsed by `csv`. Lines are
    /// counted from the block's start.
    fn block(
        &mut self,
        bytes: &[u8],
        seq: u64,
        plain: bool,
        record: &mut csv::ByteRecord,
        ends: &mut Vec<u32>,
    ) -> Result<(), GiveUp> {
        self.seq = seq;
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
            while reader.read_byte_record(record).map_err(|_| GiveUp)? {
                // Counted as the in-memory reader counts.
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
    fn plain_block(
        &mut self,
        block: &[u8],
        plan: &Plan,
        ends: &mut Vec<u32>,
    ) -> Result<u64, GiveUp> {
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
            {
                self.part.counts.read += 1;
                return self.take(c, unit, id);
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

    fn row(&mut self, rec: &impl Fields, line: u64) -> Result<(), GiveUp> {
        let ctx = self.ctx;
        let idx = &ctx.idx;
        let raw = |col: Col| -> &[u8] {
            idx[col as usize]
                .and_then(|i| rec.get(i))
                .unwrap_or_default()
        };
        let (c, unit, id) = match self.quick(raw) {
            Some(q) => {
                self.part.counts.read += 1;
                q
            }
            None => match self.slow(rec, line)? {
                Some(q) => q,
                None => return Ok(()),
            },
        };
        self.take(c, unit, id)?;
        if let Some(keep) = ctx.keep {
            self.keep(keep, rec, line, c, unit)?;
        }
        Ok(())
    }

    /// Tallies a row checked and resolved.
    #[inline]
    fn take(&mut self, c: records::Checked, unit: u32, id: &[u8]) -> Result<(), GiveUp> {
        let ctx = self.ctx;
        if !id.is_empty() && !self.part.ids.insert(id) {
            return Err(GiveUp);
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
        Ok(())
    }

    /// Keeps the record when asked to: its cells as text, as the in-memory reader keeps them.
    fn keep(
        &mut self,
        keep: Wanted,
        rec: &impl Fields,
        line: u64,
        c: records::Checked,
        unit: u32,
    ) -> Result<(), GiveUp> {
        let text = |col: Col| -> Result<&str, GiveUp> {
            match self.ctx.idx[col as usize].and_then(|i| rec.get(i)) {
                Some(b) => std::str::from_utf8(b)
                    .map(input::trim_cell)
                    .map_err(|_| GiveUp),
                None => Ok(""),
            }
        };
        let opt = |col: Col| -> Result<Option<String>, GiveUp> {
            text(col).map(|s| (!s.is_empty()).then(|| s.to_owned()))
        };
        let mut record = Record {
            file: self.ctx.file,
            line,
            date: c.date,
            month: c.month,
            unit: unit as usize,
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
        };
        let wanted = match self.ctx.roster {
            Some(r) => {
                let u = r.list.get(unit as usize).ok_or(GiveUp)?;
                keep(&record, &u.code, u.name.as_deref())
            }
            None => keep(&record, text(Col::Unit)?, None),
        };
        if wanted {
            record.severity = opt(Col::Severity)?;
            record.source = opt(Col::Source)?;
            record.id = opt(Col::Id)?;
            record.note = text(Col::Note)?.to_owned();
            record.inspector = text(Col::Inspector)?.to_owned();
            self.part.kept.push(record);
            self.part.kept_in.push(self.seq);
        }
        Ok(())
    }

    /// Any other row: its cells as text, trimmed, checked as the in-memory reader checks them.
    /// `None` for a blank row or a rejected one.
    fn slow<'r>(
        &mut self,
        rec: &'r impl Fields,
        line: u64,
    ) -> Result<Option<Resolved<'r>>, GiveUp> {
        let ctx = self.ctx;
        // The cells scoring reads, each checked as UTF-8 (notes are neither read nor checked).
        let text = |i: usize| rec.get(i).and_then(|b| std::str::from_utf8(b).ok());
        let mut cells: [&str; 13] = [""; 13];
        for &(k, i) in &ctx.used {
            // A line shorter than the header: its missing cells are empty.
            if i < rec.len() {
                cells[k] = input::trim_cell(text(i).ok_or(GiveUp)?);
            }
        }
        if cells.iter().all(|c| c.is_empty()) {
            // Blank only when every cell is: otherwise an invalid row.
            if (0..rec.len()).all(|i| text(i).is_some_and(|c| input::trim_cell(c).is_empty())) {
                return Ok(None);
            }
            self.part.counts.read += 1;
            return self.reject(rec, line);
        }
        self.part.counts.read += 1;
        // Cheap first: lengths, then the names (lower case) only when they could match.
        let keys = &self.keys;
        let header_again = rec.len() == keys.len()
            && keys
                .iter()
                .enumerate()
                .all(|(i, k)| text(i).is_some_and(|c| input::trim_cell(c).len() == k.len()))
            && keys
                .iter()
                .enumerate()
                .all(|(i, k)| text(i).is_some_and(|c| input::header_key(c) == *k));
        if header_again {
            return self.reject(rec, line);
        }
        let cell = |col: Col| -> &str { cells[col as usize] };
        let mut bad = false;
        let checked = records::check(ctx.rubric, &cell, &mut |_, _| bad = true);
        let unit_s = cell(Col::Unit);
        let (Some(c), false, false) = (checked, bad, unit_s.is_empty()) else {
            return self.reject(rec, line);
        };
        let unit = match ctx.roster {
            Some(r) => match r.find(unit_s) {
                Some(u) => u as u32,
                None => return self.reject(rec, line),
            },
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
        Ok(Some((c, unit, cell(Col::Id).as_bytes())))
    }

    /// Rejects a row, with every reason the in-memory reader gives (but a repeated id: see
    /// [`Part::rejected_ids`]).
    #[cold]
    fn reject<'r>(&mut self, rec: &impl Fields, line: u64) -> Result<Option<Resolved<'r>>, GiveUp> {
        let ctx = self.ctx;
        let cells = (0..rec.len())
            .map(|i| {
                let text = rec.get(i).and_then(|b| std::str::from_utf8(b).ok());
                text.map(|c| input::trim_cell(c).to_owned()).ok_or(GiveUp)
            })
            .collect::<Result<Vec<String>, GiveUp>>()?;
        let row = input::Row { line, cells };
        let roster = Units::default();
        let units = ctx.roster.unwrap_or(&roster);
        let reasons = match records::problems(ctx.rubric, ctx.columns, ctx.head, &row, units) {
            Err(reasons) => reasons,
            Ok((_, reasons)) if !reasons.is_empty() => reasons,
            // The quick checks and the full one disagree (a bug): the in-memory reader decides.
            Ok(_) => return Err(GiveUp),
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
                header: ctx.header.to_vec(),
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
    mut row: impl FnMut(Line) -> Result<(), GiveUp>,
) -> Result<u64, GiveUp> {
    let mut start = 0usize;
    let mut index = 0u64;
    ends.clear();
    let mut at = |p: usize, ends: &mut Vec<u32>, start: &mut usize| -> Result<(), GiveUp> {
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
    mut at: impl FnMut(usize, bool) -> Result<(), GiveUp>,
) -> Result<(), GiveUp> {
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

fn work_blocks(
    ctx: &Ctx,
    chunks: &Mutex<mpsc::Receiver<Chunk>>,
    spare: &Mutex<Vec<Vec<u8>>>,
) -> Result<Part, GiveUp> {
    let mut worker = Worker::new(ctx);
    let mut record = csv::ByteRecord::new();
    let mut ends = Vec::new();
    loop {
        let chunk = match chunks.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return Err(GiveUp),
        };
        let Ok(chunk) = chunk else {
            break;
        };
        worker.block(
            chunk.data.bytes()?,
            chunk.seq,
            chunk.plain,
            &mut record,
            &mut ends,
        )?;
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

/// Where to cut `window` (which starts at a record boundary): after its last newline outside
/// quotes, or at its end if it is the end of the file (which must not end inside a quote: the
/// in-memory reader reports that); and whether the window is plain (no quote, no carriage
/// return), so that the worker need not look again. `None`: no record ends in it, read further —
/// within reason, since a stray quote makes every later newline look quoted.
fn cut(window: &[u8], at_end: bool, block: usize) -> Result<Option<(usize, bool)>, GiveUp> {
    let plain = memchr::memchr2(b'"', b'\r', window).is_none();
    if at_end {
        if !plain && memchr::memchr_iter(b'"', window).count() % 2 == 1 {
            return Err(GiveUp);
        }
        return Ok(Some((window.len(), plain)));
    }
    let point = match plain {
        true => memchr::memrchr(b'\n', window),
        false => cut_point(window),
    };
    match point {
        Some(c) => Ok(Some((c + 1, plain))),
        None if window.len() < 16 * block.max(ReadConfig::BLOCK) => Ok(None),
        None => Err(GiveUp),
    }
}

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
    config: &ReadConfig,
) -> Option<Streamed> {
    tally_keeping(paths, rubric, roster, as_of, progress, None, config)
}

/// [`tally`], keeping the records `keep` wants (with their lines, notes and ids, as the
/// in-memory reader keeps them).
pub fn tally_keeping(
    paths: &[String],
    rubric: &Rubric,
    roster: Option<&Units>,
    as_of: Option<Date>,
    progress: bool,
    keep: Option<Wanted>,
    config: &ReadConfig,
) -> Option<Streamed> {
    let layout = Layout::new(rubric);
    let mut records: Vec<Record> = Vec::new();
    let mut stores: Vec<Store> = Vec::new();
    let mut units = roster.cloned().unwrap_or_default();
    let mut maps: Vec<Vec<u32>> = Vec::new();
    let mut ids = Vec::new();
    let (mut rejected, mut rejected_ids) = (Vec::new(), Vec::new());
    let mut counts = Counts::default();
    for (file, path) in paths.iter().enumerate() {
        let lower = path.to_ascii_lowercase();
        if path == "-"
            || [".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"]
                .iter()
                .any(|e| lower.ends_with(e))
        {
            return None;
        }
        let opts = Opts {
            rubric,
            layout: &layout,
            roster,
            as_of,
            progress,
            keep,
            file: file as u32,
            config: ReadConfig {
                block: config.block.max(16),
                workers: config.workers.max(1),
                ..*config
            },
        };
        let parts = tally_file(path, &lower, &opts).ok()?;
        for mut p in parts {
            counts.read += p.counts.read;
            counts.scored += p.counts.scored;
            counts.void += p.counts.void;
            counts.rejected += p.counts.rejected;
            let map: Vec<u32> = p
                .new_units
                .iter()
                .map(|u| units.find_or_add(u).map_or(0, |i| i as u32))
                .collect();
            if roster.is_none() {
                for r in &mut p.kept {
                    r.unit = *map.get(r.unit)? as usize;
                }
            }
            records.append(&mut p.kept);
            rejected.extend(p.rejected.into_iter().map(|(_, r)| r));
            rejected_ids.append(&mut p.rejected_ids);
            maps.push(map);
            stores.push(p.store);
            ids.push(p.ids);
        }
    }
    // A rejected row's id that a valid row has too: which came first decides whether the
    // rejected row repeats it.
    let claimed = Ids::merged(ids)?;
    if rejected_ids.iter().any(|id| claimed.contains(id)) || counts.read == 0 {
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
    // In file order, as the in-memory reader keeps them.
    records.sort_unstable_by_key(|r| (r.file, r.line));
    rejected.sort_by(|a, b| {
        (paths.iter().position(|p| *p == a.file), a.line)
            .cmp(&(paths.iter().position(|p| *p == b.file), b.line))
    });
    Some(Streamed {
        rejected,
        layout,
        store: total,
        units,
        counts,
        files: paths.to_vec(),
        records,
    })
}

/// What reading one file needs to know.
struct Opts<'a> {
    rubric: &'a Rubric,
    layout: &'a Layout,
    roster: Option<&'a Units>,
    as_of: Option<Date>,
    progress: bool,
    keep: Option<Wanted<'a>>,
    file: u32,
    config: ReadConfig,
}

fn tally_file(path: &str, lower: &str, opts: &Opts) -> Result<Vec<Part>, GiveUp> {
    let Opts {
        rubric,
        layout,
        roster,
        as_of,
        progress,
        keep,
        file: file_index,
        config,
    } = *opts;
    let mut file = File::open(path).map_err(|_| GiveUp)?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let buf = read_head(&mut file, config.block)?;
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
        if rec.iter().any(|c| !input::trim_cell(c).is_empty()) {
            let cells: Vec<String> = rec.iter().map(|c| input::trim_cell(c).to_owned()).collect();
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
    let idx = ALL_COLS.map(|c| columns.index(c));
    let (used, plan) = Ctx::plan(&idx, keep.is_some());
    let ctx = Ctx {
        config,
        rubric,
        layout,
        head: &head,
        columns: &columns,
        header: &header,
        roster,
        delimiter,
        as_of,
        keep,
        file: file_index,
        idx,
        used,
        plan,
    };
    // The first block's first line follows the header.
    let first_line = 1 + newlines(&buf[..body_start]);
    let (tx, rx) = mpsc::sync_channel::<Chunk>(config.workers);
    let rx = Mutex::new(rx);
    let pool = Pool {
        stop: AtomicBool::new(false),
        spare: Mutex::new(Vec::new()),
    };
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..config.workers)
            .map(|_| scope.spawn(|| work(&ctx, &rx, &pool)))
            .collect();
        let out = Out {
            tx: &tx,
            bar: bar.as_ref(),
            pool: &pool,
            seq: 0,
            block: config.block,
        };
        let fed = if size >= config.map_from {
            drop(buf);
            feed_mapped(&file, size, body_start, out)
        } else {
            feed(&mut file, buf, body_start, out)
        };
        drop(tx);
        let parts: Vec<Result<Part, GiveUp>> = workers
            .into_iter()
            // A worker that panicked (a bug) is not a reason to read again: the panic goes on.
            .map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect();
        if let Some(b) = &bar {
            b.finish_and_clear();
        }
        fed?;
        let mut parts = parts.into_iter().collect::<Result<Vec<Part>, GiveUp>>()?;
        place_lines(&mut parts, first_line);
        Ok(parts)
    })
}

/// Numbers the lines of the records kept and the rows rejected from the start of the file, now
/// that every block's lines are known (the first block starts at `first_line`).
fn place_lines(parts: &mut [Part], first_line: u64) {
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
    }
}

/// Windows of the file start at multiples of this (a multiple of every page size in use).
const ALIGN: u64 = 1 << 16;

/// Maps the file a window at a time, cut after the last newline outside quotes, and sends the
/// windows on; each is unmapped when its worker is done with it.
fn feed_mapped(file: &File, size: u64, start: usize, mut out: Out) -> Result<(), GiveUp> {
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
        .map_err(|_| GiveUp)?;
        let from = (pos - base) as usize;
        let (to, plain) = match cut(&map[from..], base + len == size, out.block)? {
            Some((c, plain)) => (from + c, plain),
            // A record longer than the window: look further.
            None => {
                want *= 2;
                continue;
            }
        };
        want = block;
        out.progress((to - from) as u64);
        pos = base + to as u64;
        out.send(Data::Mapped(map, from..to), plain)?;
    }
    Ok(())
}

/// Reads the file in blocks, cut after the last newline outside quotes, and sends them on.
fn feed(file: &mut File, mut buf: Vec<u8>, start: usize, mut out: Out) -> Result<(), GiveUp> {
    let mut carry: Vec<u8> = buf.split_off(start);
    drop(buf);
    let block = out.block;
    let mut eof = false;
    loop {
        out.go_on()?;
        if !eof && carry.len() < block {
            // Into the spare capacity, not zeroed first; a short read is the end of the file.
            carry.reserve_exact(block);
            let n = file
                .by_ref()
                .take(block as u64)
                .read_to_end(&mut carry)
                .map_err(|_| GiveUp)?;
            eof = n < block;
            out.progress(n as u64);
        }
        if carry.is_empty() {
            return Ok(());
        }
        let Some((cut, plain)) = cut(&carry, eof, block)? else {
            // A record longer than the buffer: read more before cutting.
            continue;
        };
        // The part after the cut moves to a buffer a worker has given back (or a new one).
        let mut rest = out
            .pool
            .spare
            .lock()
            .ok()
            .and_then(|mut s| s.pop())
            .unwrap_or_else(|| Vec::with_capacity(2 * block));
        rest.clear();
        rest.extend_from_slice(&carry[cut..]);
        carry.truncate(cut);
        out.send(Data::Read(std::mem::replace(&mut carry, rest)), plain)?;
        if eof && carry.is_empty() {
            return Ok(());
        }
    }
}

/// The file's first block, read further until it holds a whole line (the header) or the file
/// ends.
fn read_head(file: &mut File, block: usize) -> Result<Vec<u8>, GiveUp> {
    let mut buf = Vec::new();
    loop {
        let from = buf.len();
        buf.resize(from + block, 0);
        let n = read_full(file, &mut buf[from..])?;
        buf.truncate(from + n);
        if n < block || memchr::memchr(b'\n', &buf).is_some() {
            return Ok(buf);
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
