//! Is it one linear chain? Unique ids, exactly one base, no branch, no orphan, no cycle; every
//! problem reported at once, each at the line of the header it is about and naming the files.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use crate::diag::{Problems, SourceProblem};
use crate::script::{Script, is_revision_id};

fn name(s: &Script) -> String {
    s.path().file_name().map_or_else(|| s.path().display().to_string(), |n| n.to_string_lossy().into_owned())
}

fn names(scripts: &[&Script]) -> String {
    scripts.iter().map(|s| name(s)).collect::<Vec<_>>().join(", ")
}

fn at(s: &Script, (line, column): (usize, usize), message: String, help: &str) -> SourceProblem {
    SourceProblem::new(s.path(), line, column, message).with_help(help).with_source(s.source().clone())
}

/// The id a file claims by its name (`<id>_...`), for files that could not be parsed.
fn id_from_file_name(path: &Path) -> Option<String> {
    let stem = path.file_name()?.to_str()?;
    let id = stem.get(..12)?;
    is_revision_id(id).then(|| id.to_string())
}

/// The scripts ordered base → head, or every problem found.
pub(super) fn order(dir: &Path, scripts: Vec<Script>, earlier: Vec<SourceProblem>) -> Result<Vec<Script>, Problems> {
    // Ids of files that exist but could not be read: their children are not orphans.
    let unreadable: HashSet<String> = earlier.iter().filter_map(|p| id_from_file_name(&p.file)).collect();
    let mut problems = earlier;

    // Unique ids: the first file (by name) keeps the id for the checks below.
    let mut by_id: BTreeMap<&str, Vec<&Script>> = BTreeMap::new();
    for s in &scripts {
        by_id.entry(s.header().revision.as_str()).or_default().push(s);
    }
    for (id, files) in &by_id {
        if let [_, second, ..] = files.as_slice() {
            problems.push(at(
                second,
                second.header().revision_at,
                format!("revision id `{id}` is used by {} files: {}", files.len(), names(files)),
                "every revision needs its own id; give one of them a new 12-hex id and rename its file",
            ));
        }
    }
    let nodes: Vec<&Script> = by_id.values().map(|files| files[0]).collect();

    let bases: Vec<&Script> = nodes.iter().copied().filter(|s| s.header().down_revision.is_none()).collect();
    match bases.as_slice() {
        [] if nodes.is_empty() && problems.is_empty() => problems.push(
            SourceProblem::unlocated(dir, format!("no revisions in {}", dir.display())).with_help(
                if python_revisions(dir) {
                    "these are Python Liminal revisions: convert the project with `liminal import <folder holding liminal/env.py>`"
                } else {
                    "run `liminal init` to write the base revision"
                },
            ),
        ),
        [] if !nodes.is_empty() => problems.push(
            SourceProblem::unlocated(dir, "no base revision: every revision revises another")
                .with_help("the first revision declares `const down_revision = ();`"),
        ),
        [_, second, ..] => problems.push(at(
            second,
            second.header().down_revision_at,
            format!("{} base revisions (down_revision = ()): {}", bases.len(), names(&bases)),
            "a chain has one base; make the newer one revise the head of the other",
        )),
        _ => {}
    }

    let mut children: BTreeMap<&str, Vec<&Script>> = BTreeMap::new();
    for s in &nodes {
        let Some(down) = s.header().down_revision.as_deref() else { continue };
        if by_id.contains_key(down) {
            children.entry(down).or_default().push(s);
        } else if !unreadable.contains(down) {
            problems.push(at(
                s,
                s.header().down_revision_at,
                format!("{} revises `{down}`, which no revision file has", name(s)),
                "restore the missing revision file, or fix down_revision",
            ));
        }
    }
    for (parent, kids) in &children {
        if let [_, second, ..] = kids.as_slice() {
            let parent_file = by_id.get(parent).map_or_else(String::new, |f| format!(" ({})", name(f[0])));
            problems.push(at(
                second,
                second.header().down_revision_at,
                format!("`{parent}`{parent_file} is revised by {} revisions: {}", kids.len(), names(kids)),
                "the chain is linear: make one of them revise the other, and regenerate if needed",
            ));
        }
    }

    problems.extend(cycles(&nodes));

    if !problems.is_empty() {
        return Err(Problems(problems));
    }
    let rank: HashMap<String, usize> =
        sequence(&bases, &children, nodes.len()).into_iter().enumerate().map(|(i, id)| (id, i)).collect();
    let mut scripts = scripts;
    scripts.sort_by_key(|s| rank.get(&s.header().revision).copied().unwrap_or(usize::MAX));
    Ok(scripts)
}

/// Revisions whose `down_revision`s lead back to themselves, one problem per cycle.
fn cycles(nodes: &[&Script]) -> Vec<SourceProblem> {
    let by_id: HashMap<&str, &Script> = nodes.iter().map(|s| (s.header().revision.as_str(), *s)).collect();
    let mut done: HashSet<&str> = HashSet::new();
    let mut problems = Vec::new();
    for start in nodes {
        let mut path: Vec<&Script> = Vec::new();
        let mut cur = Some(*start);
        while let Some(s) = cur {
            let id = s.header().revision.as_str();
            if done.contains(id) {
                break;
            }
            if let Some(i) = path.iter().position(|p| p.header().revision == id) {
                let mut cycle: Vec<&Script> = path[i..].to_vec();
                cycle.sort_by_key(|s| s.path().to_path_buf());
                let first = cycle[0];
                problems.push(at(
                    first,
                    first.header().down_revision_at,
                    format!("revisions form a cycle: {}", names(&cycle)),
                    "one of them must revise a revision outside the cycle; fix its down_revision",
                ));
                break;
            }
            path.push(s);
            cur = s.header().down_revision.as_deref().and_then(|d| by_id.get(d).copied());
        }
        done.extend(path.iter().map(|s| s.header().revision.as_str()));
    }
    problems
}

/// The ids base → head, once the checks passed (one base, at most one child each, no cycle);
/// `limit` bounds the walk all the same.
fn sequence(bases: &[&Script], children: &BTreeMap<&str, Vec<&Script>>, limit: usize) -> Vec<String> {
    let mut order: Vec<String> = Vec::new();
    let mut next = bases.first().map(|b| b.header().revision.clone());
    while let Some(id) = next.filter(|_| order.len() < limit) {
        next = children.get(id.as_str()).and_then(|k| k.first()).map(|k| k.header().revision.clone());
        order.push(id);
    }
    order
}

/// Whether `dir` holds Python Liminal revision files (`<id>_<slug>.py`).
fn python_revisions(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|d| {
        d.flatten().any(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.ends_with(".py") && name.get(..12).is_some_and(is_revision_id)
        })
    })
}
