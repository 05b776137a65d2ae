//! The chain on disk: Liminal's descriptor table (r0 → r1 → r2 → r3), broken chains reported with
//! every file involved, new revisions.

use std::fs;
use std::path::Path;

use tempfile::TempDir;
use time::macros::datetime;

use super::*;
use crate::script::{Direction, RevisionText, render};

const R: [&str; 4] = ["aaaaaaaaaaa0", "aaaaaaaaaaa1", "aaaaaaaaaaa2", "aaaaaaaaaaa3"];

fn write(dir: &Path, id: &str, down: Option<&str>, slug: &str) {
    let text = render(&RevisionText {
        id,
        down_revision: down,
        message: slug,
        create_date: datetime!(2026-01-01 00:00:00),
        upgrade: &[],
        downgrade: &[],
    });
    fs::write(dir.join(format!("{id}_{slug}.rhai")), text).unwrap();
}

/// r0 (base) → r1 → r2 → r3, written in an order unlike the chain's.
fn linear() -> TempDir {
    let dir = TempDir::new().unwrap();
    for i in [2, 0, 3, 1] {
        write(dir.path(), R[i], i.checked_sub(1).map(|p| R[p]), &format!("r{i}"));
    }
    dir
}

fn ids(plan: &Plan<'_>) -> Vec<String> {
    plan.steps.iter().map(|s| s.header().revision.clone()).collect()
}

fn problems(dir: &Path) -> Vec<SourceProblem> {
    match Chain::load(dir) {
        Err(ChainError::Invalid(p)) => p.0,
        other => panic!("expected problems, got {other:?}"),
    }
}

#[test]
fn loads_a_linear_chain_base_to_head() {
    let dir = linear();
    fs::write(dir.path().join("notes.txt"), "not a revision").unwrap();
    let chain = Chain::load(dir.path()).unwrap();
    let order: Vec<&str> = chain.revisions().iter().map(|s| s.header().revision.as_str()).collect();
    assert_eq!(order, R);
    assert_eq!(chain.head().header().revision, R[3]);
    assert_eq!(chain.base().header().message, "r0");
    assert_eq!(chain.position(R[2]), Some(2));
    assert!(chain.get("bbbbbbbbbbbb").is_none());
    let marks: Vec<Vec<&str>> = chain.revisions().iter().map(|s| chain.marks(s)).collect();
    assert_eq!(marks, [vec!["base"], vec![], vec![], vec!["head"]]);
    let words: Vec<&str> = R.iter().filter_map(|r| chain.standing(Some(R[1]), r)).map(Standing::word).collect();
    assert_eq!(words, ["applied", "current", "pending", "pending"]);
}

#[test]
fn liminal_descriptor_table() {
    let dir = linear();
    let chain = Chain::load(dir.path()).unwrap();
    let up = |cur: usize, d: &str| chain.plan_upgrade(Some(R[cur]), d);
    let down = |cur: usize, d: &str| chain.plan_downgrade(Some(R[cur]), d);

    let p = up(0, "head").unwrap();
    assert_eq!(
        (ids(&p), p.to.as_str(), p.direction),
        (vec![R[1].into(), R[2].into(), R[3].into()], R[3], Direction::Upgrade)
    );
    // Already at head: an empty plan, not Liminal's "distance 0" error.
    let p = up(3, "head").unwrap();
    assert!(p.is_empty());
    assert_eq!(p.to, R[3]);
    assert_eq!(up(0, "+2").unwrap().to, R[2]);
    assert_eq!(up(0, "+3").unwrap().to, R[3]);
    assert_eq!(
        up(0, "+4").unwrap_err().to_string(),
        format!(
            "Error with upgrade descriptor +4. Attempting to upgrade +4 steps from {} when there are 3 possible \
             upgrade revisions left before reaching the latest revision.",
            R[0]
        )
    );
    for bad in ["+0", "+x", "+", "+-1", "++1"] {
        assert_eq!(up(0, bad).unwrap_err(), DescriptorError::BadUpSteps { descriptor: bad.into() });
    }
    assert_eq!(up(2, R[1]).unwrap_err().to_string(), format!("{} is not a valid up revision from {}.", R[1], R[2]));
    assert!(up(2, R[2]).unwrap().is_empty());
    assert_eq!(ids(&up(1, R[3]).unwrap()), vec![R[2], R[3]]);
    assert_eq!(
        up(0, "bogus").unwrap_err().to_string(),
        "Error with upgrade descriptor bogus. Must be 'head', '+n', or a valid revision id."
    );
    assert!(matches!(up(0, "-1"), Err(DescriptorError::BadUpgrade { .. })));

    let p = down(3, "-1").unwrap();
    assert_eq!((ids(&p), p.to.as_str(), p.direction), (vec![R[3].into()], R[2], Direction::Downgrade));
    assert_eq!(p.reached_after(0), Some(R[2]));
    let p = down(3, "-3").unwrap();
    assert_eq!((ids(&p), p.to.as_str()), (vec![R[3].into(), R[2].into(), R[1].into()], R[0]));
    assert_eq!(
        down(3, "-4").unwrap_err().to_string(),
        format!(
            "Error with downgrade descriptor -4. Attempting to downgrade -4 steps from {} when there are 3 possible \
             downgrade revisions left before reaching the base revision.",
            R[3]
        )
    );
    assert_eq!(ids(&down(3, R[0]).unwrap()), vec![R[3], R[2], R[1]]);
    assert_eq!(down(1, R[3]).unwrap_err().to_string(), format!("{} is not a valid down revision from {}.", R[3], R[1]));
    assert_eq!(
        down(3, "head").unwrap_err().to_string(),
        "Error with downgrade descriptor head. Must be '-n', 'base', or a valid revision id."
    );
    assert!(down(3, R[3]).unwrap().is_empty());
    for bad in ["-0", "-x"] {
        assert_eq!(down(3, bad).unwrap_err(), DescriptorError::BadDownSteps { descriptor: bad.into() });
    }
    // `base` goes down to the base revision; at the base it is already done.
    let p = down(2, "base").unwrap();
    assert_eq!((ids(&p), p.to.as_str()), (vec![R[2].into(), R[1].into()], R[0]));
    assert!(down(0, "base").unwrap().is_empty());
}

