//! Checks of single values: Kubernetes names and quantities, cron schedules, paths, image
//! references. Each returns `Err(reason)` with what is valid, phrased to follow
//! "found `x`: ".

/// A DNS-1123 label: lower-case alphanumerics and `-`, starting and ending alphanumeric,
/// at most 63 characters (namespace, stack and volume names).
pub fn dns_label(s: &str) -> Result<(), String> {
    if s.is_empty() {
        return Err("must not be empty".to_owned());
    }
    if s.len() > 63 {
        return Err(format!(
            "is {} characters long; at most 63 are allowed",
            s.len()
        ));
    }
    if !s
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(
            "may contain only lower-case letters, digits and `-` (a DNS-1123 label)".to_owned(),
        );
    }
    if s.starts_with('-') || s.ends_with('-') {
        return Err("must start and end with a letter or digit (a DNS-1123 label)".to_owned());
    }
    Ok(())
}

/// A DNS-1123 subdomain: DNS-1123 labels joined by `.`, at most 253 characters (the
/// names of most Kubernetes objects, a Secret's among them).
pub fn dns_subdomain(s: &str) -> Result<(), String> {
    if s.len() > 253 {
        return Err(format!(
            "is {} characters long; at most 253 are allowed",
            s.len()
        ));
    }
    if s.split('.').any(|part| dns_label(part).is_err()) {
        return Err("is lower-case letters, digits, `-` and `.`, each part between dots starting and ending with a letter or digit (a DNS-1123 subdomain)".to_owned());
    }
    Ok(())
}

/// A Kubernetes label value: empty, or up to 63 characters of alphanumerics, `-`, `_`, `.`,
/// starting and ending alphanumeric.
pub fn label_value(s: &str) -> Result<(), String> {
    if s.is_empty() {
        return Ok(());
    }
    if s.len() > 63 {
        return Err(format!(
            "is {} characters long; at most 63 are allowed",
            s.len()
        ));
    }
    let ok_char = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.');
    let bytes = s.as_bytes();
    if !bytes.iter().all(|&b| ok_char(b))
        || !bytes[0].is_ascii_alphanumeric()
        || !bytes[bytes.len() - 1].is_ascii_alphanumeric()
    {
        return Err("a label value is letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit".to_owned());
    }
    Ok(())
}

/// A label or annotation key: an optional DNS-subdomain prefix and `/`, then a name of up
/// to 63 alphanumerics, `-`, `_`, `.`, starting and ending alphanumeric
/// (`keel.sh/policy`, `app`).
pub fn qualified_name(s: &str) -> Result<(), String> {
    let (prefix, name) = match s.rsplit_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, s),
    };
    if let Some(prefix) = prefix {
        let ok = !prefix.is_empty()
            && prefix.len() <= 253
            && prefix.split('.').all(|l| dns_label(l).is_ok());
        if !ok {
            return Err(format!(
                "has the prefix `{prefix}`, which is not a DNS subdomain (lower-case letters, digits, `-` and `.`)"
            ));
        }
    }
    if name.is_empty() || label_value(name).is_err() {
        return Err("is not a Kubernetes key: an optional `prefix/` and a name of letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit".to_owned());
    }
    Ok(())
}

/// A Kubernetes resource quantity in the forms the stacks use: `25m`, `0.5`, `512Mi`, `2Gi`.
/// Returns the value in base units (cores or bytes) as a float for comparisons.
pub fn quantity(s: &str) -> Result<f64, String> {
    const SUFFIXES: [(&str, f64); 13] = [
        ("Ki", 1024.0),
        ("Mi", 1048576.0),
        ("Gi", 1073741824.0),
        ("Ti", 1099511627776.0),
        ("Pi", 1125899906842624.0),
        ("Ei", 1152921504606846976.0),
        ("m", 0.001),
        ("k", 1e3),
        ("M", 1e6),
        ("G", 1e9),
        ("T", 1e12),
        ("P", 1e15),
        ("E", 1e18),
    ];
    let invalid = || {
        "is not a Kubernetes quantity; write a number with an optional suffix, e.g. `25m`, `512Mi`, `2Gi`".to_owned()
    };
    let (number, factor) = SUFFIXES
        .iter()
        .find_map(|(suffix, factor)| s.strip_suffix(suffix).map(|n| (n, *factor)))
        .unwrap_or((s, 1.0));
    let mut parts = number.splitn(2, '.');
    let int = parts.next().unwrap_or("");
    let frac = parts.next();
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || frac.is_some_and(|f| !digits(f)) {
        return Err(invalid());
    }
    let value: f64 = number.parse().map_err(|_| invalid())?;
    Ok(value * factor)
}

