//! Integer tallies per unit, month and indicator: what the engine judges from, whether the
//! records come one by one from a file in memory or by the million from a stream. A per-finding
//! record only adds its count to the slot of its (severity, source, on-the-spot) combination;
//! the decimal products are applied once per tally when scores are computed, so the hot path does
//! no decimal arithmetic and the sums merge exactly in any order.

use std::collections::{BTreeSet, HashMap};

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::period::Month;
use crate::rubric::{Deduct, Rubric, Rule};

/// Where each indicator's counters sit in a (unit, month) block, and what each per-finding
/// combination is worth.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Per indicator, what adding a record reads, side by side (a few bytes each, so that they
    /// stay in the processor's nearest cache).
    inds: Vec<Ind>,
    /// Every per-finding indicator's counter of each (severity, source, on-the-spot)
    /// combination, one indicator after another.
    slots: Vec<u32>,
    /// Per indicator, per counter: deduct × source weight × on-spot factor.
    products: Vec<Vec<Decimal>>,
    /// Declared sources + 1 (the empty or undeclared source, weight 1).
    sources: usize,
    block: usize,
    /// The one date the as-of date may be other than a month's last day on (`--as-of`, else
    /// today): lateness is tallied by the month it happens in, and by the day only in this
    /// date's month, on either side of it (SPEC §7.13).
    pin: Option<Date>,
}

/// One indicator's place in a block and in [`Layout::slots`].
#[derive(Debug, Clone, Copy)]
struct Ind {
    offset: u32,
    slots_at: u32,
    slots: u32,
    per_finding: bool,
    /// A per-finding rule with an extra deduction for overdue rectification (`overdue` or
    /// `overdue_each_month`).
    overdue: bool,
    /// With `overdue_each_month`: the month a late record was closed matters.
    each_month: bool,
    /// Where the lateness counters start among the indicator's counters (an `overdue` rule
    /// without `overdue_each_month`), else 0.
    late_at: u32,
}

/// Counters of one indicator in a block: records; then for a per-finding indicator one Σ count
/// per counter of combinations (Σ count is their sum), for others Σ count. An indicator with an
/// `overdue` extra (and no `overdue_each_month`) then has [`LATE_COUNTERS`]: Σ count of the
/// records late from the record's month or the next, each as reached on the pinned date or not
/// (see [`Lateness`]). Other lateness is tallied apart (see [`Store::lates`]).
const RECORDS: usize = 0;
const COUNT: usize = 1;
const HEAD: usize = 1;
/// Late from the record's month + 0 or + 1, each reached on the pinned date or not.
const LATE_COUNTERS: usize = 4;

impl Layout {
    pub fn new(rubric: &Rubric) -> Layout {
        let sources = rubric.sources.as_ref().map_or(0, Vec::len) + 1;
        let weight = |s: usize| match &rubric.sources {
            Some(list) if s < list.len() => list[s].1,
            _ => Decimal::ONE,
        };
        let mut inds = Vec::new();
        let mut slots = Vec::new();
        let mut products = Vec::new();
        let mut at = 0;
        for ind in &rubric.indicators {
            // Combinations worth the same (two sources of weight 1, on the spot without an
            // on_spot factor) share one counter: fewer counters, same sums.
            let (slot, prod) = match &ind.rule {
                Rule::PerFinding {
                    deduct, on_spot, ..
                } => {
                    let sev: Vec<Decimal> = match deduct {
                        Deduct::Flat(d) => vec![*d],
                        Deduct::BySeverity(m) => m.iter().map(|(_, d)| *d).collect(),
                    };
                    let mut prod: Vec<Decimal> = Vec::new();
                    // Product → its counter: found in constant time, so that a rubric of
                    // hundreds of sources × hundreds of severities is laid out in linear time.
                    let mut seen: HashMap<Decimal, u32> = HashMap::new();
                    let mut slot = Vec::new();
                    for d in &sev {
                        for s in 0..sources {
                            for spot in [Decimal::ONE, on_spot.unwrap_or(Decimal::ONE)] {
                                let p = (*d * weight(s) * spot).normalize();
                                let k = *seen.entry(p).or_insert_with(|| {
                                    prod.push(p);
                                    prod.len() as u32 - 1
                                });
                                slot.push(k);
                            }
                        }
                    }
                    (slot, prod)
                }
                _ => (Vec::new(), Vec::new()),
            };
            let overdue = matches!(
                ind.rule,
                Rule::PerFinding {
                    overdue: Some(_),
                    ..
                } | Rule::PerFinding {
                    overdue_each_month: Some(_),
                    ..
                }
            );
            let each_month = matches!(
                ind.rule,
                Rule::PerFinding {
                    overdue_each_month: Some(_),
                    ..
                }
            );
            let counters = !prod.is_empty() && overdue && !each_month;
            inds.push(Ind {
                offset: at as u32,
                slots_at: slots.len() as u32,
                slots: slot.len() as u32,
                per_finding: !prod.is_empty(),
                overdue,
                each_month,
                late_at: if counters {
                    (HEAD + prod.len()) as u32
                } else {
                    0
                },
            });
            at += if prod.is_empty() {
                2
            } else {
                HEAD + prod.len() + if counters { LATE_COUNTERS } else { 0 }
            };
            slots.extend(slot);
            products.push(prod);
        }
        Layout {
            inds,
            slots,
            products,
            sources,
            block: at,
            pin: None,
        }
    }

