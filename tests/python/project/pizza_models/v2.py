# Second model set: Toppings gains Olive and loses Ham; Pizza changes prefix and naming, drops
# cook_temp, makes toppings multi-select, reorders, and gains a long-text field; Slice and the
# Sizes dropdown are gone (archived); a new Oven schema with a decimal and a link to Pizza.
# (No unit on the new decimal: liminal's generated downgrade would unset it, and liminal itself
# refuses to change a unit once set, so `downgrade -1` could never run.)
from sqlalchemy import Column as SqlColumn

from liminal.base.base_dropdown import BaseDropdown
from liminal.enums import BenchlingEntityType, BenchlingFieldType, BenchlingNamingStrategy
from liminal.orm.base_model import BaseModel
from liminal.orm.column import Column
from liminal.orm.mixins import CustomEntityMixin
from liminal.orm.schema_properties import SchemaProperties


class Toppings(BaseDropdown):
    __benchling_name__ = "Toppings"
    __allowed_values__ = ["Olive", "Cheese"]


class Pizza(BaseModel, CustomEntityMixin):
    __schema_properties__ = SchemaProperties(
        name="Pizza",
        warehouse_name="pizza",
        prefix="PZ",
        entity_type=BenchlingEntityType.CUSTOM_ENTITY,
        naming_strategies={BenchlingNamingStrategy.NEW_IDS, BenchlingNamingStrategy.IDS_FROM_NAMES},
    )

    notes: SqlColumn = Column(name="Notes", type=BenchlingFieldType.TEXT, required=False, tooltip="free text")
    toppings: SqlColumn = Column(
        name="Toppings", type=BenchlingFieldType.DROPDOWN, required=False, is_multi=True, dropdown=Toppings
    )
    weight: SqlColumn = Column(
        name="Weight", type=BenchlingFieldType.DECIMAL, required=False, unit_name="g", decimal_places=2
    )
    crust: SqlColumn = Column(name="Crust", type=BenchlingFieldType.LONG_TEXT, required=False)


class Oven(BaseModel, CustomEntityMixin):
    __schema_properties__ = SchemaProperties(
        name="Oven",
        warehouse_name="oven",
        prefix="OV",
        entity_type=BenchlingEntityType.CUSTOM_ENTITY,
        naming_strategies={BenchlingNamingStrategy.NEW_IDS},
    )

    temperature: SqlColumn = Column(
        name="Temperature", type=BenchlingFieldType.DECIMAL, required=True, decimal_places=1
    )
    last_pizza: SqlColumn = Column(
        name="Last Pizza", type=BenchlingFieldType.ENTITY_LINK, required=False, entity_link="pizza"
    )
