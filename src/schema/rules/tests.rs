//! The rule book against the reference, once (L§ = liminal-behaviour.md, B§ = benchling-api.md).
//! Each caller's wording is tested where the caller is (YAML located errors, `Op::apply`, the
//! emulator's bodies, the insta snapshots).

use super::*;
use crate::schema::{EntityType as E, FieldType as F, NamingStrategy, PartType};

/// B§2.6 / B§5.2: `systemName` matches `[a-z_][a-z0-9_$]*` and does not start with `bnch$`.
#[test]
fn warehouse_names_follow_the_system_name_pattern() {
    for ok in ["a", "_", "_ok$2", "bake_time", "x9", "bnch", "a$bnch$"] {
        assert!(valid_warehouse_name(ok), "{ok}");
    }
    for bad in ["", "9lives", "Bake", "bake time", "bake-time", "$a", "bnch$x", "é"] {
        assert!(!valid_warehouse_name(bad), "{bad}");
    }
}

/// L§7.1: a prefix is alphanumeric, `_` or `-`, at most 32 characters, does not end in a digit,
/// has no spaces.
#[test]
fn prefixes_follow_liminals_rule() {
    assert_eq!(prefix_problem("CE"), None);
    assert_eq!(prefix_problem("my_pre-fix"), None);
    assert_eq!(prefix_problem(&"P".repeat(32)), None);
    assert_eq!(prefix_problem(""), Some(PrefixProblem::Empty));
    assert_eq!(prefix_problem(&"P".repeat(33)), Some(PrefixProblem::TooLong));
    assert_eq!(prefix_problem("a b"), Some(PrefixProblem::BadChar(' ')));
    assert_eq!(prefix_problem("CE1"), Some(PrefixProblem::EndsInDigit));
}

/// L§7.1 `name` required, L§7.3 dropdown presence checks.
#[test]
fn blank_names_are_only_blanks() {
    assert!(blank("") && blank("  \t"));
    assert!(!blank(" a "));
}

fn names<'a>(name: &'a str, warehouse_name: &'a str, prefix: &'a str) -> SchemaNames<'a> {
    SchemaNames { name, warehouse_name, prefix }
}

/// L§5.1 CreateEntitySchema ("checks that name, warehouse name and prefix are unused by any
/// schema, including archived ones"), UpdateEntitySchema; B§5.2 (the three are unique).
#[test]
fn schema_names_clash_with_any_other_schema() {
    let others = [names("Bake", "bake", "BK"), names("Cake", "cake", "CK")];
    let with = |new| schema_name_clash(others.iter().enumerate().map(|(i, n)| (i, *n)), new);
    assert_eq!(with([Some("Pie"), Some("pie"), Some("PI")]), None);
    assert_eq!(with([None, None, None]), None);
    assert_eq!(with([Some("Cake"), None, None]), Some((1, SchemaName::Name)));
    assert_eq!(with([None, Some("bake"), None]), Some((0, SchemaName::WarehouseName)));
    assert_eq!(with([None, None, Some("CK")]), Some((1, SchemaName::Prefix)));
    // A name is compared with the same name only: a prefix equal to another's name is no clash.
    assert_eq!(with([None, None, Some("Bake")]), None);
    // Schema by schema, each for all three names.
    assert_eq!(with([Some("Cake"), Some("bake"), None]), Some((0, SchemaName::WarehouseName)));
    assert_eq!(with([Some("Bake"), Some("bake"), Some("BK")]), Some((0, SchemaName::Name)));
}

/// L§5.1 UpdateEntitySchemaField ("already used by another field, archived or active"), L§7.1
/// #182; B§5.2 (400 on a duplicate `systemName` or `name`).
#[test]
fn field_names_clash_within_the_schema() {
    let others = [("Bake time", "bake_time"), ("Temp", "temp")];
    let with = |n, wh| field_name_clash(others.iter().enumerate().map(|(i, f)| (i, *f)), n, wh);
    assert_eq!(with(Some("Weight"), Some("weight")), None);
    assert_eq!(with(Some("Temp"), None), Some((1, FieldName::Name)));
    assert_eq!(with(None, Some("bake_time")), Some((0, FieldName::WarehouseName)));
    // The display name is checked first, over all fields.
    assert_eq!(with(Some("Temp"), Some("bake_time")), Some((1, FieldName::Name)));
    assert_eq!(with(Some("temp"), Some("Temp")), None);
}

