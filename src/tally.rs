//! Integer tallies per unit, month and indicator: what the engine judges from, whether the
//! records come one by one from a file in memory or by the million from a stream. A per-finding
//! record only adds its count to the slot of its (severity, source, on-the-spot) combination;
//! the decimal products are applied once per tally when scores are computed, so the hot path does
//! no decimal arithmetic and the sums merge exactly in any order.

use std::collections::{BTreeSet, HashMap};

use rust_decimal::Decimal;

use crate::period::Month;
use crate::rubric::{Deduct, Rubric, Rule};

/// Where each indicator's counters sit in a (unit, month) block, and what each per-finding
/// combination is worth.
#[derive(Debug, Clone)]
pub struct Layout {
    offsets: Vec<usize>,
    combos: Vec<usize>,
    /// Per indicator, per combination: deduct × source weight × on-spot factor.
    products: Vec<Vec<Decimal>>,
    /// Declared sources + 1 (the empty or undeclared source, weight 1).
    sources: usize,
    block: usize,
}

/// Counters of one indicator in a block: records, Σ count, Σ count of overdue records, then one
/// Σ count per combination.
const RECORDS: usize = 0;
const COUNT: usize = 1;
const OVERDUE: usize = 2;
const HEAD: usize = 3;

impl Layout {
    pub fn new(rubric: &Rubric) -> Layout {
        let sources = rubric.sources.as_ref().map_or(0, Vec::len) + 1;
        let weight = |s: usize| match &rubric.sources {
            Some(list) if s < list.len() => list[s].1,
            _ => Decimal::ONE,
        };
        let mut offsets = Vec::new();
        let mut combos = Vec::new();
        let mut products = Vec::new();
        let mut at = 0;
        for ind in &rubric.indicators {
            let (n, prod) = match &ind.rule {
                Rule::PerFinding {
                    deduct, on_spot, ..
                } => {
                    let sev: Vec<Decimal> = match deduct {
                        Deduct::Flat(d) => vec![*d],
                        Deduct::BySeverity(m) => m.iter().map(|(_, d)| *d).collect(),
                    };
                    let mut prod = Vec::new();
                    for d in &sev {
                        for s in 0..sources {
                            prod.push(*d * weight(s));
                            prod.push(*d * weight(s) * on_spot.unwrap_or(Decimal::ONE));
                        }
                    }
                    (prod.len(), prod)
                }
                _ => (0, Vec::new()),
            };
            offsets.push(at);
            combos.push(n);
            products.push(prod);
            at += HEAD + n;
        }
        Layout {
            offsets,
            combos,
            products,
            sources,
            block: at,
        }
    }

    /// The combination slot of a per-finding record: severity index (0 for a flat deduction),
    /// source index (the declared sources, then "other"), on the spot or not.
    pub fn combo(&self, severity: usize, source: usize, on_spot: bool) -> usize {
        (severity * self.sources + source.min(self.sources - 1)) * 2 + usize::from(on_spot)
    }

    pub fn other_source(&self) -> usize {
        self.sources - 1
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
    pub overdue: bool,
    pub void: bool,
    pub value: Option<Decimal>,
}

/// The tallies of every unit in every month.
#[derive(Debug, Clone, Default)]
pub struct Store {
    /// Per unit: its months, sorted, each with its block of counters.
    units: Vec<Vec<(Month, Box<[u32]>)>>,
    /// (unit, indicator, month) → (Σ value, number of values).
    values: HashMap<(u32, u32, Month), (Decimal, u64)>,
    pub assessed: BTreeSet<Month>,
    /// A counter would have overflowed: the result cannot be trusted.
    pub overflow: bool,
    block: usize,
}

impl Store {
    pub fn new(layout: &Layout) -> Store {
        Store {
            block: layout.block,
            ..Store::default()
        }
    }

    fn block_mut(&mut self, unit: u32, month: Month) -> &mut [u32] {
        let u = unit as usize;
        if self.units.len() <= u {
            self.units.resize_with(u + 1, Vec::new);
        }
        let months = &mut self.units[u];
        let i = match months.binary_search_by(|(m, _)| m.cmp(&month)) {
            Ok(i) => i,
            Err(i) => {
                months.insert(i, (month, vec![0; self.block].into_boxed_slice()));
                i
            }
        };
        &mut months[i].1
    }

    fn block(&self, unit: usize, month: Month) -> Option<&[u32]> {
        let months = self.units.get(unit)?;
        let i = months.binary_search_by(|(m, _)| m.cmp(&month)).ok()?;
        Some(&months[i].1)
    }

    /// Adds one record. Void records only make their month assessed.
    pub fn add(&mut self, layout: &Layout, r: &Slim) {
        self.assessed.insert(r.month);
        if r.void {
            return;
        }
        let i = r.indicator as usize;
        let off = layout.offsets[i];
        let has_combos = layout.combos[i] > 0;
        let block = self.block_mut(r.unit, r.month);
        let mut ok = true;
        let mut bump = |slot: usize, by: u32| match block[slot].checked_add(by) {
            Some(v) => block[slot] = v,
            None => ok = false,
        };
        bump(off + RECORDS, 1);
        bump(off + COUNT, r.count);
        if r.overdue {
            bump(off + OVERDUE, r.count);
        }
        if has_combos {
            bump(off + HEAD + r.combo as usize, r.count);
        }
        if !ok {
            self.overflow = true;
        }
        if let Some(v) = r.value {
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
            .map_or(0, |b| u64::from(b[layout.offsets[indicator] + RECORDS]))
    }

    /// Σ count, Σ count of overdue records, and Σ of the combinations' counts × their products.
    pub fn month(
        &self,
        layout: &Layout,
        unit: usize,
        indicator: usize,
        month: Month,
    ) -> Option<MonthTally> {
        let b = self.block(unit, month)?;
        let off = layout.offsets[indicator];
        if b[off + RECORDS] == 0 {
            return None;
        }
        let base = layout.products[indicator]
            .iter()
            .enumerate()
            .filter(|(c, _)| b[off + HEAD + c] != 0)
            .map(|(c, p)| Decimal::from(b[off + HEAD + c]) * p)
            .sum();
        let (value_sum, values) = self
            .values
            .get(&(unit as u32, indicator as u32, month))
            .copied()
            .unwrap_or_default();
        Some(MonthTally {
            records: u64::from(b[off + RECORDS]),
            count: u64::from(b[off + COUNT]),
            overdue_count: u64::from(b[off + OVERDUE]),
            base,
            value_sum,
            values,
        })
    }

    /// Adds another store's tallies, with its unit numbers translated by `unit_map`.
    pub fn merge(&mut self, other: Store, unit_map: &[u32]) {
        self.assessed.extend(other.assessed);
        self.overflow |= other.overflow;
        for (u, months) in other.units.into_iter().enumerate() {
            let to = unit_map.get(u).copied().unwrap_or(u as u32);
            for (m, block) in months {
                let mut overflow = false;
                let mine = self.block_mut(to, m);
                for (a, b) in mine.iter_mut().zip(block.iter()) {
                    match a.checked_add(*b) {
                        Some(v) => *a = v,
                        None => overflow = true,
                    }
                }
                self.overflow |= overflow;
            }
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
    pub overdue_count: u64,
    /// Σ count × deduct × weight × on-spot, before the repeat factor.
    pub base: Decimal,
    pub value_sum: Decimal,
    pub values: u64,
}
