//! The rule-file YAML reader (`foundation::yaml`) against yaml-rust2, a YAML
//! 1.2 parser, on seeded random documents written in every style rule files
//! use: block and flow collections, plain scalars folded over lines, single-
//! and double-quoted scalars with escapes and folds, literal and folded block
//! scalars with chomping and indentation indicators, comments, blank lines and
//! several documents. Both must read the same tree, or both refuse.
//!
//! What the reader refuses on purpose (anchors, aliases, tags, directives,
//! complex keys, repeated keys) is never generated; the tests beside the
//! reader check those refusals.

use foresight_core::foundation::yaml::{parse_documents, Yaml};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// A tree both readers' output is brought to: a plain `~`, `null` or nothing
/// is `Null`; scalars are their text.
#[derive(Debug, Clone, PartialEq)]
enum Tree {
    Null,
    Text(String),
    List(Vec<Tree>),
    Map(Vec<(String, Tree)>),
}

fn from_ours(node: &Yaml) -> Tree {
    match node {
        node if node.is_null() => Tree::Null,
        Yaml::Scalar { text, .. } => Tree::Text(text.clone()),
        Yaml::Sequence(items) => Tree::List(items.iter().map(from_ours).collect()),
        Yaml::Mapping(members) => Tree::Map(
            members
                .iter()
                .map(|(key, value)| (key.clone(), from_ours(value)))
                .collect(),
        ),
        Yaml::Null => Tree::Null,
    }
}

/// yaml-rust2's events built into trees, one per document.
#[derive(Default)]
struct Builder {
    documents: Vec<Tree>,
    stack: Vec<(Tree, Option<String>)>,
    unsupported: bool,
}

impl Builder {
    fn push(&mut self, node: Tree) {
        match self.stack.last_mut() {
            None => self.documents.push(node),
            Some((Tree::List(items), _)) => items.push(node),
            Some((Tree::Map(members), pending)) => match pending.take() {
                None => match node {
                    Tree::Text(key) => *pending = Some(key),
                    Tree::Null => *pending = Some("~".into()),
                    _ => self.unsupported = true,
                },
                Some(key) => members.push((key, node)),
            },
            Some(_) => unreachable!(),
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, event: Event, _: Marker) {
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                if anchor != 0 || tag.is_some() {
                    self.unsupported = true;
                }
                let plain = style == TScalarStyle::Plain;
                let null = plain && matches!(text.as_str(), "~" | "null" | "Null" | "NULL" | "");
                self.push(if null { Tree::Null } else { Tree::Text(text) });
            }
            Event::SequenceStart(..) => self.stack.push((Tree::List(Vec::new()), None)),
            Event::MappingStart(..) => self.stack.push((Tree::Map(Vec::new()), None)),
            Event::SequenceEnd | Event::MappingEnd => {
                let (node, _) = self.stack.pop().unwrap();
                self.push(node);
            }
            Event::Alias(_) => self.unsupported = true,
            _ => {}
        }
    }
}

fn theirs(source: &str) -> Result<Vec<Tree>, String> {
    let mut builder = Builder::default();
    Parser::new_from_str(source)
        .load(&mut builder, true)
        .map_err(|e| e.to_string())?;
    assert!(
        !builder.unsupported,
        "generated something unsupported:\n{source}"
    );
    Ok(builder.documents)
}

fn ours(source: &str) -> Result<Vec<Tree>, String> {
    parse_documents(source)
        .map(|documents| documents.iter().map(from_ours).collect())
        .map_err(|e| e.to_string())
}

mod support;
use support::Seeded;

/// Words as rule files hold them: PromQL, templates, URLs, punctuation.
const WORDS: [&str; 24] = [
    "up",
    "rate(x[5m])",
    "{{ $labels.job }}",
    "{{ $value | humanize }}",
    "http://a.example/b#c",
    "a:b",
    "5m",
    "0.5",
    "true",
    "-1",
    "é",
    "x#y",
    "==",
    ">",
    "sum by (job) (y)",
    "'q'",
    "\"d\"",
    "a\\b",
    "%",
    "@",
    "[1]",
    "{a}",
    "-",
    "?",
];

struct Writer {
    random: Seeded,
    out: String,
    depth: usize,
}

impl Writer {
    /// One to three words.
    fn words(&mut self) -> Vec<String> {
        let count = 1 + self.random.below(3);
        (0..count)
            .map(|_| self.random.pick(&WORDS).to_string())
            .collect()
    }