/// A percentage (`10%`) or a quantity (`5Gi`): how the PVC autoresizer's threshold and
/// increase are written.
pub fn percent_or_quantity(s: &str) -> Result<(), String> {
    let ok = match s.strip_suffix('%') {
        Some(n) => n.bytes().all(|b| b.is_ascii_digit()) && n.parse::<u32>().is_ok_and(|v| v > 0),
        None => quantity(s).is_ok_and(|q| q > 0.0),
    };
    if ok {
        Ok(())
    } else {
        Err("is not a percentage (`10%`) or a size (`5Gi`)".to_owned())
    }
}

/// A 5-field cron schedule (minute hour day-of-month month day-of-week) or an `@` macro,
/// as Kubernetes CronJobs accept.
pub fn cron_schedule(s: &str) -> Result<(), String> {
    const MACROS: [&str; 7] = [
        "@yearly",
        "@annually",
        "@monthly",
        "@weekly",
        "@daily",
        "@midnight",
        "@hourly",
    ];
    if s.starts_with('@') {
        return if MACROS.contains(&s) {
            Ok(())
        } else {
            Err(format!("unknown macro; use one of {}", MACROS.join(", ")))
        };
    }
    let fields: Vec<&str> = s.split_whitespace().collect();
    if fields.len() != 5 {
        return Err(format!(
            "has {} fields; a CronJob schedule has 5: minute hour day-of-month month day-of-week (e.g. `30 1 * * *`)",
            fields.len()
        ));
    }
    const FIELDS: [(&str, u32, u32, &[&str]); 5] = [
        ("minute", 0, 59, &[]),
        ("hour", 0, 23, &[]),
        ("day-of-month", 1, 31, &[]),
        (
            "month",
            1,
            12,
            &[
                "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
            ],
        ),
        (
            "day-of-week",
            0,
            7,
            &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"],
        ),
    ];
    for (field, (name, min, max, names)) in fields.iter().zip(FIELDS) {
        cron_field(field, min, max, names).map_err(|why| {
            format!(
                "{name} field `{field}` {why} (allowed {min}-{max}, `*`, lists, ranges and `/step`)"
            )
        })?;
    }
    Ok(())
}

fn cron_field(field: &str, min: u32, max: u32, names: &[&str]) -> Result<(), String> {
    let value = |v: &str| -> Result<u32, String> {
        if let Some(i) = names.iter().position(|n| n.eq_ignore_ascii_case(v)) {
            return Ok(i as u32 + min);
        }
        let n: u32 = v
            .parse()
            .map_err(|_| format!("has `{v}`, which is not a number"))?;
        if n < min || n > max {
            return Err(format!("has {n}, out of range"));
        }
        Ok(n)
    };
    for part in field.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (r, Some(s)),
            None => (part, None),
        };
        if let Some(step) = step {
            match step.parse::<u32>() {
                Ok(n) if n > 0 => {}
                _ => return Err(format!("has step `{step}`, which is not a positive number")),
            }
        }
        if range == "*" || range == "?" {
            continue;
        }
        match range.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (value(a)?, value(b)?);
                if a > b {
                    return Err(format!("has the backwards range {a}-{b}"));
                }
            }
            None => {
                value(range)?;
            }
        }
    }
    Ok(())
}

/// An absolute, normalised path: starts with `/`, no `.`/`..` segments, no empty segments,
/// no control characters.
pub fn absolute_path(s: &str) -> Result<(), String> {
    if !s.starts_with('/') {
        return Err("must be an absolute path (starting with `/`)".to_owned());
    }
    if s.chars().any(char::is_control) {
        return Err("must not contain control characters".to_owned());
    }
    if s.len() > 1 {
        let trimmed = s.strip_suffix('/').unwrap_or(s);
        if trimmed[1..]
            .split('/')
            .any(|seg| seg.is_empty() || seg == "." || seg == "..")
        {
            return Err("must not contain empty, `.` or `..` segments".to_owned());
        }
    }
    Ok(())
}