    /// The layout with lateness told apart by the day on `pin`'s month, on either side of it:
    /// the tallies can then be judged as of `pin` or as of any month's last day.
    pub fn pinned(mut self, pin: Option<Date>) -> Layout {
        self.pin = pin;
        self
    }

    /// How a record of `month` with lateness `late` is tallied: in its block's counters when it
    /// becomes late in its month or the next (and its rule has no `overdue_each_month`), else
    /// apart, with the day it becomes late on kept only as far as an as-of date can tell it: the
    /// month's first day, or the pinned date's next day when it falls after that date in the
    /// pinned date's month.
    #[inline]
    pub fn lateness(&self, indicator: usize, month: Month, late: Option<Late>) -> Lateness {
        let Some(late) = late else {
            return Lateness::No;
        };
        let became = Month::of(late.day);
        let after_pin = self
            .pin
            .is_some_and(|p| late.day > p && Month::of(p) == became);
        let ind = &self.inds[indicator];
        let k = became.0 - month.0;
        if ind.late_at > 0 && (0..2).contains(&k) {
            return Lateness::Counter(k as u8 * 2 + u8::from(after_pin));
        }
        let day = match self.pin.and_then(|p| p.tomorrow().ok()) {
            Some(next) if after_pin => next,
            _ => became.first_day(),
        };
        Lateness::Apart(Late {
            day,
            closed: late.closed,
        })
    }

    /// The counter of a per-finding record: by severity index (0 for a flat deduction), source
    /// index (the declared sources, then "other"), and on the spot or not.
    #[inline]
    pub fn combo(&self, indicator: usize, severity: usize, source: usize, on_spot: bool) -> usize {
        let k = (severity * self.sources + source.min(self.sources - 1)) * 2 + usize::from(on_spot);
        let ind = &self.inds[indicator];
        if k < ind.slots as usize {
            self.slots[ind.slots_at as usize + k] as usize
        } else {
            0
        }
    }

    /// A per-finding indicator with an extra deduction for overdue rectification.
    #[inline]
    pub fn overdue_rule(&self, indicator: usize) -> bool {
        self.inds[indicator].overdue
    }

    /// A per-finding indicator with `overdue_each_month` (SPEC §7.13).
    #[inline]
    pub fn each_month_rule(&self, indicator: usize) -> bool {
        self.inds[indicator].each_month
    }

    #[inline]
    fn offset(&self, indicator: usize) -> usize {
        self.inds[indicator].offset as usize
    }
}

/// One record as the tallies see it.
#[derive(Debug, Clone, Copy)]
pub struct Slim {
    pub unit: u32,
    pub indicator: u32,
    pub month: Month,
    /// The combination slot (per-finding indicators only).
    pub combo: u32,
    pub count: u32,
    /// Lateness that may be booked (SPEC §7.13), for a rule with an overdue extra, as
    /// [`Layout::lateness`] tallies it.
    pub late: Lateness,
    pub void: bool,
    /// Under appeal (申诉中, SPEC §7.6): the record stands, and is counted.
    pub appealed: bool,
    pub value: Option<Decimal>,
}

/// A record that is late, or will be once the as-of date reaches `day` (SPEC §7.13): rectified
/// after its deadline, or not rectified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Late {
    /// The deadline's next day: the day it became (or becomes) late.
    pub day: Date,
    /// The month it was rectified in, kept only for `overdue_each_month` (None: open, or not
    /// needed).
    pub closed: Option<Month>,
}

