//! Reading a stack for import: every hand-written `.tf` file directly in the stack
//! directory (files whose first line is Terragrunt's generated-file mark are skipped, as
//! `planeq` skips them) and `terragrunt.hcl`, parsed with hcl-edit so that every block and
//! attribute keeps its span: the comments around it and its exact text can be read back,
//! for the spec's `comment` / `*_why` fields and for raw HCL.

use std::ops::Range;
use std::path::{Path, PathBuf};

use hcl_edit::Span as _;
use hcl_edit::structure::{Block, Body, Structure};

use crate::error::Error;
use crate::planeq::TERRAGRUNT_GENERATED;

/// The largest stack file read (a bigger one is not a hand-written stack file).
const MAX_FILE: u64 = 4 << 20;

/// One parsed file of the stack.
#[derive(Debug)]
pub struct File {
    /// The file name (relative to the stack directory).
    pub name: String,
    pub text: String,
    pub body: Body,
}

/// A stack directory, read.
#[derive(Debug)]
pub struct Source {
    /// The directory as given.
    pub dir: PathBuf,
    /// The hand-written `.tf` files, by name.
    pub files: Vec<File>,
    pub terragrunt: Option<File>,
    /// Files skipped because Terragrunt generates them.
    pub generated: Vec<String>,
    /// The local modules the stack calls (`source = "./modules/<x>"`), read too.
    pub modules: Vec<LocalModule>,
    /// The variable files Terraform loads by itself from the directory.
    pub var_files: Vec<String>,
}

/// A file Terraform loads by itself to set variables: `terraform.tfvars`,
/// `*.auto.tfvars` and their `.json` forms.
fn is_var_file(name: &str) -> bool {
    let base = name.strip_suffix(".json").unwrap_or(name);
    base == "terraform.tfvars" || base.ends_with(".auto.tfvars")
}

/// A local module called from the stack's root, with its files.
#[derive(Debug)]
pub struct LocalModule {
    /// The label of the call (`module "<name>"`).
    pub name: String,
    /// Its directory, relative to the stack (`modules/vaultwarden`).
    pub dir: String,
    /// Its `.tf` files, named by their path relative to the stack.
    pub files: Vec<File>,
}

/// A top-level block of a `.tf` file.
#[derive(Debug, Clone, Copy)]
pub struct Top<'a> {
    pub file: &'a File,
    pub block: &'a Block,
}

