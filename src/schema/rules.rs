//! The rule book: Benchling's (and Liminal's) invariants on schemas, fields and dropdowns that the
//! reference states outright, each written once. The code model's validation
//! ([`super::validate`]), [`crate::op::Op::apply`] and the emulator all ask these functions, and
//! each maps the small typed answer to its own wording (a located [`super::Problem`], an
//! [`crate::op::OpError`], a Benchling-style 400/409 body).
//!
//! Sections cited: the reference notes on Liminal's behaviour, `liminal-behaviour.md` (L§), and
//! on Benchling's API, `benchling-api.md` (B§). Rules only refuse; what an accepted change does is each caller's
//! own (`Op::apply`'s effect, the emulator's PATCH semantics), so the local == HTTP→emulator
//! property tests still compare two implementations of the effect and of the request mapping.
//!
//! Nothing here knows the tenant state: callers pass the names to compare, so the rules serve
//! the code model (`SchemaDef`) and the stored tenant (`state::Schema`) alike.

use super::{EntityType, FieldType, Flags, NamingStrategy, PartType, SEQUENCE_CONSTRAINTS};

/// Benchling's rule for a warehouse name (its `systemName`, B§2.6 "pattern `[a-z_][a-z0-9_$]*`,
/// must not start with `bnch$`"): the code model, [`crate::op::Op::apply`], the settings and the
/// emulator all ask this function.
pub(crate) fn valid_warehouse_name(s: &str) -> bool {
    let mut chars = s.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_lowercase() || c == '_');
    first_ok
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$')
        && !s.starts_with("bnch$")
}

/// What to do about a warehouse name [`valid_warehouse_name`] refuses.
pub(crate) const WAREHOUSE_NAME_HELP: &str = "start with a lowercase letter or `_`, then use lowercase letters, digits, `_` or `$` (Benchling's rule; `bnch$` is reserved)";

/// A display name, dropdown name or option that is empty or only blanks (L§7.1 `name` required,
/// L§7.3 the dropdown's presence checks).
pub(crate) fn blank(name: &str) -> bool {
    name.trim().is_empty()
}

/// Why a prefix is refused (L§7.1 "Prefix: alphanumeric, `_` or `-`; at most 32 characters;
/// must not end in a digit; no spaces").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PrefixProblem {
    Empty,
    TooLong,
    /// The first character that is not allowed.
    BadChar(char),
    EndsInDigit,
}

pub(crate) fn prefix_problem(prefix: &str) -> Option<PrefixProblem> {
    if prefix.is_empty() {
        return Some(PrefixProblem::Empty);
    }
    if prefix.chars().count() > 32 {
        return Some(PrefixProblem::TooLong);
    }
    if let Some(c) = prefix.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '-')) {
        return Some(PrefixProblem::BadChar(c));
    }
    if prefix.ends_with(|c: char| c.is_ascii_digit()) {
        return Some(PrefixProblem::EndsInDigit);
    }
    None
}

/// The names of a schema that no other schema of the tenant may share, archived schemas included
/// (L§5.1 CreateEntitySchema / UpdateEntitySchema; B§5.2 "Create … enforces these as unique:
/// `name`, `systemName` … and `itemIdPrefix`").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum SchemaName {
    Name,
    WarehouseName,
    Prefix,
}

/// One schema's [`SchemaName`]s.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SchemaNames<'a> {
    pub name: &'a str,
    pub warehouse_name: &'a str,
    pub prefix: &'a str,
}

impl SchemaName {
    /// In the order Liminal checks them.
    pub(crate) const ALL: [SchemaName; 3] = [SchemaName::Name, SchemaName::WarehouseName, SchemaName::Prefix];

    pub(crate) fn of<'a>(self, s: &SchemaNames<'a>) -> &'a str {
        match self {
            SchemaName::Name => s.name,
            SchemaName::WarehouseName => s.warehouse_name,
            SchemaName::Prefix => s.prefix,
        }
    }
}

/// The first of `others` (every other schema, archived ones included, each with its names) that
/// already uses one of the new names (`new` in [`SchemaName::ALL`]'s order; `None`: that name is
/// not being set), and which name; each schema is checked for all three names before the next.
pub(crate) fn schema_name_clash<'a, T>(
    others: impl IntoIterator<Item = (T, SchemaNames<'a>)>,
    new: [Option<&str>; 3],
) -> Option<(T, SchemaName)> {
    others.into_iter().find_map(|(s, have)| {
        SchemaName::ALL.into_iter().zip(new).find(|(k, n)| *n == Some(k.of(&have))).map(|(k, _)| (s, k))
    })
}

