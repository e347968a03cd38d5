//! Records waiting to be tallied, sorted by unit so that a batch touches each unit's tallies
//! together.

use crate::period::Month;
use crate::tally::{Lateness, Layout, Slim, Store};

/// Records waiting to be tallied, sorted by unit first: a batch then touches each unit's few
/// blocks together instead of one random block per record (the tallies outgrow the cache).
pub(super) const BATCH: usize = 1 << 17;

/// A record waiting in a batch: 16 bytes (records with a measured value go straight in).
#[derive(Clone, Copy, Default)]
pub(super) struct Pending {
    unit: u32,
    month: i32,
    count: u32,
    indicator: u16,
    combo: u8,
    flags: u8,
}

const VOID: u8 = 2;
/// Under appeal (SPEC §7.6).
const APPEALED: u8 = 4;
/// The lateness counter + 1 (0: not late), in the bits from this one up.
const LATE_SHIFT: u8 = 3;

impl Pending {
    /// None for a record that cannot wait in a batch (one whose lateness is tallied apart goes
    /// straight in).
    pub(super) fn of(s: &Slim) -> Option<Pending> {
        let late = match s.late {
            Lateness::No => 0,
            Lateness::Counter(k) => k + 1,
            Lateness::Apart(_) => return None,
        };
        Some(Pending {
            unit: s.unit,
            month: s.month.0,
            count: s.count,
            indicator: u16::try_from(s.indicator).ok()?,
            combo: u8::try_from(s.combo).ok()?,
            flags: if s.void { VOID } else { 0 }
                | if s.appealed { APPEALED } else { 0 }
                | late << LATE_SHIFT,
        })
    }

    fn slim(&self) -> Slim {
        Slim {
            unit: self.unit,
            indicator: u32::from(self.indicator),
            month: crate::period::Month(self.month),
            combo: u32::from(self.combo),
            count: self.count,
            late: match self.flags >> LATE_SHIFT {
                0 => Lateness::No,
                k => Lateness::Counter(k - 1),
            },
            void: self.flags & VOID != 0,
            appealed: self.flags & APPEALED != 0,
            value: None,
        }
    }
}

pub(super) fn flush(
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
