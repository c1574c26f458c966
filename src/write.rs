//! Writing stacks safely.
//!
//! Everything is decided before anything is written: every spec is rendered, formatted,
//! parsed and linted in memory, and every target is inspected ([`plan`], [`plan_prune`]).
//! Only when the whole run is sound does [`apply`] change the disk, as one transaction:
//!
//! 1. **Stage.** Every new file is written to a temporary file beside its target (created
//!    with `create_new`, so nothing existing is followed or truncated) and synced. A failure
//!    here removes the temporary files and any directory the stage created: nothing changed.
//! 2. **Commit.** Each target is checked to be still as [`plan`] saw it, then the temporary
//!    file is renamed over it (atomic: a reader sees the old file or the new one), the
//!    `secrets` symlink is created, and pruned files are removed. A failure here undoes the
//!    steps already taken, in reverse, from the contents [`plan`] read: every existing file
//!    is left byte-identical. (If the undo itself fails, the error names what could not be
//!    restored.)
//!
//! dlgen never replaces a file that does not carry its generated header (unless `--force`),
//! never reads or replaces anything but a regular file or its own symlink, and never writes
//! outside the stacks root: stack names are DNS-1123 labels, names with `/`, `..` or an
//! absolute path are refused, and a stack directory that resolves elsewhere (a symlink) is
//! refused. A file that already holds exactly the rendered text is not touched (its mtime
//! stays).

use std::collections::HashSet;
use std::fs;
use std::io::{ErrorKind, Read as _, Write as _};
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::generate::Generated;
use crate::generated::{
    FILES_OWNER, SECRETS_LINK, SECRETS_TARGET, files_named_by, generated_files, generated_files_in,
    is_generated, is_secrets_link, stack_dir,
};
use crate::render::RenderedFile;

/// The largest existing file dlgen reads to compare or to keep for an undo. Generated
/// files are a few kilobytes; a larger file is not dlgen's to replace.
pub const MAX_EXISTING_BYTES: u64 = 16 * 1024 * 1024;

/// One thing a render run will do (or found already done).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Create or replace a file with new contents. `previous` is what was at the path when
    /// the plan was made, for the pre-commit check and the undo.
    Write {
        path: PathBuf,
        contents: Vec<u8>,
        previous: Previous,
    },
    /// The file already has exactly these contents.
    Unchanged { path: PathBuf },
    /// Create the `secrets` symlink.
    Symlink { path: PathBuf },
    /// The `secrets` symlink is already in place.
    SymlinkPresent { path: PathBuf },
    /// `--prune`: remove a generated file that no spec produces any more.
    Remove { path: PathBuf, previous: Vec<u8> },
    /// `--prune`: remove the `secrets` symlink of a stack directory emptied by pruning.
    RemoveSymlink { path: PathBuf },
    /// `--prune`: remove a stack directory emptied by pruning.
    RemoveDir { path: PathBuf },
}

/// What a path held when the plan was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Previous {
    Absent,
    File(Vec<u8>),
    /// A symlink (replaced only under `--force`; the link, never its target).
    Symlink(PathBuf),
}

impl Action {
    /// Whether carrying out the action changes the disk.
    pub fn changes(&self) -> bool {
        !matches!(
            self,
            Action::Unchanged { .. } | Action::SymlinkPresent { .. }
        )
    }
}

