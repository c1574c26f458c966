//! The last net under the comment readers: every comment of the stack's files that the
//! stack rendered from the imported spec does not carry — in no `comment` / `*_why`
//! field, no anchored comment, no raw HCL, no convention — is
//! listed in the spec's header with its file and line, so that adopting a stack never
//! deletes an operator's words without saying so.

use super::invert;
use super::source::{self, File, Source};
use crate::render::RenderedFile;

/// The comments of `src` (its `.tf` files, those of the wrapping module `scope` whose
/// objects the spec takes out of it, and `terragrunt.hcl`) that `rendered` does not carry
/// and that `listed` (`(file, line)` pairs already in the header) does not hold, as
/// `file:line: text`, file by file, top down.
pub fn unkept(
    src: &Source,
    scope: Option<&str>,
    rendered: &[RenderedFile],
    listed: &[(String, usize)],
) -> Vec<String> {
    let carried = Carried::of(rendered);
    let module_files = src
        .modules
        .iter()
        .filter(|m| Some(m.name.as_str()) == scope)
        .flat_map(|m| &m.files);
    let mut out = Vec::new();
    for file in src.files.iter().chain(module_files).chain(&src.terragrunt) {
        let mut comments = file.comments_in(0..file.text.len());
        // Block comments with code after them on their line: not read as `#` lines.
        comments.extend(source::inline_block_comments(file));
        comments.sort_by_key(|(line, _)| *line);
        let conventions = convention_lines(file, &comments);
        for (line, text) in comments {
            if text.trim().is_empty()
                || text.starts_with(crate::generated::FILES_MARK)
                || conventions.contains(&line)
                || listed.iter().any(|(f, l)| *f == file.name && *l == line)
                || carried.holds(&text)
            {
                continue;
            }
            out.push(format!("{}:{line}: {}", file.name, text.trim()));
        }
    }
    out
}

/// The lines of the comments that hold a convention (a lifecycle marker, dlgen's own
/// words) and of the sentence each carries on ([`invert::convention_words`]), whatever the
/// stack's own wording of it (the rendered stack writes dlgen's; the repo words the same
/// marker many ways, and listing each wording would bury the comments that are lost).
/// Other lines of their runs are the stack's own words and are listed when lost.
fn convention_lines(file: &File, comments: &[(usize, String)]) -> Vec<usize> {
    let mut out = Vec::new();
    for (line, text) in comments {
        if text.trim().is_empty() || !invert::is_convention(text) {
            continue;
        }
        if file.is_comment_line(*line) {
            out.extend(invert::convention_words(file, *line));
        } else {
            out.push(*line);
        }
    }
    out
}

/// The words of a rendered stack, whitespace collapsed: its whole text, and its comments
/// alone (a comment re-wrapped by the renderer reads on across its `#` markers).
struct Carried {
    text: String,
    comments: String,
}

impl Carried {
    fn of(rendered: &[RenderedFile]) -> Carried {
        let mut text = String::new();
        let mut comments = String::new();
        for f in rendered {
            text.push_str(&collapse(&f.contents));
            text.push(' ');
            if let Some(file) = File::from_text(&f.name, &f.contents) {
                for (_, c) in file.comments_in(0..file.text.len()) {
                    comments.push_str(&collapse(&c));
                    comments.push(' ');
                }
            }
        }
        Carried { text, comments }
    }

    fn holds(&self, comment: &str) -> bool {
        let c = collapse(comment);
        self.comments.contains(&c) || self.text.contains(&c)
    }
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
