"""Where the real public reference data lives (``../shared/data``), for tests and benchmarks.

The project never copies those files; it reads them in place.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["shared_data_dir"]

_REPO = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path:
    """The ``shared/data`` folder: ``$HUBCHECK_SHARED_DATA``, else beside the checkout.

    Raises FileNotFoundError naming every place looked at.
    """
    candidates = [
        os.environ.get("HUBCHECK_SHARED_DATA"),
        str(_REPO.parent / "shared" / "data"),
        "/work/shared/data",
    ]
    for c in candidates:
        if c and (Path(c) / "cpl").is_dir():
            return Path(c)
    raise FileNotFoundError(
        "the real reference data was not found: set HUBCHECK_SHARED_DATA to the shared/data folder "
        f"(tried {', '.join(c for c in candidates if c)})"
    )
