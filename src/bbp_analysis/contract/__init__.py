"""The extract contract: the versioned specification of the person-level extract that the
measures read (tables, columns, types, code lists, keys, date coverage).

Held in one place, this folder: one Frictionless Table Schema per table
(``<table>.schema.json``) and the index ``contract.yaml`` (version, table order, code lists,
coverage per measure). :mod:`.spec` loads it and derives the column rules the synthetic
generator validates against; :mod:`.conform` checks any extract folder against it (Parquet
or CSV, in DuckDB); :mod:`.gate` is that check as the build's input checks run it (cached by
the extract manifest's hash); :mod:`.lineage` finds the columns each measure's SQL reads.
The book's page on it is written by :mod:`bbp_analysis.site.contract_page`.
"""

from .spec import CONTRACT_DIR, Contract, load, validation_schemas

__all__ = ["CONTRACT_DIR", "Contract", "load", "validation_schemas"]