/// `/`-joined segments of letters, digits, `.`, `_`, `-`, none empty, `.` or `..`.
fn is_segment_path(s: &str) -> bool {
    !s.is_empty()
        && s.split('/').all(|seg| {
            !seg.is_empty()
                && seg != "."
                && seg != ".."
                && seg
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        })
}

/// A path relative to a volume (`db.sqlite3`, `attachments`, `keys/rsa_key.pem`): segments
/// of letters, digits, `.`, `_`, `-` joined by `/`, no `.`/`..` segments. Such a path is
/// safe inside a shell script.
pub fn relative_path(s: &str) -> Result<(), String> {
    if is_segment_path(s) {
        Ok(())
    } else {
        Err("is not a relative path inside the volume: use letters, digits, `.`, `_`, `-` and `/`, without `..` (e.g. `db.sqlite3`)".to_owned())
    }
}

/// A port name (IANA service name): up to 15 lower-case letters, digits and `-`, with a
/// letter, not starting or ending with `-`, no `--`.
pub fn port_name(s: &str) -> Result<(), String> {
    let ok = !s.is_empty()
        && s.len() <= 15
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && s.bytes().any(|b| b.is_ascii_lowercase())
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--");
    if ok {
        Ok(())
    } else {
        Err(
            "is not a port name: up to 15 lower-case letters, digits and `-` (e.g. `http`)"
                .to_owned(),
        )
    }
}

/// A host name or IPv4 address.
pub fn host(s: &str) -> Result<(), String> {
    let ok = !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        });
    if ok {
        Ok(())
    } else {
        Err("is not a host name or IPv4 address (e.g. `192.168.1.127`)".to_owned())
    }
}

/// A container image reference: `[registry[:port]/]path[:tag][@digest]` with a lower-case
/// repository path.
pub fn image(s: &str) -> Result<(), String> {
    let bad = |why: &str| {
        Err(format!(
            "{why}; an image reference looks like `ghcr.io/owner/app:tag` or `docker.io/library/alpine`"
        ))
    };
    if s.is_empty() {
        return bad("is empty");
    }
    if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return bad("contains whitespace");
    }
    let (name, digest) = match s.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (s, None),
    };
    if let Some(d) = digest {
        let ok = d.split_once(':').is_some_and(|(alg, hex)| {
            !alg.is_empty()
                && alg.bytes().all(|b| b.is_ascii_alphanumeric())
                && hex.len() >= 32
                && hex.bytes().all(|b| b.is_ascii_hexdigit())
        });
        if !ok {
            return bad("has a malformed digest");
        }
    }
    // A tag is the part after the last `:` that follows the last `/`.
    let last_slash = name.rfind('/').map_or(0, |i| i + 1);
    let (repo, tag) = match name[last_slash..].rfind(':') {
        Some(i) => (&name[..last_slash + i], Some(&name[last_slash + i + 1..])),
        None => (name, None),
    };
    if let Some(tag) = tag {
        let ok = !tag.is_empty()
            && tag.len() <= 128
            && tag
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
            && !tag.starts_with(['.', '-']);
        if !ok {
            return bad(&format!("has the invalid tag `{tag}`"));
        }
    }
    let mut segments: Vec<&str> = repo.split('/').collect();
    if segments.len() > 1 && (segments[0].contains(['.', ':']) || segments[0] == "localhost") {
        let registry = segments.remove(0);
        let ok = registry
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':'));
        if !ok {
            return bad(&format!("has the invalid registry `{registry}`"));
        }
    }
    for seg in segments {
        let ok = !seg.is_empty()
            && seg.bytes().all(|b| {
                b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
            })
            && seg.as_bytes()[0].is_ascii_alphanumeric()
            && seg.as_bytes()[seg.len() - 1].is_ascii_alphanumeric();
        if !ok {
            return bad(&format!(
                "has the invalid path component `{seg}` (lower-case letters, digits, `.`, `_`, `-`)"
            ));
        }
    }
    Ok(())
}

