//! One worker: each row of a block checked (quick path first, then the full check), tallied,
//! kept when asked for, held when its id repeats, or rejected with its reasons.

use crate::spill::Log;

use crate::engine;
use crate::error::Error;
use crate::fxhash::{ByteMap, Numbered};
use crate::input::{self, ReadConfig, Row};
use crate::rubric::Rubric;
use crate::tally::{Layout, Store};
use crate::units::Units;

use super::batch::{BATCH, Pending, flush};
use super::check::{Checked, check, problems};
use super::columns::{ALL_COLS, Col, Columns, NotARecord, not_a_record};
use super::feed::Data;
use super::ids::{Held, IdSet, Ids};
use super::quick::{Plan, Quick};
use super::record::{Counts, Record, Rejected, Status};
use super::split::{Fields, newlines, split_plain};
use super::twins::{self, Twins, UnitKey};
use super::{Env, Stop, Wanted};

/// What one worker made of its blocks.
pub(super) struct Part {
    pub(super) store: Store,
    /// Units first seen by this worker, by local number (without a roster).
    pub(super) new_units: Vec<String>,
    pub(super) ids: Ids,
    /// Ids of valid rows that [`Ids::insert`] found taken already.
    pub(super) twice: Vec<Vec<u8>>,
    pub(super) counts: Counts,
    /// Records kept, each with its block, their units by local number (without a roster), their
    /// lines counted from the start of their block.
    pub(super) kept: Log,
    /// Where each block of the input starts (known once every block is read).
    pub(super) starts: Vec<u64>,
    /// Rows rejected, their lines counted from the start of their block (given first).
    pub(super) rejected: Vec<(u64, Rejected)>,
    /// The ids of the rows rejected: a valid row with one of them would have to be known to
    /// come before or after it.
    pub(super) rejected_ids: Vec<Vec<u8>>,
    /// Valid rows whose id repeats (when ids are settled), held back until the order of every
    /// row with that id is known: their block, and the row.
    pub(super) held: Vec<(u64, Held)>,
    /// Each block's number of lines.
    pub(super) lines: Vec<(u64, u64)>,
    /// Unit cells that name a roster unit otherwise than by its code or name (an alias, a former
    /// name, a name without its ending), with the unit: said in a note.
    pub(super) indirect: Vec<(String, u32)>,
    /// The prints of the valid rows (first reading, when there is more than one input).
    pub(super) prints: Vec<u64>,
    /// The memory the held rows take.
    pub(super) held_bytes: usize,
}

/// What the workers reading one input share: the settings, the input's header and columns,
/// and where each column's cell is.
pub(super) struct Ctx<'a> {
    pub(super) config: ReadConfig,
    pub(super) rubric: &'a Rubric,
    layout: &'a Layout,
    /// The input's name and header, and which of its columns is which (for rejected rows).
    pub(super) head: &'a input::Head,
    columns: &'a Columns,
    pub(super) roster: Option<&'a Units>,
    /// Whether a roster unit has a span (SPEC §7.12): records are then checked against it.
    pub(super) spans: bool,
    pub(super) delimiter: u8,
    keep: Option<Wanted<'a>>,
    /// The input's index among the inputs.
    file: u32,
    /// Every block is checked to be UTF-8 (bytes read from a file, not yet decoded).
    check_utf8: bool,
    repeats: Option<&'a IdSet>,
    twins: Twins<'a>,
    /// The file column of each of [`ALL_COLS`], if present.
    idx: [Option<usize>; 13],
    /// The columns scoring reads, and their file columns.
    used: Vec<(usize, usize)>,
    /// Where the quick path puts each field of a plain line; `None` when records are kept
    /// (they need every field).
    plan: Option<Plan>,
}