/// The names of a field that no other field of its schema may share, archived fields included
/// (L§5.1 UpdateEntitySchemaField "already used by another field, archived or active", L§7.1
/// #182; B§5.2 `:set-field-definitions` "400 on duplicate `systemName` or `name`").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum FieldName {
    Name,
    WarehouseName,
}

/// The first of `others` (the schema's other fields, archived ones included, each with its
/// display and warehouse name) that already has the new display name, else the first that has
/// the new warehouse name (`None`: that name is not being set).
pub(crate) fn field_name_clash<'a, T>(
    others: impl IntoIterator<Item = (T, (&'a str, &'a str))> + Clone,
    name: Option<&str>,
    warehouse_name: Option<&str>,
) -> Option<(T, FieldName)> {
    let by = |kind: FieldName, new: Option<&str>| {
        let new = new?;
        others
            .clone()
            .into_iter()
            .find(|(_, (n, wh))| new == if kind == FieldName::Name { *n } else { *wh })
            .map(|(f, _)| (f, kind))
    };
    by(FieldName::Name, name).or_else(|| by(FieldName::WarehouseName, warehouse_name))
}

/// Why a field type is refused on a schema of some entity type (L§7.1 #191: the default allowed
/// set; `dna_sequence` adds PART_LINK, TRANSLATION_LINK and TRANSCRIPTION_LINK, `rna_sequence`
/// PART_LINK and TRANSLATION_LINK; "JSON is not allowed on entity schemas").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FieldTypeProblem {
    Json,
    /// A part, translation or transcription link on a schema type that does not have them.
    SequenceOnly,
}

pub(crate) fn field_type_problem(entity_type: EntityType, t: FieldType) -> Option<FieldTypeProblem> {
    let allowed = match t {
        FieldType::Json => return Some(FieldTypeProblem::Json),
        FieldType::PartLink | FieldType::TranslationLink => {
            matches!(entity_type, EntityType::DnaSequence | EntityType::RnaSequence)
        }
        FieldType::TranscriptionLink => entity_type == EntityType::DnaSequence,
        _ => true,
    };
    (!allowed).then_some(FieldTypeProblem::SequenceOnly)
}

/// What a field definition may carry beyond its type and names; which ones a type has (L§7.2:
/// "`dropdown` if and only if the type is DROPDOWN", `unit_name` only on INTEGER and DECIMAL,
/// `decimal_places` only on DECIMAL, `entity_link` and `parent_link` only on ENTITY_LINK,
/// TRANSLATION_LINK, TRANSCRIPTION_LINK and PART_LINK, `is_multi` not on the non-multi types).
/// The code model refuses the others; a change of type drops them, as Benchling does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FieldProperty {
    IsMulti,
    Dropdown,
    EntityLink,
    ParentLink,
    Unit,
    DecimalPlaces,
}

pub(crate) fn type_has(t: FieldType, p: FieldProperty) -> bool {
    match p {
        FieldProperty::IsMulti => t.is_multi_capable(),
        FieldProperty::Dropdown => t == FieldType::Dropdown,
        FieldProperty::EntityLink | FieldProperty::ParentLink => t.takes_entity_link(),
        FieldProperty::Unit => t.is_numeric(),
        FieldProperty::DecimalPlaces => t == FieldType::Decimal,
    }
}

/// Liminal's own rule for keeping `parent_link` when it reads a field (L§7.2 "Properties removed
/// by type", `unsupported_field_properties`: "`parent_link` unless the type is ENTITY_LINK and an
/// entity_link is set"); the other properties it removes are those [`type_has`] denies.
pub(crate) fn liminal_keeps_parent_link(t: FieldType, has_entity_link: bool) -> bool {
    t == FieldType::EntityLink && has_entity_link
}

/// A field may link to a schema of this type: never to an entry schema (use `entry_link`
/// without a target; L§7.2 `entity_link`, B§2.6 ENTRY_LINK).
pub(crate) fn may_link_to(target: EntityType) -> bool {
    target != EntityType::Entry
}

/// Benchling's v3 API writes schemas of this type: `entry-schema` is read-only (B§2.6, and §5.1
/// "POST `/api/v3/{T}-schema` → 201 (not for `entry`)").
pub(crate) fn api_writes_schemas_of(t: EntityType) -> bool {
    t != EntityType::Entry
}

/// A unit, once set, cannot change (L§7.2 "A unit cannot be changed once set (Benchling rule)",
/// L§5.1 UpdateEntitySchemaField). `old` and `new` are the unit before and after (names or ids).
pub(crate) fn unit_change_refused<U: PartialEq + ?Sized>(old: Option<&U>, new: Option<&U>) -> bool {
    old.is_some() && old != new
}

