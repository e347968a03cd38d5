//! Holding more records than memory should: the records a command keeps while reading (the
//! report keeps the month's and every open rectification: millions on a province's year) and
//! the report's ledger and overdue list (督办单), each sorted its own way. A [`Log`] keeps
//! records in the order they come, in memory up to a limit and then in an anonymous temporary
//! file; a [`Sorter`] gathers records in a bounded chunk, writes each full chunk sorted to such
//! a file (a run), and merges the runs as the rows are written. What fits in memory never
//! touches the disk.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, Write};

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::period::Month;
use crate::read::{Record, Status};

/// Memory a chunk may hold before it is written out (an estimate: the records and their text).
pub(crate) const CHUNK_BYTES: usize = 24 << 20;

/// The records a command kept while reading, as the workers left them (each worker's in a
/// [`Log`]), numbered in the input once every block is read: the line of each counted from its
/// block's start, its unit by the worker's own number until the units are known.
#[derive(Debug, Default)]
pub struct Kept {
    parts: Vec<KeptPart>,
    /// Records placed already (rows whose id was settled after the blocks).
    placed: Vec<Record>,
}

#[derive(Debug)]
struct KeptPart {
    log: Log,
    /// Where each block of its input starts.
    starts: Vec<u64>,
    /// The worker's unit numbers to the units' (none: they are the units' already).
    units: Vec<u32>,
}

impl Kept {
    /// A worker's log, with where each block starts and what its unit numbers stand for.
    pub(crate) fn add(&mut self, log: Log, starts: Vec<u64>, units: Vec<u32>) {
        if log.len() > 0 {
            self.parts.push(KeptPart { log, starts, units });
        }
    }

    /// A record placed already.
    pub(crate) fn push(&mut self, r: Record) {
        self.placed.push(r);
    }