/// Decides what writing `files` into `<stacks_dir>/<stack>/` takes, without changing
/// anything. Fails when a target is not dlgen's to replace.
pub fn plan(
    stacks_dir: &Path,
    stack: &str,
    files: &[RenderedFile],
    force: bool,
) -> Result<Vec<Action>, Error> {
    let dir = stack_dir(stacks_dir, stack)?;
    // Files written beside `main.tf` carry no header: the generated `main.tf` on disk
    // names those that are dlgen's.
    let named_beside = files_named_by(&dir.join(FILES_OWNER));
    let mut actions = Vec::new();
    for file in files {
        let path = dir.join(&file.name);
        // A file beside the spec may sit in a directory of the stack: never reached
        // through a symlink (or a file) in the way.
        if let Err(at) = crate::generated::dirs_within(&dir, &file.name) {
            return Err(Error::Message(format!(
                "error: {}: is not a directory (a symlink or a file) where dlgen writes {}\n  = help: move it away and render again",
                at.display(),
                path.display()
            )));
        }
        let meta = match fs::symlink_metadata(&path) {
            Err(e) if e.kind() == ErrorKind::NotFound => {
                actions.push(Action::Write {
                    path,
                    contents: file.bytes().to_vec(),
                    previous: Previous::Absent,
                });
                continue;
            }
            Err(e) => return Err(Error::io(&path, e)),
            Ok(meta) => meta,
        };
        if meta.is_dir() {
            return Err(Error::Message(format!(
                "error: {}: is a directory where dlgen writes a file; move it away",
                path.display()
            )));
        }
        let is_link = meta.file_type().is_symlink();
        if !is_link && !meta.is_file() {
            return Err(Error::Message(format!(
                "error: {}: is not a regular file (a pipe, socket or device); dlgen will not read or replace it\n  = help: move it away and render again",
                path.display()
            )));
        }
        // A symlink is never read (it could point anywhere); with --force the link itself is
        // replaced, never its target.
        let existing = if is_link {
            None
        } else {
            Some(read_existing(&path, meta.len())?)
        };
        // A file that already holds the text is left as it is, whoever wrote it.
        if existing.as_deref() == Some(file.bytes()) {
            actions.push(Action::Unchanged { path });
            continue;
        }
        let ours = existing
            .as_deref()
            .and_then(|b| std::str::from_utf8(b).ok())
            .is_some_and(is_generated)
            || (existing.is_some() && named_beside.contains(&file.name));
        if !ours && !force {
            let what = if is_link {
                "a symlink dlgen did not create"
            } else if file.name.ends_with(".tf") || file.name.ends_with(".hcl") {
                "a file dlgen did not generate (it lacks the `# Generated by dlgen` header)"
            } else {
                "a file dlgen did not write (the generated main.tf beside it does not name it)"
            };
            return Err(Error::Message(format!(
                "error: {}: refusing to overwrite {what}\n  = help: move it away, or pass --force to replace it",
                path.display()
            )));
        }
        let previous = match existing {
            Some(bytes) => Previous::File(bytes),
            None => Previous::Symlink(fs::read_link(&path).map_err(|e| Error::io(&path, e))?),
        };
        actions.push(Action::Write {
            path,
            contents: file.bytes().to_vec(),
            previous,
        });
    }
    let link = dir.join(SECRETS_LINK);
    match fs::symlink_metadata(&link) {
        Err(e) if e.kind() == ErrorKind::NotFound => actions.push(Action::Symlink { path: link }),
        Err(e) => return Err(Error::io(&link, e)),
        Ok(meta) if meta.file_type().is_symlink() && is_secrets_link(&link) => {
            actions.push(Action::SymlinkPresent { path: link })
        }
        Ok(_) => {
            return Err(Error::Message(format!(
                "error: {}: exists but is not the symlink `{SECRETS_LINK} -> {SECRETS_TARGET}` every stack carries; dlgen will not replace it\n  = help: move it away and render again",
                link.display()
            )));
        }
    }
    Ok(actions)
}

/// Reads an existing regular file that dlgen may replace, refusing huge ones.
fn read_existing(path: &Path, len: u64) -> Result<Vec<u8>, Error> {
    if len > MAX_EXISTING_BYTES {
        return Err(Error::Message(format!(
            "error: {}: is {len} bytes; dlgen replaces or removes no file larger than {MAX_EXISTING_BYTES} bytes (a generated file is a few kilobytes)\n  = help: move it away and render again",
            path.display()
        )));
    }
    let file = fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut bytes = Vec::new();
    file.take(MAX_EXISTING_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    Ok(bytes)
}

/// Plans `--prune`: every generated file (one carrying dlgen's header) directly inside a
/// stack directory of `stacks_dir` that this run does not produce, and whose header names
/// either a spec rendered in this run or a spec file that no longer exists. A file whose
/// spec still exists but was not rendered in this run is left alone (it is that spec's),
/// and so is a file whose header does not name a spec. When pruning leaves a stack
/// directory holding nothing but the `secrets -> ../../secrets` symlink, the symlink and
/// the directory are removed too; a directory holding anything else is kept. Stack
/// directories reached through a symlink are never pruned.
///
/// Returns the actions, and one line for each stale file that is kept.
///
/// Finding the generated files of the whole stacks root reads the first line of every
/// file in every stack directory (see [`crate::generated`]); [`plan_prune_in`] can look
/// in the rendered stacks' own directories alone.
pub fn plan_prune(
    stacks_dir: &Path,
    generated: &[Generated],
) -> Result<(Vec<Action>, Vec<String>), Error> {
    plan_prune_in(stacks_dir, generated, Scope::Root)
}

/// Where [`plan_prune_in`] looks for stale generated files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every stack directory of the stacks root (`render --prune`).
    Root,
    /// Only the directories of the stacks being rendered: what a render costs is its
    /// own stacks, however many others the root holds.
    Rendered,
}

