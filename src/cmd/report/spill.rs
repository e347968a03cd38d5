//! Sorting more records than memory should hold: the report's ledger and overdue list (督办单)
//! can run to millions of rows. Records are gathered in a bounded chunk; a full chunk is sorted
//! and written to an anonymous temporary file (a run), and the runs are merged as the rows are
//! written. A list that fits in one chunk never touches the disk.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, Write};

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::period::Month;
use crate::records::{Record, Status};

/// Memory a chunk may hold before it is written out (an estimate: the records and their text).
pub(crate) const CHUNK_BYTES: usize = 24 << 20;

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
            status: [Status::Valid, Status::OnSpot, Status::Void][line as usize % 3],
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