/// A field in the schema's uniqueness constraint cannot be archived (L§5.1
/// ArchiveEntitySchemaField "the v3 call fails server-side if the field is used in
/// constraints"). `constraint` holds field ids.
pub(crate) fn constraint_blocks_archive(constraint: &[String], field_id: &str) -> bool {
    constraint.iter().any(|c| c == field_id)
}

/// Whether the sequence constraint `c` (`bases`, `amino_acids_ignore_case`,
/// `amino_acids_exact_match`) is allowed on schemas of type `t`: `bases` only on nt-sequence types,
/// the `amino_*` ones only on `aa_sequence` (L§7.1). `None`: `c` is no sequence constraint (it
/// names a field). At most one sequence constraint is allowed ([`MAX_SEQUENCE_CONSTRAINTS`]).
pub(crate) fn sequence_constraint_allowed(c: &str, t: EntityType) -> Option<bool> {
    SEQUENCE_CONSTRAINTS
        .contains(&c)
        .then(|| if c == "bases" { t.is_nt_sequence() } else { t == EntityType::AaSequence })
}

/// L§7.1 "At most one sequence constraint is allowed".
pub(crate) const MAX_SEQUENCE_CONSTRAINTS: usize = 1;

/// A name-template part of `kind` may name a field that is (`true`) or is not a parent link:
/// the lot-number and registry-id parts need `isParent` (L§5.1 UpdateEntitySchemaNameTemplate).
pub(crate) fn part_accepts_field(kind: PartType, field_is_parent_link: bool) -> bool {
    !kind.needs_parent_link() || field_is_parent_link
}

/// The schemas a schema flag may be set on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FlagScope {
    /// Every type but entries: the registration display options (L§7.1 "entry schemas do not
    /// support registry properties"; Benchling has no `useRegistryIdForItemDisplayLabel` or
    /// `includeRegistryIdInChips` on `entry-schema`, B§2.6).
    Registered,
    /// Sequence types only (`showResidues`, L§7.1 `show_bases_in_expanded_view`).
    Sequences,
}

/// Each schema flag's scope. A struct literal: a new flag does not compile until it has one.
pub(crate) const FLAG_SCOPES: Flags<FlagScope> = Flags {
    use_registry_id_as_label: FlagScope::Registered,
    include_registry_id_in_chips: FlagScope::Registered,
    show_bases_in_expanded_view: FlagScope::Sequences,
};

/// The flag `key` exists on schemas of type `t`.
pub(crate) fn flag_applies(key: &str, t: EntityType) -> bool {
    FLAG_SCOPES.get(key).is_some_and(|s| s.allows(t))
}

impl FlagScope {
    /// A schema of type `t` has the flag.
    pub(crate) fn allows(self, t: EntityType) -> bool {
        match self {
            FlagScope::Registered => t != EntityType::Entry,
            FlagScope::Sequences => t.is_sequence(),
        }
    }
}

/// `order_name_parts_by_sequence` is only allowed on nt-sequence types (L§7.1).
pub(crate) fn may_order_parts_by_sequence(t: EntityType) -> bool {
    t.is_nt_sequence()
}

/// Template-based naming strategies need name-template parts (L§7.1).
pub(crate) fn needs_name_template(strategies: impl IntoIterator<Item = NamingStrategy>) -> bool {
    strategies.into_iter().any(NamingStrategy::is_template_based)
}

/// Why a dropdown option is refused (L§7.3 the uniqueness and presence checks).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OptionProblem {
    Blank,
    Repeated,
}

/// Each option that is blank or repeats an earlier non-blank one, in order.
pub(crate) fn option_problems<'a>(
    options: impl IntoIterator<Item = &'a str>,
) -> impl Iterator<Item = (&'a str, OptionProblem)> {
    let mut seen = std::collections::HashSet::new();
    options.into_iter().filter_map(move |o| {
        if blank(o) {
            Some((o, OptionProblem::Blank))
        } else if !seen.insert(o) {
            Some((o, OptionProblem::Repeated))
        } else {
            None
        }
    })
}

/// The first option that repeats an earlier one, blank ones included (the uniqueness check alone,
/// as the emulator makes it).
pub(crate) fn first_repeated<'a>(options: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut seen = std::collections::HashSet::new();
    options.into_iter().find(|o| !seen.insert(*o))
}

/// The first of `others` (every other dropdown, archived ones included, each with its name)
/// already named `name` (L§5.2 UpdateDropdownName "The new name must not exist", CreateDropdown).
pub(crate) fn dropdown_name_clash<'a, T>(others: impl IntoIterator<Item = (T, &'a str)>, name: &str) -> Option<T> {
    others.into_iter().find(|(_, n)| *n == name).map(|(d, _)| d)
}

#[cfg(test)]
mod tests;
