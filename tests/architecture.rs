//! The shape of `src/`, read from its files: imports flow one way (no module cycles), and only
//! the command layer sees the command line's types.
//!
//! The graph is built from the `crate::…` and `super::…` paths each file names. It is checked at
//! every level of the tree: the top-level modules of the crate must form an acyclic graph, and
//! so must the files of each folder (a folder's `mod.rs` is its face and is not a node there).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Cycles allowed, each listed as the set of modules it joins: none. A cycle found fails the
/// test with its path.
const KNOWN_CYCLES: &[&[&str]] = &[];

/// The files allowed to name the command line's (clap's) types.
fn may_see_cli(module: &str) -> bool {
    module == "cli" || module == "main" || module == "cmd" || module.starts_with("cmd::")
}

#[test]
fn no_module_cycles_beyond_the_known_ones() {
    let graph = Graph::read(&src_dir());
    let cycles = graph.cycles();
    let unexpected: Vec<&BTreeSet<String>> = cycles
        .iter()
        .filter(|cycle| {
            !KNOWN_CYCLES
                .iter()
                .any(|known| cycle.iter().all(|module| known.contains(&module.as_str())))
        })
        .collect();
    assert!(
        unexpected.is_empty(),
        "import cycles in src/ (each line is one set of modules that import each other):\n{}",
        unexpected
            .iter()
            .map(|c| format!("  {}", c.iter().cloned().collect::<Vec<_>>().join(" <-> ")))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn only_the_command_layer_sees_cli_types() {
    let graph = Graph::read(&src_dir());
    let offenders: Vec<&str> = graph
        .files
        .iter()
        .filter(|file| !may_see_cli(&file.module) && names_cli(&file.code))
        .map(|file| file.module.as_str())
        .collect();
    assert!(
        offenders.is_empty(),
        "modules outside src/cmd/, src/cli.rs and src/main.rs that use `cli::` types: {offenders:?}"
    );
}

/// Tests run the binary through one runner, which pins the clock and the environment.
#[test]
fn tests_start_the_binary_only_through_the_runner() {
    let tests = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let runner = tests.join("support").join("run.rs");
    let mut offenders = Vec::new();
    for entry in walkdir::WalkDir::new(&tests) {
        let path = entry.expect("walk tests/").into_path();
        if path.extension().is_none_or(|e| e != "rs") || path == runner {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read a test file");
        let code = strip_comments_and_strings(&text);
        let spawns = code.contains("Command::new(env!(") || code.contains("cargo_bin");
        if spawns {
            offenders.push(path.strip_prefix(&tests).expect("under tests/").to_owned());
        }
    }
    assert!(
        offenders.is_empty(),
        "start otasite with support::run::Otasite instead: {offenders:?}"
    );
}

/// The checker finds the cycles it is meant to find, so an empty result means something.
#[test]
fn the_checker_sees_cycles_and_cli_uses() {
    let file = |module: &str, code: &str| SourceFile {
        module: module.into(),
        is_folder: false,
        code: strip_comments_and_strings(code),
    };
    let graph = Graph::from_files(vec![
        file(
            "a",
            "use crate::b::{self, Thing};\nfn f() { crate::c::g(); }",
        ),
        file("b", "use crate::{c, d};"),
        file("c", "pub fn g() { crate::a::f() }"),
        file("d", "// use crate::a;\nconst X: &str = \"crate::a\";"),
        file("e::x", "use super::y::Y;"),
        file("e::y", "mod tests { use super::*; } fn h() { super::x::X }"),
        file("f", "use crate::cli::BuildArgs;"),
    ]);
    let cycles = graph.cycles();
    let names: Vec<Vec<&str>> = cycles
        .iter()
        .map(|c| c.iter().map(String::as_str).collect())
        .collect();
    assert_eq!(names, vec![vec!["a", "b", "c"], vec!["e::x", "e::y"]]);
    assert!(names_cli(&graph.files[6].code));
    assert!(!names_cli(&graph.files[0].code));
}

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// One `.rs` file: its module path (`check::site`, `render` for `render/mod.rs`) and its code
/// without comments and string literals.
struct SourceFile {
    module: String,
    /// A `mod.rs` (or `lib.rs`): `super` in it names the folder's parent.
    is_folder: bool,
    code: String,
}

struct Graph {
    files: Vec<SourceFile>,
    /// Module -> the modules its paths name (resolved to the longest existing module).
    edges: BTreeMap<String, BTreeSet<String>>,
}

impl Graph {
    fn read(src: &Path) -> Graph {
        let mut files = Vec::new();
        collect(src, src, &mut files);
        assert!(
            files.len() > 20,
            "{} holds only {} .rs files: not the crate's sources",
            src.display(),
            files.len()
        );
        Graph::from_files(files)
    }

    fn from_files(files: Vec<SourceFile>) -> Graph {
        let modules: BTreeSet<String> = files.iter().map(|f| f.module.clone()).collect();
        let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for file in &files {
            let targets = edges.entry(file.module.clone()).or_default();
            for path in paths_named(file) {
                if let Some(target) = resolve(&path, &modules)
                    && target != file.module
                {
                    targets.insert(target);
                }
            }
        }
        Graph { files, edges }
    }

    /// Every set of modules that import each other, at the top level and within each folder.
    fn cycles(&self) -> Vec<BTreeSet<String>> {
        let mut levels: BTreeSet<String> = BTreeSet::from([String::new()]);
        for module in self.edges.keys() {
            let mut parent = parent_of(module);
            while let Some(p) = parent {
                levels.insert(p.to_string());
                parent = parent_of(p);
            }
        }
        let mut cycles = Vec::new();
        for level in &levels {
            cycles.extend(strongly_connected(&self.level_graph(level)));
        }
        cycles
    }

    /// The graph among the children of `folder` (`""` for the crate): each child stands for
    /// itself and everything under it; paths to the folder itself or outside it are left out.
    fn level_graph(&self, folder: &str) -> BTreeMap<String, BTreeSet<String>> {
        let child_of = |module: &str| -> Option<String> {
            let rest = if folder.is_empty() {
                module
            } else {
                module.strip_prefix(folder)?.strip_prefix("::")?
            };
            let first = rest.split("::").next().filter(|s| !s.is_empty())?;
            Some(if folder.is_empty() {
                first.to_string()
            } else {
                format!("{folder}::{first}")
            })
        };
        let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (from, targets) in &self.edges {
            let Some(from) = child_of(from) else { continue };
            for to in targets.iter().filter_map(|t| child_of(t)) {
                if to != from {
                    graph.entry(from.clone()).or_default().insert(to);
                }
            }
        }
        graph
    }
}

fn parent_of(module: &str) -> Option<&str> {
    module.rsplit_once("::").map(|(parent, _)| parent)
}

/// Walks `dir` for `.rs` files; `main.rs` and `lib.rs` are the crate root's faces.
fn collect(src: &Path, dir: &Path, files: &mut Vec<SourceFile>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(src, &path, files);
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let relative = path.strip_prefix(src).expect("under src");
        let mut parts: Vec<String> = relative
            .with_extension("")
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        let is_folder = matches!(parts.last().map(String::as_str), Some("mod" | "lib"));
        if parts.last().is_some_and(|p| p == "mod") {
            parts.pop();
        }
        let module = match parts.as_slice() {
            [only] if only == "lib" => String::new(),
            _ => parts.join("::"),
        };
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        files.push(SourceFile {
            module,
            is_folder,
            code: strip_comments_and_strings(&text),
        });
    }
}

/// The code with `//` and `/* */` comments and string and char literals blanked out.
fn strip_comments_and_strings(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            i += 2;
            while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                i += 1;
            }
            i += 2;
        } else if c == 'r'
            && matches!(next, Some('"' | '#'))
            && (!ident_char_before(&chars, i) || i > 0 && chars[i - 1] == 'b')
        {
            // A raw string: r"…" or r#"…"#.
            let mut hashes = 0;
            let mut j = i + 1;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            let closing: String = std::iter::once('"')
                .chain(std::iter::repeat_n('#', hashes))
                .collect();
            while j < chars.len() && !chars[j..].iter().collect::<String>().starts_with(&closing) {
                j += 1;
            }
            i = j + closing.len();
            out.push_str("\"\"");
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == '\'' && is_char_literal(&chars, i) {
            i += 1;
            while i < chars.len() && chars[i] != '\'' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("' '");
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

/// `'a'` and `'\n'` are literals; `'a` in `&'a str` is a lifetime.
fn is_char_literal(chars: &[char], i: usize) -> bool {
    matches!(
        (chars.get(i + 1), chars.get(i + 2)),
        (Some('\\'), _) | (Some(_), Some('\''))
    )
}

/// Whether the code names the command line module's types.
fn names_cli(code: &str) -> bool {
    code.match_indices("cli::").any(|(at, _)| {
        let before = code[..at].chars().next_back();
        !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

/// Every path the file names from the crate root, as segments (`["check", "site", "Site"]`):
/// `crate::` and `super::` paths, `use` groups expanded. Inline `mod x { … }` blocks are
/// followed so that `super` inside them means the file's own module.
fn paths_named(file: &SourceFile) -> Vec<Vec<String>> {
    let code: Vec<char> = file.code.chars().collect();
    let own: Vec<String> = file
        .module
        .split("::")
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    // The module `super` names at each brace depth: inline modules push their own.
    let mut scopes: Vec<(usize, Vec<String>)> = vec![(0, own.clone())];
    let mut depth = 0usize;
    let mut paths = Vec::new();
    let mut i = 0;
    while i < code.len() {
        let c = code[i];
        if c == '{' {
            depth += 1;
            i += 1;
            continue;
        }
        if c == '}' {
            depth = depth.saturating_sub(1);
            while scopes.len() > 1 && scopes.last().is_some_and(|(d, _)| *d > depth) {
                scopes.pop();
            }
            i += 1;
            continue;
        }
        if !c.is_alphabetic() && c != '_' || ident_char_before(&code, i) {
            i += 1;
            continue;
        }
        let word = ident_at(&code, i);
        let here = &scopes.last().expect("crate scope").1;
        if word == "mod" {
            // `mod name {`: an inline module whose `super` is the module around it.
            let mut j = skip_space(&code, i + 3);
            let name = ident_at(&code, j);
            j = skip_space(&code, j + name.len());
            if !name.is_empty() && code.get(j) == Some(&'{') {
                let mut inner = here.clone();
                inner.push(name);
                depth += 1;
                scopes.push((depth, inner));
                i = j + 1;
                continue;
            }
        }
        let base: Option<Vec<String>> = match word.as_str() {
            "crate" | "otasite" => Some(Vec::new()),
            "super" => {
                let mut base = here.clone();
                // In a mod.rs, the file's own module is the folder: `super` is its parent.
                let at_file_level = scopes.len() == 1;
                if !(at_file_level && file.is_folder && base.len() < own.len()) {
                    base.pop();
                }
                Some(base)
            }
            _ => None,
        };
        let after = i + word.len();
        match base {
            Some(base) if code[after..].starts_with(&[':', ':']) => {
                let mut end = after;
                let mut tree = use_tree(&code, &mut end);
                // `super::super::x` and `crate::` are followed as written.
                for path in &mut tree {
                    let mut resolved = base.clone();
                    for segment in path.drain(..) {
                        if segment == "super" {
                            resolved.pop();
                        } else {
                            resolved.push(segment);
                        }
                    }
                    *path = resolved;
                }
                paths.extend(tree);
                i = end;
            }
            _ => i = after,
        }
    }
    paths
}

fn ident_at(code: &[char], i: usize) -> String {
    code[i.min(code.len())..]
        .iter()
        .take_while(|c| c.is_alphanumeric() || **c == '_')
        .collect()
}

fn skip_space(code: &[char], mut i: usize) -> usize {
    while code.get(i).is_some_and(|c| c.is_whitespace()) {
        i += 1;
    }
    i
}

/// Reads `::a::b`, `::{a, b::{c, self}}` or `::*` starting at `*at`, returning each leaf path.
fn use_tree(code: &[char], at: &mut usize) -> Vec<Vec<String>> {
    let mut prefix = Vec::new();
    loop {
        let i = skip_space(code, *at);
        if !code[i.min(code.len())..].starts_with(&[':', ':']) {
            return vec![prefix];
        }
        let i = skip_space(code, i + 2);
        match code.get(i) {
            Some('{') => {
                let mut leaves = Vec::new();
                *at = i + 1;
                loop {
                    let j = skip_space(code, *at);
                    match code.get(j) {
                        Some('}') | None => {
                            *at = j + 1;
                            break;
                        }
                        Some(',') => *at = j + 1,
                        _ => {
                            let name = ident_at(code, j);
                            if name.is_empty() {
                                // `*` or something this reader does not follow.
                                *at = j + 1;
                                continue;
                            }
                            *at = j + name.len();
                            let sub = use_tree(code, at);
                            for mut tail in sub {
                                let mut path = prefix.clone();
                                if name != "self" {
                                    path.push(name.clone());
                                }
                                path.append(&mut tail);
                                leaves.push(path);
                            }
                            // Skip an `as alias`.
                            let k = skip_space(code, *at);
                            if ident_at(code, k) == "as" {
                                let k = skip_space(code, k + 2);
                                *at = k + ident_at(code, k).len();
                            }
                        }
                    }
                }
                return leaves;
            }
            _ => {
                let name = ident_at(code, i);
                if name.is_empty() {
                    *at = i;
                    return vec![prefix];
                }
                prefix.push(name.clone());
                *at = i + name.len();
            }
        }
    }
}

/// The longest module that `path` starts with (`["check", "site", "Site"]` -> `check::site`).
fn resolve(path: &[String], modules: &BTreeSet<String>) -> Option<String> {
    (1..=path.len())
        .rev()
        .map(|n| path[..n].join("::"))
        .find(|candidate| modules.contains(candidate))
}

/// Tarjan's strongly connected components with more than one node, each as a sorted set.
fn strongly_connected(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<BTreeSet<String>> {
    struct State<'g> {
        graph: &'g BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        on_stack: BTreeSet<&'g str>,
        found: Vec<BTreeSet<String>>,
    }
    fn visit<'g>(state: &mut State<'g>, node: &'g str) {
        let n = state.index.len();
        state.index.insert(node, n);
        state.low.insert(node, n);
        state.stack.push(node);
        state.on_stack.insert(node);
        let graph = state.graph;
        for next in graph.get(node).into_iter().flatten() {
            let next = next.as_str();
            if !state.index.contains_key(next) {
                visit(state, next);
                let low = state.low[node].min(state.low[next]);
                state.low.insert(node, low);
            } else if state.on_stack.contains(next) {
                let low = state.low[node].min(state.index[next]);
                state.low.insert(node, low);
            }
        }
        if state.low[node] == state.index[node] {
            let mut component = BTreeSet::new();
            while let Some(top) = state.stack.pop() {
                state.on_stack.remove(top);
                component.insert(top.to_string());
                if top == node {
                    break;
                }
            }
            if component.len() > 1 {
                state.found.push(component);
            }
        }
    }
    let mut state = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for node in graph.keys() {
        if !state.index.contains_key(node.as_str()) {
            visit(&mut state, node);
        }
    }
    state.found.sort();
    state.found
}
