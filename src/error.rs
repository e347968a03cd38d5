//! The library's error type and its exit codes (SPEC §6).

use std::fmt;

use crate::i18n::{msg, ui};
use crate::read::RowError;
use crate::rubric::{RubricError, RubricErrors};

#[derive(Debug)]
pub enum Error {
    /// A usage error: bad option value, unknown period, conflicting flags (exit 2).
    Usage(String),
    /// An invalid rubric, with every error it holds (exit 65).
    Rubric(Vec<RubricError>),
    /// Invalid record or roster rows: every one of them (exit 65).
    Rows {
        errors: Vec<RowError>,
        summary: String,
    },
    /// Other invalid input: a missing column, no records at all (exit 65).
    Invalid(String),
    /// A file that cannot be read or written (exit 1).
    Io { path: String, message: String },
    /// Anything else that went wrong (exit 1).
    Internal(String),
}

impl Error {
    pub fn io(path: &str, e: std::io::Error) -> Error {
        let message = match e.kind() {
            std::io::ErrorKind::NotFound => msg::no_such_file(ui()),
            std::io::ErrorKind::PermissionDenied => msg::permission_denied(ui()),
            std::io::ErrorKind::IsADirectory => crate::i18n::usage::is_a_folder(ui()),
            std::io::ErrorKind::StorageFull => crate::i18n::usage::disk_full(ui()),
            std::io::ErrorKind::ReadOnlyFilesystem => crate::i18n::usage::read_only_disk(ui()),
            // The system's own words for the rarer failures (English).
            _ => e.to_string(),
        };
        Error::Io {
            path: path.to_owned(),
            message,
        }
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) => 2,
            Error::Rubric(_) | Error::Rows { .. } | Error::Invalid(_) => 65,
            Error::Io { .. } | Error::Internal(_) => 1,
        }
    }

    /// The lines to print on stderr, each to be prefixed with `error: `.
    pub fn lines(&self) -> Vec<String> {
        match self {
            Error::Rows { errors, summary } => {
                let mut v: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
                v.push(summary.clone());
                v
            }
            Error::Rubric(list) => list.iter().map(|e| e.to_string()).collect(),
            other => vec![other.to_string()],
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage(m) | Error::Invalid(m) | Error::Internal(m) => f.write_str(m),
            Error::Rubric(list) => RubricErrors(list.clone()).fmt(f),
            Error::Rows { summary, .. } => f.write_str(summary),
            Error::Io { path, message } => f.write_str(&msg::at_path(ui(), path, message)),
        }
    }
}

impl std::error::Error for Error {}

impl From<RubricError> for Error {
    fn from(e: RubricError) -> Self {
        Error::Rubric(vec![e])
    }
}

impl From<RubricErrors> for Error {
    fn from(e: RubricErrors) -> Self {
        Error::Rubric(e.0)
    }
}
