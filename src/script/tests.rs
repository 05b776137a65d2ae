//! Scripts end to end: parse, header, run, errors at their positions, and render → parse.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::*;
use crate::schema::{FieldType, Flags, NamingStrategy};

const ID: &str = "c3a9cd009713";

fn path() -> PathBuf {
    PathBuf::from(format!("versions/{ID}_test.rhai"))
}

fn script(body: &str) -> String {
    format!("// A test\nconst revision = \"{ID}\";\nconst down_revision = ();\n{body}")
}

fn parse(body: &str) -> Result<Script, SourceProblem> {
    Script::parse(&path(), script(body))
}

fn run(body: &str, direction: Direction) -> Result<Vec<LocatedOp>, SourceProblem> {
    parse(body)?.ops(direction)
}

/// A dropdown of 100,000 options (a real tenant's) renders into a revision that loads back:
/// the sandbox's array limit counts nested items, and was 100,000.
#[test]
fn a_revision_creating_a_dropdown_of_100_000_options_loads() {
    let options: Vec<String> = (0..100_000).map(|i| format!("o{i}")).collect();
    let up = vec![Op::CreateDropdown { name: "Big".into(), options }];
    let text = render(&RevisionText {
        id: ID,
        down_revision: None,
        message: "big",
        create_date: time::macros::datetime!(2026-11-25 19:16:35),
        upgrade: &up,
        downgrade: &[],
    });
    // The default array limit, with time to spare on a loaded machine in a debug build.
    let engine = ScriptEngine::new(Limits { time_limit: Duration::from_secs(60), ..Limits::default() });
    let script = Script::parse_with(&engine, &path(), text).unwrap();
    let ops: Vec<Op> = script.ops_with(&engine, Direction::Upgrade).unwrap().into_iter().map(|o| o.op).collect();
    assert_eq!(ops, up);
}

#[test]
fn reads_the_header_without_running() {
    // upgrade() would loop forever: reading the header must not call it.
    let s = parse("fn upgrade() { loop {} }\nfn downgrade() { [] }").unwrap();
    assert_eq!(s.header().revision, ID);
    assert_eq!(s.header().down_revision, None);
    assert_eq!(s.header().message, "A test");
    assert_eq!(s.header().revision_at, (2, 1));
}

#[test]
fn builds_located_ops() {
    let body = "fn upgrade() {\n    [\n        archive_field(\"pizza\", \"dough\"),\n        \
                unarchive_field(\"pizza\", \"dough\", 2),\n    ]\n}\nfn downgrade() { [] }";
    let ops = run(body, Direction::Upgrade).unwrap();
    assert_eq!(ops.len(), 2);
    assert_eq!(ops[0].op, Op::ArchiveField { schema: "pizza".into(), field: "dough".into(), index: None });
    assert_eq!((ops[0].line, ops[0].column), (6, 9));
    assert_eq!(ops[1].op, Op::UnarchiveField { schema: "pizza".into(), field: "dough".into(), index: Some(2) });
    assert!(run(body, Direction::Downgrade).unwrap().is_empty());
}

#[test]
fn scripts_may_build_lists_with_code() {
    let body = "fn upgrade() {\n let ops = [];\n for f in [\"a\", \"b\"] { ops.push(archive_field(\"s\", f)); }\n \
                ops\n}\nfn downgrade() { [] }";
    assert_eq!(run(body, Direction::Upgrade).unwrap().len(), 2);
}

#[test]
fn syntax_error_is_located() {
    let e = parse("fn upgrade() {\n    [ archive_schema(\"x\" ]\n}\nfn downgrade() { [] }").unwrap_err();
    assert_eq!(e.line, 5, "{e}");
    assert!(e.message.starts_with("syntax error"), "{e}");
    assert!(e.help.is_some());
}

