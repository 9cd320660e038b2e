"""Declared schemas of the synthetic WSIC-shaped extract's tables: the extract contract's
(:mod:`bbp_analysis.contract`, the one place they are held), as column rules the generator
validates its tables against before writing them."""

from __future__ import annotations

from ..contract import validation_schemas
from ..validation import Schema

SCHEMAS: dict[str, Schema] = validation_schemas()
PERSON_ID: str = SCHEMAS["persons"].column("person_id").pattern or ""
