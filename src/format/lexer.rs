//! A small HCL tokenizer that produces the token kinds `hclsyntax` produces, as far as
//! formatting needs them.
//!
//! Differences from `hclsyntax` that do not change formatting:
//! - the newline after a `#` / `//` comment is not part of the token text; the token kind
//!   [`Kind::LineComment`] says that the comment ends its line;
//! - a heredoc body between template sequences is one [`Kind::StringLit`] token, not one per
//!   line (heredoc literals are never re-spaced, so the split does not matter);
//!
//! In the [`Style::Generated`] style, trailing whitespace is dropped from comments and from
//! the heredoc closing-marker line (the only places outside heredoc bodies where it can
//! survive formatting), and a carriage return is a space (the text has `\r\n` normalized
//! before). In the [`Style::Terraform`] style they are kept as `hclsyntax` keeps them: a
//! `\r\n` is one newline token, a carriage return elsewhere is an invalid character.

use std::borrow::Cow;

use super::{FormatError, FormatErrorKind, OpenBracket, Style};

/// Token kinds, named after their `hclsyntax` counterparts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    OBrace,
    CBrace,
    OBrack,
    CBrack,
    OParen,
    CParen,
    OQuote,
    CQuote,
    /// `<<EOT` or `<<-EOT`, including the newline that ends the introducer.
    OHeredoc,
    /// The closing-marker line of a heredoc (leading whitespace kept), without its newline.
    CHeredoc,
    Star,
    Slash,
    Plus,
    Minus,
    Percent,
    Equal,
    EqualOp,
    NotEqual,
    LessThan,
    LessThanEq,
    GreaterThan,
    GreaterThanEq,
    And,
    Or,
    Bang,
    Dot,
    Comma,
    DoubleColon,
    Ellipsis,
    FatArrow,
    Question,
    Colon,
    /// `${` or `${~`.
    TemplateInterp,
    /// `%{` or `%{~`.
    TemplateControl,
    /// `}` or `~}` closing a template sequence.
    TemplateSeqEnd,
    /// Literal text inside a quoted string (escapes kept as written).
    QuotedLit,
    /// Literal text inside a heredoc, newlines included.
    StringLit,
    NumberLit,
    Ident,
    /// `# ...` or `// ...`; ends its line (the newline is implied, not in the text).
    LineComment,
    /// `/* ... */`, possibly spanning lines.
    BlockComment,
    Newline,
    /// Anything HCL does not accept (`;`, `$`, `&`, ...). Kept so that the parse of the
    /// formatted text can report it.
    Invalid,
}

impl Kind {
    /// +1 for an opening bracket, -1 for a closing one (hclwrite `tokenBracketChange`).
    pub(crate) fn bracket_change(self) -> i32 {
        match self {
            Kind::OBrace
            | Kind::OBrack
            | Kind::OParen
            | Kind::TemplateInterp
            | Kind::TemplateControl => 1,
            Kind::CBrace | Kind::CBrack | Kind::CParen | Kind::TemplateSeqEnd => -1,
            _ => 0,
        }
    }

    pub(crate) fn is_comment(self) -> bool {
        matches!(self, Kind::LineComment | Kind::BlockComment)
    }

    /// Whether the token ends its line: a newline, or a line comment (which owns its newline).
    pub(crate) fn ends_line(self) -> bool {
        matches!(self, Kind::Newline | Kind::LineComment)
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Token<'a> {
    pub(crate) kind: Kind,
    pub(crate) text: Cow<'a, str>,
    /// One-based line of the token's first character in the input.
    pub(crate) line: u32,
    /// Spaces to print before the token; decided by the layout passes.
    pub(crate) spaces: usize,
}

impl<'a> Token<'a> {
    pub(crate) fn synthetic(kind: Kind, text: impl Into<Cow<'a, str>>, line: u32) -> Self {
        Token {
            kind,
            text: text.into(),
            line,
            spaces: 0,
        }
    }
}

/// What the lexer is inside of.
enum Frame<'a> {
    /// `{`, `[` or `(` in expression context.
    Bracket { open: u8, offset: usize },
    /// `${` / `%{` inside a template: expression context until the matching `}`.
    Template { offset: usize },
    /// A quoted template string.
    Quoted { offset: usize },
    /// A heredoc template.
    Heredoc {
        marker: &'a str,
        offset: usize,
        start_of_line: bool,
    },
}