/// How a record's lateness is tallied (see [`Layout::lateness`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lateness {
    /// Not late, ever (or its rule has no overdue extra).
    No,
    /// The lateness counter of its block: 2 × (months after the record's) + after the pin.
    Counter(u8),
    /// Tallied apart, its day as far as an as-of date can tell it.
    Apart(Late),
}

/// Lateness tallied apart: (unit, indicator, the record's month, lateness).
pub type LateKey = (u32, u32, Month, Late);

/// Months a unit's blocks can be found in directly; further months go through a map.
const WINDOW: i32 = 64;

/// The tallies of every unit in every month. Blocks of counters sit one after another in one
/// arena; a table indexed by unit and month (within a window around the first month seen) finds
/// them without hashing, so that adding a record costs one memory access beyond the table.
#[derive(Debug, Clone, Default)]
pub struct Store {
    /// Counters of 16 bits keep the blocks small enough for the processor's cache; a counter
    /// that would pass 65,535 moves its total to `spill`.
    arena: Vec<u16>,
    spill: HashMap<usize, u64>,
    /// unit × WINDOW → block number + 1 (0: none yet).
    table: Vec<u32>,
    base: Option<i32>,
    /// Blocks of months outside the window.
    far: HashMap<(u32, Month), u32>,
    /// (unit, indicator, month) → (Σ value, number of values).
    values: HashMap<(u32, u32, Month), (Decimal, u64)>,
    assessed: BTreeSet<Month>,
    /// (unit, month) → records under appeal (SPEC §7.6).
    appealed: HashMap<(u32, Month), u64>,
    /// (indicator, month) of the void and count-0 records, which the counters do not hold: with
    /// the counters they tell whether an indicator has any record in a month (SPEC §7.8).
    marked: BTreeSet<(u32, Month)>,
    /// Σ count of the records that are or may become late and are not in their block's
    /// counters, by unit, indicator, month and lateness: the engine books the extras once it
    /// knows the as-of date.
    lates: HashMap<LateKey, u64>,
    /// The layout's pinned date (see [`Layout::pinned`]).
    pin: Option<Date>,
    /// Months of the window seen by `add`, as bits (a tree would cost more than the counters),
    /// folded into `assessed` when read; other months go straight into `assessed`.
    seen_window: u64,
    /// Why the tallies cannot be trusted, if they cannot (the first reason found).
    problem: Option<Problem>,
    block: usize,
}

/// The most counters the tallies may hold: (units × months with records) × counters per block,
/// with the unit × month table counted at two counters an entry. About 400 MB; above it the run
/// stops with an error rather than exhaust the machine's memory.
pub const MAX_CELLS: usize = 200_000_000;

/// The largest magnitude of a measured value: sums over any number of rows and the products of
/// the threshold rules then stay far inside exact decimal arithmetic.
pub const MAX_VALUE: i64 = 1_000_000_000_000;

/// Why tallies cannot be scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// Over 4,294,967,295 findings in one unit, indicator, month and combination.
    Overflow,
    /// More counters than [`MAX_CELLS`] would be needed.
    TooLarge,
    /// A measured value beyond ±[`MAX_VALUE`], for this unit and indicator.
    Value { unit: u32, indicator: u32 },
}

impl Store {
    pub fn new(layout: &Layout) -> Store {
        Store {
            block: layout.block,
            pin: layout.pin,
            ..Store::default()
        }
    }

    /// Whether lateness is tallied finely enough to be judged as of `date`: a month's last day,
    /// or the pinned date.
    pub fn judges_at(&self, date: Date) -> bool {
        Some(date) == self.pin || date.tomorrow().is_ok_and(|d| d.day() == 1)
    }

    #[inline]
    fn slot(&self, unit: u32, month: Month) -> Option<usize> {
        let base = self.base?;
        let d = month.0 - base;
        if !(0..WINDOW).contains(&d) {
            return None;
        }
        Some(unit as usize * WINDOW as usize + d as usize)
    }

    #[inline]
    fn block_index(&self, unit: u32, month: Month) -> Option<usize> {
        let n = match self.slot(unit, month) {
            Some(s) => *self.table.get(s)?,
            None => *self.far.get(&(unit, month))?,
        };
        (n > 0).then(|| (n - 1) as usize)
    }

    /// The arena offset of a (unit, month) block, made when missing; `None` (and the problem
    /// noted) when it would pass [`MAX_CELLS`].
    #[inline]
    fn block_mut(&mut self, unit: u32, month: Month) -> Option<usize> {
        // Room for two years before the first month seen and three after.
        self.base.get_or_insert(month.0 - 24);
        let at = match self.block_index(unit, month) {
            Some(i) => i,
            None => self.new_block(unit, month)?,
        };
        Some(at * self.block)
    }

