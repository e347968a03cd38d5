//! `civscore rubrics`: the built-in rubrics.

use crate::builtin::{self, BUILTINS};
use crate::error::Error;
use crate::suggest;

pub fn list() -> Result<(), Error> {
    let mut s = String::new();
    for b in BUILTINS {
        let r = crate::rubric::load(b.yaml, b.name)?;
        let mark = if b.name == builtin::DEFAULT {
            " (default)"
        } else {
            ""
        };
        s.push_str(&format!(
            "{:<16} {} indicators, full {}{mark}\n{:<16} {}\n",
            b.name,
            r.indicators.len(),
            r.full,
            "",
            b.about
        ));
    }
    crate::cmd::print(&s)
}

pub fn show(name: &str) -> Result<(), Error> {
    match builtin::find(name) {
        Some(b) => crate::cmd::print(b.yaml),
        None => {
            let hint = suggest::hint(suggest::closest(name, BUILTINS.iter().map(|b| b.name)));
            Err(Error::Usage(format!(
                "no built-in rubric \"{name}\"{hint}; see `civscore rubrics`"
            )))
        }
    }
}