pub(crate) fn lex(src: &str, style: Style) -> Result<Vec<Token<'_>>, FormatError> {
    let mut lexer = Lexer {
        style,
        src,
        bytes: src.as_bytes(),
        pos: 0,
        line: 1,
        tokens: Vec::with_capacity(src.len() / 3 + 8),
        stack: Vec::new(),
    };
    lexer.run()?;
    Ok(lexer.tokens)
}

struct Lexer<'a> {
    style: Style,
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    line: u32,
    tokens: Vec<Token<'a>>,
    stack: Vec<Frame<'a>>,
}

impl<'a> Lexer<'a> {
    fn run(&mut self) -> Result<(), FormatError> {
        loop {
            match self.stack.last() {
                Some(Frame::Quoted { offset }) => {
                    let offset = *offset;
                    self.quoted(offset)?;
                }
                Some(Frame::Heredoc { .. }) => self.heredoc()?,
                _ => {
                    if self.pos >= self.bytes.len() {
                        return match self.stack.last() {
                            None => Ok(()),
                            Some(Frame::Bracket { open, offset }) => Err(self.error(
                                *offset,
                                FormatErrorKind::UnclosedBracket {
                                    open: char::from(*open),
                                },
                            )),
                            Some(Frame::Template { offset }) => {
                                Err(self.error(*offset, FormatErrorKind::UnterminatedTemplate))
                            }
                            // Quoted and heredoc frames report their own end of input.
                            Some(_) => Ok(()),
                        };
                    }
                    self.main()?;
                }
            }
        }
    }

    fn push(&mut self, kind: Kind, start: usize, end: usize) {
        let text = &self.src[start..end];
        self.push_text(kind, Cow::Borrowed(text));
    }

    fn push_text(&mut self, kind: Kind, text: Cow<'a, str>) {
        let line = self.line;
        // Only these kinds can hold a line break (a line comment owns the one after it).
        match kind {
            Kind::Newline => self.line += 1,
            Kind::StringLit | Kind::BlockComment | Kind::OHeredoc => {
                self.line += count_newlines(&text);
            }
            Kind::LineComment => self.line += 1,
            _ => debug_assert!(!text.contains('\n'), "{kind:?} {text:?}"),
        }
        self.tokens.push(Token {
            kind,
            text,
            line,
            spaces: 0,
        });
    }

    fn error(&self, offset: usize, kind: FormatErrorKind) -> FormatError {
        let (line, column) = line_col(self.src, offset);
        FormatError { kind, line, column }
    }

    fn peek(&self, ahead: usize) -> u8 {
        self.bytes.get(self.pos + ahead).copied().unwrap_or(0)
    }

