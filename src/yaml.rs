//! A YAML tree that remembers where every node came from, so that rubric errors can name the
//! line, the column and the key path, and numbers keep the exact text the author wrote.

use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::i18n::rubric as tell;
use crate::i18n::ui;

/// Where a node stands in the source: 1-based line and column (0 when unknown).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pos {
    pub line: u64,
    pub col: u64,
}

#[derive(Debug, Clone)]
pub enum Kind {
    Null,
    Bool(bool),
    /// A number as written in the source (`0.5`, `2`, `1e3`).
    Num(String),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(Key, Node)>),
}

#[derive(Debug, Clone)]
pub struct Node {
    pub kind: Kind,
    pub pos: Pos,
}

#[derive(Debug, Clone)]
pub struct Key {
    pub name: String,
    pub pos: Pos,
}

/// A YAML syntax error (or a budget breach) with its place.
#[derive(Debug, Clone)]
pub struct SyntaxError {
    pub pos: Pos,
    pub message: String,
}

/// The node as serde-saphyr hands it over, before the source text of numbers is recovered.
enum Raw {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(String),
    Seq(Vec<Spanned<Raw>>),
    Map(Vec<(Spanned<String>, Spanned<Raw>)>),
}

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Raw;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a YAML value")
            }
            fn visit_str<E>(self, v: &str) -> Result<Raw, E> {
                Ok(Raw::Str(v.to_owned()))
            }
            fn visit_string<E>(self, v: String) -> Result<Raw, E> {
                Ok(Raw::Str(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Raw, E> {
                Ok(Raw::Int(v.into()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Raw, E> {
                Ok(Raw::Int(v.into()))
            }
            fn visit_i128<E>(self, v: i128) -> Result<Raw, E> {
                Ok(Raw::Int(v))
            }
            fn visit_u128<E>(self, v: u128) -> Result<Raw, E> {
                Ok(Raw::Int(i128::try_from(v).unwrap_or(i128::MAX)))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Raw, E> {
                Ok(Raw::Float(v))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Raw, E> {
                Ok(Raw::Bool(v))
            }
            fn visit_unit<E>(self) -> Result<Raw, E> {
                Ok(Raw::Null)
            }
            fn visit_none<E>(self) -> Result<Raw, E> {
                Ok(Raw::Null)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut a: A) -> Result<Raw, A::Error> {
                let mut v = Vec::new();
                while let Some(x) = a.next_element()? {
                    v.push(x);
                }
                Ok(Raw::Seq(v))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut a: A) -> Result<Raw, A::Error> {
                let mut v = Vec::new();
                while let Some(entry) = a.next_entry()? {
                    v.push(entry);
                }
                Ok(Raw::Map(v))
            }
        }
        d.deserialize_any(V)
    }
}

fn pos_of<T>(s: &Spanned<T>) -> Pos {
    Pos {
        line: s.referenced.line(),
        col: s.referenced.column(),
    }
}

/// The exact source text of a scalar, when the parser knows its byte span.
fn source_text<'a, T>(s: &Spanned<T>, src: &'a str) -> Option<&'a str> {
    let span = s.defined.span();
    let start = usize::try_from(span.byte_offset()?).ok()?;
    let len = usize::try_from(span.byte_len()?).ok()?;
    src.get(start..start.checked_add(len)?)
}

fn convert(raw: Spanned<Raw>, src: &str) -> Node {
    let pos = pos_of(&raw);
    let text = source_text(&raw, src).map(str::trim);
    let kind = match raw.value {
        Raw::Null => Kind::Null,
        Raw::Bool(b) => Kind::Bool(b),
        // What the author wrote (`0x10` stays `0x10`, for the reader to refuse as a decimal).
        Raw::Int(i) => Kind::Num(match text {
            Some(t) if !t.is_empty() => t.to_owned(),
            _ => i.to_string(),
        }),
        Raw::Float(f) => Kind::Num(match text {
            // Keep what the author wrote (`0.1`), not its binary approximation.
            Some(t) if t.parse::<f64>().ok() == Some(f) => t.to_owned(),
            _ => format!("{f}"),
        }),
        Raw::Str(s) => Kind::Str(s),
        Raw::Seq(items) => Kind::Seq(items.into_iter().map(|x| convert(x, src)).collect()),
        Raw::Map(entries) => Kind::Map(
            entries
                .into_iter()
                .map(|(k, v)| {
                    let key = Key {
                        pos: pos_of(&k),
                        name: k.value,
                    };
                    (key, convert(v, src))
                })
                .collect(),
        ),
    };
    Node { kind, pos }
}

/// Parses a YAML document into a positioned tree. Duplicate keys, alias bombs and deep nesting
/// are refused by serde-saphyr's defaults and budget.
pub fn parse(src: &str) -> Result<Node, SyntaxError> {
    let mut options = serde_saphyr::Options::default();
    // `y`, `no`, `on` are words here (YAML 1.1 would make them booleans), and `007` stays a code.
    options.strict_booleans = true;
    options.leading_zero_numbers_as_strings = true;
    // A rubric of a few hundred indicators is a few thousand nodes: refuse far earlier than the
    // general-purpose defaults, so that an alias bomb is refused in milliseconds.
    let mut budget = serde_saphyr::Budget::default();
    budget.max_nodes = 50_000;
    budget.max_events = 200_000;
    budget.max_aliases = 5_000;
    options.budget = Some(budget);
    match serde_saphyr::from_str_with_options::<Spanned<Raw>>(src, options) {
        Ok(raw) => Ok(convert(raw, src)),
        Err(e) => {
            let pos = e
                .location()
                .map(|l| Pos {
                    line: l.line(),
                    col: l.column(),
                })
                .unwrap_or_default();
            let text = e.to_string();
            let first = text.lines().next().unwrap_or("invalid YAML");
            Err(SyntaxError {
                pos,
                message: plain(strip_location_prefix(first)),
            })
        }
    }
}

/// The parser's message in the words of a rubric author, in the interface language (the
/// parser's own English kept, quoted, where it is not one of ours).
fn plain(message: &str) -> String {
    let l = ui();
    if let Some(key) = message.strip_prefix("duplicate mapping key: ") {
        let key = key.split(", set DuplicateKeyPolicy").next().unwrap_or(key);
        return tell::duplicate_key(l, key);
    }
    if message.starts_with("multiple YAML documents") {
        return tell::many_documents(l);
    }
    if message.starts_with("budget breached") && !message.contains("Depth") {
        return tell::too_large(l, message);
    }
    if message.starts_with("recursion limit exceeded") || message.starts_with("budget breached") {
        return tell::too_deep(l);
    }
    tell::syntax(l, message)
}

/// serde-saphyr prefixes messages with `error: line L column C: `; the caller prints its own.
fn strip_location_prefix(s: &str) -> &str {
    let s = s.strip_prefix("error: ").unwrap_or(s);
    if s.starts_with("line ")
        && let Some(i) = s.find(": ")
    {
        return &s[i + 2..];
    }
    s
}

impl Node {
    /// The scalar's text, whether it was written as a number, a word or a quoted string.
    pub fn scalar_text(&self) -> Option<String> {
        match &self.kind {
            Kind::Num(s) | Kind::Str(s) => Some(s.clone()),
            Kind::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_their_source_text() {
        let n = parse("a: 0.1\nb: 0.30000000000000004\nc: '3'\nd: 66%\n").unwrap();
        let Kind::Map(m) = n.kind else { panic!() };
        let texts: Vec<_> = m.iter().map(|(_, v)| v.scalar_text().unwrap()).collect();
        assert_eq!(texts, ["0.1", "0.30000000000000004", "3", "66%"]);
        assert_eq!(m[1].0.pos, Pos { line: 2, col: 1 });
        assert_eq!(m[1].1.pos, Pos { line: 2, col: 4 });
    }

    #[test]
    fn yaml11_words_stay_words() {
        let n = parse("a: y\nb: no\nc: 007\nd: true\n").unwrap();
        let Kind::Map(m) = n.kind else { panic!() };
        assert!(matches!(&m[0].1.kind, Kind::Str(s) if s == "y"));
        assert!(matches!(&m[1].1.kind, Kind::Str(s) if s == "no"));
        assert!(matches!(&m[2].1.kind, Kind::Str(s) if s == "007"));
        assert!(matches!(m[3].1.kind, Kind::Bool(true)));
    }

    #[test]
    fn duplicate_keys_are_refused_with_their_place() {
        let e = parse("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert_eq!(e.pos.line, 3);
        assert!(e.message.contains("duplicate"), "{}", e.message);
    }

    #[test]
    fn alias_bombs_and_deep_nesting_are_refused() {
        let mut bomb = String::from("a: &a [x,x,x,x,x,x,x,x,x]\n");
        let names = ["a", "b", "c", "d", "e", "f", "g", "h"];
        for w in names.windows(2) {
            let refs = vec![format!("*{}", w[0]); 9].join(",");
            bomb.push_str(&format!("{}: &{} [{}]\n", w[1], w[1], refs));
        }
        assert!(parse(&bomb).is_err());
        assert!(parse(&"[".repeat(100_000)).is_err());
    }

    /// Depth, size and a second document are each said in their own words, not as an alias
    /// repeated many times nor in the parser's API names (issue 16).
    #[test]
    fn limits_are_named_for_what_they_are() {
        use crate::i18n::Lang;
        let either = |f: fn(Lang) -> String, m: &str| m == f(Lang::En) || m == f(Lang::Zh);
        let deep = format!("a: {}{}\n", "[".repeat(70), "]".repeat(70));
        // On the main thread's stack, as the command runs (a debug build needs more than a
        // test thread's 2 MiB for 64 levels).
        let e = std::thread::Builder::new()
            .stack_size(8 << 20)
            .spawn(move || parse(&deep).unwrap_err())
            .unwrap()
            .join()
            .unwrap();
        assert!(either(tell::too_deep, &e.message), "{}", e.message);
        let many: String = (0..30_000).map(|i| format!("k{i}: v\n")).collect();
        let e = parse(&many).unwrap_err();
        assert!(
            e.message.contains("50,000") && !e.message.contains('?'),
            "{}",
            e.message
        );
        let e = parse("a: 1\n---\nb: 2\n").unwrap_err();
        assert!(either(tell::many_documents, &e.message), "{}", e.message);
        assert!(!e.message.contains("from_str"), "{}", e.message);
    }
}
