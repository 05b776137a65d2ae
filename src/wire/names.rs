//! Benchling's names for the code model's words: the v3 path segment and `__typename` of each
//! entity type's schemas ([`BenchlingNames`]), and Benchling's field types ([`BenchlingFieldType`]:
//! the input `type` and the output `__typename` of a field definition) with their one mapping
//! to and from [`FieldType`]. The code model (`crate::schema`) does not speak wire; this is
//! where its words meet Benchling's.

use std::fmt;

use crate::schema::{EntityType, FieldType, Flags};

/// Benchling's name of each schema flag: its key in a v3 schema, in and out. A struct literal: a
/// new flag does not compile until it has one.
pub(crate) const FLAG_NAMES: Flags<&str> = Flags {
    use_registry_id_as_label: "useRegistryIdForItemDisplayLabel",
    include_registry_id_in_chips: "includeRegistryIdInChips",
    show_bases_in_expanded_view: "showResidues",
};

/// Benchling's names for the schemas of an entity type.
pub trait BenchlingNames: Sized {
    /// The v3 path segment, e.g. `custom-entity-schema`.
    fn endpoint(self) -> &'static str;
    /// The v3 `__typename` of a schema of this type, e.g. `CustomEntitySchema`.
    fn typename(self) -> &'static str;
    fn from_endpoint(segment: &str) -> Option<Self>;
    fn from_typename(name: &str) -> Option<Self>;
}

impl BenchlingNames for EntityType {
    fn endpoint(self) -> &'static str {
        match self {
            EntityType::CustomEntity => "custom-entity-schema",
            EntityType::DnaSequence => "dna-sequence-schema",
            EntityType::DnaOligo => "dna-oligo-schema",
            EntityType::RnaOligo => "rna-oligo-schema",
            EntityType::RnaSequence => "rna-sequence-schema",
            EntityType::AaSequence => "aa-sequence-schema",
            EntityType::Entry => "entry-schema",
            EntityType::Mixture => "mixture-schema",
            EntityType::Molecule => "molecule-schema",
        }
    }

    fn typename(self) -> &'static str {
        match self {
            EntityType::CustomEntity => "CustomEntitySchema",
            EntityType::DnaSequence => "DnaSequenceSchema",
            EntityType::DnaOligo => "DnaOligoSchema",
            EntityType::RnaOligo => "RnaOligoSchema",
            EntityType::RnaSequence => "RnaSequenceSchema",
            EntityType::AaSequence => "AaSequenceSchema",
            EntityType::Entry => "EntrySchema",
            EntityType::Mixture => "MixtureSchema",
            EntityType::Molecule => "MoleculeSchema",
        }
    }

    fn from_endpoint(segment: &str) -> Option<EntityType> {
        EntityType::ALL.iter().copied().find(|t| t.endpoint() == segment)
    }

    fn from_typename(name: &str) -> Option<EntityType> {
        EntityType::ALL.iter().copied().find(|t| t.typename() == name)
    }
}

/// One table: each Benchling field type, its v3 input `type`, its output `__typename`, and the
/// code model's type for it before the "links to a schema" normalisation
/// ([`BenchlingFieldType::field_type`]).
macro_rules! benchling_field_types {
    ($( $variant:ident => $input:literal, $typename:literal, $base:ident; )+) => {
        /// A field type in Benchling's vocabulary, which has a type per link target
        /// (`CUSTOM_ENTITY_LINK` / `CustomEntityLinkFieldDefinition`, …) where Liminal's has one
        /// `entity_link`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum BenchlingFieldType { $( $variant ),+ }

        impl BenchlingFieldType {
            /// Every type, in the order error messages list them.
            pub const ALL: &'static [BenchlingFieldType] = &[ $( BenchlingFieldType::$variant ),+ ];

            /// The v3 input `type` (`TEXT`, `CUSTOM_ENTITY_LINK`, …).
            pub fn input(self) -> &'static str {
                match self { $( BenchlingFieldType::$variant => $input ),+ }
            }

            /// The output `__typename` (`TextFieldDefinition`, …).
            pub fn typename(self) -> &'static str {
                match self { $( BenchlingFieldType::$variant => $typename ),+ }
            }

            /// Liminal's type for this one, as Benchling names it alone.
            fn base(self) -> FieldType {
                match self { $( BenchlingFieldType::$variant => FieldType::$base ),+ }
            }
        }
    };
}