    /// A scalar that is safe unquoted: a word made of letters and digits.
    fn plain_word(&mut self) -> String {
        let word = self
            .random
            .pick(&["up", "job", "page", "5m", "x1", "a_b", "0.25", "yes", "on"]);
        word.to_string()
    }

    fn comment(&mut self) -> &'static str {
        if self.random.chance(15) {
            "  # note: ignore"
        } else {
            ""
        }
    }

    fn blank_lines(&mut self) {
        if self.random.chance(10) {
            self.out.push('\n');
        }
        if self.random.chance(5) {
            self.out.push_str("# a comment line\n");
        }
    }

    /// A scalar written after `key: ` or `- ` in a block at `indent`; ends
    /// the line (and any lines it continues on).
    fn block_scalar_value(&mut self, indent: usize) {
        let pad = " ".repeat(indent + 2);
        match self.random.below(7) {
            0 => {
                let word = self.plain_word();
                let comment = self.comment();
                self.out.push_str(&format!("{word}{comment}\n"));
            }
            1 => {
                // A plain scalar folded over lines, perhaps with an empty line.
                let first = self.plain_word();
                let second = self.plain_word();
                let gap = if self.random.chance(30) { "\n" } else { "" };
                self.out
                    .push_str(&format!("{first} x\n{gap}{pad}{second} y\n"));
            }
            2 => {
                let words = self.words().join(" ");
                let quoted = words.replace('\'', "''");
                if self.random.chance(30) {
                    self.out
                        .push_str(&format!("'{quoted}\n{pad}  more  \n\n{pad}end'\n"));
                } else {
                    self.out.push_str(&format!("'{quoted}'\n"));
                }
            }
            3 => {
                let words = self.words().join(" ");
                let mut quoted = String::new();
                for c in words.chars() {
                    match c {
                        '"' => quoted.push_str("\\\""),
                        '\\' => quoted.push_str("\\\\"),
                        'é' if self.random.chance(50) => quoted.push_str("\\u00e9"),
                        c => quoted.push(c),
                    }
                }
                let tail = self.random.pick(&["", "\\n", "\\t", "\\x41", "\\/", "\\ "]);
                match self.random.below(4) {
                    0 => self
                        .out
                        .push_str(&format!("\"{quoted}{tail}\\\n{pad}  rest\"\n")),
                    1 => self
                        .out
                        .push_str(&format!("\"{quoted}  \n\n{pad}rest{tail}\"\n")),
                    _ => self.out.push_str(&format!("\"{quoted}{tail}\"\n")),
                }
            }
            4 | 5 => {
                let style = self.random.pick(&["|", ">"]);
                let chomp = self.random.pick(&["", "-", "+"]);
                let explicit = self.random.chance(20);
                let header = if explicit {
                    format!("{style}2{chomp}")
                } else {
                    format!("{style}{chomp}")
                };
                let comment = self.comment();
                self.out.push_str(&format!("{header}{comment}\n"));
                let lines = 1 + self.random.below(4);
                for line in 0..lines {
                    let words = self.words().join(" ");
                    let extra = if line > 0 && self.random.chance(20) {
                        "  "
                    } else {
                        ""
                    };
                    if self.random.chance(15) {
                        self.out.push('\n');
                    }
                    self.out.push_str(&format!("{pad}{extra}{words}\n"));
                }
                for _ in 0..self.random.below(3) {
                    self.out.push('\n');
                }
            }
            _ => {
                let flow = self.flow(0);
                let comment = self.comment();
                self.out.push_str(&format!("{flow}{comment}\n"));
            }
        }
    }

    /// A flow collection on one line.
    fn flow(&mut self, depth: usize) -> String {
        let count = self.random.below(4);
        let mut items = Vec::new();
        let mapping = self.random.chance(50);
        for index in 0..count {
            let value = if depth < 2 && self.random.chance(20) {
                self.flow(depth + 1)
            } else if self.random.chance(30) {
                format!("'{}'", self.random.pick(&WORDS).replace('\'', "''"))
            } else {
                self.plain_word()
            };
            items.push(if mapping {
                format!("k{index}: {value}")
            } else {
                value
            });
        }
        let trailing = if count > 0 && self.random.chance(20) {
            ", "
        } else {
            ""
        };
        if mapping {
            format!("{{{}{trailing}}}", items.join(", "))
        } else {
            format!("[{}{trailing}]", items.join(", "))
        }
    }

    fn mapping(&mut self, indent: usize) {
        let pad = " ".repeat(indent);
        let count = 1 + self.random.below(4);
        for index in 0..count {
            self.blank_lines();
            let key = match self.random.below(4) {
                0 => format!("'key {index}'"),
                1 => format!("\"k{index}\""),
                _ => format!("k{index}"),
            };
            self.out.push_str(&format!("{pad}{key}:"));
            self.value(indent);
        }
    }

    fn sequence(&mut self, indent: usize) {
        let pad = " ".repeat(indent);
        let count = 1 + self.random.below(4);
        for _ in 0..count {
            self.blank_lines();
            self.out.push_str(&format!("{pad}-"));
            if self.depth < 4 && self.random.chance(30) {
                // A mapping starting on the item's line.
                self.depth += 1;
                self.out.push(' ');
                let key = self.plain_word();
                self.out.push_str(&format!("{key}:"));
                self.value(indent + 2);
                if self.random.chance(50) {
                    self.out.push_str(&format!("{pad}  other:"));
                    self.value(indent + 2);
                }
                self.depth -= 1;
            } else {
                self.value(indent);
            }
        }
    }

    /// What follows `key:` or `-` in a block at `indent`.
    fn value(&mut self, indent: usize) {
        let choice = if self.depth >= 4 {
            3
        } else {
            self.random.below(6)
        };
        self.depth += 1;
        match choice {
            0 | 1 => {
                let comment = self.comment();
                self.out.push_str(&format!("{comment}\n"));
                self.mapping(indent + 2);
            }
            2 => {
                let comment = self.comment();
                self.out.push_str(&format!("{comment}\n"));
                // A list under a key may sit at the key's indentation.
                let same = self.random.chance(40) && !self.out.trim_end().ends_with('-');
                self.sequence(if same { indent } else { indent + 2 });
            }
            _ if self.random.chance(5) => self.out.push('\n'),
            _ => {
                self.out.push(' ');
                self.block_scalar_value(indent);
            }
        }
        self.depth -= 1;
    }

    fn document(&mut self) {
        if self.random.chance(50) {
            self.mapping(0);
        } else {
            self.sequence(0);
        }
    }
}

