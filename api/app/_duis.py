"""DUIS XML bodies (SR 8.2 Read Inventory responses) as inventories for imports and batches.

The fleet readers take a file, folder or zip (``cpl_data.duis``); an HTTP body is one response,
so it is written to a private temporary file and read by the same code, with the same hostile-XML
guards and schema validation. The DUIS schemas come from ``HUBCHECK_DUIS_XSD`` (the settings'
``duis_xsd``), else the shared reference data when present; without them the answer says what
to do (422).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from cpl_data.duis import read_duis
from cpl_data.duis_schema import DuisSchemas, default_xsd_dir
from cpl_data.inventory import InventoryRead, normalise_inventory
from eligibility.errors import DataError

__all__ = ["duis_inventory"]


def duis_inventory(data: bytes, *, source: str, xsd_dir: str | None) -> InventoryRead:
    """The CHF and GPF rows of one SR 8.2 response, checked like any inventory.

    Raises DataError for hostile or invalid XML, a response without hub devices (an SR 11.2
    firmware read is applied by ``hubcheck batch``, which reads it with the inventory it
    corrects), or missing schemas.
    """
    schemas = DuisSchemas(Path(xsd_dir) if xsd_dir else default_xsd_dir())
    with tempfile.TemporaryDirectory(prefix="hubcheck-duis-") as tmp:
        path = Path(tmp) / "response.xml"
        path.write_bytes(data)
        read = read_duis(path, schemas)
    if read.frame.height == 0:
        skipped = ", ".join(f"{n} {what}" for what, n in read.skipped.items()) or "nothing"
        raise DataError(
            f"{source}: no CHF or GPF device in this DUIS response ({skipped}); send an SR 8.2 Read "
            "Inventory response (firmware reads, SR 11.2, are applied by `hubcheck batch` with the "
            "inventory they correct)"
        )
    return normalise_inventory(read.frame, source=source)