/// [`plan_prune`], looking for stale files in `scope`.
pub fn plan_prune_in(
    stacks_dir: &Path,
    generated: &[Generated],
    scope: Scope,
) -> Result<(Vec<Action>, Vec<String>), Error> {
    let produced: HashSet<PathBuf> = generated
        .iter()
        .flat_map(|g| {
            g.files
                .iter()
                .map(|f| stacks_dir.join(&g.stack).join(&f.name))
        })
        .collect();
    let live: HashSet<PathBuf> = generated
        .iter()
        .map(|g| stacks_dir.join(&g.stack))
        .collect();
    let rendered: Vec<&str> = generated.iter().map(|g| g.spec_label.as_str()).collect();
    let root = crate::paths::absolute(stacks_dir)
        .map_err(|e| Error::io(stacks_dir, e))?
        .parent()
        .map(Path::to_path_buf);
    let mut actions = Vec::new();
    let mut kept = Vec::new();
    // Stack directories losing files, in order of discovery.
    let mut dirs: Vec<PathBuf> = Vec::new();
    let found = match scope {
        Scope::Root => generated_files(stacks_dir)?,
        Scope::Rendered => {
            let mut found = Vec::new();
            for g in generated {
                found.extend(generated_files_in(&stacks_dir.join(&g.stack))?);
            }
            found.sort_by(|a, b| a.path.cmp(&b.path));
            found
        }
    };
    for found in found {
        let path = found.path;
        if produced.contains(&path) {
            continue;
        }
        // The stack directory (a file beside `main.tf` may sit in a directory below it).
        let Some(dir) = path
            .strip_prefix(stacks_dir)
            .ok()
            .and_then(|rel| rel.components().next())
            .map(|first| stacks_dir.join(first))
        else {
            continue;
        };
        let Some(label) = found.spec.as_deref() else {
            kept.push(format!(
                "kept {}: its header does not say which spec generated it",
                path.display()
            ));
            continue;
        };
        let spec_gone = match &root {
            Some(root) => match fs::symlink_metadata(root.join(label)) {
                Err(e) if e.kind() == ErrorKind::NotFound => true,
                Err(e) => return Err(Error::io(root.join(label), e)),
                Ok(_) => false,
            },
            None => false,
        };
        if !rendered.contains(&label) && !spec_gone {
            // Another spec's file: not this run's to judge.
            continue;
        }
        let meta = fs::symlink_metadata(&path).map_err(|e| Error::io(&path, e))?;
        let previous = read_existing(&path, meta.len())?;
        if !fs::symlink_metadata(&dir).is_ok_and(|m| m.is_dir()) {
            kept.push(format!(
                "kept {}: its stack directory is a symlink; dlgen prunes only real directories",
                path.display()
            ));
            continue;
        }
        if !dirs.contains(&dir) {
            dirs.push(dir);
        }
        actions.push(Action::Remove { path, previous });
    }
    for dir in dirs {
        // Directories below the stack's that pruning empties go with their files.
        let mut emptied = Vec::new();
        let entries = fs::read_dir(&dir).map_err(|e| Error::io(&dir, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(&dir, e))?;
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                emptied_dirs(&entry.path(), &actions, &mut emptied)?;
            }
        }
        actions.extend(emptied.into_iter().map(|path| Action::RemoveDir { path }));
        if live.contains(&dir) {
            // A live stack: only its stale files go.
            continue;
        }
        let mut rest = Vec::new();
        let entries = fs::read_dir(&dir).map_err(|e| Error::io(&dir, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(&dir, e))?;
            rest.push(entry.path());
        }
        let removing = |p: &PathBuf| {
            actions.iter().any(|a| {
                matches!(a, Action::Remove { path, .. } | Action::RemoveDir { path } if path == p)
            })
        };
        let link = dir.join(SECRETS_LINK);
        let has_link = rest.contains(&link) && is_secrets_link(&link);
        let others: Vec<&PathBuf> = rest
            .iter()
            .filter(|p| !(removing(p) || (has_link && **p == link)))
            .collect();
        if others.is_empty() {
            if has_link {
                actions.push(Action::RemoveSymlink { path: link });
            }
            actions.push(Action::RemoveDir { path: dir });
        } else {
            let names: Vec<String> = others
                .iter()
                .filter_map(|p| {
                    p.file_name()
                        .map(|n| crate::diag::printable(&n.to_string_lossy()))
                })
                .collect();
            kept.push(format!(
                "kept {}: it holds files dlgen did not generate ({})",
                dir.display(),
                names.join(", ")
            ));
        }
    }
    Ok((actions, kept))
}