fn generate(seed: u64) -> String {
    let mut writer = Writer {
        random: Seeded(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1),
        out: String::new(),
        depth: 0,
    };
    if writer.random.chance(20) {
        writer.out.push_str("---\n");
    }
    writer.document();
    if writer.random.chance(20) {
        writer.out.push_str("---\n");
        writer.document();
    }
    writer.out
}

#[test]
fn reads_random_documents_as_yaml_rust2_does() {
    let cases = 20_000;
    let mut agreed_trees = 0;
    let mut disagreements = Vec::new();
    for seed in 0..cases {
        let source = generate(seed);
        let (ours, theirs) = (ours(&source), theirs(&source));
        match (&ours, &theirs) {
            (Ok(a), Ok(b)) if a == b => agreed_trees += 1,
            (Err(_), Err(_)) => {}
            _ => disagreements.push(format!(
                "seed {seed}:\n{source}\n  ours:       {ours:?}\n  yaml-rust2: {theirs:?}"
            )),
        }
    }
    println!(
        "{cases} documents: {agreed_trees} read alike, {} disagree",
        disagreements.len()
    );
    assert!(agreed_trees > cases as usize * 9 / 10, "{agreed_trees}");
    assert!(
        disagreements.is_empty(),
        "{} of {cases} disagree; the first:\n{}",
        disagreements.len(),
        disagreements
            .iter()
            .take(3)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n\n")
    );
}

/// The comparison can fail: a reader that folded one line break differently
/// would be caught.
#[test]
fn the_comparison_catches_a_difference() {
    let source = "a: one\n  two\n";
    assert_eq!(ours(source), theirs(source));
    let folded_differently = vec![Tree::Map(vec![("a".into(), Tree::Text("one\ntwo".into()))])];
    assert_ne!(Ok(folded_differently), theirs(source));
}

/// Cases a review found (each read differently, or refused, before the
/// reader was fixed), held to yaml-rust2 where it reads them as YAML does.
#[test]
fn reviewed_cases_read_as_yaml_rust2_does() {
    for source in [
        "a: [a\n b]\n",
        "labels: {severity: wa\n  ng}\n",
        "a: [1, 'two',\n  three four]\n",
        "a: |\n    \nb: 1\n",
        "a: |\n  x\n\n  y\n",
        "- a: 1\n  b: [x,\n    y]\n",
    ] {
        assert_eq!(ours(source), theirs(source), "{source:?}");
    }
    // Refused by both.
    for source in ["a: 1\n- b: 2\n", "a: 1\n... garbage\n", "a: x:\n\n  y\n"] {
        assert!(
            ours(source).is_err() && theirs(source).is_err(),
            "{source:?}"
        );
    }
}
