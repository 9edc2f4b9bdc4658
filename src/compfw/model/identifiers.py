"""Stable identifiers for what a framework defines, shared by every export of it.

The CASE export's item ids and the Open Badges achievement ids are the same UUIDs, so a
credential's achievement can be looked up in the exported framework.
"""

from __future__ import annotations

import uuid

# Fixed for ever: changing it changes every exported identifier.
NAMESPACE = uuid.UUID("5b0d5d8e-4f1c-5a51-9c3e-6f2a8d7c1e40")


def identifier(name: str) -> str:
    """A UUIDv5 for a name such as 'nhs-gmts-informatics@2.1/competency/2.1.1'."""
    return str(uuid.uuid5(NAMESPACE, name))
