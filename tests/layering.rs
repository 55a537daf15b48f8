//! The layering rule of `src/`, checked on every `crate::`, `super::` and child-module path.
//!
//! (a) Each top-level module of `src/` imports only modules of strictly lower rank ([`RANKS`]).
//! (b) No two files import each other, directly
//! or around a longer loop: a path `crate::a::b::X` names `src/a/b.rs`, else `src/a/b/mod.rs`,
//! else `src/a.rs` / `src/a/mod.rs`; a `mod.rs` that re-exports a child (`pub use child::X`)
//! depends on that child, so children import their siblings by file, not through the parent.
//! Paths through the crate root (`crate::Tensor`) resolve through `lib.rs`'s `pub use` lines.
//!
//! The scanner is a small tokenizer rather than `syn`: the rule needs only paths and the line
//! they stand on, and `syn` reports lines only with proc-macro2's `span-locations` feature,
//! which would compile a second copy of the proc-macro stack for this one test.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The rank of every top-level module: a module imports only modules of strictly lower rank.
const RANKS: &[(&str, u32)] = &[
    ("error", 0),
    ("activation", 1),
    ("data", 1),
    ("device", 1),
    ("eval", 1),
    ("plots", 1),
    ("registry", 1),
    ("tensor", 2),
    ("descriptors", 3),
    ("cpu", 4),
    ("kernels", 4),
    ("gbdt", 5),
    ("ops", 5),
    ("autograd", 6),
    ("nn", 7),
    ("models", 8),
    ("train", 9),
    ("export", 9),
    ("pipeline", 10),
    ("tune", 11),
    ("cli", 12),
];

/// One `crate::…` path as written, and the module path (from the crate root) it names.
#[derive(Debug, Clone)]
struct Import {
    line: usize,
    written: String,
    segments: Vec<String>,
}

/// A token of Rust source with the line it starts on.
#[derive(Debug, Clone, PartialEq)]
enum Token {
    Ident(String),
    PathSep,
    Punct(char),
}

