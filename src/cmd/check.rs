//! `civscore check`: validates a rubric and prints its tree.

use std::fmt::Write;

use rust_decimal::Decimal;

use crate::builtin;
use crate::error::Error;
use crate::i18n::{self, Lang, W};
use crate::rubric::Rubric;

pub fn run(spec: Option<&str>, lang: Option<Lang>) -> Result<(), Error> {
    let r = builtin::load_rubric(spec)?;
    crate::cmd::print(&tree(&r, lang.unwrap_or(r.lang)))
}

fn n(d: Decimal) -> String {
    d.normalize().to_string()
}

pub fn tree(r: &Rubric, lang: Lang) -> String {
    let mut s = String::new();
    let c = i18n::colon(lang);
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
        let list: Vec<String> = src.iter().map(|(k, w)| format!("{k} ×{}", n(*w))).collect();
        let _ = writeln!(
            s,
            "  {}{c}{}",
            i18n::t(lang, W::Sources),
            list.join(i18n::list_sep(lang))
        );
    }
    if !r.grades.is_empty() {
        let list: Vec<String> = r
            .grades
            .iter()
            .map(|g| format!("{} ≥ {}", g.name, n(g.min)))
            .collect();
        let _ = writeln!(
            s,
            "  {}{c}{}",
            i18n::t(lang, W::Grades),
            list.join(i18n::list_sep(lang))
        );
    }
    let w: Vec<String> = r
        .year_weights
        .iter()
        .enumerate()
        .map(|(i, w)| format!("Q{} {}", i + 1, n(*w)))
        .collect();
    let _ = writeln!(
        s,
        "  {}{c}{}",
        i18n::t(lang, W::YearWeights),
        w.join(i18n::list_sep(lang))
    );
    for p in &r.penalties {
        let code = &r.indicators[p.indicator].code;
        let _ = writeln!(
            s,
            "  {}",
            i18n::penalty_rule(lang, &p.name, p.at_least, code, p.deduct)
        );
    }
    for cat in &r.categories {
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
            if let Some(b) = &ind.basis {
                let _ = writeln!(s, "      {}", i18n::labelled(lang, W::Basis, b));
            }
        }
    }
    let _ = writeln!(
        s,
        "{}",
        i18n::rubric_summary(lang, r.categories.len(), r.indicators.len(), r.full)
    );
    s
}
