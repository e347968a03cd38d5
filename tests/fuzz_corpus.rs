//! Replays the committed fuzz corpus (fuzz/corpus) as a regular test: every input must load to a
//! value or an error without panicking, and the reader in blocks must agree with the rows of
//! the whole text, or fail with the same error. `fuzz/run.sh` grows the corpus with cargo-fuzz.

use std::path::Path;

fn replay(target: &str, f: fn(&[u8])) {
    replay_dir(&format!("fuzz/corpus/{target}"), f);
}

fn replay_dir(dir: &str, f: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        if std::panic::catch_unwind(|| f(&bytes)).is_err() {
            panic!("{} panics", path.display());
        }
        n += 1;
    }
    assert!(n > 10, "only {n} inputs in {}", dir.display());
}

#[test]
fn records_corpus_never_panics() {
    replay("records", civscore::fuzz::records);
}

#[test]
fn rubric_corpus_never_panics() {
    replay("rubric", civscore::fuzz::rubric);
}

#[test]
fn streaming_reader_agrees_on_every_corpus_input() {
    replay("stream", civscore::fuzz::stream);
    replay("records", civscore::fuzz::stream);
    replay_dir("fuzz/seeds/records", civscore::fuzz::stream);
}
