//! The `format` stage: makes rendered HCL text `terraform fmt` canonical, then proves it
//! parses.
//!
//! Templates emit well-spaced tokens with sloppy indentation and alignment, and raw HCL
//! snippets may be embedded verbatim, so this is a real formatter for any valid HCL, not a
//! fix-up for known shapes. It works like Terraform's: a tokenizer (`lexer`) that yields
//! the token kinds of `hclsyntax`; the body-level rewrites `terraform fmt` adds on top of
//! hclwrite (`rewrite`: `"${x}"` → `x` for attribute values, legacy variable types,
//! canonical block labels); and hclwrite's layout passes (`layout`: indentation by an
//! indent stack, spacing between neighbouring tokens, alignment of `=` and of trailing
//! comments in "cells"). Alignment counts columns in grapheme clusters, as hclwrite does.
//!
//! # Two styles
//!
//! [`Style::Terraform`] (`dlgen fmt`, [`format_terraform`]) prints exactly what
//! `terraform fmt` prints for a file, byte for byte: blank lines, line endings, trailing
//! whitespace in comments and whatever ends the file are kept as terraform keeps them, and
//! a nested lone interpolation loses one level per run, as with terraform.
//!
//! [`Style::Generated`] ([`format_hcl`], what `render` writes) adds dlgen's policies for
//! its own files, described below. They are fixed points of `terraform fmt`: formatting
//! generated output in either style changes nothing.
//!
//! # Where the generated style differs from `terraform fmt`
//!
//! dlgen does not want template artefacts in generated files, so on top of `terraform fmt`
//! it applies a blank-line policy. A blank line is a line with nothing but whitespace
//! outside any heredoc; lines of heredoc bodies are text of the string and never touched.
//!
//! - Runs of blank lines collapse to one.
//! - There are no blank lines at the start or at the end of the file.
//! - No blank line follows a line that ends with an opening bracket (`{`, `[`, `(`, or a
//!   template's `${` / `%{`), ignoring a trailing comment, and none precedes a line that
//!   starts with a closing bracket.
//!
//! - The body of a flush heredoc (`<<-EOT`) is indented one level deeper than the line
//!   that opens it, and its closing marker sits at that line's level, so a script reads as
//!   part of the block it belongs to. `terraform fmt` keeps heredoc bodies as they are, and
//!   a flush heredoc strips its common indentation, so neither the string nor what
//!   `terraform fmt` prints changes. Bodies with template sequences or whitespace-only
//!   lines are left as they are.
//!
//! The policies apply before alignment, so the result is exactly what `terraform fmt`
//! prints for the same text without those blank lines: formatting the output with
//! `terraform fmt` changes nothing. The other differences:
//!
//! - Trailing whitespace is removed everywhere outside heredoc bodies, including inside
//!   comments and after a heredoc's closing marker (`terraform fmt` keeps both).
//! - Nested lone interpolations (`a = "${"${x}"}"`) are unwrapped completely, where one
//!   `terraform fmt` run unwraps one level (and a second run changes its own output).
//! - Line endings are normalized to `\n` (`terraform fmt` keeps `\r\n`; a carriage
//!   return elsewhere outside strings counts as a space), and the file ends with exactly
//!   one newline (an input with no tokens formats to the empty string).

mod layout;
mod lexer;
mod rewrite;

use std::borrow::Cow;
use std::fmt;

/// Which rules the formatter follows (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// dlgen's own output: `terraform fmt` plus the generated-file policies.
    Generated,
    /// Exactly `terraform fmt`, for files dlgen did not write.
    Terraform,
}

/// Formats HCL text as `terraform fmt` would (plus the generated-file policies above),
/// then parses the result with hcl-rs's parser so that nothing unparsable leaves this
/// stage.
///
/// The parser is hcl-edit's, which `hcl::parse` runs before converting the syntax tree
/// into its own types: the same text is accepted and rejected with the same message, and
/// the conversion, which nothing here reads, is not paid for.
pub fn format_hcl(src: &str) -> Result<String, FormatError> {
    format_checked(src, Style::Generated)
}

/// Formats HCL text byte for byte as `terraform fmt` formats a file holding it, then
/// parses the result like [`format_hcl`]. A text that does not parse is reported at the
/// line and column of the input where the parser stops
/// ([`FormatErrorKind::InvalidInput`]).
pub fn format_terraform(src: &str) -> Result<String, FormatError> {
    format_checked(src, Style::Terraform)
}

/// Formats like [`format_hcl`] and returns the parsed body with the text, for callers
/// that check the structure of what they wrote.
pub fn format_parsed(src: &str) -> Result<(String, hcl_edit::structure::Body), FormatError> {
    let formatted = format_generated(src)?;
    let body = formatted.parse()?;
    Ok((formatted.text, body))
}

/// Text formatted in the generated style whose parse is still to come: the two halves of
/// [`format_parsed`], for a caller that can prove the text valid without parsing it
/// again (it is byte-identical to a file dlgen wrote after parsing it) and would
/// otherwise parse it twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Formatted {
    pub text: String,
    /// For each output line, the input line it came from (for error positions).
    line_map: Vec<u32>,
}

