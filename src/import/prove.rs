//! Rendering spec text in memory the way `dlgen render` does (dlgen's reader, the model,
//! the templates, the formatter and the structural checks), and comparing the result with
//! the stack plan-semantically.

use std::path::{Path, PathBuf};

use crate::model::{self, Problem};
use crate::planeq;
use crate::render::{RenderError, RenderedFile, Renderer};
use crate::spec::Spec;

/// How the spec is named while it is proved (in the generated header, which no
/// comparison reads).
pub const LABEL: &str = "specs/imported.yaml";

/// A spec rendered in memory.
#[derive(Debug)]
pub struct Rendered {
    pub files: Vec<RenderedFile>,
    pub stack: planeq::Stack,
}

/// Why spec text did not render.
#[derive(Debug)]
pub enum Refused {
    /// The model's problems, each at its spec path.
    Problems(Vec<Problem>),
    /// Anything else (a YAML the reader refuses, a raw HCL collision), as reported.
    Other(String),
}

/// Reads and renders spec `text`; files the rendered stack reads beside `main.tf` (a
/// local module, a file read by `file()`) come from the stack directory `dir`.
pub fn render(renderer: &Renderer, text: &str, dir: &Path) -> Result<Rendered, Refused> {
    let files = render_files(renderer, text)?;
    let stack = planeq::Stack::from_memory(
        &dir.display().to_string(),
        Some(dir),
        files
            .iter()
            .map(|f| (PathBuf::from(&f.name), f.contents.clone())),
    )
    .map_err(|e| Refused::Other(e.to_string()))?;
    Ok(Rendered { files, stack })
}

/// The rendered files of spec `text`.
pub fn render_files(renderer: &Renderer, text: &str) -> Result<Vec<RenderedFile>, Refused> {
    let lossy = crate::de::from_str_lossy::<Spec>(LABEL, text)
        .map_err(|d| Refused::Other(d.render(text)))?;
    if lossy.diagnostics.has_errors() {
        return Err(Refused::Other(lossy.diagnostics.render(text)));
    }
    let Some(spec) = lossy.value else {
        return Err(Refused::Other("the spec did not read".to_owned()));
    };
    render_spec(renderer, &spec)
}

/// Whether a spec tree built in memory ([`super::yaml_out::tree`], which reads as the
/// text [`super::yaml_out::document`] writes of it) renders exactly `reference`.
pub fn renders_as(
    renderer: &Renderer,
    tree: &crate::yaml::Node,
    reference: &[RenderedFile],
) -> bool {
    crate::de::value_of::<Spec>(LABEL, tree)
        .and_then(|spec| model::build(&spec).ok())
        .is_some_and(|stack| renderer.renders_as(&stack, LABEL, reference))
}

fn render_spec(renderer: &Renderer, spec: &Spec) -> Result<Vec<RenderedFile>, Refused> {
    let stack = model::build(spec).map_err(Refused::Problems)?;
    renderer.render(&stack, LABEL).map_err(|e| match e {
        RenderError::Structure(conflicts) => Refused::Other(
            conflicts
                .iter()
                .map(crate::structure::message)
                .collect::<Vec<_>>()
                .join("; "),
        ),
        other => Refused::Other(other.to_string()),
    })
}

/// Whether the rendered stack plans like the stack: every object plan-equal, and the
/// same `moved` blocks (the stack's, and the renames the spec adds). The differences
/// otherwise, one line each.
pub fn compare(
    rendered: &planeq::Stack,
    input: &planeq::Stack,
    expected_moved: &[(String, String)],
) -> Vec<planeq::Difference> {
    let mut out = planeq::compare(rendered, input).differences;
    let got: std::collections::BTreeSet<(String, String)> = rendered
        .moved()
        .iter()
        .map(|(f, t)| (f.to_string(), t.to_string()))
        .collect();
    let want: std::collections::BTreeSet<(String, String)> =
        expected_moved.iter().cloned().collect();
    for (f, t) in got.symmetric_difference(&want) {
        out.push(planeq::Difference::Value {
            address: "moved".to_owned(),
            path: format!("{f} → {t}"),
            a: if got.contains(&(f.clone(), t.clone())) {
                "(rendered)".to_owned()
            } else {
                "(absent)".to_owned()
            },
            b: if want.contains(&(f.clone(), t.clone())) {
                "(in the stack)".to_owned()
            } else {
                "(absent)".to_owned()
            },
        });
    }
    // Every `import` block of the stack, said in the spec or kept raw: compared as a set
    // (the plan comparison passes over them, a no-op once applied).
    let imports = |s: &planeq::Stack| -> std::collections::BTreeSet<String> {
        s.imports()
            .iter()
            .map(|i| {
                let other = if i.other { " (and more)" } else { "" };
                format!("{} id {}{other}", i.to, i.id)
            })
            .collect()
    };
    let (got, want) = (imports(rendered), imports(input));
    for i in got.symmetric_difference(&want) {
        out.push(planeq::Difference::Value {
            address: "import".to_owned(),
            path: i.clone(),
            a: if got.contains(i) {
                "(rendered)"
            } else {
                "(absent)"
            }
            .to_owned(),
            b: if want.contains(i) {
                "(in the stack)"
            } else {
                "(absent)"
            }
            .to_owned(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stack(main: &str) -> planeq::Stack {
        planeq::Stack::from_memory("s", None, [(PathBuf::from("main.tf"), main.to_owned())])
            .expect("reads")
    }

    #[test]
    fn import_blocks_are_compared_as_a_set() {
        let ns =
            "resource \"kubernetes_namespace\" \"a\" {\n  metadata {\n    name = \"a\"\n  }\n}\n";
        let import = "import {\n  to = kubernetes_namespace.a\n  id = \"a\"\n}\n";
        let other_id = "import {\n  to = kubernetes_namespace.a\n  id = \"b\"\n}\n";
        let with = stack(&format!("{ns}{import}"));
        assert!(compare(&with, &with, &[]).is_empty());
        // The plan comparison passes over import blocks; the adoption proof does not.
        let without = stack(ns);
        assert!(planeq::compare(&without, &with).differences.is_empty());
        let missing = compare(&without, &with, &[]);
        assert_eq!(missing.len(), 1, "{missing:?}");
        assert_eq!(missing[0].address(), "import");
        let changed = compare(&stack(&format!("{ns}{other_id}")), &with, &[]);
        assert_eq!(changed.len(), 2, "{changed:?}");
    }
}