/// A problem inside a map argument is at its key (it was at the call, a line away from the key
/// in a multi-line map).
#[test]
fn unknown_key_in_create_field_is_located_at_the_key() {
    let body = "fn upgrade() {\n    [\n        create_field(\"pizza\", #{ warehouse_name: \"w\", name: \"W\", \
                type: \"text\", colour: \"red\" }, 0),\n    ]\n}\nfn downgrade() { [] }";
    let e = run(body, Direction::Upgrade).unwrap_err();
    assert_eq!((e.line, e.column), (6, 80), "{e}");
    assert_eq!(e.message, "create_field: unknown key `colour` in a field");
    assert!(e.help.as_deref().unwrap().contains("allowed keys"), "{e:?}");
}

#[test]
fn wrong_calls_are_located_with_help() {
    let cases = [
        ("archive_field(\"s\", 3)", "archive_field: `field` must be a string, not a number"),
        ("create_dropdown_option(\"d\", \"o\", -1)", "create_dropdown_option: `index` must be 0 or more, not -1"),
        ("archive_field(\"s\")", "`archive_field` takes 2 or 3 arguments"),
        (
            "create_field(\"s\", #{ warehouse_name: \"w\", name: \"W\", type: \"texty\" }, 0)",
            "create_field: unknown field type",
        ),
        ("archive_field(\"s\", \"f\", 1.5)", "archive_field: `index` cannot be a floating-point number"),
        ("archive_feild(\"s\", \"f\")", "unknown function"),
        ("archive_field(\"s\", \"f\", 0..2)", "archive_field: `index` cannot be a range"),
        ("archive_field(\"s\", archive_schema(\"x\"))", "archive_field: `field` cannot be an operation"),
    ];
    for (call, message) in cases {
        let body = format!("fn upgrade() {{\n  [ {call} ]\n}}\nfn downgrade() {{ [] }}");
        let e = run(&body, Direction::Upgrade).unwrap_err();
        // At the call, or for a bad value in a map at its key.
        let column = if call.contains("texty") { 58 } else { 5 };
        assert_eq!((e.line, e.column), (5, column), "{call}: {e}");
        assert!(e.message.starts_with(message), "{call}: {e}");
        assert!(e.help.is_some(), "{call}");
    }
}

#[test]
fn wrong_return_values_are_located_at_the_function() {
    let e = run("fn upgrade() { 42 }\nfn downgrade() { [] }", Direction::Upgrade).unwrap_err();
    assert_eq!((e.line, e.column), (4, 1));
    assert!(e.message.contains("returned i64"), "{e}");
    let e =
        run("fn upgrade() { [] }\nfn downgrade() { [archive_schema(\"x\"), 3] }", Direction::Downgrade).unwrap_err();
    assert_eq!(e.line, 5);
    assert!(e.message.contains("item 2"), "{e}");
}

#[test]
fn missing_header_or_function_is_located() {
    let e = Script::parse(&path(), "const revision = \"c3a9cd009713\";\nfn upgrade() { [] }\nfn downgrade() { [] }")
        .unwrap_err();
    assert!(e.message.contains("down_revision"), "{e}");
    let e = Script::parse(&path(), script("fn upgrade() { [] }")).unwrap_err();
    assert_eq!(e.message, "missing `fn downgrade()`");
    let e = Script::parse(
        &path(),
        "const revision = \"C3A9\";\nconst down_revision = ();\nfn upgrade() { [] }\nfn downgrade() { [] }",
    )
    .unwrap_err();
    assert_eq!(e.line, 1);
    assert!(e.message.contains("12 lowercase hex"), "{e}");
    let e =
        Script::parse(Path::new("versions/aaaaaaaaaaaa_x.rhai"), script("fn upgrade() { [] }\nfn downgrade() { [] }"))
            .unwrap_err();
    assert!(e.message.contains("does not match the file name"), "{e}");
    assert_eq!(e.line, 2);
}

#[test]
fn runaway_script_stops_quickly() {
    let start = Instant::now();
    let e = run("fn upgrade() { loop {} }\nfn downgrade() { [] }", Direction::Upgrade).unwrap_err();
    assert!(start.elapsed() < Duration::from_secs(3), "took {:?}", start.elapsed());
    assert!(e.message.contains("stopped"), "{e}");
    assert_eq!(e.line, 4);
}

