# Second models: Toppings gains Olive first; Pizza drops its link to Oven, gains a notes field,
# a longer name template and another tooltip; Oven's link to Pizza becomes a parent link.
from sqlalchemy import Column as SqlColumn

from liminal.enums import BenchlingEntityType, BenchlingFieldType, BenchlingNamingStrategy
from liminal.orm.base_model import BaseModel
from liminal.orm.column import Column
from liminal.orm.mixins import CustomEntityMixin
from liminal.orm.name_template import NameTemplate
from liminal.orm.name_template_parts import CreationYearPart, FieldPart, SeparatorPart, TextPart
from liminal.orm.schema_properties import SchemaProperties

from .dropdowns import Toppings


class Pizza(BaseModel, CustomEntityMixin):
    __schema_properties__ = SchemaProperties(
        name="Pizza",
        warehouse_name="pizza",
        prefix="PI",
        entity_type=BenchlingEntityType.CUSTOM_ENTITY,
        naming_strategies={BenchlingNamingStrategy.NEW_IDS, BenchlingNamingStrategy.REPLACE_NAMES_WITH_TEMPLATE},
        constraint_fields={"code"},
    )
    __name_template__ = NameTemplate(
        parts=[TextPart(value="PZ-"), FieldPart(wh_field_name="code"), SeparatorPart(value="-"), CreationYearPart()]
    )

    code: SqlColumn = Column(name="Code", type=BenchlingFieldType.TEXT, required=True)
    toppings: SqlColumn = Column(
        name="Toppings", type=BenchlingFieldType.DROPDOWN, required=False, is_multi=True, dropdown=Toppings
    )
    weight: SqlColumn = Column(
        name="Weight",
        type=BenchlingFieldType.DECIMAL,
        required=False,
        unit_name="gram",
        decimal_places=2,
        tooltip="before baking, in grams",
    )
    notes: SqlColumn = Column(name="Notes", type=BenchlingFieldType.LONG_TEXT, required=False)


class Oven(BaseModel, CustomEntityMixin):
    __schema_properties__ = SchemaProperties(
        name="Oven",
        warehouse_name="oven",
        prefix="OV",
        entity_type=BenchlingEntityType.CUSTOM_ENTITY,
        naming_strategies={BenchlingNamingStrategy.NEW_IDS},
    )

    last_pizza: SqlColumn = Column(
        name="Last Pizza", type=BenchlingFieldType.ENTITY_LINK, required=False, entity_link="pizza", parent_link=True
    )
    temperature: SqlColumn = Column(name="Temperature", type=BenchlingFieldType.INTEGER, required=False)