impl Source {
    /// Reads `dir`: a malformed or unreadable stack is an error naming the file (and the
    /// line and column of a syntax error).
    pub fn read(dir: &Path) -> Result<Source, Error> {
        let meta = std::fs::metadata(dir).map_err(|e| Error::io(dir, e))?;
        if !meta.is_dir() {
            return Err(Error::Message(format!(
                "error: {}: not a directory (a stack directory holds main.tf and terragrunt.hcl)",
                dir.display()
            )));
        }
        let mut names = Vec::new();
        let mut var_files = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
            let entry = entry.map_err(|e| Error::io(dir, e))?;
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.extension().is_some_and(|e| e == "tf") && path.is_file() {
                names.push(name);
            } else if is_var_file(&name) && path.is_file() {
                var_files.push(name);
            }
        }
        names.sort();
        var_files.sort();
        let mut files = Vec::new();
        let mut generated = Vec::new();
        for name in names {
            let text = read_text(&dir.join(&name))?;
            if text.starts_with(TERRAGRUNT_GENERATED) {
                generated.push(name);
                continue;
            }
            files.push(parse(dir, name, text)?);
        }
        if files.is_empty() {
            return Err(Error::Message(format!(
                "error: {}: no hand-written .tf file to import (a stack directory holds main.tf)",
                dir.display()
            )));
        }
        let tg_path = dir.join("terragrunt.hcl");
        let terragrunt = if tg_path.exists() {
            Some(parse(
                dir,
                "terragrunt.hcl".to_owned(),
                read_text(&tg_path)?,
            )?)
        } else {
            None
        };
        let modules = local_modules(dir, &files)?;
        Ok(Source {
            dir: dir.to_path_buf(),
            files,
            terragrunt,
            generated,
            modules,
            var_files,
        })
    }

    /// The local module a file belongs to (by its stack-relative name).
    pub fn module_of_file(&self, file: &str) -> Option<&LocalModule> {
        self.modules
            .iter()
            .find(|m| m.files.iter().any(|f| f.name == file))
    }

    /// The local module called `name`.
    pub fn module(&self, name: &str) -> Option<&LocalModule> {
        self.modules.iter().find(|m| m.name == name)
    }

    /// The root's call of the module `name` (`module "<name>" { … }`).
    pub fn module_call(&self, name: &str) -> Option<Top<'_>> {
        self.tops().find(|t| {
            t.block.ident.as_str() == "module"
                && t.block.labels.first().is_some_and(|l| l.as_str() == name)
        })
    }

    /// The top-level blocks of the local module called `name`.
    pub fn module_tops(&self, name: &str) -> impl Iterator<Item = Top<'_>> {
        self.modules
            .iter()
            .filter(move |m| m.name == name)
            .flat_map(|m| &m.files)
            .flat_map(|file| file.body.blocks().map(move |block| Top { file, block }))
    }

    /// Every top-level block of the `.tf` files, in file order.
    pub fn tops(&self) -> impl Iterator<Item = Top<'_>> {
        self.files
            .iter()
            .flat_map(|file| file.body.blocks().map(move |block| Top { file, block }))
    }

    /// The top-level block at a Terraform address (`kubernetes_namespace.x`, `module.x`,
    /// `data.t.x`), or of an instance of one (`x.y["k"]`, `x.y[0]`).
    /// `module.<m>.<address>` is found in the local module `<m>`.
    pub fn top(&self, address: &str) -> Option<Top<'_>> {
        let address = block_address(address);
        if let Some(rest) = address.strip_prefix("module.")
            && let Some((module, inner)) = rest.split_once('.')
            && self.modules.iter().any(|m| m.name == module)
            && inner.contains('.')
        {
            return self
                .module_tops(module)
                .find(|t| address_of(t.block).as_deref() == Some(inner));
        }
        self.tops()
            .find(|t| address_of(t.block).as_deref() == Some(address))
    }

    /// Lines of the stack's files (`.tf`, its local modules' and `terragrunt.hcl`), what
    /// a spec replaces.
    pub fn lines(&self) -> usize {
        self.files
            .iter()
            .chain(&self.terragrunt)
            .chain(self.modules.iter().flat_map(|m| &m.files))
            .map(|f| f.text.lines().count())
            .sum()
    }
}

/// The local modules the root calls: `source = "./<dir>"` inside the stack directory.
fn local_modules(dir: &Path, files: &[File]) -> Result<Vec<LocalModule>, Error> {
    let mut out = Vec::new();
    for file in files {
        for block in file.body.blocks() {
            if block.ident.as_str() != "module" {
                continue;
            }
            let (Some(name), Some(src)) = (
                block.labels.first().map(|l| l.as_str().to_owned()),
                block
                    .body
                    .get_attribute("source")
                    .and_then(|a| a.value.as_str().map(str::to_owned)),
            ) else {
                continue;
            };
            let Some(rel) = src.strip_prefix("./") else {
                continue;
            };
            let rel = rel.trim_end_matches('/');
            if rel.is_empty()
                || rel
                    .split('/')
                    .any(|p| p == ".." || p == "." || p.is_empty())
            {
                continue;
            }
            let mdir = dir.join(rel);
            if !mdir.is_dir() {
                continue;
            }
            let mut names = Vec::new();
            for entry in std::fs::read_dir(&mdir).map_err(|e| Error::io(&mdir, e))? {
                let entry = entry.map_err(|e| Error::io(&mdir, e))?;
                let path = entry.path();
                if path.extension().is_some_and(|e| e == "tf") && path.is_file() {
                    names.push(entry.file_name().to_string_lossy().into_owned());
                }
            }
            names.sort();
            let mut mfiles = Vec::new();
            for n in names {
                let text = read_text(&mdir.join(&n))?;
                if text.starts_with(TERRAGRUNT_GENERATED) {
                    continue;
                }
                mfiles.push(parse(dir, format!("{rel}/{n}"), text)?);
            }
            out.push(LocalModule {
                name,
                dir: rel.to_owned(),
                files: mfiles,
            });
        }
    }
    Ok(out)
}