    /// One token in expression context.
    fn main(&mut self) -> Result<(), FormatError> {
        let start = self.pos;
        let b = self.bytes[start];
        let two = |k| (k, 2usize);
        let one = |k| (k, 1usize);
        let (kind, len) = match b {
            // `terraform fmt` keeps CRLF line endings and rejects any other carriage return.
            b'\r' if self.style == Style::Terraform => {
                if self.peek(1) == b'\n' {
                    two(Kind::Newline)
                } else {
                    one(Kind::Invalid)
                }
            }
            // A carriage return outside CRLF is taken as a space, as `terraform fmt`
            // would otherwise reject it while hcl-rs would read it as a line break.
            b' ' | b'\t' | b'\r' => {
                while matches!(self.peek(0), b' ' | b'\t' | b'\r') {
                    self.pos += 1;
                }
                return Ok(());
            }
            b'\n' => one(Kind::Newline),
            b'#' => {
                self.line_comment(start);
                return Ok(());
            }
            b'/' if self.peek(1) == b'/' => {
                self.line_comment(start);
                return Ok(());
            }
            b'/' if self.peek(1) == b'*' => return self.block_comment(start),
            b'"' => {
                self.push(Kind::OQuote, start, start + 1);
                self.pos += 1;
                self.stack.push(Frame::Quoted { offset: start });
                return Ok(());
            }
            b'<' if self.peek(1) == b'<' => {
                if self.heredoc_intro(start) {
                    return Ok(());
                }
                one(Kind::LessThan)
            }
            b'{' | b'[' | b'(' => {
                self.stack.push(Frame::Bracket {
                    open: b,
                    offset: start,
                });
                let kind = match b {
                    b'{' => Kind::OBrace,
                    b'[' => Kind::OBrack,
                    _ => Kind::OParen,
                };
                one(kind)
            }
            b'}' | b']' | b')' => return self.close(start, b),
            b'~' if self.peek(1) == b'}'
                && matches!(self.stack.last(), Some(Frame::Template { .. })) =>
            {
                self.stack.pop();
                two(Kind::TemplateSeqEnd)
            }
            b'=' if self.peek(1) == b'=' => two(Kind::EqualOp),
            b'=' if self.peek(1) == b'>' => two(Kind::FatArrow),
            b'=' => one(Kind::Equal),
            b'!' if self.peek(1) == b'=' => two(Kind::NotEqual),
            b'!' => one(Kind::Bang),
            b'<' if self.peek(1) == b'=' => two(Kind::LessThanEq),
            b'<' => one(Kind::LessThan),
            b'>' if self.peek(1) == b'=' => two(Kind::GreaterThanEq),
            b'>' => one(Kind::GreaterThan),
            b'&' if self.peek(1) == b'&' => two(Kind::And),
            b'|' if self.peek(1) == b'|' => two(Kind::Or),
            b'.' if self.peek(1) == b'.' && self.peek(2) == b'.' => (Kind::Ellipsis, 3),
            b'.' => one(Kind::Dot),
            b':' if self.peek(1) == b':' => two(Kind::DoubleColon),
            b':' => one(Kind::Colon),
            b'?' => one(Kind::Question),
            b',' => one(Kind::Comma),
            b'+' => one(Kind::Plus),
            b'-' => one(Kind::Minus),
            b'*' => one(Kind::Star),
            b'/' => one(Kind::Slash),
            b'%' => one(Kind::Percent),
            b'0'..=b'9' => (Kind::NumberLit, self.number_len()),
            _ => {
                let c = self.src[start..].chars().next().unwrap_or('\u{fffd}');
                if c == '_' || unicode_ident::is_xid_start(c) {
                    (Kind::Ident, self.ident_len())
                } else {
                    (Kind::Invalid, c.len_utf8())
                }
            }
        };
        self.push(kind, start, start + len);
        self.pos = start + len;
        Ok(())
    }

    fn close(&mut self, start: usize, b: u8) -> Result<(), FormatError> {
        let kind = match (self.stack.last(), b) {
            (Some(Frame::Template { .. }), b'}') => Kind::TemplateSeqEnd,
            (Some(Frame::Bracket { open: b'{', .. }), b'}') => Kind::CBrace,
            (Some(Frame::Bracket { open: b'[', .. }), b']') => Kind::CBrack,
            (Some(Frame::Bracket { open: b'(', .. }), b')') => Kind::CParen,
            (frame, _) => {
                let (bracket, offset) = match frame {
                    Some(Frame::Bracket { open, offset }) => match open {
                        b'{' => ("{", *offset),
                        b'[' => ("[", *offset),
                        _ => ("(", *offset),
                    },
                    Some(Frame::Template { offset }) if self.bytes[*offset] == b'%' => {
                        ("%{", *offset)
                    }
                    Some(Frame::Template { offset }) => ("${", *offset),
                    _ => ("", 0),
                };
                let open = (!bracket.is_empty()).then(|| {
                    let (line, column) = line_col(self.src, offset);
                    OpenBracket {
                        bracket,
                        line,
                        column,
                    }
                });
                return Err(self.error(
                    start,
                    FormatErrorKind::UnexpectedClose {
                        close: char::from(b),
                        open,
                    },
                ));
            }
        };
        self.stack.pop();
        self.push(kind, start, start + 1);
        self.pos = start + 1;
        Ok(())
    }

