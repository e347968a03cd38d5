//! The project file `civscore.toml`, found upward from the working folder like other tools'
//! configuration: an office's default rubric, roster, language and report settings. Flags
//! override it; paths in it are relative to its folder.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::Error;
use crate::i18n::{ui, usage};
use crate::rubric::Lang;

pub const FILE_NAME: &str = "civscore.toml";

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    records: Option<Vec<String>>,
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
    /// Patterns of the records of a monthly run (`records/{month}/*.xlsx`), relative to the
    /// working folder.
    pub records: Vec<String>,
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

impl Project {
    /// The project file, shown as a path, when it lies in a folder above the working folder
    /// (its settings then apply without the user having put them here: they are named).
    pub fn from_parent(&self) -> Option<String> {
        let path = self.path.as_deref()?;
        let cwd = std::env::current_dir().ok()?;
        let dir = path.parent()?;
        (dir != cwd).then(|| shown_from(&cwd, path))
    }
}

/// `path` as seen from `cwd`: `../civscore.toml`, `../../civscore.toml`.
fn shown_from(cwd: &Path, path: &Path) -> String {
    let Some(dir) = path.parent() else {
        return path.display().to_string();
    };
    match cwd.strip_prefix(dir) {
        Ok(rest) => {
            let up = rest.components().count();
            let mut p = PathBuf::new();
            for _ in 0..up {
                p.push("..");
            }
            p.join(FILE_NAME).display().to_string()
        }
        Err(_) => path.display().to_string(),
    }
}

/// A folder named in a project file stays below the file's folder: no absolute path, no `..`.
fn below(dir: &str) -> bool {
    use std::path::Component;
    let p = Path::new(dir);
    !dir.trim().is_empty()
        && p.components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
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
    let bytes = crate::input::read_small(path).map_err(|e| Error::io(&shown, e))??;
    let text = String::from_utf8(bytes).map_err(|e| {
        Error::io(
            &shown,
            std::io::Error::new(std::io::ErrorKind::InvalidData, e),
        )
    })?;
    let raw: Raw = toml::from_str(&text).map_err(|e| {
        let place = e
            .span()
            .map(|s| {
                let line = text[..s.start.min(text.len())].matches('\n').count() + 1;
                format!(":{line}")
            })
            .unwrap_or_default();
        Error::Invalid(usage::project_syntax(
            ui(),
            &format!("{shown}{place}"),
            e.message(),
        ))
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
        Some(l) => Some(l.parse().map_err(|e: String| {
            Error::Invalid(usage::project_setting(ui(), &shown, "lang", &e))
        })?),
        None => None,
    };
    let report = raw.report.unwrap_or_default();
    Ok(Project {
        path: Some(path.to_path_buf()),
        records: raw
            .records
            .unwrap_or_default()
            .into_iter()
            .map(|r| relative(&dir.join(r)))
            .collect(),
        rubric: raw.rubric.map(resolve),
        units: raw.units.map(|u| relative(&dir.join(u))),
        lang,
        output_dir: match raw.output_dir {
            Some(o) if !below(&o) => {
                let msg = crate::i18n::msg::output_dir_outside(crate::i18n::ui(), &shown, &o);
                return Err(Error::Invalid(msg));
            }
            o => o.map(|o| relative(&dir.join(o))),
        },
        jobs: match raw.jobs {
            Some(0) => {
                return Err(Error::Invalid(usage::project_jobs_zero(ui(), &shown)));
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

#[cfg(test)]
mod tests {
    #[test]
    fn output_folders_stay_below_the_project_file() {
        for ok in ["reports", "./reports", "a/b"] {
            assert!(super::below(ok), "{ok}");
        }
        for bad in ["/tmp/x", "../x", "a/../../x", "", " "] {
            assert!(!super::below(bad), "{bad}");
        }
    }

    #[test]
    fn a_parent_file_is_shown_relative() {
        use std::path::Path;
        let p = Path::new("/w/office/civscore.toml");
        assert_eq!(
            super::shown_from(Path::new("/w/office/2026/11"), p),
            "../../civscore.toml"
        );
        assert_eq!(
            super::shown_from(Path::new("/elsewhere"), p),
            "/w/office/civscore.toml"
        );
    }
}