#[test]
fn unknown_current_revision_is_checked_first() {
    let dir = linear();
    let chain = Chain::load(dir.path()).unwrap();
    let e = chain.plan_upgrade(Some("ffffffffffff"), "bogus").unwrap_err();
    assert_eq!(
        e.to_string(),
        "current remote revision_id (ffffffffffff) is invalid and not found in any of the revision file names."
    );
    assert!(matches!(chain.plan_downgrade(Some("ffffffffffff"), "-1"), Err(DescriptorError::UnknownCurrent { .. })));
}

#[test]
fn a_tenant_without_revision_starts_from_the_base() {
    let dir = linear();
    let chain = Chain::load(dir.path()).unwrap();
    let p = chain.plan_upgrade(None, "head").unwrap();
    assert_eq!(ids(&p), vec![R[1], R[2], R[3]]);
    assert_eq!(p.from, None);
    assert!(chain.plan_upgrade(None, R[0]).unwrap().is_empty());
    assert_eq!(chain.plan_upgrade(None, "+1").unwrap().to, R[1]);
    assert!(chain.plan_downgrade(None, "base").unwrap().is_empty());
    assert!(matches!(chain.plan_downgrade(None, "-1"), Err(DescriptorError::TooFarDown { left: 0, .. })));
}

fn has(problems: &[SourceProblem], needle: &str, files: &[&str]) {
    let found = problems.iter().find(|p| p.message.contains(needle));
    let p = found.unwrap_or_else(|| panic!("no problem with {needle:?} in {problems:#?}"));
    for f in files {
        assert!(p.message.contains(f), "{p} does not name {f}");
    }
}

#[test]
fn branch_is_reported_with_both_children() {
    let dir = linear();
    write(dir.path(), "bbbbbbbbbbb1", Some(R[1]), "other");
    let ps = problems(dir.path());
    assert_eq!(ps.len(), 1, "{ps:#?}");
    has(&ps, "is revised by 2 revisions", &["aaaaaaaaaaa2_r2.rhai", "bbbbbbbbbbb1_other.rhai", "aaaaaaaaaaa1_r1.rhai"]);
    assert_eq!(ps[0].file.file_name().unwrap(), "bbbbbbbbbbb1_other.rhai");
    assert_eq!(ps[0].line, 8, "points at const down_revision");
}

#[test]
fn orphan_two_bases_and_duplicate_ids_are_all_reported() {
    let dir = linear();
    write(dir.path(), "cccccccccccc", Some("dddddddddddd"), "orphan");
    write(dir.path(), "eeeeeeeeeeee", None, "second_base");
    write(dir.path(), R[2], Some(R[1]), "copy");
    let ps = problems(dir.path());
    has(&ps, "revises `dddddddddddd`, which no revision file has", &["cccccccccccc_orphan.rhai"]);
    has(&ps, "2 base revisions", &["aaaaaaaaaaa0_r0.rhai", "eeeeeeeeeeee_second_base.rhai"]);
    has(&ps, "is used by 2 files", &["aaaaaaaaaaa2_copy.rhai", "aaaaaaaaaaa2_r2.rhai"]);
    assert_eq!(ps.len(), 3, "{ps:#?}");
}

#[test]
fn cycle_is_reported_once_with_its_files() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), R[0], None, "base");
    write(dir.path(), "cccccccccccc", Some("dddddddddddd"), "c");
    write(dir.path(), "dddddddddddd", Some("cccccccccccc"), "d");
    let ps = problems(dir.path());
    assert_eq!(ps.len(), 1, "{ps:#?}");
    has(&ps, "cycle", &["cccccccccccc_c.rhai", "dddddddddddd_d.rhai"]);
}

