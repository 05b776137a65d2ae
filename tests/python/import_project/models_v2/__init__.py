from .dropdowns import *  # noqa: F401,F403
from .schemas import *  # noqa: F401,F403