/// Whether pruning empties the real directory `dir` (below a stack directory): it holds
/// a file that `actions` removes, and nothing that stays but directories it empties too.
/// The directories emptied are added to `out`, deepest first; a directory that held no
/// file dlgen removes is never one of them.
fn emptied_dirs(dir: &Path, actions: &[Action], out: &mut Vec<PathBuf>) -> Result<bool, Error> {
    let mut stays = false;
    let mut removes = false;
    for entry in fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let path = entry.path();
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            let gone = emptied_dirs(&path, actions, out)?;
            removes |= gone;
            stays |= !gone;
        } else if actions
            .iter()
            .any(|a| matches!(a, Action::Remove { path: p, .. } if *p == path))
        {
            removes = true;
        } else {
            stays = true;
        }
    }
    let gone = removes && !stays;
    if gone {
        out.push(dir.to_path_buf());
    }
    Ok(gone)
}

/// A step taken by [`apply`], and how to take it back.
enum Undo {
    /// A file was replaced or created: put `previous` back.
    Restore { path: PathBuf, previous: Previous },
    /// The `secrets` symlink was created.
    Unlink(PathBuf),
    /// A pruned file was removed.
    Recreate { path: PathBuf, previous: Vec<u8> },
    /// A pruned `secrets` symlink was removed.
    Relink(PathBuf),
    /// A pruned directory was removed.
    Mkdir(PathBuf),
}

/// Carries out `actions` as one transaction (see the module documentation). Returns one
/// human-readable line per action.
pub fn apply(actions: &[Action]) -> Result<Vec<String>, Error> {
    let mut created_dirs = Vec::new();
    let mut staged: Vec<Option<PathBuf>> = Vec::with_capacity(actions.len());
    for action in actions {
        let result = match action {
            Action::Write { path, contents, .. } => {
                stage(path, contents, &mut created_dirs).map(Some)
            }
            Action::Symlink { path } => match path.parent() {
                Some(dir) => create_dirs(dir, &mut created_dirs).map(|()| None),
                None => Ok(None),
            },
            _ => Ok(None),
        };
        match result {
            Ok(tmp) => staged.push(tmp),
            Err(e) => {
                discard(staged.iter().flatten(), &created_dirs);
                return Err(e);
            }
        }
    }

    let mut undo: Vec<Undo> = Vec::new();
    let mut report = Vec::with_capacity(actions.len());
    for (i, (action, tmp)) in actions.iter().zip(&staged).enumerate() {
        if let Err(e) = commit(action, tmp.as_deref(), &mut undo, &mut report) {
            let unrestored = rollback(undo);
            discard(staged[i..].iter().flatten(), &created_dirs);
            return Err(rollback_error(e, &unrestored));
        }
    }
    Ok(report)
}

fn commit(
    action: &Action,
    tmp: Option<&Path>,
    undo: &mut Vec<Undo>,
    report: &mut Vec<String>,
) -> Result<(), Error> {
    match action {
        Action::Write { path, previous, .. } => {
            ensure_unchanged(path, previous)?;
            if let Some(tmp) = tmp {
                fs::rename(tmp, path).map_err(|e| Error::io(path, e))?;
            }
            undo.push(Undo::Restore {
                path: path.clone(),
                previous: previous.clone(),
            });
            report.push(format!("wrote {}", path.display()));
        }
        Action::Unchanged { path } => report.push(format!("unchanged {}", path.display())),
        Action::Symlink { path } => {
            symlink(path)?;
            undo.push(Undo::Unlink(path.clone()));
            report.push(format!("linked {} -> {SECRETS_TARGET}", path.display()));
        }
        Action::SymlinkPresent { .. } => {}
        Action::Remove { path, previous } => {
            ensure_unchanged(path, &Previous::File(previous.clone()))?;
            fs::remove_file(path).map_err(|e| Error::io(path, e))?;
            undo.push(Undo::Recreate {
                path: path.clone(),
                previous: previous.clone(),
            });
            report.push(format!("removed {}", path.display()));
        }
        Action::RemoveSymlink { path } => {
            if !is_secrets_link(path) {
                return Err(changed_meanwhile(path));
            }
            fs::remove_file(path).map_err(|e| Error::io(path, e))?;
            undo.push(Undo::Relink(path.clone()));
            report.push(format!("removed {}", path.display()));
        }
        Action::RemoveDir { path } => {
            // `remove_dir` removes only an empty directory: nothing in it can be lost.
            fs::remove_dir(path).map_err(|e| Error::io(path, e))?;
            undo.push(Undo::Mkdir(path.clone()));
            report.push(format!("removed {}/", path.display()));
        }
    }
    Ok(())
}

/// Fails unless `path` still holds what the plan saw there.
fn ensure_unchanged(path: &Path, previous: &Previous) -> Result<(), Error> {
    let now = match fs::symlink_metadata(path) {
        Err(e) if e.kind() == ErrorKind::NotFound => Previous::Absent,
        Err(e) => return Err(Error::io(path, e)),
        Ok(meta) if meta.file_type().is_symlink() => {
            Previous::Symlink(fs::read_link(path).map_err(|e| Error::io(path, e))?)
        }
        Ok(meta) if !meta.is_file() => return Err(changed_meanwhile(path)),
        Ok(meta) => Previous::File(read_existing(path, meta.len())?),
    };
    if now == *previous {
        Ok(())
    } else {
        Err(changed_meanwhile(path))
    }
}