    /// `hclsyntax`: a digit, then digits, `.`, or an exponent, never ending in `.`.
    fn number_len(&self) -> usize {
        let bytes = &self.bytes[self.pos..];
        let mut i = 1;
        let mut last_good = 1;
        while i < bytes.len() {
            match bytes[i] {
                b'0'..=b'9' => {
                    i += 1;
                    last_good = i;
                }
                b'.' => i += 1,
                b'e' | b'E' => {
                    let mut j = i + 1;
                    if matches!(bytes.get(j), Some(b'+' | b'-')) {
                        j += 1;
                    }
                    if matches!(bytes.get(j), Some(b'0'..=b'9')) {
                        i = j + 1;
                        last_good = i;
                    } else {
                        break;
                    }
                }
                _ => break,
            }
        }
        last_good
    }

    /// Identifier: ID_Start or `_`, then ID_Continue or `-`.
    fn ident_len(&self) -> usize {
        let rest = &self.src[self.pos..];
        let bytes = rest.as_bytes();
        let mut i = rest.chars().next().map_or(0, char::len_utf8);
        while let Some(&b) = bytes.get(i) {
            // ASCII identifier characters without the Unicode tables.
            if b.is_ascii_alphanumeric() || b == b'_' || b == b'-' {
                i += 1;
                continue;
            }
            if b.is_ascii() {
                return i;
            }
            match rest[i..].chars().next() {
                Some(c) if unicode_ident::is_xid_continue(c) => i += c.len_utf8(),
                _ => return i,
            }
        }
        rest.len()
    }

    fn line_comment(&mut self, start: usize) {
        let end = memchr(b'\n', &self.bytes[start..]).map_or(self.bytes.len(), |i| start + i);
        let text = match self.style {
            Style::Generated => self.src[start..end].trim_end(),
            Style::Terraform => &self.src[start..end],
        };
        self.push_text(Kind::LineComment, Cow::Borrowed(text));
        self.pos = (end + 1).min(self.bytes.len());
    }

    fn block_comment(&mut self, start: usize) -> Result<(), FormatError> {
        let body = &self.src[start + 2..];
        let Some(close) = body.find("*/") else {
            return Err(self.error(start, FormatErrorKind::UnterminatedComment));
        };
        let end = start + 2 + close + 2;
        let text = &self.src[start..end];
        let text = if self.style == Style::Generated && text.contains('\n') {
            // Trailing whitespace on the comment's inner lines goes too.
            let mut out = String::with_capacity(text.len());
            for (i, line) in text.split('\n').enumerate() {
                if i > 0 {
                    out.push('\n');
                }
                out.push_str(line.trim_end_matches([' ', '\t']));
            }
            Cow::Owned(out)
        } else {
            Cow::Borrowed(text)
        };
        self.push_text(Kind::BlockComment, text);
        self.pos = end;
        Ok(())
    }

    /// `<<EOT` / `<<-EOT` followed directly by a newline opens a heredoc; anything else is
    /// two `<` tokens (which HCL then rejects).
    fn heredoc_intro(&mut self, start: usize) -> bool {
        let mut i = start + 2;
        if self.bytes.get(i) == Some(&b'-') {
            i += 1;
        }
        let marker_start = i;
        let Some(c) = self.src[i..].chars().next() else {
            return false;
        };
        if !(c == '_' || unicode_ident::is_xid_start(c)) {
            return false;
        }
        let saved = self.pos;
        self.pos = i;
        let marker_end = i + self.ident_len();
        self.pos = saved;
        let crlf = self.style == Style::Terraform
            && self.bytes.get(marker_end..marker_end + 2) == Some(b"\r\n".as_slice());
        let end = if self.bytes.get(marker_end) == Some(&b'\n') {
            marker_end + 1
        } else if crlf {
            marker_end + 2
        } else {
            return false;
        };
        self.push(Kind::OHeredoc, start, end);
        self.pos = end;
        self.stack.push(Frame::Heredoc {
            marker: &self.src[marker_start..marker_end],
            offset: start,
            start_of_line: true,
        });
        true
    }