#[test]
fn runaway_recursion_and_growth_stop() {
    let e = run("fn f(x) { f(x + 1) }\nfn upgrade() { f(0) }\nfn downgrade() { [] }", Direction::Upgrade).unwrap_err();
    assert!(e.message.contains("too deeply"), "{e}");
    let e =
        run("fn upgrade() { let s = \"x\"; loop { s += s; } }\nfn downgrade() { [] }", Direction::Upgrade).unwrap_err();
    assert!(e.message.contains("larger than the sandbox allows"), "{e}");
}

#[test]
fn sandbox_has_no_eval_no_print_output_and_strict_variables() {
    let e = parse("fn upgrade() { eval(\"1\") }\nfn downgrade() { [] }").unwrap_err();
    assert!(e.message.starts_with("syntax error"), "{e}");
    let e = parse("fn upgrade() { [archive_schema(revision)] }\nfn downgrade() { [] }").unwrap_err();
    assert!(e.message.contains("revision"), "{e}");
    let e = run("fn upgrade() { let f = Fn(\"eval\"); f.call(\"[]\") }\nfn downgrade() { [] }", Direction::Upgrade);
    assert!(e.is_err(), "eval through a function pointer: {e:?}");
    // print goes nowhere (the test harness would show it otherwise) and does not fail.
    assert!(run("fn upgrade() { print(\"hi\"); debug(1); [] }\nfn downgrade() { [] }", Direction::Upgrade).is_ok());
    let start = Instant::now();
    let e = run("fn upgrade() { sleep(100); [] }\nfn downgrade() { [] }", Direction::Upgrade).unwrap_err();
    assert!(start.elapsed() < Duration::from_secs(1));
    assert_eq!(e.message, "revision scripts cannot sleep");
    assert_eq!((e.line, e.column), (4, 16));
    // Top-level code does not run.
    assert!(run("throw \"no\";\nfn upgrade() { [] }\nfn downgrade() { [] }", Direction::Upgrade).is_ok());
}

#[test]
fn enum_spellings_and_nulls_are_read_through_op_values() {
    let body = "fn upgrade() { [\n update_field(\"s\", \"f\", #{ tooltip: (), type: \"FLOAT\" }),\n \
                update_schema(\"s\", #{ naming_strategies: [\"REPLACE_NAME_WITH_ID\"] }),\n] }\nfn downgrade() { [] }";
    let ops = run(body, Direction::Upgrade).unwrap();
    let Op::UpdateField { patch, .. } = &ops[0].op else { panic!("{:?}", ops[0]) };
    assert_eq!(patch.tooltip, Some(None));
    assert_eq!(patch.field_type, Some(FieldType::Decimal));
    let Op::UpdateSchema { patch, .. } = &ops[1].op else { panic!("{:?}", ops[1]) };
    assert_eq!(patch.naming_strategies, Some([NamingStrategy::DeleteNames].into_iter().collect()));
}

mod round_trip {
    use proptest::collection::{btree_set, vec};
    use proptest::option;
    use proptest::prelude::*;
    use time::macros::datetime;

    use super::*;
    use crate::op::{FieldPatch, SchemaPatch};
    use crate::schema::{
        EntityType, FieldDef, MixtureConfig, NamePart, NameTemplate, PartType, SchemaDef, SchemaProps,
    };

