"""The ``--engine`` and ``--master`` options of the fleet commands (``batch``, ``charging``), declared once."""

from __future__ import annotations

from typing import Annotated, Literal

import typer

from eligibility.errors import InputError

__all__ = ["EngineKind", "EngineOption", "MasterOption", "check_engine"]

#: ``polars``: this process (the default); ``spark``: Apache Spark (``pip install 'hubcheck[spark]'``).
EngineKind = Literal["polars", "spark"]
EngineOption = Annotated[
    EngineKind,
    typer.Option(
        "--engine",
        help="Where the job runs: polars (this process) or spark (Apache Spark; Parquet in and out).",
    ),
]
MasterOption = Annotated[
    str | None,
    typer.Option(
        help="--engine spark: the Spark master URL (default local[*], or spark-submit's), e.g. spark://host:7077."
    ),
]


def check_engine(engine: EngineKind, master: str | None, *, inventory_given: bool = True) -> None:
    """Refuse option combinations that cannot work, before any work starts."""
    if master is not None and engine != "spark":
        raise InputError("--master applies to --engine spark only; add --engine spark", field="--master")
    if engine == "spark" and not inventory_given:
        raise InputError(
            "--engine spark reads an inventory file: give its Parquet path (file://, s3a:// ...)",
            field="INVENTORY",
        )