fn read_text(path: &Path) -> Result<String, Error> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.len() > MAX_FILE {
        return Err(Error::Message(format!(
            "error: {}: is {} bytes; a stack file is at most {MAX_FILE} bytes",
            path.display(),
            meta.len()
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    crate::hcl::source_text(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        Error::Message(format!(
            "error: {}:{line}: not valid UTF-8 text",
            path.display()
        ))
    })
}

impl File {
    /// A file of HCL text read as a stack file is; `None` when it does not parse.
    pub fn from_text(name: &str, text: &str) -> Option<File> {
        parse(Path::new(""), name.to_owned(), text.to_owned()).ok()
    }
}

fn parse(dir: &Path, name: String, text: String) -> Result<File, Error> {
    let text = block_comments_as_lines(&text).unwrap_or(text);
    match hcl_edit::parser::parse_body(&text) {
        Ok(body) => Ok(File { name, text, body }),
        Err(err) => {
            let loc = err.location();
            Err(Error::Message(format!(
                "error: {}:{}:{}: {}",
                dir.join(&name).display(),
                loc.line(),
                loc.column(),
                err.message()
            )))
        }
    }
}

/// The Terraform address of a top-level block, when it declares a resource, data source
/// or module call.
/// The address of the block that writes an instance (`kubernetes_cron_job_v1.jobs["daily"]`
/// → `kubernetes_cron_job_v1.jobs`); any other address as it is.
pub fn block_address(address: &str) -> &str {
    address.split('[').next().unwrap_or(address)
}

pub fn address_of(block: &Block) -> Option<String> {
    let labels: Vec<&str> = block.labels.iter().map(|l| l.as_str()).collect();
    match (block.ident.as_str(), labels.as_slice()) {
        ("resource", [ty, name]) => Some(format!("{ty}.{name}")),
        ("data", [ty, name]) => Some(format!("data.{ty}.{name}")),
        ("module", [name]) => Some(format!("module.{name}")),
        _ => None,
    }
}

/// A step into a body: an attribute, or the `index`-th block of a type.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    Attr(String),
    Block(String, usize),
}

/// The structure at `path` inside `body`.
pub fn find<'a>(body: &'a Body, path: &[Step]) -> Option<&'a Structure> {
    let (first, rest) = path.split_first()?;
    let found = match first {
        Step::Attr(name) => body
            .iter()
            .find(|s| s.as_attribute().is_some_and(|a| a.key.as_str() == name)),
        Step::Block(ident, index) => body
            .iter()
            .filter(|s| s.as_block().is_some_and(|b| b.ident.as_str() == ident))
            .nth(*index),
    }?;
    if rest.is_empty() {
        return Some(found);
    }
    find(&found.as_block()?.body, rest)
}

/// The body at `path` (a chain of blocks) inside `body`; the body itself for an empty path.
pub fn find_body<'a>(body: &'a Body, path: &[Step]) -> Option<&'a Body> {
    if path.is_empty() {
        return Some(body);
    }
    find(body, path)?.as_block().map(|b| &b.body)
}

impl File {
    /// 1-based line of a byte offset.
    pub fn line_of(&self, offset: usize) -> usize {
        self.text[..offset.min(self.text.len())]
            .matches('\n')
            .count()
            + 1
    }

    fn line_start(&self, offset: usize) -> usize {
        self.text[..offset.min(self.text.len())]
            .rfind('\n')
            .map_or(0, |i| i + 1)
    }

    fn line_end(&self, offset: usize) -> usize {
        self.text[offset.min(self.text.len())..]
            .find('\n')
            .map_or(self.text.len(), |i| offset + i)
    }

    /// The bytes of 1-based line `n`, without its line break (empty past the end).
    pub fn line_range(&self, n: usize) -> Range<usize> {
        let mut start = 0;
        for _ in 1..n {
            match self.text[start..].find('\n') {
                Some(i) => start += i + 1,
                None => return self.text.len()..self.text.len(),
            }
        }
        start..self.line_end(start)
    }

    /// Whether 1-based line `n` is a comment and nothing else.
    pub fn is_comment_line(&self, n: usize) -> bool {
        let t = self.text[self.line_range(n)].trim_start();
        t.starts_with('#') || t.starts_with("//")
    }

    /// The text of 1-based comment line `n`, without its `#` / `//` marker.
    pub fn comment_line_text(&self, n: usize) -> String {
        comment_text(&self.text[self.line_range(n)])
    }

