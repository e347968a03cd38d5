//! The records of a monthly run named in `civscore.toml` by patterns
//! (`records = ["records/{month}/*.xlsx"]`): `*` and `?` in any part of a path, `{month}` and
//! `{year}` filled for each month of the year up to the run's month.

use std::path::{Component, Path, PathBuf};

use crate::error::Error;
use crate::i18n::{msg, ui};
use crate::period::{Month, Period};

/// Whether `name` matches a pattern part with `*` (any run of characters) and `?` (one).
fn matches(pattern: &[char], name: &[char]) -> bool {
    let (mut p, mut n) = (0, 0);
    // Where the last `*` was, and the name position it was tried at.
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        match pattern.get(p) {
            Some('*') => {
                star = Some((p, n));
                p += 1;
            }
            Some(c) if *c == '?' || *c == name[n] => {
                p += 1;
                n += 1;
            }
            _ => match star {
                Some((sp, sn)) => {
                    p = sp + 1;
                    n = sn + 1;
                    star = Some((sp, sn + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|c| *c == '*')
}

fn wild(part: &str) -> bool {
    part.contains(['*', '?'])
}

/// The files a pattern names, in name order. A wildcard part never matches a hidden name
/// (`.x`) or an office lock file (`~$book.xlsx`) unless the pattern part itself starts so.
pub fn expand(pattern: &str) -> Vec<PathBuf> {
    let path = Path::new(pattern);
    let mut found: Vec<PathBuf> = vec![PathBuf::new()];
    for c in path.components() {
        let part = match c {
            Component::Normal(p) => p.to_string_lossy().into_owned(),
            other => {
                for f in &mut found {
                    f.push(other.as_os_str());
                }
                continue;
            }
        };
        if !wild(&part) {
            for f in &mut found {
                f.push(&part);
            }
            found.retain(|f| f.symlink_metadata().is_ok());
            continue;
        }
        let pat: Vec<char> = part.chars().collect();
        let mut next = Vec::new();
        for dir in &found {
            let listing = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir.as_path()
            };
            let Ok(entries) = std::fs::read_dir(listing) else {
                continue;
            };
            let mut names: Vec<String> = entries
                .filter_map(|e| e.ok()?.file_name().into_string().ok())
                .filter(|n| {
                    let hidden = (n.starts_with('.') && !part.starts_with('.'))
                        || (n.starts_with("~$") && !part.starts_with("~$"));
                    !hidden && matches(&pat, &n.chars().collect::<Vec<_>>())
                })
                .collect();
            names.sort();
            next.extend(names.into_iter().map(|n| dir.join(n)));
        }
        found = next;
    }
    found.retain(|f| f.is_file());
    found
}

/// The months whose files a monthly run reads: January to `month` of its year.
fn year_to(month: Month) -> impl Iterator<Item = Month> {
    (1..=month.month()).map(move |m| Month::new(month.year(), m))
}

/// The run's month: `--period`'s (for a longer period, its last month, but not after the last
/// complete month), else the last complete month before `today`.
pub fn run_month(period: Option<Period>, today: jiff::civil::Date) -> Month {
    let last_complete = Month::of(today).prev();
    match period {
        Some(Period::Month(m)) => m,
        Some(p) => p.last_month().min(last_complete),
        None => last_complete,
    }
}

/// The record files of the project's patterns for a run's month, in pattern order, each once.
/// A `{month}` pattern is filled with every month of the year up to the run's month; a month
/// with no file between the first with files and the run's month gets a note, the run's month
/// with none is an error (its table would otherwise be silently the month before's).
pub fn records(
    patterns: &[String],
    month: Month,
    notes: &mut Vec<String>,
) -> Result<Vec<String>, Error> {
    let mut files: Vec<String> = Vec::new();
    let push = |p: PathBuf, files: &mut Vec<String>| {
        let s = crate::config::relative(&p);
        if !files.contains(&s) {
            files.push(s);
        }
    };
    let monthly: Vec<&String> = patterns.iter().filter(|p| p.contains("{month}")).collect();
    for p in patterns.iter().filter(|p| !p.contains("{month}")) {
        let filled = p.replace("{year}", &month.year().to_string());
        let found = expand(&filled);
        if found.is_empty() {
            notes.push(msg::pattern_matches_nothing(ui(), &filled));
        }
        for f in found {
            push(f, &mut files);
        }
    }
    // Months before the first with files are before the office began: only gaps are noted.
    let mut gaps: Vec<(Month, String)> = Vec::new();
    let mut begun = false;
    for m in year_to(month) {
        if monthly.is_empty() {
            break;
        }
        let filled: Vec<String> = monthly
            .iter()
            .map(|p| {
                p.replace("{month}", &m.to_string())
                    .replace("{year}", &m.year().to_string())
            })
            .collect();
        let found: Vec<PathBuf> = filled.iter().flat_map(|p| expand(p)).collect();
        if found.is_empty() {
            let shown = filled.join(", ");
            if m == month {
                return Err(Error::Io {
                    path: shown,
                    message: msg::no_files_for_month(ui(), &m.to_string()),
                });
            }
            if begun {
                gaps.push((m, shown));
            }
        }
        begun |= !found.is_empty();
        for f in found {
            push(f, &mut files);
        }
    }
    for (m, shown) in gaps {
        notes.push(msg::no_files_for_earlier_month(
            ui(),
            &m.to_string(),
            &shown,
        ));
    }
    if files.is_empty() {
        return Err(Error::Io {
            path: patterns.join(", "),
            message: msg::no_files_for_month(ui(), &month.to_string()),
        });
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, n: &str) -> bool {
        matches(
            &p.chars().collect::<Vec<_>>(),
            &n.chars().collect::<Vec<_>>(),
        )
    }

    #[test]
    fn wildcards_match_as_in_a_shell() {
        assert!(m("*.xlsx", "11月.xlsx"));
        assert!(m("*.xlsx", ".xlsx"));
        assert!(!m("*.xlsx", "11月.xls"));
        assert!(m("a?c", "abc"));
        assert!(!m("a?c", "ac"));
        assert!(m("*街道*", "东风街道11月.csv"));
        assert!(m("*a*b", "xaybab"));
        assert!(!m("*a*b", "xaybaba"));
        assert!(m("*", ""));
        assert!(!m("?", ""));
    }

    #[test]
    fn patterns_find_files_in_name_order_but_no_lock_or_hidden_files() {
        let d = tempfile::tempdir().unwrap();
        let dir = d.path().join("records/2026-11");
        std::fs::create_dir_all(&dir).unwrap();
        for f in ["b.xlsx", "a.xlsx", "~$a.xlsx", ".c.xlsx", "d.csv"] {
            std::fs::write(dir.join(f), "x").unwrap();
        }
        std::fs::create_dir(dir.join("e.xlsx")).unwrap();
        let found = expand(&format!("{}/records/*/*.xlsx", d.path().display()));
        let names: Vec<_> = found
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["a.xlsx", "b.xlsx"]);
    }

    #[test]
    fn a_monthly_run_reads_the_year_to_its_month_and_never_a_missing_month_silently() {
        let d = tempfile::tempdir().unwrap();
        for (month, file) in [
            ("2026-09", "a.csv"),
            ("2026-11", "a.csv"),
            ("2026-11", "b.csv"),
        ] {
            let dir = d.path().join(month);
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join(file), "x").unwrap();
        }
        let pattern = format!("{}/{{month}}/*.csv", d.path().display());
        let mut notes = Vec::new();
        let files = records(
            std::slice::from_ref(&pattern),
            Month::new(2026, 11),
            &mut notes,
        )
        .unwrap();
        assert_eq!(files.len(), 3);
        assert!(files[0].ends_with("2026-09/a.csv"), "{files:?}");
        // October has no file: a note. January to August are before the first files: none.
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(notes[0].contains("2026-10"), "{notes:?}");
        // The run's own month without a file is an error, not the month before's table.
        let e = records(&[pattern], Month::new(2026, 10), &mut Vec::new()).unwrap_err();
        assert!(e.to_string().contains("2026-10"), "{e}");
    }

    #[test]
    fn the_run_s_month_is_the_period_s_else_the_last_complete_one() {
        let today = jiff::civil::date(2026, 12, 3);
        assert_eq!(run_month(None, today), Month::new(2026, 11));
        let q4: Period = "2026Q4".parse().unwrap();
        assert_eq!(run_month(Some(q4), today), Month::new(2026, 11));
        let q3: Period = "2026Q3".parse().unwrap();
        assert_eq!(run_month(Some(q3), today), Month::new(2026, 9));
        let dec: Period = "2026-12".parse().unwrap();
        assert_eq!(run_month(Some(dec), today), Month::new(2026, 12));
    }
}
