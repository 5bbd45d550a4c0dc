"""factdesk: an open-source fact-checking desk.

The public Python surface is listed in ``__all__``; everything else is internal.
"""

from factdesk.errors import FactdeskError
from factdesk.settings import Settings, get_settings, load_settings
from factdesk.types import (
    Claim,
    FactCheck,
    Item,
    Mention,
    ParseResult,
    Passage,
    Rating,
    Rejected,
    Verdict,
)

__version__ = "0.1.0"

__all__ = [
    "Claim",
    "FactCheck",
    "FactdeskError",
    "Item",
    "Mention",
    "ParseResult",
    "Passage",
    "Rating",
    "Rejected",
    "Settings",
    "Verdict",
    "__version__",
    "get_settings",
    "load_settings",
]
