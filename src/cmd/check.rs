//! `civscore check`: validates a rubric and prints its tree.

use std::fmt::Write;

use rust_decimal::Decimal;

use crate::builtin;
use crate::error::Error;
use crate::i18n::{self, Lang, W};
use crate::rubric::{Category, Rubric};

pub fn run(spec: Option<&str>, lang: Option<Lang>) -> Result<(), Error> {
    let r = builtin::load_rubric(spec)?;
    crate::cmd::print(&inert_lines(&tree(&r, lang.unwrap_or(r.lang))))
}

/// The tree as the terminal gets it: a rubric's names and notes are the rubric author's text,
/// and an escape sequence in them (even one a YAML `!!binary` value carries) is shown as
/// `\u{1b}`, never sent to the terminal; the tree's own line breaks stay.
fn inert_lines(s: &str) -> String {
    s.split('\n')
        .map(crate::write::inert)
        .collect::<Vec<_>>()
        .join("\n")
}

fn n(d: Decimal) -> String {
    d.normalize().to_string()
}

pub fn tree(r: &Rubric, lang: Lang) -> String {
    let mut s = String::new();
    heading(&mut s, r, lang);
    for cat in &r.categories {
        category(&mut s, r, cat, lang);
    }
    let _ = writeln!(
        s,
        "{}",
        i18n::rubric_summary(lang, r.categories.len(), r.indicators.len(), r.full)
    );
    s
}

/// The rubric's own lines: name, notes, origin, basics, sources, grades, year weights and
/// penalties.
fn heading(s: &mut String, r: &Rubric, lang: Lang) {
    let _ = writeln!(s, "{}", r.name);
    if let Some(notes) = &r.notes {
        // Every line of a multi-line note under the first.
        let notes = notes.trim_end().replace('\n', "\n    ");
        let _ = writeln!(s, "  {}", i18n::labelled(lang, W::Notes, &notes));
    }
    let _ = writeln!(s, "  {}", i18n::rubric_origin(lang, &r.origin, &r.sha256));
    let _ = writeln!(
        s,
        "  {}",
        i18n::rubric_basics(lang, r.full, r.precision, r.not_applicable)
    );
    if let Some(src) = &r.sources {
        let list = src.iter().map(|(k, w)| format!("{k} ×{}", n(*w)));
        list_line(s, lang, W::Sources, list);
    }
    if !r.grades.is_empty() {
        let list = r
            .grades
            .iter()
            .map(|g| format!("{} ≥ {}", g.name, n(g.min)));
        list_line(s, lang, W::Grades, list);
    }
    let weights = r.year_weights.iter().enumerate();
    let list = weights.map(|(i, w)| format!("Q{} {}", i + 1, n(*w)));
    let last = r
        .year_final
        .map(|w| format!("{} {}", i18n::t(lang, W::YearFinal), n(w)));
    list_line(s, lang, W::YearWeights, list.chain(last));
    if let Some(q) = r.quarter_weights {
        let list = [
            format!("{} {}", i18n::t(lang, W::MonthsPart), n(q.months)),
            format!("{} {}", i18n::t(lang, W::QuarterFinal), n(q.last)),
        ];
        list_line(s, lang, W::QuarterWeightsWord, list.into_iter());
    }
    for p in &r.penalties {
        let code = &r.indicators[p.indicator].code;
        let _ = writeln!(
            s,
            "  {}",
            i18n::penalty_rule(lang, &p.name, p.at_least, code, p.deduct)
        );
    }
}

/// `  label：a、b、c`, one line of a list under the rubric's name.
fn list_line(s: &mut String, lang: Lang, label: W, items: impl Iterator<Item = String>) {
    let items: Vec<String> = items.collect();
    let _ = writeln!(
        s,
        "  {}{}{}",
        i18n::t(lang, label),
        i18n::colon(lang),
        items.join(i18n::list_sep(lang))
    );
}

/// A category's line, its basis, and a line (and basis) for each of its indicators.
fn category(s: &mut String, r: &Rubric, cat: &Category, lang: Lang) {
    let c = i18n::colon(lang);
    let pts = i18n::category_points(lang, cat.bonus, cat.cap, cat.points);
    let assessor = cat
        .assessor
        .as_ref()
        .map(|a| format!("  [{a}]"))
        .unwrap_or_default();
    let pts = i18n::paren(lang, &pts);
    let _ = writeln!(s, "{}  {} {pts}{assessor}", cat.code, cat.name);
    if let Some(b) = &cat.basis {
        let _ = writeln!(s, "    {}", i18n::labelled(lang, W::Basis, b));
    }
    for &i in &cat.indicators {
        let ind = &r.indicators[i];
        let pts = if ind.rule.has_points() {
            i18n::points(lang, ind.points)
        } else {
            "—".to_owned()
        };
        let _ = writeln!(
            s,
            "  {}  {}  {pts}  {}{c}{}",
            ind.code,
            ind.name,
            i18n::rule_per(lang, &ind.rule, ind.per),
            i18n::describe(lang, &ind.rule)
        );
        if let Some(due) = ind.due {
            let _ = writeln!(
                s,
                "      {}",
                i18n::labelled(lang, W::Due, &due.to_string())
            );
        }
        if let Some(b) = &ind.basis {
            let _ = writeln!(s, "      {}", i18n::labelled(lang, W::Basis, b));
        }
    }
}