/// L§7.1 #191: the default set; dna_sequence adds PART_LINK, TRANSLATION_LINK and
/// TRANSCRIPTION_LINK; rna_sequence adds PART_LINK and TRANSLATION_LINK; JSON is not allowed on
/// entity schemas.
#[test]
fn field_types_are_allowed_per_entity_type() {
    let all = [
        E::CustomEntity,
        E::DnaSequence,
        E::DnaOligo,
        E::RnaOligo,
        E::RnaSequence,
        E::AaSequence,
        E::Entry,
        E::Mixture,
        E::Molecule,
    ];
    let default = [
        F::Text,
        F::LongText,
        F::Integer,
        F::Decimal,
        F::Date,
        F::Datetime,
        F::Boolean,
        F::Dropdown,
        F::BlobLink,
        F::EntryLink,
        F::StorageLink,
        F::EntityLink,
        F::CustomEntityLink,
        F::AaSequenceLink,
        F::DnaSequenceLink,
        F::MixtureLink,
    ];
    for et in all {
        assert_eq!(field_type_problem(et, F::Json), Some(FieldTypeProblem::Json), "{et}");
        for t in default {
            assert_eq!(field_type_problem(et, t), None, "{t} on {et}");
        }
        let sequence_only = |t, ok: bool| {
            let want = if ok { None } else { Some(FieldTypeProblem::SequenceOnly) };
            assert_eq!(field_type_problem(et, t), want, "{t} on {et}");
        };
        sequence_only(F::PartLink, matches!(et, E::DnaSequence | E::RnaSequence));
        sequence_only(F::TranslationLink, matches!(et, E::DnaSequence | E::RnaSequence));
        sequence_only(F::TranscriptionLink, et == E::DnaSequence);
    }
}

/// L§7.2 `entity_link` names a schema; entries are linked with `entry_link`; B§2.6: entry
/// schemas are read-only in v3 (no POST, PATCH or `:set-field-definitions`).
#[test]
fn entry_schemas_are_no_link_target_and_not_written() {
    assert!(!may_link_to(E::Entry) && !api_writes_schemas_of(E::Entry));
    for et in [E::CustomEntity, E::DnaSequence, E::AaSequence, E::Mixture, E::Molecule] {
        assert!(may_link_to(et) && api_writes_schemas_of(et), "{et}");
    }
}

/// L§7.2 / L§5.1 UpdateEntitySchemaField: a unit cannot be changed once set; a field without a
/// unit may get one.
#[test]
fn a_unit_once_set_cannot_change() {
    assert!(!unit_change_refused(None, Some("g")));
    assert!(!unit_change_refused::<str>(None, None));
    assert!(!unit_change_refused(Some("g"), Some("g")));
    assert!(unit_change_refused(Some("g"), Some("kg")));
    assert!(unit_change_refused(Some("g"), None));
}

/// L§5.1 ArchiveEntitySchemaField: the v3 call fails if the field is in the constraint.
#[test]
fn a_constraint_field_cannot_be_archived() {
    let constraint = vec!["tsf_1".to_string(), "tsf_2".to_string()];
    assert!(constraint_blocks_archive(&constraint, "tsf_2"));
    assert!(!constraint_blocks_archive(&constraint, "tsf_3"));
    assert!(!constraint_blocks_archive(&[], "tsf_1"));
}

/// L§5.1 UpdateEntitySchemaNameTemplate ("the lot-number and registry-id parts require
/// `isParent`"); L§7.1 (order by sequence on nt-sequence types only; template-based naming
/// strategies need parts).
#[test]
fn name_template_rules() {
    for kind in [PartType::LinkedBioentityRegistryIdentifier, PartType::ChildEntityLotNumber] {
        assert!(!part_accepts_field(kind, false) && part_accepts_field(kind, true), "{kind}");
    }
    assert!(part_accepts_field(PartType::Field, false));
    for et in [E::DnaSequence, E::RnaSequence, E::DnaOligo, E::RnaOligo] {
        assert!(may_order_parts_by_sequence(et), "{et}");
    }
    for et in [E::AaSequence, E::CustomEntity, E::Mixture, E::Entry] {
        assert!(!may_order_parts_by_sequence(et), "{et}");
    }
    assert!(needs_name_template([NamingStrategy::NewIds, NamingStrategy::SetFromNameParts]));
    assert!(needs_name_template([NamingStrategy::ReplaceNamesFromParts]));
    assert!(!needs_name_template(NamingStrategy::defaults()));
}

/// L§7.3: options are present and unique; L§5.2: a dropdown name is not used twice.
#[test]
fn dropdown_rules() {
    let found: Vec<_> = option_problems(["a", " ", "b", "a", "", "b"]).collect();
    assert_eq!(
        found,
        [
            (" ", OptionProblem::Blank),
            ("a", OptionProblem::Repeated),
            ("", OptionProblem::Blank),
            ("b", OptionProblem::Repeated)
        ]
    );
    assert_eq!(option_problems(["a", "b"]).count(), 0);
    assert_eq!(first_repeated(["a", "", "b", ""]), Some(""));
    assert_eq!(first_repeated(["a", "b"]), None);
    let others = [(1, "Toppings"), (2, "Sizes")];
    assert_eq!(dropdown_name_clash(others, "Sizes"), Some(2));
    assert_eq!(dropdown_name_clash(others, "sizes"), None);
}