    /// The run of full-line comments around 1-based line `n` (a comment line itself):
    /// its first and last lines.
    pub fn comment_run_around(&self, n: usize) -> (usize, usize) {
        let mut a = n;
        while a > 1 && self.is_comment_line(a - 1) {
            a -= 1;
        }
        let mut b = n;
        while self.is_comment_line(b + 1) {
            b += 1;
        }
        (a, b)
    }

    /// The comment lines directly above the item that starts at `start` (no blank line in
    /// between), without their `#` / `//` markers, top down; empty when the item does not
    /// start its line.
    pub fn comment_above(&self, start: usize) -> Vec<(usize, String)> {
        let (top, lines) = self.comment_run(start);
        let first = self.line_of(top);
        lines
            .iter()
            .enumerate()
            .map(|(i, l)| (first + i, comment_text(l)))
            .collect()
    }

    /// Where the comment run above `start` begins, and its lines as written.
    fn comment_run(&self, start: usize) -> (usize, Vec<&str>) {
        let ls = self.line_start(start);
        if !self.text[ls..start].trim().is_empty() {
            return (start, Vec::new());
        }
        let mut top = ls;
        let mut lines = Vec::new();
        while top > 0 {
            let prev_start = self.line_start(top - 1);
            let line = self.text[prev_start..top - 1].trim();
            if line.starts_with('#') || line.starts_with("//") {
                lines.push(line);
                top = prev_start;
            } else {
                break;
            }
        }
        lines.reverse();
        (top, lines)
    }

    /// The comment lines that open the file on their own: those before its first item,
    /// without the run directly above that item (the item's own comment), top down. The
    /// runs of a file that starts with comments only (or is nothing else) are all taken.
    pub fn leading_comment(&self) -> Vec<(usize, String)> {
        let first_item = self
            .body
            .iter()
            .filter_map(|s| s.span())
            .map(|s| s.start)
            .min();
        let end = match first_item {
            Some(start) => self.comment_run(start).0,
            None => self.text.len(),
        };
        self.comment_lines(0, end)
    }

    /// The comment lines that close the file, after its last item (and after a comment
    /// on that item's last line), top down.
    pub fn closing_comment(&self) -> Vec<(usize, String)> {
        let Some(last_end) = self
            .body
            .iter()
            .filter_map(|s| s.span())
            .map(|s| s.end)
            .max()
        else {
            return Vec::new();
        };
        let from = (self.line_end(last_end) + 1).min(self.text.len());
        self.comment_lines(from, self.text.len())
    }

    /// The full-line comments between the line starts `from` and `to`, with their 1-based
    /// lines.
    fn comment_lines(&self, from: usize, to: usize) -> Vec<(usize, String)> {
        let first = self.line_of(from);
        self.text[from..to]
            .split('\n')
            .enumerate()
            .filter_map(|(i, l)| {
                let t = l.trim();
                (t.starts_with('#') || t.starts_with("//")).then(|| (first + i, comment_text(t)))
            })
            .collect()
    }

    /// The full-line comments that belong to no item: outside every top-level item and
    /// not directly above one (a file's opening and closing comments, and those set apart
    /// by a blank line), top down.
    pub fn comments_between(&self) -> Vec<(usize, String)> {
        let owned: Vec<(usize, usize)> = self
            .body
            .iter()
            .filter_map(|s| s.span())
            .map(|s| {
                let (from, _) = self.comment_run(s.start);
                (self.line_of(from), self.line_of(s.end))
            })
            .collect();
        self.comment_lines(0, self.text.len())
            .into_iter()
            .filter(|(line, _)| !owned.iter().any(|(a, b)| (*a..=*b).contains(line)))
            .collect()
    }

    /// The comment after the item that ends at `end`, on the same line, with its line.
    pub fn comment_after(&self, end: usize) -> Option<(usize, String)> {
        let rest = self.text[end.min(self.text.len())..self.line_end(end)].trim();
        (rest.starts_with('#') || rest.starts_with("//"))
            .then(|| (self.line_of(end), comment_text(rest)))
    }