impl<'a> Ctx<'a> {
    pub(super) fn new(
        env: &Env<'a>,
        head: &'a input::Head,
        columns: &'a Columns,
        delimiter: u8,
        file: u32,
        check_utf8: bool,
    ) -> Ctx<'a> {
        let idx = ALL_COLS.map(|c| columns.index(c));
        let twins = env.twins;
        let (used, plan) = Ctx::plan(&idx, env.keep.is_some(), !matches!(twins, Twins::Off));
        Ctx {
            config: env.config,
            rubric: env.rubric,
            layout: env.layout,
            head,
            columns,
            roster: env.roster,
            spans: env.roster.is_some_and(Units::has_spans),
            delimiter,
            keep: env.keep,
            file,
            check_utf8,
            repeats: env.repeats,
            twins,
            idx,
            used,
            plan,
        }
    }
}

/// A row checked, with its unit resolved and its id as written.
pub(super) type Resolved<'r> = (Checked, u32, &'r [u8]);

/// One worker's state between blocks.
pub(super) struct Worker<'c> {
    pub(super) ctx: &'c Ctx<'c>,
    pub(super) part: Part,
    pending: Vec<Pending>,
    scratch: Vec<Pending>,
    /// Units already resolved, by their trimmed text: a unit cell written plainly is found here.
    units: ByteMap,
    /// The same units, those with codes of one prefix and width found by their number.
    numbered: Numbered,
    pub(super) quick: Quick,
    keys: Vec<String>,
    /// The block being read.
    seq: u64,
}