fn changed_meanwhile(path: &Path) -> Error {
    Error::Message(format!(
        "error: {}: changed while dlgen was running; nothing was written\n  = help: render again",
        path.display()
    ))
}

/// Takes back the steps in `undo`, last first. Returns the paths it could not restore.
fn rollback(undo: Vec<Undo>) -> Vec<(PathBuf, String)> {
    let mut failed = Vec::new();
    for step in undo.into_iter().rev() {
        let (path, result) = match step {
            Undo::Restore {
                path,
                previous: Previous::File(bytes),
            }
            | Undo::Recreate {
                path,
                previous: bytes,
            } => {
                let r = write_atomic(&path, &bytes).map_err(|e| e.to_string());
                (path, r)
            }
            Undo::Restore {
                path,
                previous: Previous::Absent,
            }
            | Undo::Unlink(path) => {
                let r = fs::remove_file(&path).map_err(|e| e.to_string());
                (path, r)
            }
            Undo::Restore {
                path,
                previous: Previous::Symlink(target),
            } => {
                let r = fs::remove_file(&path)
                    .and_then(|()| symlink_to(&target, &path))
                    .map_err(|e| e.to_string());
                (path, r)
            }
            Undo::Relink(path) => {
                let r = symlink_to(Path::new(SECRETS_TARGET), &path).map_err(|e| e.to_string());
                (path, r)
            }
            Undo::Mkdir(path) => {
                let r = fs::create_dir(&path).map_err(|e| e.to_string());
                (path, r)
            }
        };
        if let Err(why) = result {
            failed.push((path, why));
        }
    }
    failed
}

fn rollback_error(error: Error, unrestored: &[(PathBuf, String)]) -> Error {
    if unrestored.is_empty() {
        return Error::Message(format!(
            "{}\n  = note: every change of this run was undone",
            error.to_string().trim_end()
        ));
    }
    let mut msg = format!(
        "{}\n  = note: undoing this run failed for:",
        error.to_string().trim_end()
    );
    for (path, why) in unrestored {
        msg.push_str(&format!("\n      {}: {why}", path.display()));
    }
    Error::Message(msg)
}

/// Removes staged temporary files and the directories the stage created (deepest first;
/// only if empty).
fn discard<'a>(tmps: impl Iterator<Item = &'a PathBuf>, created_dirs: &[PathBuf]) {
    for tmp in tmps {
        let _ = fs::remove_file(tmp);
    }
    for dir in created_dirs.iter().rev() {
        let _ = fs::remove_dir(dir);
    }
}

/// Creates `dir` and its missing ancestors, recording each one created.
fn create_dirs(dir: &Path, created: &mut Vec<PathBuf>) -> Result<(), Error> {
    let mut missing = Vec::new();
    let mut at = Some(dir);
    while let Some(d) = at {
        if d.as_os_str().is_empty() || fs::symlink_metadata(d).is_ok() {
            break;
        }
        missing.push(d.to_path_buf());
        at = d.parent();
    }
    for d in missing.into_iter().rev() {
        match fs::create_dir(&d) {
            Ok(()) => created.push(d),
            Err(e) if e.kind() == ErrorKind::AlreadyExists && d.is_dir() => {}
            Err(e) => return Err(Error::io(&d, e)),
        }
    }
    Ok(())
}

/// Writes `contents` to a new temporary file beside `path` and syncs it; the file takes
/// the permissions of the file it will replace. Returns the temporary file's path.
fn stage(path: &Path, contents: &[u8], created_dirs: &mut Vec<PathBuf>) -> Result<PathBuf, Error> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    create_dirs(dir, created_dirs)?;
    let (tmp, mut file) = create_temp(dir, path)?;
    let written = (|| {
        file.write_all(contents)?;
        if let Ok(meta) = fs::symlink_metadata(path)
            && meta.is_file()
        {
            file.set_permissions(meta.permissions())?;
        }
        file.sync_all()
    })();
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(Error::io(&tmp, e));
    }
    Ok(tmp)
}

/// A new, empty temporary file in `dir`, named after `path`. `create_new` never opens
/// an existing file or follows a symlink planted at the name.
fn create_temp(dir: &Path, path: &Path) -> Result<(PathBuf, fs::File), Error> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut last = None;
    for n in 0..100u32 {
        let tmp = dir.join(format!(".{name}.dlgen-{}-{n}.tmp", std::process::id()));
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
        {
            Ok(file) => return Ok((tmp, file)),
            Err(e) if e.kind() == ErrorKind::AlreadyExists => last = Some((tmp, e)),
            Err(e) => return Err(Error::io(&tmp, e)),
        }
    }
    match last {
        Some((tmp, e)) => Err(Error::io(tmp, e)),
        None => Err(Error::Message(format!(
            "error: {}: no temporary file could be created",
            dir.display()
        ))),
    }
}

