use super::*;

/// `show` lists an archive once, though both the run lints and the op lints name it.
#[test]
fn show_lists_each_lint_of_an_operation_once() {
    let up = vec![Op::ArchiveDropdown { name: "Toppings".into() }];
    let text = crate::script::render(&crate::script::RevisionText {
        id: "c3a9cd009713",
        down_revision: None,
        message: "archive",
        create_date: time::macros::datetime!(2026-11-25 19:16:35),
        upgrade: &up,
        downgrade: &[],
    });
    let script = Script::parse(Path::new("versions/c3a9cd009713_archive.rhai"), text).unwrap();
    let ops = script.ops(Direction::Upgrade).unwrap();
    let found = shown_findings(&script, Direction::Upgrade, &ops);
    let codes: Vec<&str> = found.iter().map(|f| f.lint.code).collect();
    assert_eq!(codes, [ARCHIVE_DROPDOWN.code]);
    assert_eq!(found[0].position(), Some((ops[0].line, ops[0].column)));
    assert!(shown_findings(&script, Direction::Downgrade, &[]).is_empty());
}

#[test]
fn every_code_is_documented_with_its_name() {
    let doc = include_str!("../../docs/lints.md");
    for l in LINTS {
        assert!(doc.contains(&format!("| {} `{}` |", l.code, l.name)), "docs/lints.md lacks {} `{}`", l.code, l.name);
    }
}

#[test]
fn codes_are_unique_and_in_their_group() {
    let mut seen = std::collections::HashSet::new();
    for l in LINTS {
        assert!(seen.insert(l.code), "{} twice", l.code);
        let hundreds = l.code[2..3].parse::<u8>().unwrap();
        let group = [
            Group::Schema,
            Group::Destructive,
            Group::Incompatible,
            Group::Irreversible,
            Group::Chain,
            Group::Drift,
            Group::Integrity,
        ][hundreds as usize];
        assert_eq!(l.group, group, "{}", l.code);
    }
}

#[test]
fn nolint_names_codes_and_a_reason() {
    let src = Arc::new(
        "a\n    // liminal:nolint LM201,LM202 values were migrated by hand\n    x,\n    y, // liminal:nolint\nz // liminal:nolintx\n"
            .to_string(),
    );
    let s = nolint_at(&src, 3, "LM202").unwrap();
    assert_eq!((s.line, s.reason.as_deref()), (2, Some("values were migrated by hand")));
    assert!(nolint_at(&src, 3, "LM101").is_none());
    assert_eq!(nolint_at(&src, 4, "LM101").unwrap().reason, None);
    assert!(nolint_at(&src, 5, "LM101").is_some(), "the line above names every code");
    assert!(nolint_at(&src, 1, "LM101").is_none());
    let only = Arc::new("z // liminal:nolintx\n".to_string());
    assert!(nolint_at(&only, 1, "LM101").is_none());
}

#[test]
fn a_reason_with_wide_characters_is_a_reason() {
    // `€50` is five bytes, like a code: it must be read as a reason, not sliced as one.
    let src = Arc::new("x, // liminal:nolint €50 budget\n".to_string());
    assert_eq!(nolint_at(&src, 1, "LM101").unwrap().reason.as_deref(), Some("€50 budget"));
}
