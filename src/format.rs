//! Placeholder until the formatter lands: parses only.
#[derive(Debug)]
pub struct FormatError(pub String);
impl std::fmt::Display for FormatError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
pub fn format_hcl(src: &str) -> Result<String, FormatError> {
    hcl::parse(src).map_err(|e| FormatError(e.to_string()))?;
    Ok(src.to_owned())
}