fn symlink(path: &Path) -> Result<(), Error> {
    symlink_to(Path::new(SECRETS_TARGET), path).map_err(|e| Error::io(path, e))
}

#[cfg(unix)]
fn symlink_to(target: &Path, path: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(target, path)
}

#[cfg(not(unix))]
fn symlink_to(_target: &Path, _path: &Path) -> std::io::Result<()> {
    Ok(())
}

/// Writes `contents` to `path` through a temporary file in the same directory and a rename,
/// so a reader sees the old file or the new one, never a torn one.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), Error> {
    let mut created = Vec::new();
    let tmp = stage(path, contents, &mut created)?;
    fs::rename(&tmp, path).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        Error::io(path, e)
    })
}
/// Creates `path` holding `contents`, atomically, and never over an existing file: the
/// contents are staged in a temporary file beside it and linked into place, which fails
/// if anything is at `path` by then. Missing parent directories are created.
pub fn create_new(path: &Path, contents: &[u8]) -> Result<(), Error> {
    let mut created = Vec::new();
    let tmp = stage(path, contents, &mut created)?;
    let linked = fs::hard_link(&tmp, path);
    let _ = fs::remove_file(&tmp);
    match linked {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::AlreadyExists => {
            discard(std::iter::empty(), &created);
            Err(Error::Message(format!(
                "error: {}: already exists; dlgen does not replace it",
                path.display()
            )))
        }
        Err(_) => {
            // A file system without hard links: exclusive creation still never replaces.
            let result = fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path)
                .and_then(|mut f| {
                    f.write_all(contents)?;
                    f.sync_all()
                });
            result.map_err(|e| {
                discard(std::iter::empty(), &created);
                Error::io(path, e)
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &'static str, contents: &str) -> RenderedFile {
        RenderedFile::text(name, contents)
    }

    const GEN: &str = "# Generated by dlgen from specs/a.yaml. DO NOT EDIT BY HAND:\nx = 1\n";

    #[test]
    fn create_new_never_replaces() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("specs/a.yaml");
        create_new(&path, b"one\n").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "one\n");
        let err = create_new(&path, b"two\n").unwrap_err().to_string();
        assert!(err.contains("already exists"), "{err}");
        assert_eq!(fs::read_to_string(&path).unwrap(), "one\n");
        assert_eq!(leftovers(&tmp.path().join("specs")), Vec::<String>::new());
    }

    #[test]
    fn plans_writes_then_nothing_on_rerun() {
        let tmp = tempfile::tempdir().unwrap();
        let files = [file("main.tf", GEN)];
        let actions = plan(tmp.path(), "a", &files, false).unwrap();
        assert!(matches!(actions[0], Action::Write { .. }));
        assert!(matches!(actions[1], Action::Symlink { .. }));
        apply(&actions).unwrap();
        assert_eq!(
            fs::read_to_string(tmp.path().join("a/main.tf")).unwrap(),
            GEN
        );
        assert_eq!(
            fs::read_link(tmp.path().join("a/secrets")).unwrap(),
            Path::new(SECRETS_TARGET)
        );
        let again = plan(tmp.path(), "a", &files, false).unwrap();
        assert!(matches!(again[0], Action::Unchanged { .. }));
        assert!(matches!(again[1], Action::SymlinkPresent { .. }));
    }

    #[test]
    fn refuses_foreign_files_unless_forced() {
        let tmp = tempfile::tempdir().unwrap();
        fs::create_dir_all(tmp.path().join("a")).unwrap();
        fs::write(tmp.path().join("a/main.tf"), "# hand-written\n").unwrap();
        let files = [file("main.tf", GEN)];
        let err = plan(tmp.path(), "a", &files, false)
            .unwrap_err()
            .to_string();
        assert!(err.contains("did not generate"), "{err}");
        let forced = plan(tmp.path(), "a", &files, true).unwrap();
        assert!(matches!(forced[0], Action::Write { .. }));
    }

    #[test]
    fn refuses_a_foreign_secrets_entry() {
        let tmp = tempfile::tempdir().unwrap();
        fs::create_dir_all(tmp.path().join("a/secrets")).unwrap();
        let err = plan(tmp.path(), "a", &[file("main.tf", GEN)], false)
            .unwrap_err()
            .to_string();
        assert!(err.contains("is not the symlink"), "{err}");
    }

    fn actions_of(tmp: &Path, contents: &str) -> Vec<Action> {
        plan(tmp, "a", &[file("main.tf", contents)], false).unwrap()
    }

    const GEN2: &str = "# Generated by dlgen from specs/a.yaml. DO NOT EDIT BY HAND:\nx = 2\n";

    #[test]
    fn a_file_changed_after_planning_undoes_the_whole_run() {
        let tmp = tempfile::tempdir().unwrap();
        let files = [file("main.tf", GEN), file("terragrunt.hcl", GEN)];
        apply(&plan(tmp.path(), "a", &files, false).unwrap()).unwrap();
        let main = tmp.path().join("a/main.tf");
        let tg = tmp.path().join("a/terragrunt.hcl");
        let new = [file("main.tf", GEN2), file("terragrunt.hcl", GEN2)];
        let actions = plan(tmp.path(), "a", &new, false).unwrap();
        // Someone edits terragrunt.hcl between the plan and the commit.
        fs::write(&tg, "# edited meanwhile\n").unwrap();
        let err = apply(&actions).unwrap_err().to_string();
        assert!(err.contains("changed while dlgen was running"), "{err}");
        assert!(err.contains("every change of this run was undone"), "{err}");
        assert_eq!(fs::read_to_string(&main).unwrap(), GEN, "main.tf restored");
        assert_eq!(fs::read_to_string(&tg).unwrap(), "# edited meanwhile\n");
        assert_eq!(leftovers(&tmp.path().join("a")), Vec::<String>::new());
    }

    #[test]
    fn a_failed_first_render_leaves_no_directory_behind() {
        let tmp = tempfile::tempdir().unwrap();
        let actions = actions_of(tmp.path(), GEN);
        // The stack directory appears (as a file) after planning: staging fails.
        fs::write(tmp.path().join("a"), "not a directory").unwrap();
        assert!(apply(&actions).is_err());
        assert_eq!(
            fs::read_to_string(tmp.path().join("a")).unwrap(),
            "not a directory"
        );
    }

    fn leftovers(dir: &Path) -> Vec<String> {
        fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(".dlgen-"))
            .collect()
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_planted_at_the_temporary_name_is_not_followed() {
        let tmp = tempfile::tempdir().unwrap();
        let outside = tmp.path().join("outside.txt");
        fs::write(&outside, "precious\n").unwrap();
        fs::create_dir_all(tmp.path().join("a")).unwrap();
        let planted = tmp
            .path()
            .join(format!("a/.main.tf.dlgen-{}-0.tmp", std::process::id()));
        std::os::unix::fs::symlink(&outside, &planted).unwrap();
        apply(&actions_of(tmp.path(), GEN)).unwrap();
        assert_eq!(fs::read_to_string(&outside).unwrap(), "precious\n");
        assert_eq!(
            fs::read_to_string(tmp.path().join("a/main.tf")).unwrap(),
            GEN
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_at_a_target_is_refused_and_with_force_replaced_not_followed() {
        let tmp = tempfile::tempdir().unwrap();
        let outside = tmp.path().join("outside.tf");
        fs::write(&outside, GEN2).unwrap();
        fs::create_dir_all(tmp.path().join("a")).unwrap();
        std::os::unix::fs::symlink(&outside, tmp.path().join("a/main.tf")).unwrap();
        let err = plan(tmp.path(), "a", &[file("main.tf", GEN)], false)
            .unwrap_err()
            .to_string();
        assert!(err.contains("a symlink dlgen did not create"), "{err}");
        apply(&plan(tmp.path(), "a", &[file("main.tf", GEN)], true).unwrap()).unwrap();
        assert_eq!(
            fs::read_to_string(&outside).unwrap(),
            GEN2,
            "target untouched"
        );
        let main = tmp.path().join("a/main.tf");
        assert!(
            !fs::symlink_metadata(&main)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&main).unwrap(), GEN);
    }

    #[cfg(unix)]
    #[test]
    fn a_pipe_at_a_target_is_never_read() {
        let tmp = tempfile::tempdir().unwrap();
        fs::create_dir_all(tmp.path().join("a")).unwrap();
        let fifo = tmp.path().join("a/main.tf");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !made.is_ok_and(|s| s.success()) {
            eprintln!("skipped: mkfifo is not available");
            return;
        }
        for force in [false, true] {
            let err = plan(tmp.path(), "a", &[file("main.tf", GEN)], force)
                .unwrap_err()
                .to_string();
            assert!(err.contains("is not a regular file"), "{err}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_replaced_file_keeps_its_permissions() {
        use std::os::unix::fs::PermissionsExt as _;
        let tmp = tempfile::tempdir().unwrap();
        apply(&actions_of(tmp.path(), GEN)).unwrap();
        let main = tmp.path().join("a/main.tf");
        fs::set_permissions(&main, fs::Permissions::from_mode(0o640)).unwrap();
        apply(&actions_of(tmp.path(), GEN2)).unwrap();
        assert_eq!(fs::read_to_string(&main).unwrap(), GEN2);
        let mode = fs::metadata(&main).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
    }

    #[test]
    fn a_huge_file_at_a_target_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        fs::create_dir_all(tmp.path().join("a")).unwrap();
        let f = fs::File::create(tmp.path().join("a/main.tf")).unwrap();
        f.set_len(MAX_EXISTING_BYTES + 1).unwrap();
        let err = plan(tmp.path(), "a", &[file("main.tf", GEN)], true)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("replaces or removes no file larger than"),
            "{err}"
        );
    }

    fn generated(stack: &str, label: &str, contents: &str) -> Generated {
        Generated {
            stack: stack.to_owned(),
            spec_label: label.to_owned(),
            files: vec![RenderedFile::text("main.tf", contents)],
        }
    }

    fn gen_from(label: &str) -> String {
        format!("# Generated by dlgen from {label}. DO NOT EDIT BY HAND:\nx = 1\n")
    }

    #[cfg(unix)]
    #[test]
    fn prune_removes_what_its_specs_no_longer_produce_and_nothing_else() {
        let repo = tempfile::tempdir().unwrap();
        let stacks = repo.path().join("stacks");
        let w = |rel: &str, text: &str| {
            let p = repo.path().join(rel);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, text).unwrap();
        };
        w("specs/a.yaml", "");
        w("specs/b.yaml", "");
        // a: renamed from `old-a`; its old stack is orphaned (spec rendered now).
        w("stacks/old-a/main.tf", &gen_from("specs/a.yaml"));
        std::os::unix::fs::symlink(SECRETS_TARGET, stacks.join("old-a/secrets")).unwrap();
        // gone: its spec was deleted.
        w("stacks/gone/main.tf", &gen_from("specs/gone.yaml"));
        w("stacks/gone/.terraform.lock.hcl", "# terraform's\n");
        // b: its spec exists but is not rendered in this run: not ours to judge.
        w("stacks/b/main.tf", &gen_from("specs/b.yaml"));
        // hand: no header.
        w("stacks/hand/main.tf", "# hand-written\n");
        // a: an extra generated file the spec no longer produces.
        w("stacks/a/main.tf", &gen_from("specs/a.yaml"));
        w("stacks/a/extra.tf", &gen_from("specs/a.yaml"));

        let g = [generated("a", "specs/a.yaml", &gen_from("specs/a.yaml"))];
        let (actions, kept) = plan_prune(&stacks, &g).unwrap();
        let mut removed: Vec<String> = actions
            .iter()
            .map(|a| match a {
                Action::Remove { path, .. } => format!("file {}", path.display()),
                Action::RemoveSymlink { path } => format!("link {}", path.display()),
                Action::RemoveDir { path } => format!("dir {}", path.display()),
                other => panic!("{other:?}"),
            })
            .map(|s| s.replace(&format!("{}/", stacks.display()), ""))
            .collect();
        removed.sort();
        assert_eq!(
            removed,
            [
                "dir old-a",
                "file a/extra.tf",
                "file gone/main.tf",
                "file old-a/main.tf",
                "link old-a/secrets"
            ]
        );
        assert_eq!(kept.len(), 1, "{kept:?}");
        assert!(
            kept[0].contains("gone: it holds files dlgen did not generate (.terraform.lock.hcl)"),
            "{kept:?}"
        );

        let report = apply(&actions).unwrap();
        assert_eq!(report.len(), 5, "{report:?}");
        assert!(!stacks.join("old-a").exists());
        assert!(!stacks.join("a/extra.tf").exists());
        assert!(stacks.join("a/main.tf").exists());
        assert!(stacks.join("gone/.terraform.lock.hcl").exists());
        assert!(stacks.join("b/main.tf").exists());
        assert_eq!(
            fs::read_to_string(stacks.join("hand/main.tf")).unwrap(),
            "# hand-written\n"
        );
    }

    #[cfg(unix)]
    #[test]
    fn prune_never_reaches_through_a_symlinked_stack_directory() {
        let repo = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let stacks = repo.path().join("stacks");
        fs::create_dir_all(&stacks).unwrap();
        fs::write(outside.path().join("main.tf"), gen_from("specs/gone.yaml")).unwrap();
        std::os::unix::fs::symlink(outside.path(), stacks.join("linked")).unwrap();
        let (actions, kept) = plan_prune(&stacks, &[]).unwrap();
        assert!(actions.is_empty(), "{actions:?}");
        assert!(kept[0].contains("is a symlink"), "{kept:?}");
    }
}
