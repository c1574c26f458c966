//! The shell scripts of the backup and integrity-check CronJobs, rendered into the model
//! (a job's command is data like any other). The script templates live under
//! `templates/scripts/` and are embedded at build time.

use std::sync::OnceLock;

use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;

/// Every script template, embedded at build time: (name, source).
pub const SCRIPTS: &[(&str, &str)] = &[
    (
        "scripts/backup-copy.sh",
        include_str!("../../templates/scripts/backup-copy.sh"),
    ),
    (
        "scripts/backup-sqlite.sh",
        include_str!("../../templates/scripts/backup-sqlite.sh"),
    ),
    (
        "scripts/integrity-check.sh",
        include_str!("../../templates/scripts/integrity-check.sh"),
    ),
];

/// What the backup scripts read.
#[derive(Serialize)]
pub(crate) struct BackupScript<'a> {
    pub retention_days: u32,
    pub pushgateway: &'a str,
    pub pushgateway_job: &'a str,
    pub database: Option<&'a str>,
    pub extra_files: &'a [String],
}

/// What the integrity-check script reads.
#[derive(Serialize)]
pub(crate) struct IntegrityScript<'a> {
    pub database: &'a str,
    pub metric: &'a str,
    pub pushgateway: &'a str,
    pub pushgateway_job: &'a str,
    pub instance: &'a str,
}

fn environment() -> Result<&'static Environment<'static>, String> {
    static ENV: OnceLock<Result<Environment<'static>, String>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        let syntax = minijinja::syntax::SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(true)
            .build()
            .map_err(|e| e.to_string())?;
        env.set_syntax(syntax);
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
        // A shell word in single quotes, for values inside scripts.
        env.add_filter("sh", |s: String| format!("'{}'", s.replace('\'', "'\\''")));
        env.add_filter("basename", |s: String| {
            s.rsplit('/').next().unwrap_or_default().to_owned()
        });
        for (name, source) in SCRIPTS {
            env.add_template(name, source).map_err(|e| e.to_string())?;
        }
        Ok(env)
    })
    .as_ref()
    .map_err(Clone::clone)
}

/// Renders script `name` (`backup-copy`, `backup-sqlite`, `integrity-check`) with `ctx`
/// bound to `var`.
pub(crate) fn render(name: &str, var: &str, ctx: impl Serialize) -> Result<String, String> {
    let env = environment()?;
    let template = env
        .get_template(&format!("scripts/{name}.sh"))
        .map_err(|e| e.to_string())?;
    let mut vars = std::collections::BTreeMap::new();
    vars.insert(var, minijinja::Value::from(minijinja::value::Serde(ctx)));
    template.render(vars).map_err(|e| format!("{e:#}"))
}
