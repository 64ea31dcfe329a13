//! The house's structure: no module imports upward. In each crate of the host (the service,
//! the directory, the runtime; the call flow's crate not yet: see [`CRATES`]) the graph of top-level modules, with an edge wherever product
//! code of one names `crate::other` (or reaches it through `super::`), has no cycle. Crates
//! themselves cannot form one (cargo refuses it). Test code (`#[cfg(test)]` items, `tests.rs`,
//! `tests/` folders) is left out: a test may reach wherever it needs to.
//!
//! And no function of product code is longer than [`LONGEST_FN`] lines, in any crate of the
//! workspace: a longer one does several jobs, each of which deserves a name.
//!
//! Run alone: `cargo test -p switchyard --test api architecture`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use proc_macro2::{TokenStream, TokenTree};
use syn::visit::Visit;

/// Edges of one crate's top-level module graph: from → to → the files that make the edge.
type Graph = BTreeMap<String, BTreeMap<String, BTreeSet<String>>>;

/// The crates checked, by their `src` folders relative to the host crate. Not yet the call flow
/// (`calls/src`): its files are use cases of one `CallCenter` and still reach into each other
/// (the state behind one owner, a file per use case, is the step that untangles them).
const CRATES: [&str; 3] = ["src", "directory/src", "runtime/src"];

/// The longest function allowed in product code, in lines from `fn` to its closing brace.
const LONGEST_FN: usize = 80;

/// Every crate's sources whose functions are measured, relative to the host crate.
const MEASURED: [&str; 5] = [
    "src",
    "calls/src",
    "directory/src",
    "runtime/src",
    "../guest-sdk/src",
];

#[test]
fn no_crate_has_a_cycle_among_its_top_level_modules() {
    let mut found = Vec::new();
    for krate in CRATES {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join(krate);
        let graph = module_graph(&src);
        for cycle in cycles(&graph) {
            let mut lines = vec![format!("{krate}: {}", cycle.join(", "))];
            for from in &cycle {
                for (to, files) in &graph[from] {
                    if cycle.contains(to) {
                        let files: Vec<&str> = files.iter().map(String::as_str).collect();
                        lines.push(format!("  {from} -> {to}: {}", files.join(", ")));
                    }
                }
            }
            found.push(lines.join("\n"));
        }
    }
    assert!(
        found.is_empty(),
        "modules that import each other (directly or around a loop):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_service_declares_its_modules_bottom_up() {
    // lib.rs declares its modules layer by layer (its table of contents says which is which):
    // each may import only from those declared before it.
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let order = declared_order(&src);
    let graph = module_graph(&src);
    let mut upward = Vec::new();
    for (from, targets) in &graph {
        for (to, files) in targets {
            if order.iter().position(|m| m == to) > order.iter().position(|m| m == from) {
                let files: Vec<&str> = files.iter().map(String::as_str).collect();
                upward.push(format!("{from} -> {to}: {}", files.join(", ")));
            }
        }
    }
    assert!(
        upward.is_empty(),
        "imports of a module declared later in lib.rs (move the module, or the code):\n{}",
        upward.join("\n")
    );
}

#[test]
fn no_function_of_product_code_is_longer_than_80_lines() {
    let mut long = Vec::new();
    for krate in MEASURED {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join(krate);
        for file in rust_files(&src) {
            let text = std::fs::read_to_string(&file).expect("readable source");
            let parsed = syn::parse_file(&text)
                .unwrap_or_else(|e| panic!("{} does not parse: {e}", file.display()));
            let mut lengths = Lengths::default();
            lengths.visit_file(&parsed);
            let relative = file.strip_prefix(&src).expect("under src").display();
            for (name, lines) in lengths.found {
                if lines > LONGEST_FN {
                    long.push(format!("{krate}/{relative}: {name} ({lines} lines)"));
                }
            }
        }
    }
    assert!(
        long.is_empty(),
        "functions over {LONGEST_FN} lines (split each into functions named for their jobs):\n{}",
        long.join("\n")
    );
}

#[test]
fn the_module_graph_sees_real_imports() {
    // Guards the reader: a parser that found nothing would pass the test above.
    let graph = module_graph(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    for (from, to) in [("server", "http"), ("http", "app"), ("cluster", "policy")] {
        assert!(
            graph.get(from).is_some_and(|t| t.contains_key(to)),
            "expected an edge {from} -> {to} in {graph:?}"
        );
    }
    let mut looped = Graph::new();
    for (from, to) in [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")] {
        looped
            .entry(from.to_owned())
            .or_default()
            .insert(to.to_owned(), BTreeSet::new());
    }
    assert_eq!(cycles(&looped), vec![vec!["a", "b", "c"]]);
}

/// The top-level module graph of the crate whose sources are in `src`.
fn module_graph(src: &Path) -> Graph {
    let mut graph = Graph::new();
    for file in rust_files(src) {
        let relative = file.strip_prefix(src).expect("under src");
        let Some(module) = module_path(relative) else {
            continue;
        };
        let text = std::fs::read_to_string(&file).expect("readable source");
        let parsed = syn::parse_file(&text)
            .unwrap_or_else(|e| panic!("{} does not parse: {e}", file.display()));
        let mut names = Names {
            module: &module,
            found: BTreeSet::new(),
        };
        names.visit_file(&parsed);
        for to in names.found {
            if to != module[0] {
                graph
                    .entry(module[0].clone())
                    .or_default()
                    .entry(to)
                    .or_default()
                    .insert(relative.display().to_string());
            }
        }
    }
    // Only the crate's own top-level modules (not `crate::SomeReexport`).
    let declared = declared_modules(src);
    for targets in graph.values_mut() {
        targets.retain(|to, _| declared.contains(to));
    }
    graph
}

/// Every `.rs` file under `dir`, tests left out.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("readable folder") {
        let path = entry.expect("folder entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if path.is_dir() {
            if name != "tests" {
                files.extend(rust_files(&path));
            }
        } else if name.ends_with(".rs") && name != "tests.rs" {
            files.push(path);
        }
    }
    files
}

