//! The bulletin (通报): the month's figures as the workbook computes them — its ranking tables,
//! its deductions by category, its red and black lists, its 督办单's items — worded for one
//! HTML page (`write::bulletin` lays it out).

use rust_decimal::Decimal;

use super::{Ctx, Lists, noticed};
use crate::doc::{self, Cell, Column, Show, Standing};
use crate::i18n::{self, W, bulletin as say};
use crate::ranking::{self, Table};
use crate::read::Status;
use crate::rubric::{Per, Rule};
use crate::write::bulletin::{Bars, Block, Bulletin, Lines, Section};

/// The most items the bulletin's 督办 list shows (the workbook's 督办单 has them all).
const SUPERVISION_ROWS: usize = 200;
/// The most frequent problems shown, and example notes under each.
const PROBLEMS: usize = 5;
const EXAMPLES: usize = 3;
/// Up to this many units, the trend chart draws a line for each beside the average.
const TREND_UNITS: usize = 12;

impl Ctx<'_> {
    /// A unit as people name it: its name, else its code.
    fn who(&self, u: usize) -> &str {
        let unit = &self.view.units.list[u];
        unit.name.as_deref().unwrap_or(unit.code.as_str())
    }

    pub(super) fn bulletin(
        &self,
        tables: &ranking::Tables,
        lists: Lists,
    ) -> std::io::Result<Bulletin> {
        let (l, rubric) = (self.lang, self.view.rubric);
        let p = rubric.precision;
        let month_t = self.view.tables[0];
        let (month, as_of) = (self.month.to_string(), self.as_of.to_string());
        let inds = self.engine.level(Per::Month);
        let (lost, affected) = self.lost_by_indicator(&inds);

        // The 督办 items: open, or rectified late (as on each unit's 成绩单).
        let (mut items, mut overdue, mut red, mut yellow, mut more) = (Vec::new(), 0, 0, 0, 0);
        for rec in lists.overdue.sorted()? {
            let rec = rec?;
            let Some((closed, days)) = noticed(&rec, self.month, self.as_of) else {
                continue;
            };
            if closed == 1 && days <= 0 {
                continue;
            }
            let level = self.level(closed, days);
            if closed == 0 && days > 0 {
                overdue += 1;
            }
            red += usize::from(level == W::LevelRed);
            yellow += usize::from(level == W::LevelYellow);
            if items.len() >= SUPERVISION_ROWS {
                more += 1;
                continue;
            }
            let standing = match level {
                W::LevelRed => Some(Standing::Last),
                W::LevelYellow | W::ClosedLate => Some(Standing::Middle),
                W::LevelOverdue => Some(Standing::Second),
                _ => None,
            };
            let unit = &self.view.units.list[rec.unit];
            let ind = &rubric.indicators[rec.indicator];
            let date = |d: Option<jiff::civil::Date>| {
                d.map_or(Cell::Empty, |d| Cell::Words(d.to_string()))
            };
            items.push(vec![
                Cell::Grade(self.w(level).to_owned(), standing),
                Cell::Int(days.max(0)),
                Cell::text(unit.code.as_str()),
                Cell::opt_text(unit.name.as_deref()),
                Cell::text(ind.code.as_str()),
                date(Some(rec.date)),
                date(rec.deadline),
                date(rec.rectified),
                Cell::opt_text(rec.id.as_deref()),
                Cell::text(rec.note.as_str()),
            ]);
        }
        let n_items = items.len() + more;

        // The most frequent problems: per-finding indicators by findings, with example notes
        // from the month's records.
        let mut problems: Vec<(usize, usize)> = inds
            .iter()
            .enumerate()
            .filter(|(_, i)| matches!(rubric.indicators[**i].rule, Rule::PerFinding { .. }))
            .filter(|(_, i)| lists.findings.get(**i).is_some_and(|f| *f > 0))
            .map(|(k, i)| (k, *i))
            .collect();
        problems.sort_by(|a, b| {
            lists.findings[b.1]
                .cmp(&lists.findings[a.1])
                .then(a.0.cmp(&b.0))
        });
        problems.truncate(PROBLEMS);
        let mut examples: Vec<Vec<String>> = vec![Vec::new(); problems.len()];
        for rec in lists.ledger.sorted()? {
            let rec = rec?;
            let Some(k) = problems.iter().position(|(_, i)| *i == rec.indicator) else {
                continue;
            };
            let note = rec.note.trim();
            if rec.status == Status::Void || note.is_empty() || examples[k].len() >= EXAMPLES {
                continue;
            }
            let line = say::example(l, note, self.who(rec.unit), &rec.date.to_string());
            if !examples[k].iter().any(|e| e.starts_with(note)) {
                examples[k].push(line);
            }
        }
        let findings: u64 = rubric
            .indicators
            .iter()
            .zip(&lists.findings)
            .filter(|(i, _)| matches!(i.rule, Rule::PerFinding { .. }))
            .map(|(_, f)| *f)
            .sum();

        // The opening paragraph.
        let fixed = |d: Decimal| doc::fixed(d, p);
        let previous = tables.months.get(&self.month.prev()).map(|t| {
            let delta = ranking::round(month_t.average, p) - ranking::round(t.average, p);
            (fixed(t.average), fixed(delta))
        });
        let mut summary = vec![say::opening(
            l,
            &month,
            month_t.rows.len(),
            findings,
            &fixed(month_t.average),
            previous.as_ref().map(|(a, b)| (a.as_str(), b.as_str())),
        )];
        if let (Some(best), Some(worst)) = (month_t.rows.first(), month_t.rows.last()) {
            summary[0].push_str(say::sentence_gap(l));
            summary[0].push_str(&say::best_worst(
                l,
                self.who(best.unit),
                &fixed(best.score),
                self.who(worst.unit),
                &fixed(worst.score),
            ));
        }
        summary.push(say::overdue(l, &as_of, overdue, red, yellow));

        // The red and black lists under the month's ranking, on the first page.
        let mut lists_t = self.lists_table();
        lists_t.title = self.w(W::RedBlackLists).to_owned();
        let mut sections = vec![Section {
            title: say::rankings(l),
            page: false,
            blocks: vec![
                Block::Titled(self.view.doc_table(month_t)),
                Block::Titled(lists_t),
            ],
        }];
        sections.push(Section {
            title: say::quarter_year(l),
            page: true,
            blocks: self.view.tables[1..]
                .iter()
                .map(|t| Block::Titled(self.view.doc_table(t)))
                .collect(),
        });
        let cats = self.category_table(&inds, &lost);
        let bars = Bars {
            title: format!("{} {month}", self.w(W::LostByCategory)),
            labels: cats
                .rows
                .iter()
                .map(|r| r.get(1).map(Cell::for_people).unwrap_or_default())
                .collect(),
            values: cats
                .rows
                .iter()
                .map(|r| match r.get(2) {
                    Some(Cell::Number(d, _)) => *d,
                    _ => Decimal::ZERO,
                })
                .collect(),
            precision: p,
        };
        sections.push(Section {
            title: say::categories(l),
            page: true,
            blocks: vec![
                Block::Para(say::categories_intro(l, &month)),
                Block::Table(self.category_scores(month_t)),
                Block::Bars(bars),
            ],
        });
        sections.push(Section {
            title: say::trend(l),
            page: true,
            blocks: vec![Block::Lines(self.trend(tables))],
        });
        let mut blocks: Vec<Block> = problems
            .iter()
            .zip(examples)
            .map(|((k, i), notes)| {
                let ind = &rubric.indicators[*i];
                let head = say::problem(l, &ind.code, &ind.name, lists.findings[*i], affected[*k]);
                Block::Examples(head, notes)
            })
            .collect();
        if blocks.is_empty() {
            blocks.push(Block::Para(say::no_problems(l)));
        }
        sections.push(Section {
            title: say::problems(l),
            page: true,
            blocks,
        });
        let mut table = self.table(
            String::new(),
            &[
                W::Level,
                W::DaysOverdue,
                W::Unit,
                W::Name,
                W::Indicator,
                W::InspectionDate,
                W::Deadline,
                W::RectifiedOn,
                W::RecordId,
                W::Note,
            ],
        );
        table.rows = items;
        let mut blocks = vec![Block::Para(say::supervision_intro(l, &as_of, n_items))];
        if n_items > 0 {
            blocks.push(Block::Table(table));
        }
        if more > 0 {
            blocks.push(Block::Para(say::more_items(l, more)));
        }
        sections.push(Section {
            title: say::supervision(l),
            page: true,
            blocks,
        });
        Ok(Bulletin {
            lang: l,
            title: say::title(l, &rubric.name, &month),
            subtitle: say::subtitle(l, &month, &as_of, month_t.provisional),
            provisional: month_t.provisional,
            summary,
            sections,
            footer: vec![
                say::rubric_line(l, &rubric.name, &rubric.origin),
                format!("SHA-256{}{}", i18n::colon(l), rubric.sha256),
                say::generated(l, env!("CARGO_PKG_VERSION")),
            ],
        })
    }

    /// Each unit of the month's ranking, in rank order, with the points it lost in each
    /// category (the engine's category figures, SPEC §7.7), its deduction and its score.
    fn category_scores(&self, t: &Table) -> doc::Table {
        let rubric = self.view.rubric;
        let p = rubric.precision;
        let cats: Vec<usize> = (0..rubric.categories.len())
            .filter(|c| crate::render::category_points(rubric, *c).is_some())
            .collect();
        let mut table = self.table(
            String::new(),
            &[W::Rank, W::Unit, W::Name, W::Score, W::Grade, W::Deducted],
        );
        table.columns.extend(cats.iter().map(|&c| {
            let cat = &rubric.categories[c];
            Column {
                header: format!("{} {}", cat.code, cat.name),
                key: "",
                show: Show::People,
            }
        }));
        for row in &t.rows {
            let unit = &self.view.units.list[row.unit];
            let mut cells = vec![
                Cell::Int(i64::from(row.rank)),
                Cell::text(unit.code.as_str()),
                Cell::opt_text(unit.name.as_deref()),
                Cell::Number(row.score, p),
                row.grade.as_deref().map_or(Cell::Empty, |g| {
                    Cell::Grade(g.to_owned(), self.view.standing(g))
                }),
                Cell::Number(row.deducted, p),
            ];
            // The engine's category figures (SPEC §7.7), as score's JSON gives them.
            for &c in &cats {
                let lost = row.categories.get(c).copied().unwrap_or_default();
                cells.push(Cell::Number(lost, p));
            }
            table.rows.push(cells);
        }
        table
    }

    /// The average and (when few) each unit's monthly scores over the month's year.
    fn trend(&self, tables: &ranking::Tables) -> Lines {
        let months: Vec<&Table> = tables
            .months
            .iter()
            .filter(|(m, _)| m.year() == self.month.year() && **m <= self.month)
            .map(|(_, t)| t)
            .collect();
        let mut series = vec![(
            self.w(W::Average).to_owned(),
            months.iter().map(|t| Some(t.average)).collect(),
        )];
        let units = self.view.units.list.len();
        if units <= TREND_UNITS {
            for u in 0..units {
                let scores = months
                    .iter()
                    .map(|t| t.rows.iter().find(|r| r.unit == u).map(|r| r.score))
                    .collect();
                series.push((self.who(u).to_owned(), scores));
            }
        }
        Lines {
            title: format!("{} {}", self.w(W::MonthlyScores), self.month.year()),
            x: months.iter().map(|t| t.period.clone()).collect(),
            series,
            precision: self.view.rubric.precision,
        }
    }
}
