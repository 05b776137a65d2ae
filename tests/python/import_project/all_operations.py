"""Writes a Python Liminal project whose revisions hold all 19 operation classes, as liminal-orm
5.1.0 itself writes them (`Revision.write_revision_file`, the writer `liminal revision` uses),
and reads each file back with Liminal's own parser. run_import_check.sh then imports it.

    python all_operations.py <project folder>
"""

import sys
from pathlib import Path

import liminal.external as b
from liminal.base.properties.base_schema_properties import MixtureSchemaConfig
from liminal.migrate.revision import Revision

root = Path(sys.argv[1])
versions = root / "liminal" / "versions"
versions.mkdir(parents=True)
(root / "liminal" / "env.py").write_text("from all_models import *  # noqa\n")
(root / "all_models.py").write_text(
    "from liminal.base.base_dropdown import BaseDropdown\n\n\n"
    "class Toppings(BaseDropdown):\n"
    '    __benchling_name__ = "Pizza toppings"\n'
    '    __allowed_values__ = ["Basil", "Olive"]\n'
)

BASE, REV1, REV2 = "a0a0a0a0a0a0", "b1b1b1b1b1b1", "c2c2c2c2c2c2"
T = b.BenchlingFieldType
E = b.BenchlingEntityType
N = b.BenchlingNamingStrategy


def field(name, wh, type_, **kw):
    return b.BaseFieldProperties(name=name, warehouse_name=wh, type=type_, required=False, **kw)