    /// A new (unit, month) block: once per block, out of the way of the usual path.
    #[cold]
    #[inline(never)]
    fn new_block(&mut self, unit: u32, month: Month) -> Option<usize> {
        let slot = self.slot(unit, month);
        let table = match slot {
            Some(s) if self.table.len() <= s => (unit as usize + 1) * WINDOW as usize,
            _ => self.table.len(),
        };
        if self.arena.len() + self.block + 2 * table > MAX_CELLS {
            self.problem.get_or_insert(Problem::TooLarge);
            return None;
        }
        let i = self.arena.len() / self.block.max(1);
        self.arena.resize(self.arena.len() + self.block, 0);
        match slot {
            Some(s) => {
                self.table.resize(table, 0);
                self.table[s] = i as u32 + 1;
            }
            None => {
                self.far.insert((unit, month), i as u32 + 1);
            }
        }
        Some(i)
    }

    /// Why these tallies cannot be scored, if they cannot.
    pub fn problem(&self) -> Option<Problem> {
        self.problem
    }

    fn block(&self, unit: usize, month: Month) -> Option<usize> {
        let i = self.block_index(unit as u32, month)?;
        Some(i * self.block)
    }

    /// A counter's value.
    fn get(&self, at: usize) -> u64 {
        let base = u64::from(self.arena[at]);
        if self.spill.is_empty() {
            base
        } else {
            base + self.spill.get(&at).copied().unwrap_or(0)
        }
    }

    #[inline]
    fn bump(&mut self, at: usize, by: u64) {
        let v = u64::from(self.arena[at]) + by;
        match u16::try_from(v) {
            Ok(small) => self.arena[at] = small,
            Err(_) => self.spill_over(at, v),
        }
    }

    /// A counter passes 65,535: its total moves to `spill`.
    #[cold]
    #[inline(never)]
    fn spill_over(&mut self, at: usize, v: u64) {
        self.arena[at] = 0;
        let e = self.spill.entry(at).or_default();
        // Up to u32::MAX findings a counter: times the largest product of the rubric's bounded
        // numbers, still exact in a decimal.
        match e.checked_add(v).filter(|t| *t <= u64::from(u32::MAX)) {
            Some(t) => *e = t,
            None => {
                self.problem.get_or_insert(Problem::Overflow);
            }
        }
    }

    /// Asks the processor to fetch what `add` will read for a record: with `counters`, the
    /// counters of its indicator when its block exists (the table entry is read to find them:
    /// ask for it first, a few records earlier), else the table entry. A hint only: nothing is
    /// changed.
    pub fn prefetch(
        &self,
        layout: &Layout,
        unit: u32,
        month: Month,
        indicator: usize,
        counters: bool,
    ) {
        let Some(s) = self.slot(unit, month) else {
            return;
        };
        let Some(n) = self.table.get(s) else {
            return;
        };
        if !counters {
            prefetch(n);
        } else if *n > 0
            && let Some(c) = layout.inds.get(indicator).and_then(|i| {
                self.arena
                    .get((*n - 1) as usize * self.block + i.offset as usize)
            })
        {
            prefetch(c);
        }
    }

    /// Folds the months seen into `assessed`.
    fn settle(&mut self) {
        let window: Vec<Month> = self.window_seen().collect();
        self.assessed.extend(window);
        self.seen_window = 0;
    }

