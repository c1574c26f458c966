//! Problems found while resolving a spec, each at the YAML path of the offending node.

use crate::hcl;

/// A problem found while resolving a spec: the YAML path of the offending node, what is
/// wrong, and what would be valid. `line` is a line inside a multi-line value (a raw HCL
/// snippet), 1-based, when the problem is at a specific line of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: String,
    pub message: String,
    pub help: Option<String>,
    pub line: Option<usize>,
}

/// Collects problems while resolving.
#[derive(Default)]
pub(crate) struct Problems(Vec<Problem>);

impl Problems {
    pub fn add(
        &mut self,
        path: impl Into<String>,
        message: impl Into<String>,
        help: Option<String>,
    ) {
        self.0.push(Problem {
            path: path.into(),
            message: message.into(),
            help,
            line: None,
        });
    }

    pub fn add_at_line(&mut self, path: &str, line: usize, message: String, help: Option<String>) {
        self.0.push(Problem {
            path: path.to_owned(),
            message,
            help,
            line: Some(line),
        });
    }

    /// Runs a value check and records its failure as "invalid <what> `value`", with the
    /// reason and what would be valid as help.
    pub fn check(&mut self, path: &str, what: &str, value: &str, result: Result<(), String>) {
        if let Err(why) = result {
            self.invalid(path, what, value, &why);
        }
    }

    pub fn invalid(&mut self, path: &str, what: &str, value: &str, why: &str) {
        self.add(
            path,
            format!("invalid {what} `{value}`"),
            Some(format!("`{value}` {why}")),
        );
    }

    pub fn missing(&mut self, path: &str, what: &str) {
        self.add(
            path,
            format!("missing required field `{}`", last_segment(path)),
            Some(what.to_owned()),
        );
    }

    /// A written reason, folded onto one line; an empty one (or one of only blanks and
    /// control characters) counts as none.
    pub fn why(why: &Option<String>) -> Option<String> {
        why.as_deref().map(hcl::one_line).filter(|w| !w.is_empty())
    }

    pub fn into_result<T>(self, value: T) -> Result<T, Vec<Problem>> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(self.0)
        }
    }
}

fn last_segment(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}