    /// The text of the item spanning `span`, from the first line of the comments directly
    /// above it to the end of its last line when only a comment follows it there.
    pub fn snippet(&self, span: Range<usize>) -> String {
        let (from, _) = self.comment_run(span.start);
        let eol = self.line_end(span.end);
        let rest = self.text[span.end.min(eol)..eol].trim();
        let to = if rest.is_empty() || rest.starts_with('#') || rest.starts_with("//") {
            eol
        } else {
            span.end
        };
        self.text[from..to].to_owned()
    }

    /// The text of a structure with its comments (see [`File::snippet`]).
    pub fn structure_text(&self, s: &Structure) -> String {
        s.span().map_or_else(String::new, |span| self.snippet(span))
    }

    /// Every comment inside `span` (full-line and trailing), with its 1-based line: what
    /// an object says beyond what a spec field holds.
    pub fn comments_in(&self, span: Range<usize>) -> Vec<(usize, String)> {
        let mut out = Vec::new();
        let text = &self.text[span.clone()];
        let mut heredoc: Option<String> = None;
        for (line, l) in (self.line_of(span.start)..).zip(text.split('\n')) {
            if let Some(end) = &heredoc {
                if l.trim() == end {
                    heredoc = None;
                }
            } else {
                let code = strip_strings(l);
                if let Some(i) = code.find('#').or_else(|| code.find("//")) {
                    out.push((line, comment_text(&l[i..])));
                }
                if let Some(i) = code.find("<<") {
                    let marker = code[i + 2..].trim_start_matches('-');
                    let word: String = marker
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if !word.is_empty() {
                        heredoc = Some(word);
                    }
                }
            }
        }
        out
    }
}

/// The text with each block comment (`/* … */`) that stands on lines of its own, or ends
/// the line it is on, written as `#` comments on the same lines: Terraform reads both
/// alike, and the comment readers (an object's comment, a reason, the comments of no
/// object) then see what the stack's authors wrote in either form. Lines keep their
/// numbers. A block comment with code after it on its line stays as it is. `None` when
/// the text has no block comment to rewrite (or one is not closed: the parser says where).
fn block_comments_as_lines(text: &str) -> Option<String> {
    let comments = block_comments(text)?;
    if comments.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut done = 0;
    for (a, b) in comments {
        let ls = text[..a].rfind('\n').map_or(0, |i| i + 1);
        let le = text[b..].find('\n').map_or(text.len(), |i| b + i);
        let before = &text[ls..a];
        if !text[b..le].trim().is_empty() || ls < done {
            continue;
        }
        let inner = &text[a + 2..b - 2];
        let lines: Vec<String> = inner
            .split('\n')
            .enumerate()
            .map(|(i, l)| {
                let l = if i == 0 { l } else { l.trim_start() };
                let l = match l.strip_prefix('*') {
                    Some(rest) if i > 0 => rest,
                    _ => l,
                };
                let l = l.trim();
                if l.is_empty() {
                    "#".to_owned()
                } else {
                    format!("# {l}")
                }
            })
            .collect();
        if before.trim().is_empty() {
            out.push_str(&text[done..ls]);
            let joined = lines.join(&format!("\n{before}"));
            out.push_str(before);
            out.push_str(&joined);
        } else if lines.len() == 1 {
            out.push_str(&text[done..a]);
            out.push_str(&lines[0]);
        } else {
            continue;
        }
        done = le;
    }
    out.push_str(&text[done..]);
    Some(out)
}

/// The block comments of a file that stay as they are (code follows them on their
/// line), with the line each starts on and its text.
pub fn inline_block_comments(file: &File) -> Vec<(usize, String)> {
    block_comments(&file.text)
        .unwrap_or_default()
        .into_iter()
        .map(|(a, b)| {
            let text = file.text[a + 2..b - 2]
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            (file.line_of(a), text)
        })
        .collect()
}

