# First model set: two dropdowns; Pizza with an integer, a dropdown, a decimal with a unit and a
# text field with a tooltip; Slice with a required entity link to Pizza and a dropdown.
from sqlalchemy import Column as SqlColumn

from liminal.base.base_dropdown import BaseDropdown
from liminal.enums import BenchlingEntityType, BenchlingFieldType, BenchlingNamingStrategy
from liminal.orm.base_model import BaseModel
from liminal.orm.column import Column
from liminal.orm.mixins import CustomEntityMixin
from liminal.orm.schema_properties import SchemaProperties


class Toppings(BaseDropdown):
    __benchling_name__ = "Toppings"
    __allowed_values__ = ["Cheese", "Ham"]


class Sizes(BaseDropdown):
    __benchling_name__ = "Sizes"
    __allowed_values__ = ["S", "M", "L"]


class Pizza(BaseModel, CustomEntityMixin):
    __schema_properties__ = SchemaProperties(
        name="Pizza",
        warehouse_name="pizza",
        prefix="PI",
        entity_type=BenchlingEntityType.CUSTOM_ENTITY,
        naming_strategies={BenchlingNamingStrategy.NEW_IDS},
    )

    cook_temp: SqlColumn = Column(name="Cook Temp", type=BenchlingFieldType.INTEGER, required=False)
    toppings: SqlColumn = Column(name="Toppings", type=BenchlingFieldType.DROPDOWN, required=False, dropdown=Toppings)
    weight: SqlColumn = Column(
        name="Weight", type=BenchlingFieldType.DECIMAL, required=False, unit_name="g", decimal_places=2
    )
    notes: SqlColumn = Column(name="Notes", type=BenchlingFieldType.TEXT, required=False, tooltip="free text")


class Slice(BaseModel, CustomEntityMixin):
    __schema_properties__ = SchemaProperties(
        name="Slice",
        warehouse_name="slice",
        prefix="SL",
        entity_type=BenchlingEntityType.CUSTOM_ENTITY,
        naming_strategies={BenchlingNamingStrategy.NEW_IDS},
    )

    pizza: SqlColumn = Column(
        name="Pizza", type=BenchlingFieldType.ENTITY_LINK, required=True, entity_link="pizza"
    )
    size: SqlColumn = Column(name="Size", type=BenchlingFieldType.DROPDOWN, required=False, dropdown=Sizes)