    fn window_seen(&self) -> impl Iterator<Item = Month> + '_ {
        let base = self.base.unwrap_or(0);
        (0..WINDOW)
            .filter(|d| self.seen_window >> d & 1 == 1)
            .map(move |d| Month(base + d))
    }

    /// The months with at least one record (void ones included).
    pub fn assessed(&self) -> BTreeSet<Month> {
        let mut all = self.assessed.clone();
        all.extend(self.window_seen());
        all
    }

    /// Adds one record. Void records only make their month assessed.
    #[inline]
    pub fn add(&mut self, layout: &Layout, r: &Slim) {
        let base = *self.base.get_or_insert(r.month.0 - 24);
        match u32::try_from(r.month.0 - base) {
            Ok(d) if d < WINDOW as u32 => self.seen_window |= 1 << d,
            _ => {
                self.assessed.insert(r.month);
            }
        }
        // A void record, or an inspection that found nothing (0处, SPEC §7.14), makes its month
        // assessed and counts for nothing else: no finding, no activity held, no measurement,
        // no veto, no repeat next month.
        if r.appealed {
            *self.appealed.entry((r.unit, r.month)).or_default() += 1;
        }
        if r.void || r.count == 0 {
            self.marked.insert((r.indicator, r.month));
            return;
        }
        let i = r.indicator as usize;
        let ind = layout.inds[i];
        let Some(block) = self.block_mut(r.unit, r.month) else {
            return;
        };
        let at = block + ind.offset as usize;
        let count = u64::from(r.count);
        self.bump(at + RECORDS, 1);
        if !ind.per_finding {
            self.bump(at + COUNT, count);
        } else {
            match r.late {
                Lateness::No => {}
                Lateness::Counter(k) => self.bump(at + ind.late_at as usize + k as usize, count),
                Lateness::Apart(late) => {
                    *self
                        .lates
                        .entry((r.unit, r.indicator, r.month, late))
                        .or_default() += count;
                }
            }
            self.bump(at + HEAD + r.combo as usize, count);
        }
        if let Some(v) = r.value {
            if v.abs() > Decimal::from(MAX_VALUE) {
                self.problem.get_or_insert(Problem::Value {
                    unit: r.unit,
                    indicator: r.indicator,
                });
                return;
            }
            let e = self
                .values
                .entry((r.unit, r.indicator, r.month))
                .or_default();
            e.0 += v;
            e.1 += 1;
        }
    }

    /// Non-void records of a unit's indicator in a month.
    pub fn records(&self, layout: &Layout, unit: usize, indicator: usize, month: Month) -> u64 {
        self.block(unit, month)
            .map_or(0, |b| self.get(b + layout.offset(indicator) + RECORDS))
    }

    /// Σ count, and Σ of the combinations' counts × their products.
    pub fn month(
        &self,
        layout: &Layout,
        unit: usize,
        indicator: usize,
        month: Month,
    ) -> Option<MonthTally> {
        let at = self.block(unit, month)? + layout.offset(indicator);
        let records = self.get(at + RECORDS);
        if records == 0 {
            return None;
        }
        let products = &layout.products[indicator];
        let (count, base) = if products.is_empty() {
            (self.get(at + COUNT), Decimal::ZERO)
        } else {
            let mut count = 0;
            let mut base = Decimal::ZERO;
            for (c, p) in products.iter().enumerate() {
                let n = self.get(at + HEAD + c);
                if n != 0 {
                    count += n;
                    base += Decimal::from(n) * p;
                }
            }
            (count, base)
        };
        let (value_sum, values) = self
            .values
            .get(&(unit as u32, indicator as u32, month))
            .copied()
            .unwrap_or_default();
        Some(MonthTally {
            records,
            count,
            base,
            value_sum,
            values,
        })
    }

    /// Forgets every month after `last`: a period in the past is scored as it stood then.
    /// Whether an indicator has any record in a month, of any unit, void ones included
    /// (SPEC §7.8).
    pub fn any_record(
        &self,
        layout: &Layout,
        units: usize,
        indicator: usize,
        month: Month,
    ) -> bool {
        self.marked.contains(&(indicator as u32, month))
            || (0..units).any(|u| self.records(layout, u, indicator, month) > 0)
    }

    /// A unit's records under appeal in a month (SPEC §7.6).
    pub fn appealed(&self, unit: u32, month: Month) -> u64 {
        self.appealed.get(&(unit, month)).copied().unwrap_or(0)
    }

    /// The records that are or may become late, with their Σ count (SPEC §7.13), their day
    /// as far as an as-of date the tallies can be judged at (see [`Store::judges_at`]) can tell
    /// it.
    pub fn lates(&self, layout: &Layout) -> Vec<(LateKey, u64)> {
        let mut out: Vec<(LateKey, u64)> = self.lates.iter().map(|(k, n)| (*k, *n)).collect();
        let counted: Vec<(usize, &Ind)> = layout
            .inds
            .iter()
            .enumerate()
            .filter(|(_, i)| i.late_at > 0)
            .collect();
        if counted.is_empty() {
            return out;
        }
        let after_pin = self.pin.and_then(|p| p.tomorrow().ok());
        for (unit, month, block) in self.blocks() {
            let at = block * self.block;
            for &(i, ind) in &counted {
                let first = at + ind.offset as usize + ind.late_at as usize;
                for k in 0..LATE_COUNTERS {
                    let n = self.get(first + k);
                    if n == 0 {
                        continue;
                    }
                    let became = Month(month.0 + (k / 2) as i32);
                    let day = match after_pin {
                        Some(d) if k % 2 == 1 => d,
                        _ => became.first_day(),
                    };
                    let late = Late { day, closed: None };
                    out.push(((unit, i as u32, month, late), n));
                }
            }
        }
        out
    }

    pub fn truncate_after(&mut self, last: Month) {
        self.settle();
        for (s, n) in self.table.iter_mut().enumerate() {
            let month = Month(self.base.unwrap_or(0) + (s % WINDOW as usize) as i32);
            if month > last {
                *n = 0;
            }
        }
        self.far.retain(|(_, m), _| *m <= last);
        self.values.retain(|(_, _, m), _| *m <= last);
        self.appealed.retain(|(_, m), _| *m <= last);
        self.marked.retain(|(_, m)| *m <= last);
        self.lates.retain(|(_, _, m, _), _| *m <= last);
        self.assessed.retain(|m| *m <= last);
    }

    /// Every block: (unit, month, counters).
    fn blocks(&self) -> Vec<(u32, Month, usize)> {
        let mut v = Vec::new();
        if let Some(base) = self.base {
            for (s, n) in self.table.iter().enumerate() {
                if *n > 0 {
                    let unit = (s / WINDOW as usize) as u32;
                    let month = Month(base + (s % WINDOW as usize) as i32);
                    v.push((unit, month, (*n - 1) as usize));
                }
            }
        }
        for ((u, m), n) in &self.far {
            v.push((*u, *m, (*n - 1) as usize));
        }
        v
    }

    /// The same tallies with the units renumbered by `unit_map` (old number → new).
    pub fn renumbered(self, unit_map: &[u32]) -> Store {
        let mut to = Store {
            block: self.block,
            pin: self.pin,
            ..Store::default()
        };
        to.merge(self, unit_map);
        to
    }

    /// Adds another store's tallies, with its unit numbers translated by `unit_map` (none: the
    /// same numbers).
    pub fn merge(&mut self, mut other: Store, unit_map: &[u32]) {
        other.settle();
        self.settle();
        self.assessed.extend(other.assessed.iter().copied());
        if self.problem.is_none() {
            self.problem = other.problem.map(|p| match p {
                Problem::Value { unit, indicator } => Problem::Value {
                    unit: unit_map.get(unit as usize).copied().unwrap_or(unit),
                    indicator,
                },
                p => p,
            });
        }
        let n = self.block;
        // Where each of the other's blocks went (for its spilled counters).
        let mut placed = vec![
            0;
            if other.spill.is_empty() {
                0
            } else {
                other.arena.len() / n.max(1)
            }
        ];
        for (u, m, i) in other.blocks() {
            let to = unit_map.get(u as usize).copied().unwrap_or(u);
            let Some(mine) = self.block_mut(to, m) else {
                continue;
            };
            if let Some(p) = placed.get_mut(i) {
                *p = mine;
            }
            let from = &other.arena[i * n..(i + 1) * n];
            let into = &mut self.arena[mine..mine + n];
            // The sums almost always fit in 16 bits: then the block adds as wide vectors.
            let over = from.iter().zip(into.iter()).fold(false, |o, (a, b)| {
                o | (u32::from(*a) + u32::from(*b) > 0xffff)
            });
            if !over {
                for (b, a) in into.iter_mut().zip(from) {
                    *b += *a;
                }
            } else {
                for (k, &v) in from.iter().enumerate() {
                    self.bump(mine + k, u64::from(v));
                }
            }
        }
        for (&at, &v) in &other.spill {
            self.bump(placed[at / n] + at % n, v);
        }
        self.marked.extend(other.marked.iter().copied());
        for ((u, m), n) in other.appealed {
            let to = unit_map.get(u as usize).copied().unwrap_or(u);
            *self.appealed.entry((to, m)).or_default() += n;
        }
        for ((u, i, m, l), n) in other.lates {
            let to = unit_map.get(u as usize).copied().unwrap_or(u);
            *self.lates.entry((to, i, m, l)).or_default() += n;
        }
        for ((u, i, m), (s, n)) in other.values {
            let to = unit_map.get(u as usize).copied().unwrap_or(u);
            let e = self.values.entry((to, i, m)).or_default();
            e.0 += s;
            e.1 += n;
        }
    }
}