/// L§7.2 validation: `dropdown` iff DROPDOWN; `unit_name` only on INTEGER and DECIMAL;
/// `decimal_places` only on DECIMAL; `entity_link` and `parent_link` only on ENTITY_LINK,
/// TRANSLATION_LINK, TRANSCRIPTION_LINK and PART_LINK; no `is_multi` on TEXT, LONG_TEXT, DECIMAL,
/// INTEGER, DATE, DATETIME, BOOLEAN and JSON.
#[test]
fn field_properties_per_type() {
    use FieldProperty as P;
    let with = |p| {
        let all = [
            F::Text,
            F::LongText,
            F::Integer,
            F::Decimal,
            F::Boolean,
            F::Date,
            F::Datetime,
            F::Dropdown,
            F::BlobLink,
            F::EntryLink,
            F::StorageLink,
            F::EntityLink,
            F::CustomEntityLink,
            F::AaSequenceLink,
            F::DnaSequenceLink,
            F::MixtureLink,
            F::PartLink,
            F::TranslationLink,
            F::TranscriptionLink,
            F::Json,
        ];
        all.into_iter().filter(|t| type_has(*t, p)).collect::<Vec<_>>()
    };
    assert_eq!(with(P::Dropdown), [F::Dropdown]);
    assert_eq!(with(P::Unit), [F::Integer, F::Decimal]);
    assert_eq!(with(P::DecimalPlaces), [F::Decimal]);
    let links = [F::EntityLink, F::PartLink, F::TranslationLink, F::TranscriptionLink];
    assert_eq!(with(P::EntityLink), links);
    assert_eq!(with(P::ParentLink), links);
    let single = [F::Text, F::LongText, F::Decimal, F::Integer, F::Date, F::Datetime, F::Boolean, F::Json];
    for t in single {
        assert!(!type_has(t, P::IsMulti), "{t}");
    }
    assert_eq!(with(P::IsMulti).len(), 20 - single.len());
}

/// L§7.2 "Properties removed by type": `parent_link` unless the type is ENTITY_LINK and an
/// entity_link is set.
#[test]
fn liminal_keeps_a_parent_link_only_on_a_targeted_entity_link() {
    assert!(liminal_keeps_parent_link(F::EntityLink, true));
    assert!(!liminal_keeps_parent_link(F::EntityLink, false));
    assert!(!liminal_keeps_parent_link(F::PartLink, true));
    assert!(!liminal_keeps_parent_link(F::Text, false));
}

/// L§7.1: `constraint_fields` may name `bases` (nt-sequence types only) or the `amino_*`
/// constraints (`aa_sequence` only), at most one of them; anything else names a field.
#[test]
fn sequence_constraints_per_entity_type() {
    for nt in [E::DnaSequence, E::RnaSequence, E::DnaOligo, E::RnaOligo] {
        assert_eq!(sequence_constraint_allowed("bases", nt), Some(true), "{nt}");
        assert_eq!(sequence_constraint_allowed("amino_acids_ignore_case", nt), Some(false), "{nt}");
    }
    for aa in ["amino_acids_ignore_case", "amino_acids_exact_match"] {
        assert_eq!(sequence_constraint_allowed(aa, E::AaSequence), Some(true));
        assert_eq!(sequence_constraint_allowed(aa, E::CustomEntity), Some(false));
    }
    assert_eq!(sequence_constraint_allowed("bases", E::AaSequence), Some(false));
    assert_eq!(sequence_constraint_allowed("bases", E::Mixture), Some(false));
    assert_eq!(sequence_constraint_allowed("weight", E::DnaSequence), None);
    assert_eq!(MAX_SEQUENCE_CONSTRAINTS, 1);
}

/// L§7.1: registry display options on every type but entries; `show_bases_in_expanded_view` on
/// sequences only.
#[test]
fn schema_flags_per_entity_type() {
    let scope = |flag: &str| FLAG_SCOPES.get(flag).copied();
    for flag in ["use_registry_id_as_label", "include_registry_id_in_chips"] {
        let s = scope(flag).unwrap();
        assert!(!s.allows(E::Entry), "{flag}");
        for t in [E::CustomEntity, E::DnaSequence, E::AaSequence, E::Mixture, E::DnaOligo] {
            assert!(s.allows(t), "{flag} on {t}");
        }
    }
    let bases = scope("show_bases_in_expanded_view").unwrap();
    for t in E::ALL {
        assert_eq!(bases.allows(*t), t.is_sequence(), "{t}");
    }
}
