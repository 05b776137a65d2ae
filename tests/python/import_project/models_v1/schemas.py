# First models: Pizza and Oven link to each other (a cycle between two new schemas); Pizza has a
# name template with a field part, a template-based naming strategy, a constraint field, a
# multi-select dropdown and a decimal with a unit and a tooltip.
from sqlalchemy import Column as SqlColumn

from liminal.enums import BenchlingEntityType, BenchlingFieldType, BenchlingNamingStrategy
from liminal.orm.base_model import BaseModel
from liminal.orm.column import Column
from liminal.orm.mixins import CustomEntityMixin
from liminal.orm.name_template import NameTemplate
from liminal.orm.name_template_parts import FieldPart, TextPart
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
    __name_template__ = NameTemplate(parts=[TextPart(value="PZ-"), FieldPart(wh_field_name="code")])

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
        tooltip="before baking",
    )
    oven: SqlColumn = Column(name="Oven", type=BenchlingFieldType.ENTITY_LINK, required=False, entity_link="oven")


class Oven(BaseModel, CustomEntityMixin):
    __schema_properties__ = SchemaProperties(
        name="Oven",
        warehouse_name="oven",
        prefix="OV",
        entity_type=BenchlingEntityType.CUSTOM_ENTITY,
        naming_strategies={BenchlingNamingStrategy.NEW_IDS},
    )

    last_pizza: SqlColumn = Column(
        name="Last Pizza", type=BenchlingFieldType.ENTITY_LINK, required=False, entity_link="pizza"
    )
    temperature: SqlColumn = Column(name="Temperature", type=BenchlingFieldType.INTEGER, required=False)