impl Formatted {
    /// Parses the text with hcl-rs's parser (see [`format_hcl`]); a failure is reported
    /// at the input line the offending output line came from.
    pub fn parse(&self) -> Result<hcl_edit::structure::Body, FormatError> {
        hcl_edit::parser::parse_body(&self.text)
            .map_err(|err| FormatError::invalid_output(&err, &self.line_map))
    }
}

/// Formats like [`format_hcl`] without parsing the result yet: only lexical problems
/// are reported here, [`Formatted::parse`] does the rest.
pub fn format_generated(src: &str) -> Result<Formatted, FormatError> {
    let (text, line_map) = format_with_line_map(src, Style::Generated)?;
    Ok(Formatted { text, line_map })
}

/// Formats like [`format_hcl`] without parsing the result, for callers that parse it
/// themselves. Only lexical problems (unterminated strings, heredocs, comments and
/// templates, unbalanced brackets) are reported.
pub fn format_unchecked(src: &str) -> Result<String, FormatError> {
    format_with_line_map(src, Style::Generated).map(|(out, _)| out)
}

fn format_checked(src: &str, style: Style) -> Result<String, FormatError> {
    let (out, line_map) = format_with_line_map(src, style)?;
    if let Err(err) = hcl_edit::parser::parse_body(&out) {
        // For a file someone wrote, say where in that file the parser stops.
        if style == Style::Terraform
            && let Err(err) = hcl_edit::parser::parse_body(src)
        {
            return Err(FormatError::invalid_input(&err));
        }
        return Err(FormatError::invalid_output(&err, &line_map));
    }
    Ok(out)
}

fn format_with_line_map(src: &str, style: Style) -> Result<(String, Vec<u32>), FormatError> {
    let src: Cow<'_, str> = if style == Style::Generated && src.contains('\r') {
        Cow::Owned(src.replace("\r\n", "\n"))
    } else {
        Cow::Borrowed(src)
    };
    let tokens = lexer::lex(&src, style)?;
    let ends_with_line_comment = tokens
        .last()
        .is_some_and(|t| t.kind == lexer::Kind::LineComment);
    let mut tokens = rewrite::terraform_rewrites(tokens, style);
    let (mut out, line_map) = layout::layout(&mut tokens, style);
    if style == Style::Terraform {
        end_as_input(&mut out, &src, ends_with_line_comment);
    }
    Ok((out, line_map))
}

/// How `terraform fmt` ends a file that does not end with a line break: as it was. The
/// newline the printer puts after a line comment goes (the comment keeps its trailing
/// blanks), and otherwise the blanks after the last token stay, as that many spaces
/// (hclwrite keeps them before its end-of-file token).
fn end_as_input(out: &mut String, src: &str, ends_with_line_comment: bool) {
    if src.ends_with('\n') {
        return;
    }
    if ends_with_line_comment {
        if out.ends_with('\n') {
            out.pop();
        }
        return;
    }
    let blanks = src.len() - src.trim_end_matches([' ', '\t']).len();
    out.extend(std::iter::repeat_n(' ', blanks));
}

/// Why a text could not be formatted, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatError {
    pub kind: FormatErrorKind,
    /// One-based line in the input. For [`FormatErrorKind::InvalidOutput`], the input line
    /// that the offending output line came from.
    pub line: usize,
    /// One-based column, in characters: in the input line, or for
    /// [`FormatErrorKind::InvalidOutput`] in the formatted line.
    pub column: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FormatErrorKind {
    /// A quoted string that does not close on the line where it starts (reported at its
    /// opening quote).
    UnterminatedString,
    /// A heredoc whose closing marker line never comes (reported at its `<<`).
    UnterminatedHeredoc { marker: String },
    /// A `/*` comment without `*/`.
    UnterminatedComment,
    /// A `${` or `%{` template sequence without its `}`.
    UnterminatedTemplate,
    /// An opening bracket that is never closed.
    UnclosedBracket { open: char },
    /// A closing bracket that does not match the innermost open one (`open`, if any).
    UnexpectedClose {
        close: char,
        open: Option<OpenBracket>,
    },
    /// The text does not parse with hcl-rs ([`Style::Terraform`] only: a file someone
    /// wrote). Reported at the input's line and column.
    InvalidInput {
        /// hcl-rs's message.
        message: String,
        /// The offending line of the input.
        source_line: String,
    },
    /// The formatted text does not parse with hcl-rs.
    InvalidOutput {
        /// hcl-rs's message.
        message: String,
        /// One-based line in the formatted output.
        output_line: usize,
        /// That line of the formatted output.
        source_line: String,
    },
}

/// An opening bracket and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenBracket {
    /// `{`, `[`, `(`, or a template sequence's `${` / `%{`.
    pub bracket: &'static str,
    pub line: usize,
    pub column: usize,
}

impl FormatError {
    fn invalid_input(err: &hcl_edit::parser::Error) -> FormatError {
        FormatError {
            kind: FormatErrorKind::InvalidInput {
                message: err.message().to_owned(),
                source_line: err.line().to_owned(),
            },
            line: err.location().line(),
            column: err.location().column(),
        }
    }

