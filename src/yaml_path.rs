//! YAML paths: how diagnostics name a node of a spec (`containers[0].env[3].name`).
//!
//! A YAML path names a node from the document root: mapping keys are joined with `.`, list
//! items are `[index]` (0-based), and the root is the empty string. A key made of anything
//! other than ASCII letters, digits, `_`, `-` and `/` is written in double quotes, with `"`
//! and `\` escaped by a backslash: `labels."app.kubernetes.io/name"`.
//!
//! The YAML reader, the deserializer and the model all name nodes this way; the helpers
//! stand alone so that none of them depends on another for it.

/// The path of `key` inside the mapping at `parent`.
pub fn path_key(parent: &str, key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '/'));
    let mut path = String::with_capacity(parent.len() + key.len() + 3);
    path.push_str(parent);
    if !parent.is_empty() {
        path.push('.');
    }
    if bare {
        path.push_str(key);
    } else {
        path.push('"');
        for c in key.chars() {
            if c == '"' || c == '\\' {
                path.push('\\');
            }
            path.push(c);
        }
        path.push('"');
    }
    path
}

/// The path of item `index` of the list at `parent`.
pub fn path_index(parent: &str, index: usize) -> String {
    format!("{parent}[{index}]")
}

/// The path of the node containing `path`, or `None` for the root.
pub fn parent_path(path: &str) -> Option<&str> {
    if path.is_empty() {
        return None;
    }
    let mut boundary = 0;
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in path.char_indices() {
        if quoted {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => quoted = false,
                _ => {}
            }
        } else {
            match c {
                '"' => quoted = true,
                '.' | '[' => boundary = i,
                _ => {}
            }
        }
    }
    Some(&path[..boundary])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_quote_keys_that_are_not_plain_words() {
        assert_eq!(path_key("", "image"), "image");
        assert_eq!(path_key("container", "env"), "container.env");
        assert_eq!(path_index("container.env", 3), "container.env[3]");
        assert_eq!(path_index("", 0), "[0]");
        assert_eq!(path_key("env[3]", "name"), "env[3].name");
        assert_eq!(
            path_key("labels", "app.kubernetes.io/name"),
            "labels.\"app.kubernetes.io/name\""
        );
        assert_eq!(path_key("", "nvidia.com/gpu"), "\"nvidia.com/gpu\"");
        assert_eq!(path_key("a", "say \"hi\""), "a.\"say \\\"hi\\\"\"");
        assert_eq!(path_key("a", ""), "a.\"\"");
        assert_eq!(path_key("a", "with space"), "a.\"with space\"");
        assert_eq!(path_key("a", "KEY_1-x/y"), "a.KEY_1-x/y");
    }

    #[test]
    fn parent_paths_respect_quotes() {
        assert_eq!(parent_path(""), None);
        assert_eq!(parent_path("a"), Some(""));
        assert_eq!(parent_path("[0]"), Some(""));
        assert_eq!(parent_path("a.b"), Some("a"));
        assert_eq!(parent_path("a.b[3]"), Some("a.b"));
        assert_eq!(parent_path("a.b[3].c"), Some("a.b[3]"));
        assert_eq!(parent_path("labels.\"x.y[0]\""), Some("labels"));
        assert_eq!(parent_path("a.\"q\\\".z\".b"), Some("a.\"q\\\".z\""));
    }
}