benchling_field_types! {
    Text => "TEXT", "TextFieldDefinition", Text;
    LongText => "LONG_TEXT", "LongTextFieldDefinition", LongText;
    Integer => "INTEGER", "IntegerFieldDefinition", Integer;
    Float => "FLOAT", "FloatFieldDefinition", Decimal;
    Decimal => "DECIMAL", "DecimalFieldDefinition", Decimal;
    Boolean => "BOOLEAN", "BooleanFieldDefinition", Boolean;
    Date => "DATE", "DateFieldDefinition", Date;
    DateTime => "DATE_TIME", "DateTimeFieldDefinition", Datetime;
    Json => "JSON", "JsonFieldDefinition", Json;
    Dropdown => "DROPDOWN", "DropdownLinkFieldDefinition", Dropdown;
    BlobLink => "BLOB_LINK", "BlobLinkFieldDefinition", BlobLink;
    AttachmentLink => "ATTACHMENT_LINK", "AttachmentLinkFieldDefinition", BlobLink;
    EntryLink => "ENTRY_LINK", "EntryLinkFieldDefinition", EntryLink;
    StorageLink => "STORAGE_LINK", "StorableLinkFieldDefinition", StorageLink;
    EntityLink => "ENTITY_LINK", "AnyEntityLinkFieldDefinition", EntityLink;
    AaSequenceLink => "AA_SEQUENCE_LINK", "AaSequenceLinkFieldDefinition", AaSequenceLink;
    AntibodyLink => "ANTIBODY_LINK", "AntibodyLinkFieldDefinition", EntityLink;
    CustomEntityLink => "CUSTOM_ENTITY_LINK", "CustomEntityLinkFieldDefinition", CustomEntityLink;
    DnaOligoLink => "DNA_OLIGO_LINK", "DnaOligoLinkFieldDefinition", EntityLink;
    DnaSequenceLink => "DNA_SEQUENCE_LINK", "DnaSequenceLinkFieldDefinition", DnaSequenceLink;
    EquipmentLink => "EQUIPMENT_LINK", "EquipmentLinkFieldDefinition", EntityLink;
    MixtureLink => "MIXTURE_LINK", "MixtureLinkFieldDefinition", MixtureLink;
    MoleculeLink => "MOLECULE_LINK", "MoleculeLinkFieldDefinition", EntityLink;
    OligoConjugateLink => "OLIGO_CONJUGATE_LINK", "OligoConjugateLinkFieldDefinition", EntityLink;
    OligoDuplexLink => "OLIGO_DUPLEX_LINK", "OligoDuplexLinkFieldDefinition", EntityLink;
    RnaOligoLink => "RNA_OLIGO_LINK", "RnaOligoLinkFieldDefinition", EntityLink;
    RnaSequenceLink => "RNA_SEQUENCE_LINK", "RnaSequenceLinkFieldDefinition", EntityLink;
    DnaPartLink => "DNA_PART_LINK", "DnaPartLinkFieldDefinition", PartLink;
    RnaPartLink => "RNA_PART_LINK", "RnaPartLinkFieldDefinition", PartLink;
    TranscriptionLink => "TRANSCRIPTION_LINK", "TranscriptionLinkFieldDefinition", TranscriptionLink;
    TranslationLink => "TRANSLATION_LINK", "TranslationLinkFieldDefinition", TranslationLink;
    AssayRequestLink => "ASSAY_REQUEST_LINK", "AssayRequestLinkFieldDefinition", EntityLink;
    AssayResultLink => "ASSAY_RESULT_LINK", "AssayResultLinkFieldDefinition", EntityLink;
    AssayRunLink => "ASSAY_RUN_LINK", "AssayRunLinkFieldDefinition", EntityLink;
    FieldsetLink => "FIELDSET_LINK", "FieldsetLinkFieldDefinition", EntityLink;
    SystemCategoryLink => "SYSTEM_CATEGORY_LINK", "SystemCategoryLinkFieldDefinition", EntityLink;
}