/// One unit's indicator in one month, in decimals.
#[derive(Debug, Clone, Copy, Default)]
pub struct MonthTally {
    pub records: u64,
    pub count: u64,
    /// Σ count × deduct × weight × on-spot, before the repeat factor.
    pub base: Decimal,
    pub value_sum: Decimal,
    pub values: u64,
}

/// A hint to the processor to bring `x` into the cache; nothing on other architectures.
#[inline(always)]
pub(crate) fn prefetch<T>(x: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch never faults and changes nothing but the cache; the pointer comes from
    // a reference, so it is valid anyway. SSE is part of every x86-64 processor.
    unsafe {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        _mm_prefetch::<_MM_HINT_T0>((x as *const T).cast::<i8>());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = x;
}

#[cfg(test)]
mod tests {
    use super::*;

    const RUBRIC: &str = "civscore: 1\nsources: {a: 1, b: 1, c: 2}\ncategories:\n  - code: C\n    indicators:\n      - {code: P1, name: p, points: 5, rule: per_finding, deduct: 0.5}\n      - {code: P2, name: q, points: 5, rule: per_finding, deduct: {x: 1, y: 2}, on_spot: 0.5}\n      - {code: R1, name: r, points: 2, rule: required}\n";

    fn slim(unit: u32, indicator: u32, month: i32, combo: usize, count: u32) -> Slim {
        Slim {
            unit,
            indicator,
            month: Month(month),
            combo: combo as u32,
            count,
            late: Lateness::No,
            void: false,
            appealed: false,
            value: None,
        }
    }

    #[test]
    fn combinations_worth_the_same_share_a_counter() {
        let r = crate::rubric::load(RUBRIC, "r.yaml").unwrap();
        let l = Layout::new(&r);
        // P1: sources a, b and "other" weigh 1, c weighs 2; no on-spot factor: 2 counters.
        assert_eq!(l.products[0].len(), 2);
        assert_eq!(l.combo(0, 0, 0, false), l.combo(0, 0, 1, true));
        assert_ne!(l.combo(0, 0, 0, false), l.combo(0, 0, 2, false));
        // P2: 1, 2 × weights 1, 2 × on-spot 1, 0.5 → products 1, 0.5, 2, 4 (distinct values).
        assert_eq!(l.products[1].len(), 4);
    }

    #[test]
    fn counters_past_16_bits_stay_exact() {
        let r = crate::rubric::load(RUBRIC, "r.yaml").unwrap();
        let l = Layout::new(&r);
        let mut s = Store::new(&l);
        let m = Month::new(2026, 1);
        for _ in 0..3 {
            s.add(&l, &slim(0, 0, m.0, l.combo(0, 0, 2, false), 40_000));
        }
        let t = s.month(&l, 0, 0, m).unwrap();
        // 3 × 40,000 findings × 0.5 × 2 (source c) = 120,000
        assert_eq!(t.count, 120_000);
        assert_eq!(t.records, 3);
        assert_eq!(t.base, Decimal::from(120_000));
    }

    #[test]
    fn stores_merge_with_unit_numbers_translated_and_forget_later_months() {
        let r = crate::rubric::load(RUBRIC, "r.yaml").unwrap();
        let l = Layout::new(&r);
        let (jan, feb) = (Month::new(2026, 1), Month::new(2026, 2));
        let mut a = Store::new(&l);
        a.add(&l, &slim(0, 2, jan.0, 0, 1));
        let mut b = Store::new(&l);
        b.add(&l, &slim(0, 2, jan.0, 0, 2));
        b.add(&l, &slim(1, 2, feb.0, 0, 1));
        // b's unit 0 is a's unit 1; b's unit 1 is a's unit 0.
        a.merge(b, &[1, 0]);
        assert_eq!(a.month(&l, 1, 2, jan).unwrap().count, 2);
        assert_eq!(a.month(&l, 0, 2, jan).unwrap().count, 1);
        assert_eq!(a.month(&l, 0, 2, feb).unwrap().count, 1);
        assert_eq!(a.assessed().into_iter().collect::<Vec<_>>(), [jan, feb]);
        a.truncate_after(jan);
        assert!(a.month(&l, 0, 2, feb).is_none());
        assert_eq!(a.assessed().len(), 1);
        // A month far from the first seen goes through the map, not the window.
        a.add(&l, &slim(0, 2, Month::new(2040, 1).0, 0, 1));
        assert_eq!(a.records(&l, 0, 2, Month::new(2040, 1)), 1);
    }

    #[test]
    fn merges_past_16_bits_stay_exact() {
        let r = crate::rubric::load(RUBRIC, "r.yaml").unwrap();
        let l = Layout::new(&r);
        let m = Month::new(2026, 1);
        let combo = l.combo(0, 0, 2, false);
        let mut a = Store::new(&l);
        a.add(&l, &slim(0, 0, m.0, combo, 40_000));
        a.add(&l, &slim(1, 0, m.0, combo, 7));
        let mut b = Store::new(&l);
        // b's unit 0 (a's 1) spilled already; b's unit 1 (a's 0) passes 16 bits in the merge.
        for _ in 0..2 {
            b.add(&l, &slim(0, 0, m.0, combo, 40_000));
        }
        b.add(&l, &slim(1, 0, m.0, combo, 30_000));
        a.merge(b, &[1, 0]);
        let t = |u| a.month(&l, u, 0, m).unwrap();
        // a's unit 0: 40,000 + 30,000; unit 1: 7 + 2 × 40,000.
        assert_eq!((t(0).count, t(0).records), (70_000, 2));
        assert_eq!((t(1).count, t(1).records), (80_007, 3));
        // × 0.5 × 2 (source c)
        assert_eq!(t(1).base, Decimal::from(80_007));
    }
    #[test]
    fn months_far_apart_are_each_assessed_once() {
        let r = crate::rubric::load(RUBRIC, "r.yaml").unwrap();
        let l = Layout::new(&r);
        let mut s = Store::new(&l);
        // Years 1 to 9999 in turn, twice: each month once in `assessed`, found by its block.
        for _ in 0..2 {
            for y in (1..10_000).step_by(97) {
                s.add(&l, &slim(0, 2, Month::new(y, 3).0, 0, 1));
            }
        }
        assert_eq!(s.assessed().len(), (1..10_000).step_by(97).count());
        assert_eq!(s.records(&l, 0, 2, Month::new(9701, 3)), 2);
    }

    #[test]
    fn a_layout_of_many_sources_and_severities_keeps_distinct_products() {
        // 300 sources (weights 1.001, 1.002, …) × 300 severities (0.001, 0.002, …) × on-spot 2:
        // laid out in linear time, one counter per distinct product.
        let src: Vec<String> = (1..=300).map(|i| format!("s{i}: 1.{i:03}")).collect();
        let sev: Vec<String> = (1..=300).map(|i| format!("v{i}: 0.{i:03}")).collect();
        let text = format!(
            "civscore: 1\nsources: {{{}}}\ncategories:\n  - code: C\n    indicators:\n      - {{code: P1, name: p, points: 5, rule: per_finding, deduct: {{{}}}, on_spot: 2}}\n",
            src.join(", "),
            sev.join(", ")
        );
        let r = crate::rubric::load(&text, "r.yaml").unwrap();
        let l = Layout::new(&r);
        let distinct: std::collections::HashSet<_> = l.products[0].iter().collect();
        assert_eq!(distinct.len(), l.products[0].len());
        assert_eq!(l.combo(0, 0, 300, false), l.combo(0, 0, 300, false));
        assert_ne!(l.combo(0, 1, 0, false), l.combo(0, 1, 0, true));
    }

    #[test]
    fn more_counters_than_the_ceiling_is_a_problem_not_an_allocation() {
        let r = crate::rubric::load(RUBRIC, "r.yaml").unwrap();
        let l = Layout::new(&r);
        let mut s = Store::new(&l);
        let m = Month::new(2026, 1).0;
        s.add(&l, &slim(0, 2, m, 0, 1));
        assert_eq!(s.problem(), None);
        // Unit 10⁸ would need a table of 64 × 10⁸ entries.
        s.add(&l, &slim(100_000_000, 2, m, 0, 1));
        assert_eq!(s.problem(), Some(Problem::TooLarge));
        assert!(s.table.len() < MAX_CELLS);
    }

    #[test]
    fn values_out_of_bounds_and_counts_past_u32_are_problems() {
        let r = crate::rubric::load(RUBRIC, "r.yaml").unwrap();
        let l = Layout::new(&r);
        let m = Month::new(2026, 1).0;
        let mut s = Store::new(&l);
        let mut v = slim(3, 2, m, 0, 1);
        v.value = Some(Decimal::from(MAX_VALUE));
        s.add(&l, &v);
        assert_eq!(s.problem(), None);
        v.value = Some(Decimal::MAX);
        s.add(&l, &v);
        s.add(&l, &v);
        assert_eq!(
            s.problem(),
            Some(Problem::Value {
                unit: 3,
                indicator: 2
            })
        );
        let mut s = Store::new(&l);
        // 4,295 records of 1,000,000 findings: over u32::MAX in one counter.
        for _ in 0..4_295 {
            s.add(&l, &slim(0, 0, m, 0, 1_000_000));
        }
        assert_eq!(s.problem(), Some(Problem::Overflow));
    }
}