    /// Literal text of a quoted string up to its end or the next template sequence.
    fn quoted(&mut self, open: usize) -> Result<(), FormatError> {
        let start = self.pos;
        let bytes = self.bytes;
        let mut i = start;
        loop {
            match bytes.get(i) {
                None | Some(b'\n') => {
                    return Err(self.error(open, FormatErrorKind::UnterminatedString));
                }
                Some(b'"') => {
                    if i > start {
                        self.push(Kind::QuotedLit, start, i);
                    }
                    self.push(Kind::CQuote, i, i + 1);
                    self.pos = i + 1;
                    self.stack.pop();
                    return Ok(());
                }
                Some(b'\\') => {
                    // An escape: the backslash and the whole next character.
                    match self.src.get(i + 1..).and_then(|rest| rest.chars().next()) {
                        Some('\n') | None => {
                            return Err(self.error(open, FormatErrorKind::UnterminatedString));
                        }
                        Some(c) => i += 1 + c.len_utf8(),
                    }
                }
                Some(&b) if (b == b'$' || b == b'%') => {
                    if bytes.get(i + 1) == Some(&b) && bytes.get(i + 2) == Some(&b'{') {
                        i += 3;
                    } else if bytes.get(i + 1) == Some(&b'{') {
                        if i > start {
                            self.push(Kind::QuotedLit, start, i);
                        }
                        self.template_open(i, b);
                        return Ok(());
                    } else {
                        i += 1;
                    }
                }
                Some(_) => i += 1,
            }
        }
    }

    fn template_open(&mut self, at: usize, b: u8) {
        let len = if self.bytes.get(at + 2) == Some(&b'~') {
            3
        } else {
            2
        };
        let kind = if b == b'$' {
            Kind::TemplateInterp
        } else {
            Kind::TemplateControl
        };
        self.push(kind, at, at + len);
        self.pos = at + len;
        self.stack.push(Frame::Template { offset: at });
    }

    /// Heredoc body up to the closing marker or the next template sequence.
    ///
    /// As in `hclsyntax`, a line closes the heredoc when it starts a fresh line of the body
    /// (not the rest of a line after a template sequence), ends with a newline, and equals
    /// the marker once leading and trailing whitespace are trimmed. This holds for `<<EOT`
    /// as well as `<<-EOT`.
    fn heredoc(&mut self) -> Result<(), FormatError> {
        let Some(Frame::Heredoc {
            marker,
            offset,
            start_of_line,
        }) = self.stack.last()
        else {
            return Ok(());
        };
        let (marker, open, mut start_of_line) = (*marker, *offset, *start_of_line);
        let bytes = self.bytes;
        let start = self.pos;
        let mut i = start;
        loop {
            if start_of_line {
                if let Some(nl) = memchr(b'\n', &bytes[i..]) {
                    let line = &self.src[i..i + nl];
                    if line.trim() == marker {
                        if i > start {
                            self.push(Kind::StringLit, start, i);
                        }
                        let closing = match self.style {
                            Style::Generated => line.trim_end(),
                            Style::Terraform => line,
                        };
                        self.push_text(Kind::CHeredoc, Cow::Borrowed(closing));
                        self.push(Kind::Newline, i + nl, i + nl + 1);
                        self.pos = i + nl + 1;
                        self.stack.pop();
                        return Ok(());
                    }
                }
                start_of_line = false;
            }
            match bytes.get(i) {
                None => {
                    let marker = marker.to_owned();
                    return Err(self.error(open, FormatErrorKind::UnterminatedHeredoc { marker }));
                }
                Some(b'\n') => {
                    i += 1;
                    start_of_line = true;
                }
                Some(&b) if (b == b'$' || b == b'%') => {
                    if bytes.get(i + 1) == Some(&b) && bytes.get(i + 2) == Some(&b'{') {
                        i += 3;
                    } else if bytes.get(i + 1) == Some(&b'{') {
                        if i > start {
                            self.push(Kind::StringLit, start, i);
                        }
                        if let Some(Frame::Heredoc { start_of_line, .. }) = self.stack.last_mut() {
                            *start_of_line = false;
                        }
                        self.template_open(i, b);
                        return Ok(());
                    } else {
                        i += 1;
                    }
                }
                Some(_) => i += 1,
            }
        }
    }
}

fn count_newlines(text: &str) -> u32 {
    let n = text.bytes().filter(|&b| b == b'\n').count();
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn memchr(needle: u8, haystack: &[u8]) -> Option<usize> {
    haystack.iter().position(|&b| b == needle)
}

/// One-based line and column (in characters) of a byte offset.
pub(crate) fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(src.len());
    let before = src.get(..offset).unwrap_or(src);
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}
