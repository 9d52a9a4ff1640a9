//! The shape of the source tree, checked from the code's own imports
//! (docs/architecture.md draws it):
//!
//! - no import circle: no two modules, at any depth, import each other,
//!   directly or through others (the check `cargo modules dependencies
//!   --acyclic` makes, without installing it);
//! - the layers hold: only `commands/` imports `cli/`, and nothing in the
//!   library imports `commands/`;
//! - `src/` has at most 10 files of its own, and one module convention: a
//!   folder's module is its `mod.rs`, never a `foo.rs` beside `foo/`.
//!
//! Imports are read as paths: every `crate::a::b::…` (with `{…}` groups
//! expanded) and every `super::…`, resolved against the file's module. An
//! edge joins the two siblings under the paths' common parent: `gpu::searcher`
//! using `crate::kernel::KernelConfig` is `gpu → kernel`; `kernel::source`
//! using `super::interface::ENTRY_POINT` is `kernel::source → kernel::interface`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Module = Vec<String>;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module a file holds: `src/gpu/searcher/mod.rs` is `gpu::searcher`.
fn module_of(file: &Path) -> Module {
    let relative = file.strip_prefix(src()).unwrap().with_extension("");
    let mut parts: Module = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts
}

/// The code without comments (line comments, doc comments included).
fn without_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let mut in_string = false;
        let mut previous = ' ';
        let mut cut = line.len();
        for (i, c) in line.char_indices() {
            if c == '"' && previous != '\\' {
                in_string = !in_string;
            }
            if !in_string && c == '/' && previous == '/' {
                cut = i - 1;
                break;
            }
            previous = c;
        }
        out.push_str(&line[..cut]);
        out.push('\n');
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Every path written after `root::` in `text`, `{…}` groups expanded.
fn paths_after(text: &str, root: &str) -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    let mut from = 0;
    while let Some(found) = text[from..].find(root) {
        let at = from + found;
        from = at + root.len();
        let before = text[..at].chars().next_back();
        if before.is_some_and(|c| is_ident(c) || c == ':') {
            continue;
        }
        expand(&text[at + root.len()..], Vec::new(), &mut paths);
    }
    paths
}

/// Reads `a::b::{c, d::e}` from the start of `text` onto `prefix`.
fn expand(text: &str, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
    let mut path = prefix;
    let mut rest = text;
    loop {
        let rest_trimmed = rest.trim_start();
        if let Some(group) = rest_trimmed.strip_prefix('{') {
            let mut depth = 1;
            let mut item_start = 0;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' | ',' if depth == 1 => {
                        let item = group[item_start..i].trim();
                        if !item.is_empty() {
                            expand(item, path.clone(), out);
                        }
                        item_start = i + 1;
                        if c == '}' {
                            return;
                        }
                    }
                    '}' => depth -= 1,
                    _ => {}
                }
            }
            return;
        }
        let end = rest_trimmed
            .find(|c: char| !is_ident(c))
            .unwrap_or(rest_trimmed.len());
        if end == 0 {
            break;
        }
        let segment = &rest_trimmed[..end];
        if segment != "self" {
            path.push(segment.to_string());
        }
        rest = &rest_trimmed[end..];
        match rest.strip_prefix("::") {
            Some(next) => rest = next,
            None => break,
        }
    }
    if !path.is_empty() {
        out.push(path);
    }
}

/// Every module-to-sibling edge, with a file that makes it.
fn edges() -> BTreeMap<Module, BTreeMap<Module, PathBuf>> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut edges: BTreeMap<Module, BTreeMap<Module, PathBuf>> = BTreeMap::new();
    for file in files {
        let module = module_of(&file);
        if module == ["main"] {
            continue;
        }
        let text = without_comments(&std::fs::read_to_string(&file).unwrap());
        let mut targets = paths_after(&text, "crate::");
        for relative in paths_after(&text, "super::") {
            // `super::super::x` arrives as ["super", "x"] after the first.
            let mut base = module.clone();
            base.pop();
            let mut rest = relative.as_slice();
            while rest.first().map(String::as_str) == Some("super") {
                base.pop();
                rest = &rest[1..];
            }
            base.extend(rest.iter().cloned());
            targets.push(base);
        }
        for target in targets {
            let shared = module
                .iter()
                .zip(&target)
                .take_while(|(a, b)| a == b)
                .count();
            if shared < module.len() && shared < target.len() {
                edges
                    .entry(module[..=shared].to_vec())
                    .or_default()
                    .entry(target[..=shared].to_vec())
                    .or_insert_with(|| file.clone());
            }
        }
    }
    edges
}

fn name(module: &Module) -> String {
    module.join("::")
}

/// The import circles: each strongly connected group of more than one
/// module (Tarjan's algorithm).
fn circles(edges: &BTreeMap<Module, BTreeMap<Module, PathBuf>>) -> Vec<Vec<Module>> {
    struct State<'a> {
        edges: &'a BTreeMap<Module, BTreeMap<Module, PathBuf>>,
        index: BTreeMap<Module, usize>,
        low: BTreeMap<Module, usize>,
        stack: Vec<Module>,
        on_stack: BTreeSet<Module>,
        found: Vec<Vec<Module>>,
    }
    fn visit(state: &mut State, v: &Module) {
        let n = state.index.len();
        state.index.insert(v.clone(), n);
        state.low.insert(v.clone(), n);
        state.stack.push(v.clone());
        state.on_stack.insert(v.clone());
        let next: Vec<Module> = state
            .edges
            .get(v)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        for w in next {
            if !state.index.contains_key(&w) {
                visit(state, &w);
                let low = state.low[v].min(state.low[&w]);
                state.low.insert(v.clone(), low);
            } else if state.on_stack.contains(&w) {
                let low = state.low[v].min(state.index[&w]);
                state.low.insert(v.clone(), low);
            }
        }
        if state.low[v] == state.index[v] {
            let mut group = Vec::new();
            loop {
                let w = state.stack.pop().unwrap();
                state.on_stack.remove(&w);
                let done = &w == v;
                group.push(w);
                if done {
                    break;
                }
            }
            if group.len() > 1 {
                group.sort();
                state.found.push(group);
            }
        }
    }
    let mut state = State {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for v in edges.keys() {
        if !state.index.contains_key(v) {
            visit(&mut state, v);
        }
    }
    state.found
}

