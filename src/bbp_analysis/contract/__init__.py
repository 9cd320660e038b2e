"""The extract contract: the versioned specification of the person-level extract that the
measures read (tables, columns, types, code lists, keys, date coverage).

Held in one place, this folder: one Frictionless Table Schema per table
(``<table>.schema.json``) and the index ``contract.yaml`` (version, table order, code lists,
coverage per measure). :mod:`.spec` loads it and derives the column rules the synthetic
generator validates against; :mod:`.conform` checks any extract folder against it.
"""

from .spec import CONTRACT_DIR, Contract, load, validation_schemas

__all__ = ["CONTRACT_DIR", "Contract", "load", "validation_schemas"]
