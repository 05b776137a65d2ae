from liminal.base.base_dropdown import BaseDropdown


class Toppings(BaseDropdown):
    __benchling_name__ = "Toppings"
    __allowed_values__ = ["Cheese", "Ham"]
