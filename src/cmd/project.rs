//! `civscore config` (the effective settings and where each came from) and `civscore init` (a
//! working folder for an office, ready for the monthly run).

use std::path::Path;

use crate::builtin;
use crate::config::{self, Project};
use crate::error::Error;
use crate::i18n::{msg, ui};
use crate::rubric::{Lang, Rule};

pub fn config(
    project: &Project,
    rubric: Option<String>,
    units: Option<String>,
    lang: Option<Lang>,
) -> Result<(), Error> {
    let file = project.path.as_deref();
    let lang = match lang {
        Some(l) => Some((l, true)),
        None => project.lang.map(|l| (l, false)),
    };
    let show_lang = |l: Lang| match l {
        Lang::En => "en",
        Lang::Zh => "zh",
    };
    let rows: Vec<(&str, String, String)> = vec![
        (
            "rubric",
            rubric
                .clone()
                .or(project.rubric.clone())
                .unwrap_or_else(|| msg::built_in(ui(), builtin::DEFAULT)),
            config::source(rubric.is_some(), file, project.rubric.is_some()),
        ),
        (
            "units",
            units
                .clone()
                .or(project.units.clone())
                .unwrap_or_else(|| msg::units_from_records(ui())),
            config::source(units.is_some(), file, project.units.is_some()),
        ),
        (
            "lang",
            lang.map(|(l, _)| show_lang(l).to_owned())
                .unwrap_or_else(|| msg::lang_of_rubric(ui())),
            config::source(lang.is_some_and(|(_, f)| f), file, project.lang.is_some()),
        ),
        (
            "output_dir",
            project.output_dir.clone().unwrap_or_else(|| ".".into()),
            config::source(false, file, project.output_dir.is_some()),
        ),
        (
            "jobs",
            crate::input::ReadConfig::with_jobs(project.jobs)
                .workers
                .to_string(),
            config::source(false, file, project.jobs.is_some()),
        ),
        (
            "report.top",
            project.top.unwrap_or(3).to_string(),
            config::source(false, file, project.top.is_some()),
        ),
        (
            "report.yellow",
            project.yellow.unwrap_or(7).to_string(),
            config::source(false, file, project.yellow.is_some()),
        ),
        (
            "report.red",
            project.red.unwrap_or(15).to_string(),
            config::source(false, file, project.red.is_some()),
        ),
    ];
    let shown = file.map(|f| f.display().to_string());
    let mut out = msg::project_file(ui(), shown.as_deref(), config::FILE_NAME);
    let w = rows
        .iter()
        .map(|(_, v, _)| unicode_width::UnicodeWidthStr::width(v.as_str()))
        .max()
        .unwrap_or(0);
    for (k, v, from) in rows {
        let pad = w - unicode_width::UnicodeWidthStr::width(v.as_str());
        out.push_str(&format!("{k:<14} {v}{}  ({from})\n", " ".repeat(pad)));
    }
    // Settings are the office's text (or a planted file's): shown inert on a terminal.
    crate::cmd::print(&inert_lines(&out))
}

const BOM: &str = "\u{feff}";

/// Creates the files of a working folder; refuses to overwrite any. Its templates (the roster
/// and `template.csv`) hold headers only, so that nothing of them is ever scored; a filled
/// example of last month sits apart in `example/`.
pub fn init(dir: &str, rubric_name: &str) -> Result<(), Error> {
    let b = builtin_named(rubric_name)?;
    let rubric = crate::rubric::load(b.yaml, b.name)?;
    let today = crate::cli::today()?;
    let example_day = crate::period::Month::of(today).prev().first_day();
    let files: Vec<(&str, String)> = vec![
        ("rubric.yaml", b.yaml.to_owned()),
        ("civscore.toml", settings_file(rubric.lang)),
        ("units.csv", format!("{BOM}{ROSTER_HEADER}\r\n")),
        ("template.csv", format!("{BOM}{RECORDS_HEADER}\r\n")),
        ("records/README.txt", RECORDS_README.to_owned()),
        ("monthly.sh", MONTHLY_SH.to_owned()),
        (
            "example/units.csv",
            format!(
                "{BOM}{ROSTER_HEADER}\r\nU01,示例社区一,社区,,,,,,\r\nU02,示例社区二,社区,,,,,,\r\n"
            ),
        ),
        (
            "example/inspections.csv",
            records_file(&rubric, example_day),
        ),
    ];
    let root = Path::new(dir);
    write_all_new(dir, root, &files)?;
    let names: Vec<&str> = files.iter().map(|(name, _)| *name).collect();
    let root = crate::write::inert(&root.display().to_string());
    crate::cmd::print(&msg::created(ui(), &root, &names))
}

const ROSTER_HEADER: &str = "编号,名称,类别,不适用,别名,曾用名,起始月份,截止月份,并入";
const RECORDS_HEADER: &str =
    "日期,单位,指标,数量,数值,程度,检查方式,整改期限,整改日期,状态,编号,问题描述,检查人";

/// What the records folder is for, in both languages.
const RECORDS_README: &str = "每月一个文件夹，放当月的全部检查记录（.csv 或 .xlsx，可以多个文件）：\n\
records/2026-11/街道城管科.xlsx\n\
records/2026-11/街道宣传科.csv\n\
新文件可复制上一级的 template.csv（只有表头）。./monthly.sh 读取当年 1 月到本月的文件夹。\n\
\n\
One folder per month with all of that month's records (.csv or .xlsx, any number of files),\n\
such as records/2026-11/office.xlsx. Copy ../template.csv (a header only) to start a file.\n\
./monthly.sh reads the folders of January to the month of the run.\n";