/// The module a file is (`calls/policies/cache.rs` → `calls::policies::cache`); `None` for the
/// crate's roots.
fn module_path(relative: &Path) -> Option<Vec<String>> {
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    match parts.as_slice() {
        [] => None,
        [root] if root == "lib" || root == "main" => None,
        _ => Some(parts),
    }
}

/// The modules `lib.rs` declares, in its order.
fn declared_order(src: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(src.join("lib.rs")).expect("lib.rs");
    let parsed = syn::parse_file(&text).expect("lib.rs parses");
    parsed
        .items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Mod(m) => Some(m.ident.to_string()),
            _ => None,
        })
        .collect()
}

/// The modules `lib.rs` declares.
fn declared_modules(src: &Path) -> BTreeSet<String> {
    declared_order(src).into_iter().collect()
}

/// The length in lines of every function with a body in a file's product code.
#[derive(Default)]
struct Lengths {
    found: Vec<(String, usize)>,
}

impl Lengths {
    /// Notes `name`, whose body is `block`, from its `fn` at `start`.
    fn note(&mut self, name: &syn::Ident, start: proc_macro2::Span, block: &syn::Block) {
        let lines = block.brace_token.span.close().end().line + 1 - start.start().line;
        self.found.push((name.to_string(), lines));
    }
}

impl<'ast> Visit<'ast> for Lengths {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        if !is_test(item_attrs(item)) {
            syn::visit::visit_item(self, item);
        }
    }

    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        self.note(&f.sig.ident, f.sig.fn_token.span, &f.block);
        syn::visit::visit_item_fn(self, f);
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        if !is_test(&f.attrs) {
            self.note(&f.sig.ident, f.sig.fn_token.span, &f.block);
            syn::visit::visit_impl_item_fn(self, f);
        }
    }

    fn visit_trait_item_fn(&mut self, f: &'ast syn::TraitItemFn) {
        if let Some(block) = &f.default {
            self.note(&f.sig.ident, f.sig.fn_token.span, block);
        }
        syn::visit::visit_trait_item_fn(self, f);
    }
}

/// An item's attributes (none for the kinds that never carry `#[cfg(test)]` here).
fn item_attrs(item: &syn::Item) -> &[syn::Attribute] {
    match item {
        syn::Item::Mod(i) => &i.attrs,
        syn::Item::Fn(i) => &i.attrs,
        syn::Item::Impl(i) => &i.attrs,
        syn::Item::Use(i) => &i.attrs,
        syn::Item::Struct(i) => &i.attrs,
        syn::Item::Enum(i) => &i.attrs,
        syn::Item::Const(i) => &i.attrs,
        syn::Item::Static(i) => &i.attrs,
        syn::Item::Trait(i) => &i.attrs,
        syn::Item::Macro(i) => &i.attrs,
        _ => &[],
    }
}

/// Collects the top-level modules a file's product code names.
struct Names<'a> {
    /// The file's own module path.
    module: &'a [String],
    found: BTreeSet<String>,
}