rev1_up = [
    b.CreateDropdown("Toppings", ["Basil", "Olive", "Ham"]),
    b.CreateEntitySchema(
        b.BaseSchemaProperties(
            name="Plasmid",
            warehouse_name="plasmid",
            prefix="PL",
            entity_type=E.DNA_SEQUENCE,
            naming_strategies={N.NEW_IDS, N.IDS_FROM_NAMES, N.KEEP_NAMES},
            constraint_fields={"bases"},
            show_bases_in_expanded_view=True,
            include_registry_id_in_chips=True,
        ),
        [field("Backbone", "backbone", T.TEXT, is_multi=False, dropdown_link=None, entity_link=None, tooltip="the\tbackbone")],
    ),
    b.CreateEntitySchema(
        b.BaseSchemaProperties(
            name="Media",
            warehouse_name="media",
            prefix="MD",
            entity_type=E.MIXTURE,
            naming_strategies={N.NEW_IDS},
            mixture_schema_config=MixtureSchemaConfig(allowMeasuredIngredients=True, componentLotTextEnabled=True),
        ),
        [field("Volume", "volume", T.DECIMAL, decimal_places=3)],
    ),
    b.CreateEntitySchema(
        b.BaseSchemaProperties(
            name="Notebook", warehouse_name="notebook", prefix="NB", entity_type=E.CUSTOM_ENTITY, naming_strategies={N.NEW_IDS}
        ),
        [field("Plasmid link", "plasmid_link", T.ENTITY_LINK, is_multi=True, parent_link=False)],
    ),
    b.UpdateEntitySchemaNameTemplate(
        "plasmid",
        b.BaseNameTemplate(
            parts=[b.TextPart(value="PL-"), b.FieldPart(wh_field_name="backbone"), b.CreationYearPart()],
            order_name_parts_by_sequence=True,
        ),
    ),
    b.UpdateEntitySchemaField("notebook", "plasmid_link", b.BaseFieldProperties(type=T.ENTITY_LINK, entity_link="plasmid")),
    b.UpdateEntitySchemaField("media", "volume", b.BaseFieldProperties(unit_name="milliliter", tooltip="mL")),
]
rev1_down = [
    b.UpdateEntitySchemaField("media", "volume", b.BaseFieldProperties(unit_name=None, tooltip=None)),
    b.UpdateEntitySchemaField("notebook", "plasmid_link", b.BaseFieldProperties(type=T.ENTITY_LINK, entity_link=None)),
    b.UpdateEntitySchemaNameTemplate("plasmid", b.BaseNameTemplate(parts=[], order_name_parts_by_sequence=False)),
    b.ArchiveEntitySchema("notebook"),
    b.ArchiveEntitySchema("media"),
    b.ArchiveEntitySchema("plasmid"),
    b.ArchiveDropdown("Toppings"),
]
rev2_up = [
    b.UpdateDropdownName("Toppings", "Pizza toppings"),
    b.UpdateDropdownOption("Pizza toppings", "Ham", "Ham & cheese"),
    b.CreateDropdownOption("Pizza toppings", "Pineapple", 1),
    b.ArchiveDropdownOption("Pizza toppings", "Pineapple", 1),
    b.UnarchiveDropdownOption("Pizza toppings", "Pineapple", 0),
    b.ArchiveDropdownOption("Pizza toppings", "Pineapple"),
    b.ArchiveDropdownOption("Pizza toppings", "Ham & cheese", 2),
    b.ReorderDropdownOptions("Pizza toppings", ["Basil", "Olive"]),
    b.CreateEntitySchemaField("plasmid", field("Length", "length", T.INTEGER, dropdown_link=None, entity_link=None, tooltip=None), 1),
    b.UpdateEntitySchema("plasmid", b.BaseSchemaProperties(name="Plasmid DNA", use_registry_id_as_label=True, constraint_fields=set())),
    b.UpdateEntitySchemaField("plasmid", "backbone", b.BaseFieldProperties(required=True, tooltip=None)),
    b.UpdateEntitySchemaNameTemplate("plasmid", b.BaseNameTemplate(parts=[b.TextPart(value="PL-"), b.CreationYearPart()])),
    b.ArchiveEntitySchemaField("plasmid", "backbone", None),
    b.UnarchiveEntitySchemaField("plasmid", "backbone", 0),
    b.ReorderEntitySchemaFields("plasmid", ["length", "backbone"]),
    b.ArchiveEntitySchema("notebook"),
    b.UnarchiveEntitySchema("notebook"),
    b.ArchiveEntitySchema("media"),
    b.ArchiveDropdown("Pizza toppings"),
    b.UnarchiveDropdown("Pizza toppings"),
]
rev2_down = [
    b.UnarchiveEntitySchema("media"),
    b.ReorderEntitySchemaFields("plasmid", ["backbone", "length"]),
    b.UpdateEntitySchemaNameTemplate(
        "plasmid", b.BaseNameTemplate(parts=[b.TextPart(value="PL-"), b.FieldPart(wh_field_name="backbone"), b.CreationYearPart()])
    ),
    b.UpdateEntitySchemaField("plasmid", "backbone", b.BaseFieldProperties(required=False, tooltip="the\tbackbone")),
    b.UpdateEntitySchema(
        "plasmid", b.BaseSchemaProperties(name="Plasmid", use_registry_id_as_label=False, constraint_fields={"bases"})
    ),
    b.ArchiveEntitySchemaField("plasmid", "length", 1),
    b.ReorderDropdownOptions("Pizza toppings", ["Basil", "Olive", "Ham & cheese"]),
    b.UnarchiveDropdownOption("Pizza toppings", "Ham & cheese", 2),
    b.UpdateDropdownOption("Pizza toppings", "Ham & cheese", "Ham"),
    b.UpdateDropdownName("Pizza toppings", "Toppings"),
]

for rid, down, message, up, dn in [
    (BASE, None, "Initial init revision", [], []),
    (REV1, BASE, "Sequences, mixtures and entries", rev1_up, rev1_down),
    (REV2, REV1, "Every other operation", rev2_up, rev2_down),
]:
    path = Revision(
        id=rid, down_revision_id=down, description=message, upgrade_operations=up, downgrade_operations=dn
    ).write_revision_file(versions)
    back = Revision.parse_from_file(path)
    assert len(back.upgrade_operations) == len(up) and len(back.downgrade_operations) == len(dn), path
print(versions)
