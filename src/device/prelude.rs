//! The shared WGSL prelude and the composer that appends its parts to a shader.
//!
//! Helpers used by several shaders (grid indexing, workgroup reductions, activations) live once
//! in `shaders/prelude/<part>.wgsl`. A shader names the parts it uses in one comment line,
//! `// prelude: grid, reduce`, and [`compose`] appends those parts after the shader's own
//! text. WGSL module-scope declarations may come in any order, so appending is enough, and the
//! shader's own lines keep their numbers: a compiler error inside the shader points at the
//! right line of its file, and [`Composed::locate`] maps a line past the end to the part.
//!
//! A hand-written composer rather than `naga_oil` (which does support naga 30): the prelude
//! needs whole-file inclusion only, while `naga_oil` brings its own import language, mangles
//! the names of imported items (they would show in wgpu's errors and the translated shaders),
//! and hands back naga IR, not the WGSL text the pipeline cache and the validator compile.

use std::path::Path;

/// The comment that lists a shader's prelude parts, e.g. `// prelude: grid, reduce`.
pub const PRELUDE_DIRECTIVE: &str = "// prelude:";

/// One part of the shared prelude: `shaders/prelude/<name>.wgsl`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PreludePart {
    /// The name a shader lists in its `// prelude:` line.
    pub name: &'static str,
    /// The WGSL source.
    pub source: &'static str,
}

impl PreludePart {
    /// Every prelude part compiled into the binary, by name.
    pub const ALL: &'static [PreludePart] = &[
        PreludePart {
            name: "activation",
            source: include_str!("../../shaders/prelude/activation.wgsl"),
        },
        PreludePart {
            name: "chunk_sum",
            source: include_str!("../../shaders/prelude/chunk_sum.wgsl"),
        },
        PreludePart {
            name: "grid",
            source: include_str!("../../shaders/prelude/grid.wgsl"),
        },
        PreludePart {
            name: "matrix",
            source: include_str!("../../shaders/prelude/matrix.wgsl"),
        },
        PreludePart {
            name: "reduce",
            source: include_str!("../../shaders/prelude/reduce.wgsl"),
        },
    ];

    /// The embedded part called `name`, if there is one.
    pub fn find(name: &str) -> Option<PreludePart> {
        Self::ALL.iter().find(|part| part.name == name).copied()
    }
}

/// A shader's source followed by its prelude parts, with the file each line came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Composed {
    /// The WGSL that is compiled: the shader's text, then each part in the order listed.
    pub source: String,
    /// (file, first line in `source` (1-based), number of lines), in order.
    sections: Vec<(String, usize, usize)>,
}

impl Composed {
    /// The file and the line in that file of line `line` (1-based) of the composed source.
    pub fn locate(&self, line: usize) -> Option<(&str, usize)> {
        self.sections
            .iter()
            .find(|(_, first, count)| line >= *first && line < first + count)
            .map(|(file, first, _)| (file.as_str(), line - first + 1))
    }

    /// Which lines of the composed source come from which file, for compiler errors, e.g.
    /// `lines 1-95 shaders/softmax.wgsl, 96-108 shaders/prelude/grid.wgsl`.
    pub fn line_map(&self) -> String {
        let ranges: Vec<String> = self
            .sections
            .iter()
            .map(|(file, first, count)| format!("{first}-{} {file}", first + count - 1))
            .collect();
        format!("lines {}", ranges.join(", "))
    }
}

/// Composes the shader `file` (its path, used in messages and to name the parts' files) from
/// its `source` and the parts its `// prelude:` lines list, which `part` looks up by name.
///
/// Errors (one line, naming the shader's line): a part `part` does not know, a part listed
/// twice, an empty list.
pub fn compose(
    file: &str,
    source: &str,
    part: impl Fn(&str) -> Option<String>,
) -> Result<Composed, String> {
    let prelude_dir = Path::new(file)
        .parent()
        .unwrap_or(Path::new(""))
        .join("prelude");
    let mut text = source.to_owned();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    let mut sections = vec![(file.to_owned(), 1, text.lines().count())];
    let mut listed: Vec<&str> = Vec::new();
    for (index, line) in source.lines().enumerate() {
        let Some(names) = line.trim_start().strip_prefix(PRELUDE_DIRECTIVE) else {
            continue;
        };
        let here = format!("{file} line {}", index + 1);
        let names: Vec<&str> = names
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|name| !name.is_empty())
            .collect();
        if names.is_empty() {
            return Err(format!("{here}: `{PRELUDE_DIRECTIVE}` lists no part"));
        }
        for name in names {
            if listed.contains(&name) {
                return Err(format!("{here}: prelude part `{name}` is listed twice"));
            }
            let part_source = part(name).ok_or_else(|| {
                let known: Vec<&str> = PreludePart::ALL.iter().map(|p| p.name).collect();
                format!(
                    "{here}: unknown prelude part `{name}` (parts: {})",
                    known.join(", ")
                )
            })?;
            listed.push(name);
            let first = text.lines().count() + 1;
            text.push_str(&part_source);
            if !text.ends_with('\n') {
                text.push('\n');
            }
            let part_file = prelude_dir.join(format!("{name}.wgsl"));
            sections.push((
                part_file.display().to_string(),
                first,
                text.lines().count() + 1 - first,
            ));
        }
    }
    Ok(Composed {
        source: text,
        sections,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn embedded(name: &str) -> Option<String> {
        PreludePart::find(name).map(|part| part.source.to_owned())
    }

    #[test]
    fn parts_follow_the_shader_and_lines_map_back_to_their_files() {
        let source = "// prelude: grid\nfn main_body() {}\n";
        let composed = compose("shaders/x.wgsl", source, embedded).unwrap();
        let grid = PreludePart::find("grid").unwrap().source;
        assert_eq!(composed.source, format!("{source}{grid}"));
        assert_eq!(composed.locate(2), Some(("shaders/x.wgsl", 2)));
        assert_eq!(composed.locate(3), Some(("shaders/prelude/grid.wgsl", 1)));
        let last = 2 + grid.lines().count();
        assert_eq!(
            composed.locate(last),
            Some(("shaders/prelude/grid.wgsl", grid.lines().count()))
        );
        assert_eq!(composed.locate(last + 1), None);
        assert_eq!(
            composed.line_map(),
            format!("lines 1-2 shaders/x.wgsl, 3-{last} shaders/prelude/grid.wgsl")
        );
    }

    #[test]
    fn a_shader_without_a_directive_is_unchanged() {
        let composed = compose("shaders/x.wgsl", "fn f() {}\n", embedded).unwrap();
        assert_eq!(composed.source, "fn f() {}\n");
    }

    #[test]
    fn an_unknown_part_names_the_shader_and_its_line() {
        let err = compose("shaders/x.wgsl", "\n// prelude: grid, nope\n", embedded).unwrap_err();
        assert_eq!(
            err,
            "shaders/x.wgsl line 2: unknown prelude part `nope` (parts: activation, chunk_sum, grid, matrix, reduce)"
        );
    }

    #[test]
    fn a_part_listed_twice_or_an_empty_list_is_an_error() {
        let twice = compose("shaders/x.wgsl", "// prelude: grid grid\n", embedded).unwrap_err();
        assert_eq!(
            twice,
            "shaders/x.wgsl line 1: prelude part `grid` is listed twice"
        );
        let empty = compose("shaders/x.wgsl", "// prelude:\n", embedded).unwrap_err();
        assert_eq!(empty, "shaders/x.wgsl line 1: `// prelude:` lists no part");
    }
}