/// Removes comments and the contents of string and char literals, keeping every newline so
/// that line numbers stay true.
fn strip(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let mut i = 0;
    let keep_newlines = |out: &mut String, text: &[char]| {
        for &c in text {
            if c == '\n' {
                out.push('\n');
            }
        }
    };
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let start = i;
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            keep_newlines(&mut out, &chars[start..i.min(chars.len())]);
        } else if c == 'r'
            && (next == Some('"') || next == Some('#'))
            && !ident_char_before(&chars, i)
        {
            let mut j = i + 1;
            let mut hashes = 0;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            let start = i;
            j += 1;
            loop {
                if j >= chars.len() {
                    break;
                }
                if chars[j] == '"' && (0..hashes).all(|h| chars.get(j + 1 + h) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            keep_newlines(&mut out, &chars[start..j.min(chars.len())]);
            out.push_str("\"\"");
            i = j;
        } else if c == '"' {
            let start = i;
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            keep_newlines(&mut out, &chars[start..i.min(chars.len())]);
            out.push_str("\"\"");
        } else if c == '\'' {
            // A char literal ('x', '\n', '\u{1F600}') or a lifetime ('a).
            if next == Some('\\') {
                i += 3;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
                out.push_str("' '");
            } else if chars.get(i + 2) == Some(&'\'') {
                i += 3;
                out.push_str("' '");
            } else {
                out.push(c);
                i += 1;
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn ident_char_before(chars: &[char], i: usize) -> bool {
    i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_')
}

/// Splits stripped source into identifiers, `::` and single punctuation characters.
fn tokenize(stripped: &str) -> Vec<(Token, usize)> {
    let chars: Vec<char> = stripped.chars().collect();
    let mut tokens = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            tokens.push((Token::Ident(chars[start..i].iter().collect()), line));
        } else if c == ':' && chars.get(i + 1) == Some(&':') {
            tokens.push((Token::PathSep, line));
            i += 2;
        } else {
            tokens.push((Token::Punct(c), line));
            i += 1;
        }
    }
    tokens
}

/// The module path of a file relative to `src/`: `ops/lstm.rs` → `[ops, lstm]`,
/// `ops/mod.rs` → `[ops]`, `lib.rs` → `[]`.
fn module_of(file: &str) -> Vec<String> {
    let stem = file.trim_end_matches(".rs");
    let mut parts: Vec<String> = stem.split('/').map(str::to_string).collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
        parts.pop();
    }
    parts
}

/// Every path of one file that names a crate module: `crate::…`, `super::…`, `self::…`, and
/// paths that start with a child module the file declares (`mod child;` then `child::X`).
fn imports(file: &str, source: &str) -> Vec<Import> {
    let tokens = tokenize(&strip(source));
    let own = module_of(file);
    let children: BTreeSet<String> = tokens
        .windows(3)
        .filter_map(|w| match (&w[0].0, &w[1].0, &w[2].0) {
            (Token::Ident(m), Token::Ident(name), Token::Punct(';')) if m == "mod" => {
                Some(name.clone())
            }
            _ => None,
        })
        .collect();
    // Inline modules (`mod tests { … }`) shift what `super` and `self` mean.
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut found = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let (token, line) = &tokens[i];
        match token {
            Token::Punct('{') => depth += 1,
            Token::Punct('}') => {
                depth = depth.saturating_sub(1);
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
            }
            Token::Ident(word) if word == "mod" => {
                if let (Some((Token::Ident(name), _)), Some((Token::Punct('{'), _))) =
                    (tokens.get(i + 1), tokens.get(i + 2))
                {
                    inline.push((name.clone(), depth));
                    depth += 1;
                    i += 3;
                    continue;
                }
            }
            Token::Ident(word) => {
                let after_sep = i > 0 && tokens[i - 1].0 == Token::PathSep;
                let after_dollar = i > 0 && tokens[i - 1].0 == Token::Punct('$');
                let starts_path = tokens.get(i + 1).is_some_and(|(t, _)| *t == Token::PathSep);
                if !after_sep && !after_dollar && starts_path {
                    let here: Vec<String> = own
                        .iter()
                        .cloned()
                        .chain(inline.iter().map(|(n, _)| n.clone()))
                        .collect();
                    let base = match word.as_str() {
                        "crate" => Some((Vec::new(), 1)),
                        "self" => Some((here.clone(), 1)),
                        "super" => {
                            let mut base = here.clone();
                            let mut j = i;
                            while tokens.get(j).is_some_and(|(t, _)| *t == ident("super"))
                                && tokens.get(j + 1).is_some_and(|(t, _)| *t == Token::PathSep)
                            {
                                base.pop();
                                j += 2;
                            }
                            Some((base, j - i))
                        }
                        name if inline.is_empty() && children.contains(name) => {
                            Some((here.clone(), 0))
                        }
                        _ => None,
                    };
                    if let Some((base, skip)) = base {
                        let mut j = i + skip;
                        if skip > 0 && word != "super" {
                            j += 1;
                        }
                        let mut trees = Vec::new();
                        j = path_tree(&tokens, j, base, &mut trees);
                        for (segments, written_line) in trees {
                            let written =
                                format!("{word}::{}", segments.join("::").trim_start_matches(':'));
                            found.push(Import {
                                line: written_line.max(*line),
                                written,
                                segments,
                            });
                        }
                        i = j.max(i + 1);
                        continue;
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    found
}

fn ident(word: &str) -> Token {
    Token::Ident(word.to_string())
}

/// Reads a path (and any `{…}` groups) from token `at`, pushing every full path it spells onto
/// `out`; returns the index after it.
fn path_tree(
    tokens: &[(Token, usize)],
    mut at: usize,
    mut prefix: Vec<String>,
    out: &mut Vec<(Vec<String>, usize)>,
) -> usize {
    loop {
        match tokens.get(at) {
            Some((Token::Ident(name), line)) => {
                if name == "self" {
                    // `a::{self, B}` names `a` itself.
                } else if name != "super" && name != "crate" {
                    prefix.push(name.clone());
                }
                let line = *line;
                at += 1;
                if tokens.get(at).is_some_and(|(t, _)| *t == Token::PathSep) {
                    at += 1;
                    continue;
                }
                out.push((prefix, line));
                return at;
            }
            Some((Token::Punct('{'), _)) => {
                at += 1;
                loop {
                    match tokens.get(at) {
                        Some((Token::Punct('}'), _)) => return at + 1,
                        Some((Token::Punct(','), _)) => at += 1,
                        Some((Token::Ident(word), _)) if word == "as" => at += 2,
                        Some(_) => at = path_tree(tokens, at, prefix.clone(), out),
                        None => return at,
                    }
                }
            }
            Some((Token::Punct('*'), line)) => {
                out.push((prefix, *line));
                return at + 1;
            }
            Some((_, line)) => {
                out.push((prefix, *line));
                return at;
            }
            None => return at,
        }
    }
}

/// The source files of one crate, keyed by path relative to `src/`.
struct Crate {
    files: BTreeMap<String, String>,
    /// `lib.rs`'s `pub use m::…::Name` lines: Name → the module path it comes from.
    root_exports: BTreeMap<String, Vec<String>>,
}

impl Crate {
    fn new(files: BTreeMap<String, String>) -> Crate {
        let root_exports = files
            .get("lib.rs")
            .map(|lib| {
                imports("lib.rs", lib)
                    .into_iter()
                    .filter_map(|import| {
                        let name = import.segments.last()?.clone();
                        Some((name, import.segments[..import.segments.len() - 1].to_vec()))
                    })
                    .collect()
            })
            .unwrap_or_default();
        Crate {
            files,
            root_exports,
        }
    }

    /// The file a module path lands in: the longest prefix that is a file, through `lib.rs`'s
    /// re-exports for names at the crate root.
    fn resolve(&self, segments: &[String]) -> Option<String> {
        for end in (1..=segments.len()).rev() {
            let joined = segments[..end].join("/");
            for candidate in [format!("{joined}.rs"), format!("{joined}/mod.rs")] {
                if self.files.contains_key(&candidate) {
                    return Some(candidate);
                }
            }
        }
        let exported = self.root_exports.get(segments.first()?)?;
        if exported.is_empty() {
            return None;
        }
        self.resolve(exported)
    }

    /// Every broken rule, one line each, naming the file, the line and the rule.
    fn violations(&self) -> Vec<String> {
        let ranks: BTreeMap<&str, u32> = RANKS.iter().copied().collect();
        let mut problems = Vec::new();
        let mut edges: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
        for (file, source) in &self.files {
            if file == "lib.rs" || file == "main.rs" {
                continue;
            }
            let from_top = module_of(file)[0].clone();
            let Some(&from_rank) = ranks.get(from_top.as_str()) else {
                problems.push(format!(
                    "src/{file}: top-level module `{from_top}` has no rank in tests/layering.rs"
                ));
                continue;
            };
            for import in imports(file, source) {
                let Some(target) = self.resolve(&import.segments) else {
                    problems.push(format!(
                        "src/{file}:{}: `{}` names no file under src/",
                        import.line, import.written
                    ));
                    continue;
                };
                let to_top = module_of(&target)[0].clone();
                if to_top != from_top {
                    match ranks.get(to_top.as_str()) {
                        Some(&to_rank) if to_rank < from_rank => {}
                        Some(&to_rank) => problems.push(format!(
                            "src/{file}:{}: `{}` imports upward: `{from_top}` (rank {from_rank}) \
                             may import only modules of lower rank, `{to_top}` has rank {to_rank}",
                            import.line, import.written
                        )),
                        None => problems.push(format!(
                            "src/{file}:{}: `{}` imports `{to_top}`, which has no rank",
                            import.line, import.written
                        )),
                    }
                }
                if &target != file {
                    edges
                        .entry(file.clone())
                        .or_default()
                        .entry(target)
                        .or_insert(import.line);
                }
            }
        }
        problems.extend(cycles(&edges));
        problems
    }
}

/// One message per strongly connected group of files, spelling one loop with its lines.
fn cycles(edges: &BTreeMap<String, BTreeMap<String, usize>>) -> Vec<String> {
    let mut reported: BTreeSet<String> = BTreeSet::new();
    let mut messages = Vec::new();
    for start in edges.keys() {
        if reported.contains(start) {
            continue;
        }
        // Breadth-first search for the shortest way back to `start`.
        let mut parent: BTreeMap<String, String> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([start.clone()]);
        let mut closing = None;
        while let Some(node) = queue.pop_front() {
            for next in edges.get(&node).into_iter().flat_map(|m| m.keys()) {
                if next == start {
                    closing = Some(node.clone());
                    break;
                }
                if !parent.contains_key(next) {
                    parent.insert(next.clone(), node.clone());
                    queue.push_back(next.clone());
                }
            }
            if closing.is_some() {
                break;
            }
        }
        let Some(last) = closing else { continue };
        let mut loop_files = vec![last.clone()];
        while let Some(p) = parent.get(loop_files.last().unwrap()) {
            loop_files.push(p.clone());
        }
        loop_files.reverse();
        if loop_files.first() != Some(start) {
            loop_files.insert(0, start.clone());
        }
        loop_files.push(start.clone());
        let steps: Vec<String> = loop_files
            .windows(2)
            .map(|w| format!("src/{}:{}", w[0], edges[&w[0]][&w[1]]))
            .collect();
        reported.extend(loop_files.iter().cloned());
        messages.push(format!(
            "file cycle: {} → src/{start} (no file may import, through any chain, a file that \
             imports it)",
            steps.join(" → ")
        ));
    }
    messages
}

/// Every `.rs` file under `dir`, keyed by its path relative to `root`.
fn read_tree(root: &Path, dir: &Path, files: &mut BTreeMap<String, String>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            read_tree(root, &path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let relative = path
                .strip_prefix(root)
                .expect("under src/")
                .to_string_lossy()
                .replace('\\', "/");
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            files.insert(relative, text);
        }
    }
}

#[test]
fn src_is_strictly_layered_without_file_cycles() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = BTreeMap::new();
    read_tree(&root, &root, &mut files);
    assert!(files.len() > 50, "read only {} files", files.len());
    let problems = Crate::new(files).violations();
    assert!(
        problems.is_empty(),
        "{} layering problems (rule: tests/layering.rs):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

fn crate_of(files: &[(&str, &str)]) -> Crate {
    Crate::new(
        files
            .iter()
            .map(|(path, text)| (path.to_string(), text.to_string()))
            .collect(),
    )
}

#[test]
fn checker_reads_groups_super_and_child_modules() {
    let source = "mod child;\npub use child::Thing;\nuse crate::{ops::{self, matmul::X}, tensor::T};\n\
                  use super::sibling::Y;\nfn f() { crate::device::run(); let s = \"crate::cpu::no\"; }\n\
                  // crate::kernels::no\n#[cfg(test)]\nmod tests {\n    use super::*;\n}\n";
    let found: Vec<(usize, String)> = imports("nn/layer/mod.rs", source)
        .into_iter()
        .map(|i| (i.line, i.segments.join("::")))
        .collect();
    let expected: Vec<(usize, String)> = vec![
        (2, "nn::layer::child::Thing".to_string()),
        (3, "ops".to_string()),
        (3, "ops::matmul::X".to_string()),
        (3, "tensor::T".to_string()),
        (4, "nn::sibling::Y".to_string()),
        (5, "device::run".to_string()),
        (9, "nn::layer".to_string()),
    ];
    assert_eq!(found, expected);
}

#[test]
fn checker_reports_an_upward_import_with_file_and_line() {
    let krate = crate_of(&[
        ("lib.rs", "pub mod cpu;\npub mod ops;\n"),
        ("ops/mod.rs", "pub mod matmul;\n"),
        ("ops/matmul.rs", "pub struct MatmulShape;\n"),
        ("cpu/mod.rs", "pub mod matmul;\n"),
        ("cpu/matmul.rs", "\nuse crate::ops::matmul::MatmulShape;\n"),
    ]);
    let problems = krate.violations();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0]
            .starts_with("src/cpu/matmul.rs:2: `crate::ops::matmul::MatmulShape` imports upward"),
        "{}",
        problems[0]
    );
}

#[test]
fn checker_reports_a_file_cycle_through_a_parent_re_export() {
    let krate = crate_of(&[
        ("lib.rs", "pub mod ops;\n"),
        (
            "ops/mod.rs",
            "mod a;\nmod b;\npub use a::A;\npub use b::B;\n",
        ),
        ("ops/a.rs", "pub struct A;\n"),
        ("ops/b.rs", "use crate::ops::A;\npub struct B;\n"),
    ]);
    let problems = krate.violations();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].starts_with("file cycle: "), "{}", problems[0]);
    assert!(problems[0].contains("src/ops/b.rs:1"), "{}", problems[0]);
    assert!(problems[0].contains("src/ops/mod.rs:4"), "{}", problems[0]);
    // Importing the sibling by file breaks the loop.
    let fixed = crate_of(&[
        ("lib.rs", "pub mod ops;\n"),
        (
            "ops/mod.rs",
            "mod a;\nmod b;\npub use a::A;\npub use b::B;\n",
        ),
        ("ops/a.rs", "pub struct A;\n"),
        ("ops/b.rs", "use super::a::A;\npub struct B;\n"),
    ]);
    assert_eq!(fixed.violations(), Vec::<String>::new());
}

#[test]
fn checker_resolves_root_re_exports() {
    let krate = crate_of(&[
        (
            "lib.rs",
            "pub mod error;\npub mod models;\npub mod train;\npub use error::Result;\n",
        ),
        (
            "error.rs",
            "pub type Result<T> = std::result::Result<T, ()>;\n",
        ),
        ("train/mod.rs", "use crate::Result;\npub struct Network;\n"),
        ("models/mod.rs", "use crate::Result;\n"),
    ]);
    assert_eq!(krate.violations(), Vec::<String>::new());
}