impl Names<'_> {
    /// The top-level module a path starting with `first, second, ...` names, if any.
    fn note(&mut self, segments: &[String]) {
        match segments {
            [first, second, ..] if first == "crate" => {
                self.found.insert(second.clone());
            }
            [first, ..] if first == "super" => {
                let ups = segments.iter().take_while(|s| *s == "super").count();
                if ups >= self.module.len()
                    && let Some(next) = segments.get(ups)
                {
                    self.found.insert(next.clone());
                }
            }
            _ => {}
        }
    }
}

/// Whether `attrs` hold `#[cfg(test)]`.
fn is_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg")
            && matches!(&a.meta, syn::Meta::List(l) if l.tokens.to_string() == "test")
    })
}

impl<'ast> Visit<'ast> for Names<'_> {
    fn visit_file(&mut self, file: &'ast syn::File) {
        if !is_test(&file.attrs) {
            syn::visit::visit_file(self, file);
        }
    }

    fn visit_item(&mut self, item: &'ast syn::Item) {
        if !is_test(item_attrs(item)) {
            syn::visit::visit_item(self, item);
        }
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        self.note(&segments);
        syn::visit::visit_path(self, path);
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        let mut paths = Vec::new();
        use_paths(&item.tree, &mut Vec::new(), &mut paths);
        for path in paths {
            self.note(&path);
        }
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        let mut paths = Vec::new();
        token_paths(mac.tokens.clone(), &mut paths);
        for path in paths {
            self.note(&path);
        }
        syn::visit::visit_macro(self, mac);
    }
}

/// The paths a `use` tree names, each to its second segment past a `crate`/`super` chain.
fn use_paths(tree: &syn::UseTree, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            use_paths(&p.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) => out.push([prefix.clone(), vec![n.ident.to_string()]].concat()),
        syn::UseTree::Rename(r) => out.push([prefix.clone(), vec![r.ident.to_string()]].concat()),
        syn::UseTree::Glob(_) => out.push([prefix.clone(), vec!["*".to_owned()]].concat()),
        syn::UseTree::Group(g) => {
            for item in &g.items {
                use_paths(item, prefix, out);
            }
        }
    }
}

/// `crate :: a :: b` and `super :: a` sequences inside a macro's tokens.
fn token_paths(tokens: TokenStream, out: &mut Vec<Vec<String>>) {
    /// A token of one level: an identifier, one `:`, or anything else.
    enum Token {
        Ident(String),
        Colon,
        Other,
    }
    let mut flat = Vec::new();
    for token in tokens {
        flat.push(match token {
            TokenTree::Group(g) => {
                token_paths(g.stream(), out);
                Token::Other
            }
            TokenTree::Ident(i) => Token::Ident(i.to_string()),
            TokenTree::Punct(p) if p.as_char() == ':' => Token::Colon,
            _ => Token::Other,
        });
    }
    for start in 0..flat.len() {
        let after_colons = start > 0 && matches!(flat[start - 1], Token::Colon);
        let Token::Ident(first) = &flat[start] else {
            continue;
        };
        if after_colons || (first != "crate" && first != "super") {
            continue;
        }
        let mut path = vec![first.clone()];
        let mut at = start + 1;
        while let (Some(Token::Colon), Some(Token::Colon), Some(Token::Ident(next))) =
            (flat.get(at), flat.get(at + 1), flat.get(at + 2))
        {
            path.push(next.clone());
            at += 3;
        }
        if path.len() > 1 {
            out.push(path);
        }
    }
}

/// The graph's cycles: its strongly connected components of more than one module, each
/// sorted, in order (Tarjan's algorithm).
fn cycles(graph: &Graph) -> Vec<Vec<String>> {
    struct Walk<'g> {
        graph: &'g Graph,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        on_stack: BTreeSet<&'g str>,
        found: Vec<Vec<String>>,
    }
    impl<'g> Walk<'g> {
        fn visit(&mut self, v: &'g str) {
            let i = self.index.len();
            self.index.insert(v, i);
            self.low.insert(v, i);
            self.stack.push(v);
            self.on_stack.insert(v);
            for w in self.graph.get(v).into_iter().flat_map(|t| t.keys()) {
                let w = w.as_str();
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let low = self.low[v].min(self.low[w]);
                    self.low.insert(v, low);
                } else if self.on_stack.contains(w) {
                    let low = self.low[v].min(self.index[w]);
                    self.low.insert(v, low);
                }
            }
            if self.low[v] == self.index[v] {
                let mut component = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack.remove(w);
                    component.push(w.to_owned());
                    if w == v {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort();
                    self.found.push(component);
                }
            }
        }
    }
    let mut walk = Walk {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for v in graph.keys() {
        if !walk.index.contains_key(v.as_str()) {
            walk.visit(v);
        }
    }
    walk.found.sort();
    walk.found
}