/// The byte ranges of the block comments of an HCL text (from `/*` to after `*/`),
/// outside strings, heredocs and line comments; `None` when one is not closed.
fn block_comments(text: &str) -> Option<Vec<(usize, usize)>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'#' => i = text[i..].find('\n').map_or(bytes.len(), |n| i + n),
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i = text[i..].find('\n').map_or(bytes.len(), |n| i + n)
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let end = i + 2 + text[i + 2..].find("*/")? + 2;
                out.push((i, end));
                i = end;
            }
            b'<' if text[i..].starts_with("<<") => {
                let rest = text[i + 2..].trim_start_matches('-');
                let word: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                let eol = text[i..].find('\n').map_or(bytes.len(), |n| i + n);
                if word.is_empty() || !rest[word.len()..].starts_with(['\n', '\r']) {
                    i += 2;
                    continue;
                }
                // The body runs to the line that is the word alone.
                let mut at = eol + 1;
                loop {
                    if at >= bytes.len() {
                        return Some(out);
                    }
                    let next = text[at..].find('\n').map_or(bytes.len(), |n| at + n);
                    if text[at..next].trim() == word {
                        i = next;
                        break;
                    }
                    at = next + 1;
                }
            }
            _ => i += 1,
        }
    }
    Some(out)
}

/// The length of a line's code: its bytes before a trailing comment, without the blanks
/// before that comment.
pub fn code_len(line: &str) -> usize {
    let code = strip_strings(line);
    let end = code
        .find('#')
        .or_else(|| code.find("//"))
        .unwrap_or(code.len());
    line[..end].trim_end().len()
}

/// A line with the contents of its string literals blanked (same length), so that a `#`
/// inside a string is not taken for a comment.
fn strip_strings(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut in_string = false;
    let mut escaped = false;
    for c in line.chars() {
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
                out.push('"');
                continue;
            }
            out.extend(std::iter::repeat_n(' ', c.len_utf8()));
        } else {
            if c == '"' {
                in_string = true;
            }
            out.push(c);
        }
    }
    out
}

/// A comment without its marker (`#`, `//`) and the one blank after it.
fn comment_text(line: &str) -> String {
    let l = line.trim();
    let body = l
        .strip_prefix("//")
        .or_else(|| l.strip_prefix('#'))
        .unwrap_or(l);
    body.strip_prefix(' ').unwrap_or(body).trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> File {
        File {
            name: "main.tf".to_owned(),
            text: text.to_owned(),
            body: hcl_edit::parser::parse_body(text).expect("parses"),
        }
    }

    #[test]
    fn lines_are_found_by_number() {
        let f = File {
            name: "main.tf".into(),
            text: "a = 1\n  # why\n\nb = 2".into(),
            body: hcl_edit::parser::parse_body("a = 1\n  # why\n\nb = 2").expect("parses"),
        };
        let line = |n| &f.text[f.line_range(n)];
        assert_eq!(
            [line(1), line(2), line(3), line(4), line(5)],
            ["a = 1", "  # why", "", "b = 2", ""]
        );
        assert!(f.is_comment_line(2) && !f.is_comment_line(1) && !f.is_comment_line(3));
    }

    #[test]
    fn comments_above_and_after_an_item() {
        let f = file("# lost\n\n# one\n// two\nresource \"a\" \"b\" {\n  x = 1 # why\n}\n");
        let top = f.body.blocks().next().expect("block");
        let span = top.span().expect("span");
        assert_eq!(
            f.comment_above(span.start),
            [(3, "one".to_owned()), (4, "two".to_owned())]
        );
        let attr = top.body.get_attribute("x").expect("x");
        let aspan = attr.span().expect("span");
        assert_eq!(f.comment_after(aspan.end), Some((6, "why".to_owned())));
        assert_eq!(
            f.structure_text(&Structure::Attribute(attr.clone())),
            "  x = 1 # why"
        );
        assert!(f.snippet(span).starts_with("# one\n// two\nresource"));
    }

    #[test]
    fn comments_inside_skip_strings_and_heredocs() {
        let f = file(
            "resource \"a\" \"b\" {\n  # above\n  x = \"#not\" # after\n  y = <<-EOT\n    # text\n  EOT\n}\n",
        );
        let span = f.body.blocks().next().and_then(|b| b.span()).expect("span");
        assert_eq!(
            f.comments_in(span),
            [(2, "above".to_owned()), (3, "after".to_owned())]
        );
    }

    #[test]
    fn paths_find_attributes_and_nth_blocks() {
        let f = file("a {\n  b { x = 1 }\n  b { x = 2 }\n}\n");
        let s = find(
            &f.body,
            &[
                Step::Block("a".into(), 0),
                Step::Block("b".into(), 1),
                Step::Attr("x".into()),
            ],
        )
        .expect("found");
        assert_eq!(f.structure_text(s), "x = 2");
    }
}