    fn invalid_output(err: &hcl_edit::parser::Error, line_map: &[u32]) -> FormatError {
        let output_line = err.location().line();
        let line = output_line
            .checked_sub(1)
            .and_then(|i| line_map.get(i))
            .map_or(output_line, |&l| l as usize);
        FormatError {
            kind: FormatErrorKind::InvalidOutput {
                message: err.message().to_owned(),
                output_line,
                source_line: err.line().to_owned(),
            },
            line,
            column: err.location().column(),
        }
    }
}

impl FormatError {
    /// What is wrong, without the position: `unterminated comment: ...`. For
    /// [`FormatErrorKind::InvalidOutput`] (a bug, not a property of the input) the whole
    /// report.
    pub fn problem(&self) -> String {
        match &self.kind {
            FormatErrorKind::UnterminatedString => "unterminated string: a quoted string must \
                 end on the line where it starts (use a heredoc for text over several lines)"
                .to_owned(),
            FormatErrorKind::UnterminatedHeredoc { marker } => format!(
                "unterminated heredoc: no line consisting of the closing marker `{marker}` \
                 (and a newline) follows"
            ),
            FormatErrorKind::UnterminatedComment => {
                "unterminated comment: `/*` without `*/`".to_owned()
            }
            FormatErrorKind::UnterminatedTemplate => "unterminated template sequence: `${` or \
                 `%{` without its closing `}`"
                .to_owned(),
            FormatErrorKind::UnclosedBracket { open } => {
                format!("unbalanced brackets: `{open}` is never closed")
            }
            FormatErrorKind::UnexpectedClose { close, open } => match open {
                Some(OpenBracket {
                    bracket,
                    line,
                    column,
                }) => format!(
                    "unbalanced brackets: `{close}` does not match `{bracket}` at line {line}, \
                     column {column}"
                ),
                None => format!("unbalanced brackets: `{close}` closes nothing"),
            },
            FormatErrorKind::InvalidInput {
                message,
                source_line,
            } => format!(
                "not valid HCL: {}\n  {}",
                crate::diag::printable(message),
                crate::diag::printable(source_line)
            ),
            FormatErrorKind::InvalidOutput {
                message,
                output_line,
                source_line,
            } => format!(
                "the formatted HCL does not parse (formatted line {output_line}, column {}: \
                 {message})\n  {source_line}\nFor text rendered from dlgen's own templates this \
                 is a bug in dlgen: please report it with the spec that produced it. For an \
                 embedded raw HCL snippet, check the snippet's syntax.",
                self.column
            ),
        }
    }
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            FormatErrorKind::InvalidOutput { .. } => {
                write!(f, "line {}: {}", self.line, self.problem())
            }
            _ => write!(
                f,
                "line {}, column {}: {}",
                self.line,
                self.column,
                self.problem()
            ),
        }
    }
}

impl std::error::Error for FormatError {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hcl::{TemplatePart, template};

    #[test]
    fn templates_of_scripts_are_heredocs_that_evaluate_to_the_parts() {
        use ::hcl::eval::{Context, Evaluate};
        let mut ctx = Context::new();
        ctx.declare_var("x", "X");
        let t = |s: &str| TemplatePart::Text(s.to_owned());
        let x = || TemplatePart::Interpolation("x".to_owned());
        let cases: Vec<(Vec<TemplatePart>, bool)> = vec![
            (
                vec![t("set -eu\nhost="), x(), t("\n  psql -h "), x(), t("\n")],
                true,
            ),
            (vec![t("a $"), x(), t("\n${not}\n%{ if }\n")], true),
            (vec![t("one line "), x(), t("\n")], false),
            (vec![x(), t("\nstarts with a reference\n")], false),
            (vec![t("no final newline\n"), x()], false),
            (vec![t("a\n  \nb "), x(), t("\n")], false),
            (vec![t("  indented\n  only "), x(), t("\n")], false),
            (vec![t("EOT\n"), x(), t("\nEOT\n")], true),
        ];
        for (parts, heredoc) in cases {
            let text = template(&parts);
            assert_eq!(text.starts_with("<<-"), heredoc, "{text}");
            let expected: String = parts
                .iter()
                .map(|p| match p {
                    TemplatePart::Text(s) => s.clone(),
                    TemplatePart::Interpolation(_) => "X".to_owned(),
                })
                .collect();
            // As written, and as the formatter lays it out in a generated file.
            let file = format!("v = {text}\n");
            let formatted = format_parsed(&format!("r \"a\" {{\n  {file}}}\n"))
                .expect("formats")
                .0;
            for src in [file, formatted] {
                let body = ::hcl::parse(&src).expect("template parses");
                let expr = body
                    .attributes()
                    .next()
                    .map(|a| a.expr().clone())
                    .or_else(|| {
                        body.blocks()
                            .next()
                            .and_then(|b| b.body().attributes().next().map(|a| a.expr().clone()))
                    });
                let value = expr.map(|e| e.evaluate(&ctx));
                assert_eq!(
                    value.and_then(Result::ok),
                    Some(::hcl::Value::String(expected.clone())),
                    "{src}"
                );
            }
        }
    }
}
