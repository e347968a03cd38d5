//! `civscore rubrics`: the built-in rubrics.

use crate::builtin::{self, BUILTINS};
use crate::error::Error;
use crate::i18n::{ui, usage};
use crate::suggest;

pub fn list() -> Result<(), Error> {
    let mut s = String::new();
    for b in BUILTINS {
        let r = crate::rubric::load(b.yaml, b.name)?;
        let default = b.name == builtin::DEFAULT;
        let (n, full) = (r.indicators.len(), r.full.to_string());
        s.push_str(&usage::builtin_line(
            ui(),
            b.name,
            n,
            &full,
            default,
            b.about,
        ));
    }
    crate::cmd::print(&s)
}

pub fn show(name: &str) -> Result<(), Error> {
    match builtin::find(name) {
        Some(b) => crate::cmd::print(b.yaml),
        None => {
            let hint = suggest::hint(suggest::closest(name, BUILTINS.iter().map(|b| b.name)));
            Err(Error::Usage(usage::no_builtin(ui(), name, &hint)))
        }
    }
}
