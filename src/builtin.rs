//! The built-in rubrics, embedded in the binary, written from the seed work plans.

use crate::error::Error;
use crate::i18n::{ui, usage};
use crate::rubric::{self, Rubric};

pub struct Builtin {
    pub name: &'static str,
    pub about: &'static str,
    pub yaml: &'static str,
}

pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "community",
        about: "街道社区文明城市创建常态化考核 (street and community normalization plan; the default)",
        yaml: include_str!("../rubrics/community.yaml"),
    },
    Builtin {
        name: "city-management",
        about: "城管局创建全国文明城市十大创建行动月度考核 (the city-management bureau's ten creation actions)",
        yaml: include_str!("../rubrics/city-management.yaml"),
    },
    Builtin {
        name: "school",
        about: "文明校园创建考核 (civilized-campus plan of a school)",
        yaml: include_str!("../rubrics/school.yaml"),
    },
    Builtin {
        name: "bureau",
        about: "机关精神文明建设考核（科室） (a bureau's offices, from its civilization work plan)",
        yaml: include_str!("../rubrics/bureau.yaml"),
    },
];

pub const DEFAULT: &str = "community";

pub fn find(name: &str) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|b| b.name == name)
}

/// Loads `--rubric`: a file when one exists at that path, otherwise a built-in name; the default
/// built-in when none is given.
pub fn load_rubric(spec: Option<&str>) -> Result<Rubric, Error> {
    let spec = spec.unwrap_or(DEFAULT);
    let path = std::path::Path::new(spec);
    if !path.exists()
        && let Some(b) = find(spec)
    {
        return Ok(rubric::load(b.yaml, &format!("builtin:{}", b.name))?);
    }
    if path.is_dir() {
        return Err(Error::Io {
            path: spec.to_owned(),
            message: usage::rubric_is_folder(ui()),
        });
    }
    let bytes = crate::input::read_small(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            let names: Vec<&str> = BUILTINS.iter().map(|b| b.name).collect();
            Error::Io {
                path: spec.to_owned(),
                message: usage::no_rubric(ui(), &names),
            }
        } else {
            Error::io(spec, e)
        }
    })??;
    let text =
        String::from_utf8(bytes).map_err(|_| Error::Invalid(usage::rubric_not_utf8(ui(), spec)))?;
    Ok(rubric::load(&text, spec)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_loads() {
        for b in BUILTINS {
            let r = rubric::load(b.yaml, b.name).unwrap_or_else(|e| panic!("{e}"));
            assert!(!r.indicators.is_empty(), "{}", b.name);
        }
    }

    /// SPEC §7.9: the built-in rubrics are honest about their sources — every category and
    /// indicator names the clause of the seed plan (篇…) it implements, and the rubric says at
    /// the top where its numbers come from.
    #[test]
    fn every_builtin_cites_its_plan() {
        for b in BUILTINS {
            let r = rubric::load(b.yaml, b.name).unwrap_or_else(|e| panic!("{e}"));
            let notes = r.notes.as_deref().unwrap_or("");
            assert!(
                notes.contains("篇") && notes.contains("假设"),
                "{}: {notes}",
                b.name
            );
            for c in &r.categories {
                let basis = c.basis.as_deref().unwrap_or("");
                assert!(
                    basis.contains("篇") || basis.contains("假设"),
                    "{} {}",
                    b.name,
                    c.code
                );
            }
            for i in &r.indicators {
                let basis = i.basis.as_deref().unwrap_or("");
                assert!(
                    basis.contains("篇") || basis.contains("假设"),
                    "{} {}",
                    b.name,
                    i.code
                );
            }
        }
    }
}