    /// Names with the characters that break naive rendering.
    fn name() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z_]{1,8}",
            "[ -~]{0,12}",
            vec(
                prop_oneof![
                    Just('"'),
                    Just('\\'),
                    Just('\n'),
                    Just('\r'),
                    Just('\t'),
                    Just('\u{0}'),
                    Just('\u{7f}'),
                    Just('é'),
                    Just('中'),
                    Just('🍕'),
                    Just('\u{202E}'),
                    Just('\u{2028}'),
                    Just('$'),
                    Just('{'),
                    Just('\''),
                    Just('`'),
                    Just(' '),
                    Just('a'),
                ],
                0..10
            )
            .prop_map(|cs| cs.into_iter().collect()),
            any::<String>(),
        ]
    }

    fn names() -> impl Strategy<Value = Vec<String>> {
        vec(name(), 0..4)
    }

    fn enum_of<T: Copy + std::fmt::Debug + 'static>(all: &'static [T]) -> impl Strategy<Value = T> {
        proptest::sample::select(all)
    }

    fn field() -> impl Strategy<Value = FieldDef> {
        (
            (name(), name(), enum_of(FieldType::ALL), any::<[bool; 4]>()),
            (option::of(name()), option::of(name()), option::of(name()), option::of(name()), option::of(any::<u8>())),
        )
            .prop_map(|((w, n, t, flags), (dropdown, entity_link, tooltip, unit, decimal_places))| FieldDef {
                warehouse_name: w,
                name: n,
                field_type: t,
                required: flags[0],
                is_multi: flags[1],
                parent_link: flags[2],
                archived: flags[3],
                dropdown,
                entity_link,
                tooltip,
                unit,
                decimal_places,
            })
    }

    fn mixture() -> impl Strategy<Value = MixtureConfig> {
        any::<[bool; 3]>().prop_map(|b| MixtureConfig {
            allow_measured_ingredients: b[0],
            component_lot_storage_enabled: b[1],
            component_lot_text_enabled: b[2],
        })
    }

    /// One value of `each` per schema flag, whatever the flags are.
    fn flags<T: std::fmt::Debug + Clone>(each: impl Strategy<Value = T>) -> impl Strategy<Value = Flags<T>> {
        vec(each, Flags::<bool>::NAMES.len()).prop_filter_map("one value per flag", |values| {
            let mut values = values.into_iter();
            Flags::try_from_fn(|_| values.next().ok_or(())).ok()
        })
    }

    fn schema() -> impl Strategy<Value = SchemaDef> {
        (
            (name(), name(), name(), enum_of(EntityType::ALL)),
            (btree_set(enum_of(NamingStrategy::ALL), 0..4), flags(any::<bool>()), btree_set(name(), 0..3)),
            (option::of(mixture()), vec(field(), 0..4)),
        )
            .prop_map(|((n, w, p, t), (naming, flags, constraints), (mix, fields))| {
                let mut props = SchemaProps::new(&n, &w, &p, t);
                props.naming_strategies = naming;
                props.flags = flags;
                props.constraint_fields = constraints;
                props.mixture_schema_config = mix;
                SchemaDef { props, name_template: NameTemplate::default(), archived: false, fields }
            })
    }

    fn schema_patch() -> impl Strategy<Value = SchemaPatch> {
        (
            (option::of(name()), option::of(name()), option::of(name()), option::of(enum_of(EntityType::ALL))),
            (option::of(btree_set(enum_of(NamingStrategy::ALL), 0..3)), flags(option::of(any::<bool>()))),
            (option::of(btree_set(name(), 0..3)), option::of(option::of(mixture()))),
        )
            .prop_map(|((n, w, p, t), (ns, flags), (cf, m))| SchemaPatch {
                name: n,
                warehouse_name: w,
                prefix: p,
                entity_type: t,
                naming_strategies: ns,
                flags,
                constraint_fields: cf,
                mixture_schema_config: m,
            })
            .prop_filter("a patch changes something", |p| !p.is_empty())
    }

    fn field_patch() -> impl Strategy<Value = FieldPatch> {
        let nullable = || option::of(option::of(name()));
        (
            (option::of(name()), option::of(name()), option::of(enum_of(FieldType::ALL))),
            (option::of(any::<bool>()), option::of(any::<bool>()), option::of(any::<bool>())),
            (nullable(), nullable(), nullable(), nullable(), option::of(option::of(any::<u8>()))),
        )
            .prop_map(|((n, w, t), (r, m, pl), (d, e, tt, u, dp))| FieldPatch {
                name: n,
                warehouse_name: w,
                field_type: t,
                required: r,
                is_multi: m,
                parent_link: pl,
                dropdown: d,
                entity_link: e,
                tooltip: tt,
                unit: u,
                decimal_places: dp,
            })
            .prop_filter("a patch changes something", |p| !p.is_empty())
    }

    fn template() -> impl Strategy<Value = NameTemplate> {
        let part = (enum_of(PartType::ALL), option::of(name()), option::of(name()))
            .prop_map(|(kind, value, field)| NamePart { kind, value, field });
        (vec(part, 0..4), any::<bool>())
            .prop_map(|(parts, order_name_parts_by_sequence)| NameTemplate { parts, order_name_parts_by_sequence })
    }

    fn op() -> impl Strategy<Value = Op> {
        let index = || 0usize..500;
        prop_oneof![
            (name(), names()).prop_map(|(name, options)| Op::CreateDropdown { name, options }),
            name().prop_map(|name| Op::ArchiveDropdown { name }),
            name().prop_map(|name| Op::UnarchiveDropdown { name }),
            (name(), name()).prop_map(|(name, new_name)| Op::RenameDropdown { name, new_name }),
            (name(), name(), index()).prop_map(|(dropdown, option, index)| Op::CreateDropdownOption {
                dropdown,
                option,
                index
            }),
            (name(), name()).prop_map(|(dropdown, option)| Op::ArchiveDropdownOption { dropdown, option }),
            (name(), name(), index()).prop_map(|(dropdown, option, index)| Op::UnarchiveDropdownOption {
                dropdown,
                option,
                index
            }),
            (name(), name(), name()).prop_map(|(dropdown, option, new_option)| Op::RenameDropdownOption {
                dropdown,
                option,
                new_option
            }),
            (name(), names()).prop_map(|(dropdown, options)| Op::ReorderDropdownOptions { dropdown, options }),
            schema().prop_map(|s| Op::CreateSchema { schema: Box::new(s) }),
            name().prop_map(|schema| Op::ArchiveSchema { schema }),
            name().prop_map(|schema| Op::UnarchiveSchema { schema }),
            (name(), schema_patch()).prop_map(|(schema, p)| Op::UpdateSchema { schema, patch: Box::new(p) }),
            (name(), template()).prop_map(|(schema, template)| Op::SetNameTemplate { schema, template }),
            (name(), field(), index()).prop_map(|(schema, f, index)| Op::CreateField {
                schema,
                field: Box::new(f),
                index
            }),
            (name(), name(), option::of(index())).prop_map(|(schema, field, index)| Op::ArchiveField {
                schema,
                field,
                index
            }),
            (name(), name(), option::of(index())).prop_map(|(schema, field, index)| Op::UnarchiveField {
                schema,
                field,
                index
            }),
            (name(), name(), field_patch()).prop_map(|(schema, field, p)| Op::UpdateField {
                schema,
                field,
                patch: Box::new(p)
            }),
            (name(), names()).prop_map(|(schema, fields)| Op::ReorderFields { schema, fields }),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn render_then_parse_gives_the_same_ops(
            up in vec(op(), 0..6),
            down in vec(op(), 0..6),
            message in name(),
            base in any::<bool>(),
        ) {
            let down_revision = if base { None } else { Some("0123456789ab") };
            let text = render(&RevisionText {
                id: ID,
                down_revision,
                message: &message,
                create_date: datetime!(2026-11-25 19:16:35),
                upgrade: &up,
                downgrade: &down,
            });
            let again = render(&RevisionText {
                id: ID, down_revision, message: &message, create_date: datetime!(2026-11-25 19:16:35),
                upgrade: &up, downgrade: &down,
            });
            prop_assert_eq!(&text, &again);
            let script = Script::parse(&path(), text.clone()).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
            prop_assert_eq!(&script.header().message, &one_line(&message));
            prop_assert_eq!(script.header().down_revision.as_deref(), down_revision);
            let read = |d| script.ops(d).map(|ops| ops.into_iter().map(|o| o.op).collect::<Vec<_>>());
            let got_up = read(Direction::Upgrade).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
            prop_assert_eq!(got_up, up);
            let got_down = read(Direction::Downgrade).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
            prop_assert_eq!(got_down, down);
        }
    }
}