impl BenchlingFieldType {
    pub fn from_input(t: &str) -> Option<BenchlingFieldType> {
        BenchlingFieldType::ALL.iter().copied().find(|k| k.input() == t)
    }

    pub fn from_typename(t: &str) -> Option<BenchlingFieldType> {
        BenchlingFieldType::ALL.iter().copied().find(|k| k.typename() == t)
    }

    /// Every input `type`, for error messages.
    pub fn inputs() -> String {
        BenchlingFieldType::ALL.iter().map(|k| k.input()).collect::<Vec<_>>().join(", ")
    }

    /// The type a stored field is sent as (liminal's
    /// `map_field_type_to_field_definition_input_type`), given the type of the schema it links
    /// to when that schema is known. An `entity_link` whose target is unknown (or an entry
    /// schema) is `ENTITY_LINK`.
    pub fn sent_as(t: FieldType, target: Option<EntityType>) -> BenchlingFieldType {
        use BenchlingFieldType as B;
        match t {
            FieldType::Text => B::Text,
            FieldType::LongText => B::LongText,
            FieldType::Integer => B::Integer,
            FieldType::Decimal => B::Float,
            FieldType::Boolean => B::Boolean,
            FieldType::Date => B::Date,
            FieldType::Datetime => B::DateTime,
            FieldType::Json => B::Json,
            FieldType::Dropdown => B::Dropdown,
            FieldType::BlobLink => B::BlobLink,
            FieldType::EntryLink => B::EntryLink,
            FieldType::StorageLink => B::StorageLink,
            FieldType::EntityLink => target.and_then(B::link_to).unwrap_or(B::EntityLink),
            FieldType::CustomEntityLink => B::CustomEntityLink,
            FieldType::AaSequenceLink => B::AaSequenceLink,
            FieldType::DnaSequenceLink => B::DnaSequenceLink,
            FieldType::MixtureLink => B::MixtureLink,
            FieldType::PartLink => match target {
                Some(EntityType::RnaSequence) => B::RnaPartLink,
                _ => B::DnaPartLink,
            },
            FieldType::TranslationLink => B::TranslationLink,
            FieldType::TranscriptionLink => B::TranscriptionLink,
        }
    }

    /// The type a stored field is rendered as in output (liminal's
    /// `map_field_type_to_field_definition_type`): as [`BenchlingFieldType::sent_as`], except
    /// that an `entity_link` to an entry schema renders as an entry link.
    pub fn rendered_as(t: FieldType, target: Option<EntityType>) -> BenchlingFieldType {
        match (t, target) {
            (FieldType::EntityLink, Some(EntityType::Entry)) => BenchlingFieldType::EntryLink,
            _ => BenchlingFieldType::sent_as(t, target),
        }
    }

    /// Liminal's type for this one (liminal's `map_field_definition_type_to_field_type`). A type
    /// per target that `links_to_schema` (an entity schema) is Liminal's `entity_link`.
    pub fn field_type(self, links_to_schema: bool) -> FieldType {
        match self.base() {
            FieldType::CustomEntityLink
            | FieldType::AaSequenceLink
            | FieldType::DnaSequenceLink
            | FieldType::MixtureLink
                if links_to_schema =>
            {
                FieldType::EntityLink
            }
            base => base,
        }
    }

