//! The workers' parts made one answer: units numbered (roster order, else code order), tallies
//! merged, repeated ids settled, records and rejects in file order.

use std::collections::BTreeMap;

use crate::engine;
use crate::i18n::{msg, ui};
use crate::tally::Store;
use crate::units::Units;

use super::columns::{Col, Columns};
use super::ids::{Held, IdSet, Ids, settle};
use super::record::{Counts, Rejected, Status};
use super::worker::{Part, record_of, with_text};
use super::{Env, ReadAll, Stop, Streamed};
use crate::spill::Kept;

impl ReadAll {
    /// The ids that more than one row has, from every worker's ids (`None`: every id is once).
    pub(super) fn repeats(&mut self) -> Option<IdSet> {
        let (mut sets, mut twice, mut rejected) = (Vec::new(), Vec::new(), Vec::new());
        for p in self.files.iter_mut().flat_map(|f| f.parts.iter_mut()) {
            sets.push(std::mem::take(&mut p.ids));
            twice.append(&mut p.twice);
            rejected.append(&mut p.rejected_ids);
        }
        Ids::repeats(sets, twice, &rejected)
    }

    /// Each input's prints (`None`: one input only, nothing to compare).
    pub(super) fn prints(&mut self) -> Option<Vec<Vec<u64>>> {
        let prints: Vec<Vec<u64>> = self
            .files
            .iter_mut()
            .map(|f| {
                f.parts
                    .iter_mut()
                    .flat_map(|p| std::mem::take(&mut p.prints))
                    .collect()
            })
            .collect();
        (prints.len() > 1).then_some(prints)
    }

    /// The workers' parts as one answer: units numbered in roster order (else code order),
    /// tallies merged, repeated ids settled in file order, records and rejects in file order.
    pub(super) fn assemble(self, env: &Env) -> Result<Streamed, crate::error::Error> {
        let mut counts = Counts::default();
        let mut rejected: Vec<(u32, Rejected)> = Vec::new();
        let mut held: Vec<(u32, Held)> = Vec::new();
        let mut parts = Vec::new();
        let mut files = Vec::new();
        let mut notes = Vec::new();
        let mut indirect: std::collections::BTreeMap<String, u32> = Default::default();
        // Each input's valid rows tallied at once (not held back).
        let mut free = Vec::with_capacity(self.files.len());
        for (file, mut f) in self.files.into_iter().enumerate() {
            notes.append(&mut f.notes);
            free.push(
                f.parts
                    .iter()
                    .map(|p| p.counts.scored + p.counts.void)
                    .sum(),
            );
            for mut p in f.parts {
                indirect.extend(p.indirect.drain(..));
                counts.read += p.counts.read;
                counts.scored += p.counts.scored;
                counts.void += p.counts.void;
                counts.rejected += p.counts.rejected;
                counts.totals += p.counts.totals;
                counts.numbered += p.counts.numbered;
                counts.doubles += p.counts.doubles;
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
        let twins = super::twins::Settle {
            files: &files,
            free: &free,
            roster: env.roster,
            dedupe: env.opts.dedupe,
        };
        let (claims, twins) = twins.settle(claims, &mut counts)?;
        notes.extend(twins);
        let units = units_of(env.roster, &parts, &files, &claims);
        if let Some(note) = indirect_note(&units, &indirect) {
            notes.push(note);
        }
        let mut total = Totals {
            store: Store::new(env.layout),
            records: Kept::default(),
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
            total.store.merge(p.store, &map);
            total.records.add(p.kept, p.starts, map);
        }
        for (file, h) in claims {
            total.take(env, &units, &files[file as usize], file, h);
        }
        rejected.sort_by_key(|(file, r)| (*file, r.line));
        Ok(Streamed {
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
            notes,
            records: total.records,
            rejected: rejected.into_iter().map(|(_, r)| r).collect(),
        })
    }
}

/// The unit cells that named a roster unit by an alias, a former name or a name without its
/// ending, each with the unit it was read as (the first twenty): so that a match that is not
/// what the office meant is seen.
fn indirect_note(units: &Units, indirect: &BTreeMap<String, u32>) -> Option<String> {
    if indirect.is_empty() {
        return None;
    }
    let pairs: Vec<String> = indirect
        .iter()
        .filter_map(|(cell, u)| {
            let unit = units.list.get(*u as usize)?;
            let name = unit.name.as_deref().unwrap_or(&unit.code);
            Some(format!("{cell} → {name} ({})", unit.code))
        })
        .collect();
    let pairs = msg::at_most(ui(), pairs, 20);
    Some(msg::units_named_indirectly(ui(), &msg::list(ui(), &pairs)))
}

/// An input's name and columns.
pub(super) struct Meta {
    pub(super) name: String,
    pub(super) header: Vec<String>,
    pub(super) columns: Columns,
}

impl Meta {
    pub(super) fn cell<'c>(&self, cells: &'c [String], col: Col) -> &'c str {
        self.columns
            .index(col)
            .and_then(|i| cells.get(i))
            .map_or("", String::as_str)
    }
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
    records: Kept,
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
        let slim = engine::slim(env.layout, unit as u32, &h.checked);
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