/// The built-in rubric of that name, or a usage error that lists the names there are.
fn builtin_named(name: &str) -> Result<&'static builtin::Builtin, Error> {
    builtin::find(name).ok_or_else(|| {
        let names: Vec<&str> = builtin::BUILTINS.iter().map(|b| b.name).collect();
        Error::Usage(crate::i18n::usage::init_no_builtin(ui(), name, &names))
    })
}

/// The scaffolded `civscore.toml`, its tables in the rubric's language.
fn settings_file(lang: Lang) -> String {
    let lang = match lang {
        Lang::Zh => "zh",
        Lang::En => "en",
    };
    format!(
        "# civscore project settings: flags override them; paths are relative to this file.\n\
         records = [\"records/{{month}}/*.csv\", \"records/{{month}}/*.xlsx\", \"records/{{month}}/*.xls\", \"records/{{month}}/*.ods\"]\n\
         # ^ when no files are named: {{month}} is each month from January to the run's month\n\
         #   (--period, else the last complete month); {{year}} its year\n\
         rubric = \"rubric.yaml\"      # or a built-in name: community, city-management, school, bureau\n\
         units = \"units.csv\"         # the roster: every unit scored, with its group\n\
         lang = \"{lang}\"               # zh or en: tables, report labels, help and messages\n\
         output_dir = \"reports\"      # where `civscore report` writes MONTH.xlsx\n\
         \n\
         [report]\n\
         top = 3                     # units on the red (best) and black (worst) lists\n\
         yellow = 7                  # days overdue before a rectification is escalated yellow\n\
         red = 15                    # ... and red\n"
    )
}

/// The example records: two findings from `today` on (the example's day), of the rubric's
/// first flat per-finding indicator (else its first) and its first source.
fn records_file(rubric: &crate::rubric::Rubric, today: jiff::civil::Date) -> String {
    let finding = rubric
        .indicators
        .iter()
        .find(|i| {
            matches!(
                &i.rule,
                Rule::PerFinding {
                    deduct: crate::rubric::Deduct::Flat(_),
                    ..
                }
            )
        })
        .map(|i| i.code.clone())
        .unwrap_or_else(|| rubric.indicators[0].code.clone());
    let source = rubric
        .sources
        .as_ref()
        .and_then(|s| s.first().map(|(k, _)| k.clone()))
        .unwrap_or_default();
    let later = today.tomorrow().unwrap_or(today);
    format!(
        "{BOM}{RECORDS_HEADER}\r\n\
         {today},U01,{finding},1,,,{source},,,,R0001,示例记录,\r\n\
         {later},U02,{finding},2,,,{source},,,,R0002,示例记录,\r\n"
    )
}

/// The monthly run, as a shell script that works under cron (a bare PATH, no terminal).
const MONTHLY_SH: &str = r#"#!/bin/sh
# The monthly run: the ranking on stdout, the publication workbook in reports/, notes and
# errors in logs/monthly.log. The records are the files of records/MONTH/ (see civscore.toml).
# usage: ./monthly.sh [MONTH]        (MONTH such as 2026-11; default: the last complete month)
# cron:  0 8 1 * * /path/to/this/folder/monthly.sh | mail -s ranking office@example.org
set -eu
cd "$(dirname "$0")"
# cron's PATH is bare: add where cargo install and packages put civscore.
PATH="${HOME:-/root}/.cargo/bin:/usr/local/bin:/usr/bin:/bin:$PATH"
civscore="${CIVSCORE:-civscore}"
mkdir -p logs
log=logs/monthly.log
if [ $# -gt 0 ]; then set -- --period "$1"; fi
echo "== $(date '+%Y-%m-%d %H:%M:%S') monthly.sh $*" >> "$log"
fail() {
  echo "monthly.sh: $1 failed; see $(pwd)/$log" >&2
  tail -n 20 "$log" >&2
  exit 1
}
"$civscore" score "$@" 2>> "$log" || fail score
"$civscore" report "$@" 2>> "$log" || fail report
"#;

/// Writes every file into `root` (made if need be), or none of them when any is there already;
/// `monthly.sh` is made executable.
fn write_all_new(dir: &str, root: &Path, files: &[(&str, String)]) -> Result<(), Error> {
    let existing: Vec<String> = files
        .iter()
        .filter(|(name, _)| root.join(name).symlink_metadata().is_ok())
        .map(|(name, _)| root.join(name).display().to_string())
        .collect();
    if !existing.is_empty() {
        return Err(Error::Io {
            path: dir.to_owned(),
            message: msg::init_would_overwrite(ui(), &msg::list(ui(), &existing)),
        });
    }
    std::fs::create_dir_all(root).map_err(|e| Error::io(dir, e))?;
    for (name, text) in files {
        let path = root.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| Error::io(&parent.display().to_string(), e))?;
        }
        crate::write::file::create_new(&path, text.as_bytes())
            .map_err(|e| Error::io(&path.display().to_string(), e))?;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let script = root.join("monthly.sh");
        let _ = std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755));
    }
    Ok(())
}

/// Text shown inert line by line (its own line breaks kept).
fn inert_lines(s: &str) -> String {
    s.split('\n')
        .map(crate::write::inert)
        .collect::<Vec<_>>()
        .join("\n")
}