impl<'c> Worker<'c> {
    pub(super) fn new(ctx: &'c Ctx<'c>) -> Worker<'c> {
        Worker {
            ctx,
            part: Part {
                store: Store::new(ctx.layout),
                new_units: Vec::new(),
                ids: Ids::default(),
                twice: Vec::new(),
                counts: Counts::default(),
                kept: Log::with_limit(ctx.config.kept_bytes / ctx.config.workers.max(1)),
                starts: Vec::new(),
                rejected: Vec::new(),
                rejected_ids: Vec::new(),
                held: Vec::new(),
                lines: Vec::new(),
                indirect: Vec::new(),
                prints: Vec::new(),
                held_bytes: 0,
            },
            seq: 0,
            pending: Vec::with_capacity(BATCH),
            scratch: Vec::new(),
            units: ByteMap::default(),
            numbered: Numbered::default(),
            quick: Quick::new(ctx.rubric),
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
    pub(super) fn block(
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

    pub(super) fn row(&mut self, rec: &impl Fields, line: u64) -> Result<(), Stop> {
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
        if self.holds(id) || self.twin(&c, unit, raw(Col::Unit), raw(Col::Note)) {
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
    pub(super) fn holds(&self, id: &[u8]) -> bool {
        self.ctx
            .repeats
            .is_some_and(|r| !id.is_empty() && r.contains(id))
    }

    /// Whether a valid row is held back for its print (the second reading: another input has a
    /// row like it); the first reading takes its print. `unit` is the row's unit when resolved.
    #[inline]
    pub(super) fn twin(
        &mut self,
        c: &Checked,
        unit: Option<u32>,
        cell: &[u8],
        note: &[u8],
    ) -> bool {
        let (seed, hold) = match self.ctx.twins {
            Twins::Off => return false,
            Twins::Collect(seed) => (seed, None),
            Twins::Hold(seed, prints) => (seed, Some(prints)),
        };
        let cell = twins::trimmed(cell);
        let key = match (self.ctx.roster, unit) {
            (Some(_), Some(u)) => UnitKey::Roster(u),
            (Some(r), None) => {
                let text = std::str::from_utf8(cell).unwrap_or_default();
                UnitKey::Roster(r.find(text).unwrap_or(0) as u32)
            }
            (None, _) => UnitKey::Text(cell),
        };
        let print = twins::print(seed, c, key, note);
        match hold {
            Some(prints) => prints.contains(&print),
            None => {
                self.part.prints.push(print);
                false
            }
        }
    }

    /// Holds a valid row back: whether it is tallied depends on the rows before it.
    #[cold]
    fn hold(&mut self, rec: &impl Fields, line: u64, checked: Checked) -> Result<(), Stop> {
        let cells = cells(rec)?;
        // Held rows are kept as text until settled: bounded, all workers together.
        let size = std::mem::size_of::<Held>()
            + cells
                .iter()
                .map(|c| c.len() + std::mem::size_of::<String>())
                .sum::<usize>();
        self.part.held_bytes += size;
        let limit = self.ctx.config.held_bytes;
        if self.part.held_bytes > limit / self.ctx.config.workers.max(1) {
            let mib = limit.div_ceil(1 << 20);
            return Err(
                Error::Invalid(crate::i18n::msg::too_many_held(crate::i18n::ui(), mib)).into(),
            );
        }
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
    pub(super) fn take(&mut self, c: Checked, unit: u32, id: &[u8]) {
        let ctx = self.ctx;
        if !id.is_empty() && ctx.repeats.is_none() && !self.part.ids.insert(id) {
            self.part.twice.push(id.to_vec());
        }
        if c.status == Status::Void {
            self.part.counts.void += 1;
        } else {
            self.part.counts.scored += 1;
        }
        let s = engine::slim(ctx.layout, unit, &c);
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
        c: Checked,
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
            let temp = |e| Error::io("<temporary file>", e);
            self.part.kept.push(self.seq, record).map_err(temp)?;
        }
        Ok(())
    }

    /// Any other row: its cells as text, trimmed, checked in full. The checked fields and the
    /// id of a valid row; `None` for a blank row or a rejected one.
    fn slow<'r>(
        &mut self,
        rec: &'r impl Fields,
        line: u64,
    ) -> Result<Option<(Checked, &'r [u8])>, Stop> {
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
        let checked = check(ctx.rubric, &cell, &mut |_, _| bad = true);
        let unit_s = cell(Col::Unit);
        // In the roster, and dated within the unit's span (SPEC §7.12).
        let in_roster = ctx.roster.is_none_or(|r| {
            r.find(unit_s)
                .is_some_and(|u| checked.is_none_or(|c| r.list[u].active(c.month)))
        });
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
            Some(r) => {
                let u = r.find(unit_s).unwrap_or(0);
                if !r.by_code_or_name(unit_s) {
                    self.part.indirect.push((unit_s.to_owned(), u as u32));
                }
                u as u32
            }
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
        match not_a_record(ctx.columns, &row) {
            Some(NotARecord::Total) => {
                self.part.counts.totals += 1;
                return Ok(None);
            }
            Some(NotARecord::Numbered) => {
                self.part.counts.numbered += 1;
                return Ok(None);
            }
            None => {}
        }
        let roster = Units::default();
        let units = ctx.roster.unwrap_or(&roster);
        let reasons = match problems(ctx.rubric, ctx.columns, ctx.head, &row, units) {
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
    pub(super) fn unit(&self, cell: &[u8]) -> Option<u32> {
        self.numbered.get(cell).or_else(|| self.units.get(cell))
    }

    pub(super) fn finish(mut self) -> Part {
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
pub(super) fn utf8(b: &[u8]) -> Result<&str, Stop> {
    std::str::from_utf8(b).map_err(|_| Stop::NotUtf8)
}

/// Every cell of a row as text, trimmed.
pub(super) fn cells(rec: &impl Fields) -> Result<Vec<String>, Stop> {
    (0..rec.len())
        .map(|i| utf8(rec.get(i).unwrap_or_default()).map(|c| input::trim_cell(c).to_owned()))
        .collect()
}

/// A valid row's record, its text cells (severity, source, id, note, inspector) still empty:
/// a command is asked whether it wants the record before they are copied.
pub(super) fn record_of(file: u32, line: u64, c: &Checked, unit: usize) -> Record {
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
pub(super) fn with_text<'t>(
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