/// An environment variable name as Kubernetes accepts it.
pub fn env_name(s: &str) -> Result<(), String> {
    let ok = s
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || matches!(b, b'_' | b'-' | b'.'))
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    if ok {
        Ok(())
    } else {
        Err("is not a valid environment variable name (letters, digits, `_`, `-`, `.`; not starting with a digit)".to_owned())
    }
}

/// A Vault KV key under `secret/`: segments of letters, digits, `_`, `-`, `.` joined by `/`.
pub fn vault_key(s: &str) -> Result<(), String> {
    if is_segment_path(s) {
        Ok(())
    } else {
        Err("is not a Vault key: use segments of letters, digits, `_`, `-`, `.` joined by `/` (e.g. `drone-logbook`)".to_owned())
    }
}

/// A key inside a Kubernetes Secret: letters, digits, `-`, `_`, `.`.
pub fn secret_key(s: &str) -> Result<(), String> {
    let ok = !s.is_empty()
        && s.len() <= 253
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    if ok {
        Ok(())
    } else {
        Err("is not a Secret key: letters, digits, `-`, `_` and `.` only".to_owned())
    }
}

/// Whether an environment variable name looks like it holds a secret. A name that says
/// where one is kept (`VAULT_TOKEN_FILE`, `SSH_KEY_PATH`, `SECRETS_DIR`) holds a path.
pub fn looks_secret(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let location = ["_FILE", "_PATH", "_DIR"]
        .iter()
        .any(|s| upper.ends_with(s));
    !location && names_a_secret(name)
}