    pub fn len(&self) -> usize {
        self.placed.len() + self.parts.iter().map(|p| p.log.len()).sum::<usize>()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every record, placed, in no particular order (read back from disk when it had to go
    /// there).
    pub fn each(self, mut f: impl FnMut(Record) -> io::Result<()>) -> io::Result<()> {
        for p in self.parts {
            for kept in p.log.drain()? {
                let (seq, mut r) = kept?;
                r.line += p.starts.get(seq as usize).copied().unwrap_or(0);
                r.unit = p.units.get(r.unit).map_or(r.unit, |&u| u as usize);
                f(r)?;
            }
        }
        self.placed.into_iter().try_for_each(f)
    }

    /// The records in `n` shares of about as many records each (a worker's log stays whole),
    /// to be gone through at once.
    pub fn shares(self, n: usize) -> Vec<Kept> {
        let mut shares: Vec<Kept> = (0..n.max(1)).map(|_| Kept::default()).collect();
        shares[0].placed = self.placed;
        let mut parts = self.parts;
        parts.sort_by_key(|p| std::cmp::Reverse(p.log.len()));
        for p in parts {
            if let Some(least) = shares.iter_mut().min_by_key(|k| k.len()) {
                least.parts.push(p);
            }
        }
        shares.retain(|k| !k.is_empty());
        shares
    }

    /// Every record in the order of the inputs, in memory: for what a command keeps of one
    /// unit, not for millions.
    pub fn into_sorted(self) -> io::Result<Vec<Record>> {
        let mut all = Vec::with_capacity(self.len());
        self.each(|r| {
            all.push(r);
            Ok(())
        })?;
        all.sort_unstable_by_key(|r| (r.file, r.line));
        Ok(all)
    }
}

/// Records with their tags, read back.
type Tagged = Box<dyn Iterator<Item = io::Result<(u64, Record)>> + Send>;

/// Records in the order they come, each with a tag (the reader's: the block it came from),
/// however many there are.
#[derive(Debug)]
pub(crate) struct Log {
    memory: Vec<(u64, Record)>,
    bytes: usize,
    limit: usize,
    /// The records past the limit, in order, once there are any.
    disk: Option<BufWriter<File>>,
    len: usize,
}

impl Log {
    /// A log that holds about `limit` bytes of records in memory, the rest on disk.
    pub(crate) fn with_limit(limit: usize) -> Log {
        Log {
            memory: Vec::new(),
            bytes: 0,
            limit,
            disk: None,
            len: 0,
        }
    }

    pub(crate) fn push(&mut self, tag: u64, r: Record) -> io::Result<()> {
        self.len += 1;
        if let Some(w) = &mut self.disk {
            w.write_all(&tag.to_le_bytes())?;
            return encode(&r, w);
        }
        self.bytes += std::mem::size_of::<(u64, Record)>() + heap_bytes(&r);
        self.memory.push((tag, r));
        if self.bytes > self.limit {
            let mut w = BufWriter::with_capacity(1 << 16, tempfile::tempfile()?);
            for (tag, r) in self.memory.drain(..) {
                w.write_all(&tag.to_le_bytes())?;
                encode(&r, &mut w)?;
            }
            self.memory = Vec::new();
            self.disk = Some(w);
        }
        Ok(())
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Every record with its tag, in the order pushed.
    pub(crate) fn drain(self) -> io::Result<Tagged> {
        let Some(w) = self.disk else {
            return Ok(Box::new(self.memory.into_iter().map(Ok)));
        };
        let mut file = w.into_inner().map_err(|e| e.into_error())?;
        file.rewind()?;
        let mut r = BufReader::with_capacity(1 << 16, file);
        Ok(Box::new(std::iter::from_fn(move || {
            let mut tag = [0u8; 8];
            match r.read_exact(&mut tag) {
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return None,
                Err(e) => return Some(Err(e)),
                Ok(()) => {}
            }
            match decode(&mut r) {
                Ok(Some(rec)) => Some(Ok((u64::from_le_bytes(tag), rec))),
                Ok(None) => Some(Err(bad("record"))),
                Err(e) => Some(Err(e)),
            }
        })))
    }
}

/// Records in the order of `key`, however many there are.
pub(crate) struct Sorter<K, F> {
    key: F,
    chunk: Vec<Record>,
    /// Each record's key and place in `chunk`: these are sorted, not the (large) records.
    keys: Vec<(K, u32)>,
    bytes: usize,
    limit: usize,
    runs: Vec<File>,
    len: usize,
}

impl<K: Ord, F: Fn(&Record) -> K> Sorter<K, F> {
    /// A sorter that writes a chunk out once it holds about `limit` bytes.
    pub(crate) fn with_limit(limit: usize, key: F) -> Self {
        Sorter {
            key,
            chunk: Vec::new(),
            keys: Vec::new(),
            bytes: 0,
            limit,
            runs: Vec::new(),
            len: 0,
        }
    }

    pub(crate) fn push(&mut self, r: Record) -> io::Result<()> {
        self.bytes += std::mem::size_of::<(K, u32, Record)>() + heap_bytes(&r);
        self.keys.push(((self.key)(&r), self.chunk.len() as u32));
        self.chunk.push(r);
        self.len += 1;
        if self.bytes > self.limit || self.chunk.len() == u32::MAX as usize {
            self.spill()?;
        }
        Ok(())
    }

    /// Takes in another sorter's records (sorted by the same key): its runs as they are, its
    /// chunk into this one's while both fit in memory, else as a run of its own.
    pub(crate) fn absorb(&mut self, mut other: Sorter<K, F>) -> io::Result<()> {
        if other.runs.is_empty() && self.bytes + other.bytes <= self.limit {
            return other.chunk.into_iter().try_for_each(|r| self.push(r));
        }
        if !other.chunk.is_empty() {
            other.spill()?;
        }
        self.len += other.len;
        self.runs.append(&mut other.runs);
        Ok(())
    }

    /// How many records were pushed.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    fn sort_keys(&mut self) {
        self.keys.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    }

    fn spill(&mut self) -> io::Result<()> {
        self.sort_keys();
        let mut w = BufWriter::with_capacity(1 << 16, tempfile::tempfile()?);
        for (_, i) in self.keys.drain(..) {
            encode(&self.chunk[i as usize], &mut w)?;
        }
        self.chunk.clear();
        let mut file = w.into_inner().map_err(|e| e.into_error())?;
        file.rewind()?;
        self.runs.push(file);
        self.bytes = 0;
        Ok(())
    }

    /// The records in order. Keys must be distinct (they end with the file and line).
    pub(crate) fn sorted(mut self) -> io::Result<Sorted<K, F>> {
        if self.runs.is_empty() {
            self.sort_keys();
            return Ok(Sorted::Memory {
                order: self.keys.into_iter(),
                records: self.chunk.into_iter().map(Some).collect(),
            });
        }
        if !self.chunk.is_empty() {
            self.spill()?;
        }
        let mut runs: Vec<BufReader<File>> = self
            .runs
            .into_iter()
            .map(|f| BufReader::with_capacity(1 << 16, f))
            .collect();
        let mut heads = Vec::with_capacity(runs.len());
        let mut heap = BinaryHeap::with_capacity(runs.len());
        for (i, run) in runs.iter_mut().enumerate() {
            let head = decode(run)?;
            if let Some(r) = &head {
                heap.push(Reverse(((self.key)(r), i)));
            }
            heads.push(head);
        }
        Ok(Sorted::Merge {
            key: self.key,
            runs,
            heads,
            heap,
        })
    }
}

/// The records of a [`Sorter`], in order.
pub(crate) enum Sorted<K, F> {
    Memory {
        order: std::vec::IntoIter<(K, u32)>,
        records: Vec<Option<Record>>,
    },
    Merge {
        key: F,
        runs: Vec<BufReader<File>>,
        heads: Vec<Option<Record>>,
        heap: BinaryHeap<Reverse<(K, usize)>>,
    },
}

impl<K: Ord, F: Fn(&Record) -> K> Iterator for Sorted<K, F> {
    type Item = io::Result<Record>;

    fn next(&mut self) -> Option<io::Result<Record>> {
        match self {
            Sorted::Memory { order, records } => {
                let (_, i) = order.next()?;
                records.get_mut(i as usize)?.take().map(Ok)
            }
            Sorted::Merge {
                key,
                runs,
                heads,
                heap,
            } => {
                let Reverse((_, i)) = heap.pop()?;
                let next = match decode(&mut runs[i]) {
                    Ok(n) => n,
                    Err(e) => return Some(Err(e)),
                };
                if let Some(r) = &next {
                    heap.push(Reverse((key(r), i)));
                }
                std::mem::replace(&mut heads[i], next).map(Ok)
            }
        }
    }
}

fn heap_bytes(r: &Record) -> usize {
    let opt = |s: &Option<String>| s.as_ref().map_or(0, String::capacity);
    opt(&r.severity) + opt(&r.source) + opt(&r.id) + r.note.capacity() + r.inspector.capacity()
}

fn encode(r: &Record, w: &mut impl Write) -> io::Result<()> {
    w.write_all(&r.file.to_le_bytes())?;
    w.write_all(&r.line.to_le_bytes())?;
    date(w, Some(r.date))?;
    w.write_all(&r.month.0.to_le_bytes())?;
    w.write_all(&(r.unit as u64).to_le_bytes())?;
    w.write_all(&(r.indicator as u64).to_le_bytes())?;
    w.write_all(&r.count.to_le_bytes())?;
    match r.value {
        Some(v) => {
            w.write_all(&[1])?;
            w.write_all(&v.serialize())?;
        }
        None => w.write_all(&[0])?,
    }
    text(w, r.severity.as_deref())?;
    w.write_all(&(r.severity_index as u64).to_le_bytes())?;
    text(w, r.source.as_deref())?;
    w.write_all(&(r.source_index as u64).to_le_bytes())?;
    w.write_all(&r.weight.serialize())?;
    date(w, r.deadline)?;
    date(w, r.rectified)?;
    let status = match r.status {
        Status::Valid => 0u8,
        Status::OnSpot => 1,
        Status::Void => 2,
        Status::Appealed => 3,
    };
    w.write_all(&[status])?;
    text(w, r.id.as_deref())?;
    text(w, Some(&r.note))?;
    text(w, Some(&r.inspector))
}

/// A date as year, month and day; year 0 (outside civscore's calendar) for none.
fn date(w: &mut impl Write, d: Option<Date>) -> io::Result<()> {
    let (y, m, day) = d.map_or((0, 0, 0), |d| (d.year(), d.month(), d.day()));
    w.write_all(&y.to_le_bytes())?;
    w.write_all(&[m as u8, day as u8])
}

/// A text as its length (u32::MAX for none) and bytes.
fn text(w: &mut impl Write, s: Option<&str>) -> io::Result<()> {
    match s {
        Some(s) => {
            let n = u32::try_from(s.len()).map_err(io::Error::other)?;
            w.write_all(&n.to_le_bytes())?;
            w.write_all(s.as_bytes())
        }
        None => w.write_all(&u32::MAX.to_le_bytes()),
    }
}

/// The next record of a run, or none at its end.
fn decode(r: &mut impl Read) -> io::Result<Option<Record>> {
    let mut first = [0u8; 4];
    match r.read_exact(&mut first) {
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        other => other?,
    }
    let file = u32::from_le_bytes(first);
    let line = u64::from_le_bytes(bytes(r)?);
    let date = read_date(r)?.ok_or_else(|| bad("date"))?;
    let month = Month(i32::from_le_bytes(bytes(r)?));
    let unit = index(r)?;
    let indicator = index(r)?;
    let count = u64::from_le_bytes(bytes(r)?);
    let value = match bytes::<1>(r)? {
        [1] => Some(Decimal::deserialize(bytes(r)?)),
        _ => None,
    };
    let severity = read_text(r)?;
    let severity_index = index(r)?;
    let source = read_text(r)?;
    let source_index = index(r)?;
    let weight = Decimal::deserialize(bytes(r)?);
    let deadline = read_date(r)?;
    let rectified = read_date(r)?;
    let status = match bytes::<1>(r)? {
        [0] => Status::Valid,
        [1] => Status::OnSpot,
        [3] => Status::Appealed,
        _ => Status::Void,
    };
    let id = read_text(r)?;
    let note = read_text(r)?.unwrap_or_default();
    let inspector = read_text(r)?.unwrap_or_default();
    Ok(Some(Record {
        file,
        line,
        date,
        month,
        unit,
        indicator,
        count,
        value,
        severity,
        severity_index,
        source,
        source_index,
        weight,
        deadline,
        rectified,
        status,
        id,
        note,
        inspector,
    }))
}

fn bad(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("spilled {what}"))
}

fn bytes<const N: usize>(r: &mut impl Read) -> io::Result<[u8; N]> {
    let mut b = [0u8; N];
    r.read_exact(&mut b)?;
    Ok(b)
}

fn index(r: &mut impl Read) -> io::Result<usize> {
    usize::try_from(u64::from_le_bytes(bytes(r)?)).map_err(|_| bad("index"))
}

fn read_date(r: &mut impl Read) -> io::Result<Option<Date>> {
    let y = i16::from_le_bytes(bytes(r)?);
    let [m, d] = bytes(r)?;
    if y == 0 {
        return Ok(None);
    }
    Date::new(y, m as i8, d as i8)
        .map(Some)
        .map_err(|_| bad("date"))
}

fn read_text(r: &mut impl Read) -> io::Result<Option<String>> {
    let n = u32::from_le_bytes(bytes(r)?);
    if n == u32::MAX {
        return Ok(None);
    }
    let mut buf = vec![0u8; n as usize];
    r.read_exact(&mut buf)?;
    String::from_utf8(buf).map(Some).map_err(|_| bad("text"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(line: u64, note: &str) -> Record {
        Record {
            file: 1,
            line,
            date: Date::new(2026, 11, (line % 28 + 1) as i8).unwrap(),
            month: Month::new(2026, 11),
            unit: (line % 7) as usize,
            indicator: 3,
            count: line,
            value: line.is_multiple_of(2).then(|| Decimal::new(line as i64, 2)),
            severity: line.is_multiple_of(3).then(|| "重".to_owned()),
            severity_index: 2,
            source: Some("暗访".to_owned()),
            source_index: 1,
            weight: Decimal::new(15, 1),
            deadline: (!line.is_multiple_of(5)).then(|| Date::new(2026, 12, 1).unwrap()),
            rectified: None,
            status: [
                Status::Valid,
                Status::OnSpot,
                Status::Void,
                Status::Appealed,
            ][line as usize % 4],
            id: Some(format!("R{line}")),
            note: note.to_owned(),
            inspector: String::new(),
        }
    }

    fn sorted(limit: usize, n: u64) -> Vec<Record> {
        // Newest date first, then line: an order unlike the one pushed.
        let mut s = Sorter::with_limit(limit, |r: &Record| (Reverse(r.date), r.line));
        for line in 0..n {
            s.push(record(line, &format!("第{line}条"))).unwrap();
        }
        assert_eq!(s.len(), n as usize);
        s.sorted().unwrap().map(Result::unwrap).collect()
    }

    #[test]
    fn spilled_runs_merge_to_the_order_held_in_memory() {
        let memory = sorted(usize::MAX, 500);
        let spilled = sorted(2_000, 500);
        assert_eq!(memory.len(), 500);
        assert_eq!(spilled.len(), 500);
        for (a, b) in memory.iter().zip(&spilled) {
            assert_eq!(format!("{a:?}"), format!("{b:?}"));
        }
        assert!(
            memory
                .windows(2)
                .all(|w| (Reverse(w[0].date), w[0].line) < (Reverse(w[1].date), w[1].line))
        );
    }

    #[test]
    fn a_log_gives_back_what_it_was_given_in_memory_or_on_disk() {
        for limit in [usize::MAX, 3_000, 0] {
            let mut log = Log::with_limit(limit);
            for line in 0..200 {
                log.push(line * 3, record(line, &format!("第{line}条")))
                    .unwrap();
            }
            assert_eq!(log.len(), 200);
            let back: Vec<(u64, Record)> = log.drain().unwrap().map(Result::unwrap).collect();
            assert_eq!(back.len(), 200, "{limit}");
            for (k, (tag, r)) in back.iter().enumerate() {
                assert_eq!((*tag, r.line), (k as u64 * 3, k as u64), "{limit}");
                let want = record(k as u64, &format!("第{k}条"));
                assert_eq!(format!("{r:?}"), format!("{want:?}"));
            }
        }
    }

    #[test]
    fn sorters_absorbed_merge_as_one() {
        let key = |r: &Record| (Reverse(r.date), r.line);
        let mut one = Sorter::with_limit(usize::MAX, key);
        let mut other = Sorter::with_limit(2_000, key);
        for line in 0..300 {
            let r = record(line, "x");
            match line % 3 {
                0 => one.push(r).unwrap(),
                _ => other.push(r).unwrap(),
            }
        }
        one.absorb(other).unwrap();
        assert_eq!(one.len(), 300);
        let got: Vec<_> = one.sorted().unwrap().map(|r| key(&r.unwrap())).collect();
        let want: Vec<_> = sorted(usize::MAX, 300).iter().map(key).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn shares_hold_every_record_once() {
        let mut kept = Kept::default();
        for w in 0..5u64 {
            let mut log = Log::with_limit(usize::MAX);
            for line in 0..(10 + w * 7) {
                log.push(0, record(w * 1000 + line, "x")).unwrap();
            }
            kept.add(log, vec![0], Vec::new());
        }
        kept.push(record(99_999, "placed"));
        let total = kept.len();
        let shares = kept.shares(2);
        assert_eq!(shares.len(), 2);
        assert!(shares.iter().all(|k| k.len() >= total / 3));
        let mut lines: Vec<u64> = Vec::new();
        for k in shares {
            lines.extend(k.into_sorted().unwrap().iter().map(|r| r.line));
        }
        lines.sort_unstable();
        lines.dedup();
        assert_eq!(lines.len(), total);
    }

    #[test]
    fn a_record_survives_its_run_file() {
        let r = record(12, "店外占道经营, \"x\"\n");
        let mut buf = Vec::new();
        encode(&r, &mut buf).unwrap();
        let back = decode(&mut buf.as_slice()).unwrap().unwrap();
        assert_eq!(format!("{r:?}"), format!("{back:?}"));
        assert!(decode(&mut &buf[..0]).unwrap().is_none());
        assert!(decode(&mut &buf[..buf.len() - 1]).is_err());
    }
}