    /// The typed link to a schema of type `t` (`CUSTOM_ENTITY_LINK`, …); none for entry schemas.
    pub fn link_to(t: EntityType) -> Option<BenchlingFieldType> {
        use BenchlingFieldType as B;
        Some(match t {
            EntityType::AaSequence => B::AaSequenceLink,
            EntityType::CustomEntity => B::CustomEntityLink,
            EntityType::DnaOligo => B::DnaOligoLink,
            EntityType::DnaSequence => B::DnaSequenceLink,
            EntityType::Mixture => B::MixtureLink,
            EntityType::Molecule => B::MoleculeLink,
            EntityType::RnaOligo => B::RnaOligoLink,
            EntityType::RnaSequence => B::RnaSequenceLink,
            EntityType::Entry => return None,
        })
    }

    /// Liminal's `is_schema_link`: links to one specific schema; they take `isParent`.
    pub fn is_schema_link(self) -> bool {
        use BenchlingFieldType as B;
        matches!(
            self,
            B::AaSequenceLink
                | B::AntibodyLink
                | B::CustomEntityLink
                | B::DnaOligoLink
                | B::DnaSequenceLink
                | B::EquipmentLink
                | B::MixtureLink
                | B::MoleculeLink
                | B::OligoConjugateLink
                | B::OligoDuplexLink
                | B::RnaOligoLink
                | B::RnaSequenceLink
                | B::DnaPartLink
                | B::RnaPartLink
                | B::TranscriptionLink
                | B::TranslationLink
        )
    }

    /// Liminal's `requires_link_definition_id`: the key must be present, possibly null.
    pub fn requires_link_definition_id(self) -> bool {
        use BenchlingFieldType as B;
        self.is_schema_link()
            || matches!(
                self,
                B::StorageLink
                    | B::AssayRequestLink
                    | B::AssayResultLink
                    | B::AssayRunLink
                    | B::FieldsetLink
                    | B::SystemCategoryLink
            )
    }

    pub fn supports_is_multi(self) -> bool {
        use BenchlingFieldType as B;
        self.requires_link_definition_id()
            || matches!(self, B::Dropdown | B::BlobLink | B::AttachmentLink | B::EntryLink | B::EntityLink)
    }

    pub fn is_numeric(self) -> bool {
        matches!(self, BenchlingFieldType::Integer | BenchlingFieldType::Float | BenchlingFieldType::Decimal)
    }

    pub fn supports_display_precision(self) -> bool {
        matches!(self, BenchlingFieldType::Float | BenchlingFieldType::Decimal)
    }
}

/// The input `type`, as messages name it.
impl fmt::Display for BenchlingFieldType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.input())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_round_trip() {
        for t in EntityType::ALL {
            assert_eq!(EntityType::from_endpoint(t.endpoint()), Some(*t));
            assert_eq!(EntityType::from_typename(t.typename()), Some(*t));
        }
    }

    #[test]
    fn field_types_round_trip_through_benchlings_names() {
        for k in BenchlingFieldType::ALL {
            assert_eq!(BenchlingFieldType::from_input(k.input()), Some(*k));
            assert_eq!(BenchlingFieldType::from_typename(k.typename()), Some(*k));
        }
        // What is sent comes back as the same type, a link to a schema as `entity_link`.
        for t in FieldType::ALL {
            for target in EntityType::ALL.iter().copied().map(Some).chain([None]) {
                let sent = BenchlingFieldType::sent_as(*t, target);
                let linked = t.is_schema_link() && target.is_some_and(|t| t != EntityType::Entry);
                let back = sent.field_type(linked);
                let expected = match t {
                    FieldType::CustomEntityLink
                    | FieldType::AaSequenceLink
                    | FieldType::DnaSequenceLink
                    | FieldType::MixtureLink
                        if linked =>
                    {
                        FieldType::EntityLink
                    }
                    other => *other,
                };
                assert_eq!(back, expected, "{t} → {sent} (target {target:?})");
            }
        }
    }
}
