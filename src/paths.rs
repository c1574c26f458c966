//! Path arithmetic without touching the disk: absolute, lexically normalised paths and
//! relative paths between them, written with `/` so generated text is the same everywhere.

use std::path::{Component, Path, PathBuf};

/// `path` made absolute against the current directory and normalised lexically
/// (`.` removed, `..` applied), without resolving symlinks or requiring existence.
pub fn absolute(path: &Path) -> std::io::Result<PathBuf> {
    let abs = std::path::absolute(path)?;
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    Ok(out)
}

/// The path of `to` relative to the directory `from`, both absolute and normalised.
pub fn relative(to: &Path, from: &Path) -> String {
    let to: Vec<_> = to.components().collect();
    let from: Vec<_> = from.components().collect();
    let common = to.iter().zip(&from).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> =
        std::iter::repeat_n("..".to_owned(), from.len() - common).collect();
    parts.extend(
        to[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        ".".to_owned()
    } else {
        parts.join("/")
    }
}

/// How a generated file names its spec: the spec's path relative to the directory that
/// holds the stacks root (the repository root in the usual layout), e.g.
/// `specs/drone-logbook.yaml`. It does not depend on the directory dlgen runs from.
pub fn spec_label(spec: &Path, stacks_dir: &Path) -> std::io::Result<String> {
    let spec = absolute(spec)?;
    let stacks = absolute(stacks_dir)?;
    let root = stacks.parent().unwrap_or(&stacks);
    Ok(relative(&spec, root))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths() {
        assert_eq!(
            relative(Path::new("/r/specs/a.yaml"), Path::new("/r")),
            "specs/a.yaml"
        );
        assert_eq!(
            relative(Path::new("/other/a.yaml"), Path::new("/r/x")),
            "../../other/a.yaml"
        );
        assert_eq!(relative(Path::new("/r"), Path::new("/r")), ".");
    }

    #[test]
    fn label_does_not_depend_on_spelling() {
        let a = spec_label(Path::new("specs/a.yaml"), Path::new("stacks")).unwrap();
        let b = spec_label(Path::new("./specs/../specs/a.yaml"), Path::new("./stacks/")).unwrap();
        assert_eq!(a, "specs/a.yaml");
        assert_eq!(a, b);
    }
}