#[test]
fn no_base_and_empty_folder() {
    let dir = TempDir::new().unwrap();
    assert!(problems(dir.path())[0].message.starts_with("no revisions"));
    write(dir.path(), "cccccccccccc", Some("dddddddddddd"), "c");
    write(dir.path(), "dddddddddddd", Some("cccccccccccc"), "d");
    let ps = problems(dir.path());
    has(&ps, "no base revision", &[]);
    has(&ps, "cycle", &[]);
    assert!(matches!(Chain::load(&dir.path().join("missing")), Err(ChainError::Read { .. })));
}

#[test]
fn unreadable_script_is_reported_without_orphaning_its_child() {
    let dir = linear();
    fs::write(dir.path().join(format!("{}_r1.rhai", R[1])), "fn upgrade( {").unwrap();
    let ps = problems(dir.path());
    assert_eq!(ps.len(), 1, "{ps:#?}");
    assert!(ps[0].message.starts_with("syntax error"));
}

#[test]
fn new_revisions_extend_the_head() {
    let dir = linear();
    let chain = Chain::load(dir.path()).unwrap();
    let up = [Op::ArchiveSchema { schema: "pizza".into() }];
    let down = [Op::UnarchiveSchema { schema: "pizza".into() }];
    let new = chain.new_revision("Archive: pizza/old!", datetime!(2026-02-03 04:05:06), &up, &down).unwrap();
    assert!(crate::script::is_revision_id(&new.id));
    assert_eq!(new.file_name, format!("{}_archive_pizza_old.rhai", new.id));
    let path = new.write(dir.path()).unwrap();
    assert!(new.write(dir.path()).is_err(), "never overwrites");
    let chain = Chain::load(dir.path()).unwrap();
    assert_eq!(chain.head().header().revision, new.id);
    assert_eq!(chain.head().header().down_revision.as_deref(), Some(R[3]));
    assert_eq!(chain.head().path(), path);
    let ops: Vec<Op> = chain.head().ops(Direction::Downgrade).unwrap().into_iter().map(|o| o.op).collect();
    assert_eq!(ops, down);
}

#[test]
fn base_revision_for_init() {
    let dir = TempDir::new().unwrap();
    let base = NewRevision::base(datetime!(2026-02-03 04:05:06)).unwrap();
    assert_eq!(base.file_name, format!("{}_initial_init_revision.rhai", base.id));
    base.write(dir.path()).unwrap();
    let chain = Chain::load(dir.path()).unwrap();
    assert_eq!(chain.len(), 1);
    assert_eq!(chain.head().header().message, BASE_MESSAGE);
    assert!(chain.plan_upgrade(Some(&base.id), "head").unwrap().is_empty());
}

#[test]
fn file_names_from_odd_messages() {
    assert_eq!(file_name("0123456789ab", "🍕!"), "0123456789ab_revision.rhai");
    let long = "word ".repeat(40);
    let name = file_name("0123456789ab", &long);
    assert!(name.len() <= 12 + 1 + MAX_SLUG + 5 && !name.contains("_.rhai"), "{name}");
}

#[test]
fn a_new_revision_needs_the_tenant_at_the_head() {
    let dir = linear();
    let chain = Chain::load(dir.path()).unwrap();
    assert_eq!(chain.at_head("dev", "d", Some(R[3])), Ok(AtHead::Yes));
    let behind = chain.at_head("dev", "d", Some(R[1])).unwrap_err();
    assert_eq!(behind.to_string(), format!("dev is at {}, not at the head revision {}", R[1], R[3]));
    let help = miette::Diagnostic::help(&behind).map(|h| h.to_string());
    assert_eq!(
        help.as_deref(),
        Some("run `liminal upgrade d head` first, so the new revision is computed against an up-to-date tenant")
    );
    // No revision on a chain that has more than its base: behind too, not "record the base".
    let none = chain.at_head("dev", "dev", None).unwrap_err();
    assert_eq!(none.to_string(), format!("dev is at no revision, not at the head revision {}", R[3]));
    let unknown = chain.at_head("dev", "dev", Some("bbbbbbbbbbbb")).unwrap_err();
    assert_eq!(unknown.to_string(), "dev is at revision bbbbbbbbbbbb, which is not in versions/");
}

#[test]
fn a_fresh_tenant_on_a_fresh_project_records_the_base() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), R[0], None, "r0");
    let chain = Chain::load(dir.path()).unwrap();
    assert_eq!(chain.at_head("dev", "dev", None), Ok(AtHead::RecordBase(R[0].to_string())));
    assert_eq!(chain.at_head("dev", "dev", Some(R[0])), Ok(AtHead::Yes));
    assert_eq!(chain.marks(chain.head()), ["head", "base"]);
}
