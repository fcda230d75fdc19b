"""What the service tests share: a demo inventory of two suppliers on the sample CPL, keys per role."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from api.store import Store
from cpl_data.catalogue import read_catalogue
from cpl_data.cpl import read_cpl
from cpl_data.inventory import read_inventory
from tests.conftest import SAMPLE_DIR

__all__ = ["D", "DEMO_CSV", "NORTH", "SOUTH", "Keys", "demo_store"]

#: The install date the tests judge at (the sample CPL is issued 2026-10-15).
D = date(2026, 11, 28)
NORTH = "Northwind Energy"
SOUTH = "Southern Power"

#: Hubs of the sample CPL's F0A1/A1010100 (window at D: N-1=02020000, N=03000000, N+1=03010000).
#: GREEN: in the window, Pending since recently -> ELIGIBLE.
#: AMBER: 02000000 is outside the window, one hop up -> ELIGIBLE_AFTER_UPGRADE.
#: RED: Pending since 2025-01-10 -> removed from the SMI on 2026-01-10 -> NOT_ELIGIBLE.
#: SOUTH_HUB belongs to the other supplier.
GREEN = "00-DB-12-34-56-78-90-A0"
AMBER = "00-DB-12-34-56-78-90-B0"
RED = "00-DB-12-34-56-78-90-C0"
GREEN_GPF = "00-DB-12-34-56-78-90-A1"
SOUTH_HUB = "00-DB-12-34-56-78-90-D0"
DEMO_CSV = f"""device_id,gpf_device_id,device_type,manufacturer,model,firmware,status,status_since,supplier
{GREEN},{GREEN_GPF},CHF,F0A1,A1010100,03000000,Pending,2026-09-01,{NORTH}
{GREEN_GPF},,GPF,F0A1,A1010100,03000000,Pending,2026-09-01,{NORTH}
{AMBER},,CHF,F0A1,A1010100,02000000,Pending,2026-06-01,{NORTH}
{RED},,CHF,F0A1,A1010100,03000000,Pending,2025-01-10,{NORTH}
{SOUTH_HUB},,CHF,F0A1,A1010100,03000000,Pending,2026-09-01,{SOUTH}
"""


@dataclass(frozen=True)
class Keys:
    """One key per role (installer and supplier of NORTH, a supplier of SOUTH, dcc, admin)."""

    installer: str
    supplier: str
    south: str
    dcc: str
    admin: str

    def auth(self, role: str) -> dict[str, str]:
        """The Authorization header for a role's key."""
        return {"Authorization": f"Bearer {getattr(self, role)}"}


def demo_store(db_url: str, tmp: Path) -> tuple[Store, Keys]:
    """A store with the sample CPL, its catalogue, the demo inventory and a key per role."""
    store = Store(db_url)
    store.import_cpl(read_cpl(SAMPLE_DIR / "sample-cpl.csv", SAMPLE_DIR / "sample-cpl-version-control.csv"))
    store.import_catalogue(read_catalogue(SAMPLE_DIR / "sample-catalogue.toml", store.load_cpl()))
    inv = tmp / "demo-inventory.csv"
    inv.write_text(DEMO_CSV)
    store.import_inventory(read_inventory(inv))
    keys = Keys(
        installer=store.create_key("installer", NORTH)[1],
        supplier=store.create_key("supplier", NORTH)[1],
        south=store.create_key("supplier", SOUTH)[1],
        dcc=store.create_key("dcc")[1],
        admin=store.create_key("admin")[1],
    )
    return store, keys
