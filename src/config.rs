//! The project file `civscore.toml`, found upward from the working folder like other tools'
//! configuration: an office's default rubric, roster, language and report settings. Flags
//! override it; paths in it are relative to its folder.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::Error;
use crate::rubric::Lang;

pub const FILE_NAME: &str = "civscore.toml";

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    rubric: Option<String>,
    units: Option<String>,
    lang: Option<String>,
    output_dir: Option<String>,
    jobs: Option<usize>,
    report: Option<RawReport>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReport {
    top: Option<usize>,
    yellow: Option<i64>,
    red: Option<i64>,
}

/// The settings of a project file, with paths resolved against its folder.
#[derive(Debug, Clone, Default)]
pub struct Project {
    /// The file, when one was found.
    pub path: Option<PathBuf>,
    pub rubric: Option<String>,
    pub units: Option<String>,
    pub lang: Option<Lang>,
    pub output_dir: Option<String>,
    /// Workers that read the records at once.
    pub jobs: Option<usize>,
    pub top: Option<usize>,
    pub yellow: Option<i64>,
    pub red: Option<i64>,
}

/// The nearest `civscore.toml` at or above `start`.
pub fn find_file(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|d| d.join(FILE_NAME))
        .find(|p| p.is_file())
}

/// Loads the project file above the working folder, or an empty project when there is none.
pub fn load() -> Result<Project, Error> {
    let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
    match find_file(&cwd) {
        Some(p) => load_file(&p),
        None => Ok(Project::default()),
    }
}

pub fn load_file(path: &Path) -> Result<Project, Error> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(&shown, e))?;
    let raw: Raw = toml::from_str(&text).map_err(|e| {
        let place = e
            .span()
            .map(|s| {
                let line = text[..s.start.min(text.len())].matches('\n').count() + 1;
                format!(":{line}")
            })
            .unwrap_or_default();
        Error::Invalid(format!("{shown}{place}: {}", e.message()))
    })?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let resolve = |p: String| -> String {
        let candidate = dir.join(&p);
        // A built-in rubric name stays a name when no such file is there.
        if Path::new(&p).is_absolute() || candidate.exists() || p.contains(['/', '\\', '.']) {
            relative(&candidate)
        } else {
            p
        }
    };
    let lang = match raw.lang {
        Some(l) => Some(
            l.parse()
                .map_err(|e| Error::Invalid(format!("{shown}: lang: {e}")))?,
        ),
        None => None,
    };
    let report = raw.report.unwrap_or_default();
    Ok(Project {
        path: Some(path.to_path_buf()),
        rubric: raw.rubric.map(resolve),
        units: raw.units.map(|u| relative(&dir.join(u))),
        lang,
        output_dir: raw.output_dir.map(|o| relative(&dir.join(o))),
        jobs: match raw.jobs {
            Some(0) => {
                return Err(Error::Invalid(format!(
                    "{shown}: jobs: at least one worker is needed"
                )));
            }
            j => j,
        },
        top: report.top,
        yellow: report.yellow,
        red: report.red,
    })
}

/// A path shown relative to the working folder when it is below it.
pub(crate) fn relative(p: &Path) -> String {
    let cwd = std::env::current_dir().unwrap_or_default();
    p.strip_prefix(&cwd)
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| p.to_path_buf())
        .display()
        .to_string()
}

/// Where a setting came from, for `civscore config`.
pub fn source(flag: bool, project: Option<&Path>, set_in_project: bool) -> String {
    use crate::i18n::{msg, ui};
    if flag {
        msg::source(ui(), true)
    } else if set_in_project {
        project
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| FILE_NAME.to_owned())
    } else {
        msg::source(ui(), false)
    }
}
