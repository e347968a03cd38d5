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
    crate::cmd::print(&out)
}

const BOM: &str = "\u{feff}";

/// Creates the files of a working folder; refuses to overwrite any.
pub fn init(dir: &str, rubric_name: &str) -> Result<(), Error> {
    let b = builtin_named(rubric_name)?;
    let rubric = crate::rubric::load(b.yaml, b.name)?;
    let today = jiff::ZonedDateTime::now().date();
    let files: Vec<(&str, String)> = vec![
        ("rubric.yaml", b.yaml.to_owned()),
        ("civscore.toml", settings_file(rubric.lang)),
        (
            "units.csv",
            format!(
                "{BOM}编号,名称,类别,不适用\r\nU01,示例社区一,社区,\r\nU02,示例社区二,社区,\r\n"
            ),
        ),
        ("inspections.csv", records_file(&rubric, today)),
        ("monthly.sh", MONTHLY_SH.to_owned()),
    ];
    let root = Path::new(dir);
    write_all_new(dir, root, &files)?;
    let names: Vec<&str> = files.iter().map(|(name, _)| *name).collect();
    crate::cmd::print(&msg::created(ui(), &root.display().to_string(), &names))
}

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
         rubric = \"rubric.yaml\"      # or a built-in name: community, city-management, school\n\
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

/// The records template: the header and one example finding dated today, of the rubric's
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
    format!(
        "{BOM}日期,单位,指标,数量,数值,程度,检查方式,整改期限,整改日期,状态,编号,问题描述,检查人\r\n\
         {today},U01,{finding},1,,,{source},,,,R0001,示例：请替换为实际检查记录,\r\n"
    )
}

/// The monthly run, as a shell script.
const MONTHLY_SH: &str = "#!/bin/sh\n\
# The monthly run: check the records, print the ranking, write the publication workbook.\n\
# usage: ./monthly.sh [MONTH]     (MONTH such as 2026-11; default: the latest in the records)\n\
set -e\n\
cd \"$(dirname \"$0\")\"\n\
if [ -n \"$1\" ]; then set -- --period \"$1\"; fi\n\
civscore validate inspections.csv\n\
civscore score inspections.csv \"$@\"\n\
civscore report inspections.csv \"$@\"\n";

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