#[test]
fn no_two_modules_import_each_other() {
    let edges = edges();
    assert!(
        edges.len() > 40,
        "the import map found too few modules: {}",
        edges.len()
    );
    let found = circles(&edges);
    let described: Vec<String> = found
        .iter()
        .map(|group| {
            let members: BTreeSet<&Module> = group.iter().collect();
            let links: Vec<String> = group
                .iter()
                .flat_map(|from| {
                    edges[from]
                        .iter()
                        .filter(|(to, _)| members.contains(to))
                        .map(move |(to, file)| {
                            format!(
                                "{} -> {} ({})",
                                name(from),
                                name(to),
                                file.strip_prefix(src()).unwrap().display()
                            )
                        })
                })
                .collect();
            links.join("; ")
        })
        .collect();
    assert!(
        found.is_empty(),
        "import circles:\n{}",
        described.join("\n")
    );
}

#[test]
fn the_circle_check_finds_a_circle() {
    let mut edges: BTreeMap<Module, BTreeMap<Module, PathBuf>> = BTreeMap::new();
    let m = |s: &str| s.split("::").map(String::from).collect::<Module>();
    for (a, b) in [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")] {
        edges.entry(m(a)).or_default().insert(m(b), PathBuf::new());
    }
    assert_eq!(circles(&edges), vec![vec![m("a"), m("b"), m("c")]]);
    // Paths are read through groups, renames and `self`.
    let paths = paths_after(
        "use crate::{chain::{self, header::BlockHeader}, gpu as g};\nx::crate::no",
        "crate::",
    );
    assert_eq!(
        paths,
        vec![
            vec!["chain".to_string()],
            vec!["chain".into(), "header".into(), "BlockHeader".into()],
            vec!["gpu".into()],
        ]
    );
}

#[test]
fn the_layers_point_down() {
    for (from, targets) in edges() {
        let top = from[0].as_str();
        for to in targets.keys() {
            if to[0] == "cli" && !matches!(top, "commands" | "cli") {
                panic!("{} imports cli: only commands/ may", name(&from));
            }
            if to[0] == "commands" && top != "commands" {
                panic!("{} imports commands: nothing below it may", name(&from));
            }
        }
    }
}

#[test]
fn the_top_level_is_small_and_one_convention_holds() {
    let top_files: Vec<String> = std::fs::read_dir(src())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(
        top_files.len() <= 10,
        "src/ has {} files of its own (at most 10): {top_files:?}",
        top_files.len()
    );
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    for file in files {
        let folder = file.with_extension("");
        let stem = file.file_stem().unwrap();
        assert!(
            !(folder.is_dir() && stem != "mod"),
            "{} sits beside the folder {}: a folder's module is its mod.rs",
            file.display(),
            folder.display()
        );
    }
}

/// The modules every layer may use, left out of the map's lists.
const BASE: [&str; 6] = [
    "error", "sanitize", "output", "units", "textfile", "signals",
];

/// The top-level import map as docs/architecture.md shows it.
fn import_map() -> String {
    let modules: BTreeSet<String> = std::fs::read_dir(src())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter_map(|p| {
            let stem = p.file_stem()?.to_string_lossy().into_owned();
            (p.is_dir() || p.extension().is_some_and(|e| e == "rs")).then_some(stem)
        })
        .filter(|m| !matches!(m.as_str(), "lib" | "main"))
        .collect();
    let edges = edges();
    let none = BTreeMap::new();
    let mut lines = Vec::new();
    for module in modules.iter().filter(|m| !BASE.contains(&m.as_str())) {
        let targets = edges.get(&vec![module.clone()]).unwrap_or(&none);
        let uses: Vec<&str> = targets
            .keys()
            .map(|to| to[0].as_str())
            .filter(|to| modules.contains(*to) && !BASE.contains(to))
            .collect();
        let uses = if uses.is_empty() {
            "(base only)".to_string()
        } else {
            uses.join(", ")
        };
        lines.push(format!("- `{module}` → {uses}"));
    }
    lines.join("\n")
}

#[test]
fn the_architecture_page_shows_the_imports() {
    let page_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/architecture.md");
    let page = std::fs::read_to_string(&page_path).unwrap();
    let (begin, end) = ("<!-- imports:begin -->\n", "\n<!-- imports:end -->");
    let start = page.find(begin).expect("the page has the map's markers") + begin.len();
    let stop = page[start..].find(end).unwrap() + start;
    let map = import_map();
    if std::env::var_os("HASHWATT_WRITE_ARCHITECTURE").is_some() {
        let updated = format!("{}{map}{}", &page[..start], &page[stop..]);
        std::fs::write(&page_path, updated).unwrap();
        return;
    }
    assert_eq!(
        page[start..stop],
        map,
        "docs/architecture.md's import map differs from the code: \
         HASHWATT_WRITE_ARCHITECTURE=1 cargo test --test architecture rewrites it"
    );
}