/// Whether an environment variable name carries a secret's word (`PASS`, `SECRET`,
/// `TOKEN`, `KEY`), a location of one included: where a plaintext value may say why it
/// is no secret (`plain_why`), though only [`looks_secret`] names need it.
pub fn names_a_secret(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    ["PASS", "SECRET", "TOKEN", "KEY"]
        .iter()
        .any(|w| upper.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn autoresizer_steps() {
        for good in ["10%", "100%", "5Gi", "512Mi"] {
            assert!(percent_or_quantity(good).is_ok(), "{good:?}");
        }
        for bad in [
            "", "%", "0%", "-5%", "+5%", "1.5%", "ten%", "0", "0Gi", "5 Gi",
        ] {
            assert!(
                percent_or_quantity(bad).is_err(),
                "{bad:?} must be rejected"
            );
        }
    }

    #[test]
    fn dns_labels() {
        assert!(dns_label("drone-logbook").is_ok());
        assert!(dns_label("a").is_ok());
        for bad in [
            "",
            "Drone",
            "-a",
            "a-",
            "a_b",
            "a.b",
            &"a".repeat(64),
            "../x",
        ] {
            assert!(dns_label(bad).is_err(), "{bad:?} must be rejected");
        }
    }

    #[test]
    fn dns_subdomains() {
        for good in ["calibre-secrets", "a", "sh.helm.release.v1.app.v3"] {
            assert!(dns_subdomain(good).is_ok(), "{good:?}");
        }
        let long = format!("{}.{}", "a".repeat(63), "b".repeat(63)).repeat(2);
        for bad in [
            "",
            "Calibre",
            "a..b",
            ".a",
            "a.",
            "a_b",
            "-a.b",
            long.as_str(),
        ] {
            assert!(dns_subdomain(bad).is_err(), "{bad:?} must be rejected");
        }
    }

    #[test]
    fn qualified_names() {
        for ok in [
            "app",
            "keel.sh/policy",
            "gethomepage.dev/widget.url",
            "istio-injection",
            "diun.include_tags",
        ] {
            assert!(qualified_name(ok).is_ok(), "{ok:?}");
        }
        for bad in ["", "/x", "x/", "Bad_Prefix/x", "a b", "-x", "a/b/c"] {
            assert!(qualified_name(bad).is_err(), "{bad:?} must be rejected");
        }
    }

    #[test]
    fn label_values() {
        assert!(label_value("").is_ok());
        assert!(label_value("Media.1_x-y").is_ok());
        assert!(label_value("-x").is_err());
        assert!(label_value("a b").is_err());
    }

    #[test]
    fn quantities() {
        assert_eq!(quantity("25m").unwrap(), 0.025);
        assert_eq!(quantity("512Mi").unwrap(), 512.0 * 1048576.0);
        assert_eq!(quantity("2Gi").unwrap(), 2.0 * 1073741824.0);
        assert_eq!(quantity("1.5").unwrap(), 1.5);
        for bad in ["", "Gi", "2 Gi", "2gi", "-1", "1.", ".5", "1e3", "2GB"] {
            assert!(quantity(bad).is_err(), "{bad:?} must be rejected");
        }
    }

    #[test]
    fn cron() {
        for ok in [
            "30 1 * * *",
            "0 */6 * * *",
            "30 * * * *",
            "0 0 1,15 * MON-FRI",
            "@daily",
            "*/5 0-23/2 * jan-dec 0-7",
        ] {
            assert!(cron_schedule(ok).is_ok(), "{ok:?} must be accepted");
        }
        for bad in [
            "",
            "0 0 */8 * * *",
            "60 1 * * *",
            "1 24 * * *",
            "* * 0 * *",
            "* * * 13 *",
            "*/0 * * * *",
            "5-1 * * * *",
            "@often",
            "a b c d e",
        ] {
            assert!(cron_schedule(bad).is_err(), "{bad:?} must be rejected");
        }
        let msg = cron_schedule("0 0 */8 * * *").unwrap_err();
        assert!(msg.contains("6 fields"), "{msg}");
    }

    #[test]
    fn paths() {
        assert!(absolute_path("/data/drone-logbook").is_ok());
        assert!(absolute_path("/").is_ok());
        assert!(absolute_path("/sync-logs/").is_ok());
        for bad in ["data", "/a/../b", "/a//b", "/a/./b", "/a\nb", ""] {
            assert!(absolute_path(bad).is_err(), "{bad:?} must be rejected");
        }
    }

    #[test]
    fn images() {
        for ok in [
            "ghcr.io/arpanghosh8453/open-dronelog:latest",
            "docker.io/library/alpine",
            "freshrss/freshrss",
            "vaultwarden/server:1.32.0",
            "localhost:5000/x/y:tag",
            "alpine@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        ] {
            assert!(image(ok).is_ok(), "{ok:?} must be accepted");
        }
        for bad in [
            "",
            "Ghcr.io/UPPER/app",
            "app:",
            "a b",
            "app:bad tag",
            "x/-y",
            "app@sha256:zz",
        ] {
            assert!(image(bad).is_err(), "{bad:?} must be rejected");
        }
    }

    #[test]
    fn relative_paths_and_hosts() {
        for ok in ["db.sqlite3", "attachments", "keys/rsa_key.pem"] {
            assert!(relative_path(ok).is_ok(), "{ok:?}");
        }
        for bad in [
            "", "/abs", "../up", "a/../b", "a b", "x;rm", "$(x)", "a//b", "'q'",
        ] {
            assert!(relative_path(bad).is_err(), "{bad:?} must be rejected");
        }
        assert!(host("192.168.1.127").is_ok());
        assert!(host("nfs.lan").is_ok());
        for bad in ["", "a b", "-x", "x..y", "x/y"] {
            assert!(host(bad).is_err(), "{bad:?} must be rejected");
        }
    }

    #[test]
    fn secret_names() {
        assert!(looks_secret("PROFILE_CREATION_PASS"));
        assert!(looks_secret("api_key"));
        assert!(looks_secret("SMTP_PASSWORD"));
        assert!(!looks_secret("KEEP_UPLOADED_FILES"));
        assert!(!looks_secret("SYNC_INTERVAL"));
        for location in ["VAULT_TOKEN_FILE", "ssh_key_path", "SECRETS_DIR"] {
            assert!(!looks_secret(location), "{location}");
        }
        assert!(looks_secret("FILE_TOKEN"));
        assert!(names_a_secret("VAULT_TOKEN_FILE") && !names_a_secret("SYNC_INTERVAL"));
    }

    #[test]
    fn env_and_vault_names() {
        assert!(env_name("RUST_LOG").is_ok());
        assert!(env_name("1X").is_err());
        assert!(env_name("A B").is_err());
        assert!(vault_key("drone-logbook").is_ok());
        assert!(vault_key("viktor/app").is_ok());
        assert!(vault_key("/abs").is_err());
        assert!(vault_key("a/../b").is_err());
        assert!(secret_key("profile_creation_pass").is_ok());
        assert!(secret_key("a/b").is_err());
    }
}
