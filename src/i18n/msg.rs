//! The sentences of notes, summary lines and errors, in English and Chinese side by side.
