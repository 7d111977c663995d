"""Records: the base every kind shares (``base``) and the registry of kinds (``registry``).

``from burden.records import BaseRecord`` keeps working: the names of the base are
re-exported here. The registry is imported as ``burden.records.registry``; it imports
no model, view or form of its own, so reading it closes no import cycle.
"""

from .base import (
    FIRST_DATE,
    LAST_DATE,
    BaseRecord,
    RecordQuerySet,
    TraceRequirement,
    date_range_check,
)

__all__ = [
    "FIRST_DATE",
    "LAST_DATE",
    "BaseRecord",
    "RecordQuerySet",
    "TraceRequirement",
    "date_range_check",
]
