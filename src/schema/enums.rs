//! The closed vocabularies of Benchling schemas: entity types, field types, naming strategies,
//! name-template part types. Each value has one canonical spelling (what we write) and the
//! spellings we also accept when reading (Liminal's member names, Benchling's API values).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An enum value that was not one of the allowed spellings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} `{value}`; expected one of: {expected}")]
pub struct UnknownValue {
    pub what: &'static str,
    pub value: String,
    pub expected: String,
}

impl UnknownValue {
    /// The problem alone (`unknown field type `texty``), for messages with a separate help line.
    pub fn message(&self) -> String {
        format!("unknown {} `{}`", self.what, self.value)
    }

    /// "did you mean", then the choices.
    pub fn help(&self) -> String {
        let hint = crate::diag::did_you_mean(&self.value, self.expected.split(", "));
        format!("{hint}use one of: {}", self.expected)
    }
}

macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $name:ident, $what:literal {
            $( $variant:ident => $canonical:literal $(| $alias:literal)* ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $( $variant ),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[ $( $name::$variant ),+ ];

            /// The spelling liminal writes.
            pub fn as_str(self) -> &'static str {
                match self { $( $name::$variant => $canonical ),+ }
            }

            /// Every spelling that is accepted, canonical first.
            pub fn expected() -> String {
                [$( $canonical ),+].join(", ")
            }
        }

        impl FromStr for $name {
            type Err = UnknownValue;
            fn from_str(s: &str) -> Result<Self, UnknownValue> {
                match s {
                    $( $canonical $(| $alias)* => Ok($name::$variant), )+
                    _ => Err(UnknownValue {
                        what: $what,
                        value: s.to_string(),
                        expected: $name::expected(),
                    }),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        /// Every accepted spelling, for editors (`liminal json-schema`).
        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({
                    "description": concat!("a ", $what),
                    "type": "string",
                    "enum": [ $( $canonical $(, $alias)* ),+ ]
                })
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

vocabulary! {
    /// Benchling entity types that Liminal manages.
    EntityType, "entity type" {
        CustomEntity => "custom_entity" | "CUSTOM_ENTITY",
        DnaSequence => "dna_sequence" | "DNA_SEQUENCE",
        DnaOligo => "dna_oligo" | "DNA_OLIGO",
        RnaOligo => "rna_oligo" | "RNA_OLIGO",
        RnaSequence => "rna_sequence" | "RNA_SEQUENCE",
        AaSequence => "aa_sequence" | "AA_SEQUENCE",
        Entry => "entry" | "ENTRY",
        Mixture => "mixture" | "MIXTURE",
        Molecule => "molecule" | "MOLECULE",
    }
}

vocabulary! {
    /// Field types in Liminal's vocabulary (`decimal` is Liminal's `float`).
    FieldType, "field type" {
        Text => "text" | "TEXT",
        LongText => "long_text" | "LONG_TEXT",
        Integer => "integer" | "INTEGER",
        Decimal => "decimal" | "float" | "DECIMAL" | "FLOAT",
        Boolean => "boolean" | "BOOLEAN",
        Date => "date" | "DATE",
        Datetime => "datetime" | "DATETIME",
        Dropdown => "dropdown" | "DROPDOWN",
        BlobLink => "blob_link" | "BLOB_LINK",
        EntryLink => "entry_link" | "ENTRY_LINK",
        StorageLink => "storage_link" | "STORAGE_LINK",
        EntityLink => "entity_link" | "ENTITY_LINK",
        CustomEntityLink => "custom_entity_link" | "CUSTOM_ENTITY_LINK",
        AaSequenceLink => "aa_sequence_link" | "AA_SEQUENCE_LINK",
        DnaSequenceLink => "dna_sequence_link" | "DNA_SEQUENCE_LINK",
        MixtureLink => "mixture_link" | "MIXTURE_LINK",
        PartLink => "part_link" | "PART_LINK",
        TranslationLink => "translation_link" | "TRANSLATION_LINK",
        TranscriptionLink => "transcription_link" | "TRANSCRIPTION_LINK",
        Json => "json" | "JSON",
    }
}

vocabulary! {
    /// Registration naming options. Canonical spelling is Benchling's API value; Liminal's
    /// member names are accepted too.
    NamingStrategy, "naming strategy" {
        NewIds => "NEW_IDS",
        IdsFromNames => "IDS_FROM_NAMES",
        DeleteNames => "DELETE_NAMES" | "REPLACE_NAME_WITH_ID",
        SetFromNameParts => "SET_FROM_NAME_PARTS" | "RENAME_WITH_TEMPLATE_WITH_ALIAS",
        ReplaceNamesFromParts => "REPLACE_NAMES_FROM_PARTS" | "REPLACE_NAMES_WITH_TEMPLATE",
        KeepNames => "KEEP_NAMES",
    }
}

vocabulary! {
    /// Name-template part types.
    PartType, "name template part type" {
        Separator => "SEPARATOR",
        Text => "TEXT",
        CreatedAtYear => "CREATED_AT_YEAR",
        CreatedAtDate => "CREATED_AT_DATE",
        Field => "FIELD",
        RegistryIdentifierNumber => "REGISTRY_IDENTIFIER_NUMBER",
        LinkedBioentityRegistryIdentifier => "LINKED_BIOENTITY_REGISTRY_IDENTIFIER",
        Project => "PROJECT",
        ChildEntityLotNumber => "CHILD_ENTITY_LOT_NUMBER",
        ComplexPolymerComponent => "COMPLEX_POLYMER_COMPONENT",
    }
}

/// The sequence uniqueness constraints that may stand in `constraint_fields`.
pub const SEQUENCE_CONSTRAINTS: [&str; 3] = ["bases", "amino_acids_ignore_case", "amino_acids_exact_match"];

impl EntityType {
    /// DNA/RNA sequences and oligos.
    pub fn is_nt_sequence(self) -> bool {
        matches!(self, EntityType::DnaSequence | EntityType::RnaSequence | EntityType::DnaOligo | EntityType::RnaOligo)
    }

    /// nt sequences plus AA sequences.
    pub fn is_sequence(self) -> bool {
        self.is_nt_sequence() || self == EntityType::AaSequence
    }
}

impl FieldType {
    /// Types whose fields may hold several values.
    pub fn is_multi_capable(self) -> bool {
        !matches!(
            self,
            FieldType::Text
                | FieldType::LongText
                | FieldType::Decimal
                | FieldType::Integer
                | FieldType::Date
                | FieldType::Datetime
                | FieldType::Boolean
                | FieldType::Json
        )
    }

    /// Types that may name a target schema (`entity_link`) and be a parent link.
    pub fn takes_entity_link(self) -> bool {
        matches!(
            self,
            FieldType::EntityLink | FieldType::TranslationLink | FieldType::TranscriptionLink | FieldType::PartLink
        )
    }

    /// Types whose field carries a `linkDefinition` (schema links, storage, dropdown).
    pub fn is_schema_link(self) -> bool {
        matches!(
            self,
            FieldType::EntityLink
                | FieldType::CustomEntityLink
                | FieldType::AaSequenceLink
                | FieldType::DnaSequenceLink
                | FieldType::MixtureLink
                | FieldType::PartLink
                | FieldType::TranslationLink
                | FieldType::TranscriptionLink
        )
    }

    pub fn is_numeric(self) -> bool {
        matches!(self, FieldType::Integer | FieldType::Decimal)
    }
}

impl NamingStrategy {
    /// Strategies that need name-template parts.
    pub fn is_template_based(self) -> bool {
        matches!(self, NamingStrategy::SetFromNameParts | NamingStrategy::ReplaceNamesFromParts)
    }

    /// Liminal's default when a schema does not say.
    pub fn defaults() -> Vec<NamingStrategy> {
        vec![NamingStrategy::NewIds, NamingStrategy::IdsFromNames, NamingStrategy::DeleteNames]
    }
}

impl PartType {
    /// Parts that carry a text `value`.
    pub fn takes_value(self) -> bool {
        matches!(self, PartType::Text | PartType::Separator)
    }

    /// Parts that name a field.
    pub fn takes_field(self) -> bool {
        matches!(self, PartType::Field | PartType::LinkedBioentityRegistryIdentifier | PartType::ChildEntityLotNumber)
    }

    /// Parts whose field must be a parent link.
    pub fn needs_parent_link(self) -> bool {
        matches!(self, PartType::LinkedBioentityRegistryIdentifier | PartType::ChildEntityLotNumber)
    }
}

/// Liminal's `to_snake_case`: split on space, `/`, `_` and `-`, strip non-alphanumerics from each
/// piece, drop empty pieces, lowercase, join with `_`.
pub fn to_snake_case(s: &str) -> String {
    s.split([' ', '/', '_', '-'])
        .map(|piece| piece.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>())
        .filter(|piece| !piece.is_empty())
        .map(|piece| piece.to_lowercase())
        .collect::<Vec<_>>()
        .join("_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_parse_to_the_same_value() {
        assert_eq!("float".parse::<FieldType>(), Ok(FieldType::Decimal));
        assert_eq!("DECIMAL".parse::<FieldType>(), Ok(FieldType::Decimal));
        assert_eq!("REPLACE_NAME_WITH_ID".parse::<NamingStrategy>(), Ok(NamingStrategy::DeleteNames));
        assert!("texty".parse::<FieldType>().is_err());
    }

    #[test]
    fn snake_case_matches_liminal() {
        assert_eq!(to_snake_case("Second: change/with-punct!"), "second_change_with_punct");
        assert_eq!(to_snake_case("Initial init revision"), "initial_init_revision");
        assert_eq!(to_snake_case("  "), "");
    }
}
