"""The batch verdict in other SQL dialects, rendered from its one definition.

:func:`eligibility.batch.verdict_sql` writes steps 2-3 of a batch (the keyed join and the
verdict) once, in DuckDB's SQL. Every other engine gets that same text translated by
`sqlglot <https://sqlglot.com>`_: parsed as DuckDB, rewritten where sqlglot reads a DuckDB
function with two meanings by the wrong one, and rendered in the target dialect. Nothing here
knows a reason code: a gate added to ``verdict_sql`` reaches Spark with no change to this module.

The one rewrite: DuckDB's ``epoch_ms`` is two functions, ``epoch_ms(BIGINT) -> TIMESTAMP`` and
``epoch_ms(TIMESTAMP) -> BIGINT``; sqlglot always reads the first. ``verdict_sql`` uses the
second (milliseconds since 1970, to rank devices by removal date), so a call whose argument is
cast to a timestamp becomes sqlglot's ``UnixMillis`` (Spark's ``UNIX_MILLIS``). The cast is made
a plain ``TIMESTAMP``: Spark's ``UNIX_MILLIS`` takes no other, and a date's midnight in any time
zone keeps the dates' order, which is all the ranking reads.

A construct sqlglot cannot render in the target raises :class:`~eligibility.errors.HubcheckError`
instead of producing SQL that would mean something else.
"""

from __future__ import annotations

from datetime import date
from typing import Final, Literal

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel, SqlglotError

from eligibility.batch import verdict_sql
from eligibility.engine import EngineSettings
from eligibility.errors import HubcheckError
from eligibility.policy_timeline import Policy

__all__ = ["SOURCE_DIALECT", "Dialect", "translate", "verdict_sql_for"]

#: The dialect :func:`eligibility.batch.verdict_sql` is written in.
SOURCE_DIALECT: Final = "duckdb"
#: The dialects a batch verdict is rendered in.
Dialect = Literal["duckdb", "spark"]

_TIMESTAMPS: Final = {exp.DataType.Type.TIMESTAMP, exp.DataType.Type.TIMESTAMPNTZ}


def _epoch_ms_of_timestamp(node: exp.Expression) -> exp.Expression:
    """``epoch_ms(x::TIMESTAMP)`` (milliseconds of a timestamp), which sqlglot reads as its inverse."""
    if not isinstance(node, exp.UnixToTime):
        return node
    arg, scale = node.this, node.args.get("scale")
    millis = isinstance(scale, exp.Literal) and scale.name == "3"
    if not (millis and isinstance(arg, exp.Cast) and arg.to.this in _TIMESTAMPS):
        return node
    return exp.UnixMillis(this=exp.cast(arg.this, exp.DataType.Type.TIMESTAMP))


def translate(sql: str, dialect: Dialect) -> str:
    """``sql``, written in DuckDB's dialect, rendered in ``dialect``.

    >>> translate("SELECT list_filter([a, b], lambda x: x IS NOT NULL) FROM t", "spark")
    'SELECT FILTER(ARRAY(a, b), x -> NOT x IS NULL) FROM t'
    >>> translate("SELECT epoch_ms(d::TIMESTAMP) FROM t", "spark")
    'SELECT UNIX_MILLIS(CAST(d AS TIMESTAMP)) FROM t'

    Raises HubcheckError when sqlglot cannot read the text or render a part of it.
    """
    if dialect == SOURCE_DIALECT:
        return sql
    try:
        tree = sqlglot.parse_one(sql, read=SOURCE_DIALECT)
        return tree.transform(_epoch_ms_of_timestamp).sql(dialect=dialect, unsupported_level=ErrorLevel.RAISE)
    except SqlglotError as exc:
        raise HubcheckError(f"the batch verdict cannot be written in {dialect} SQL: {exc}") from exc


def verdict_sql_for(
    dialect: Dialect,
    hubs: str,
    table: str,
    policy: Policy,
    d: date,
    settings: EngineSettings | None = None,
) -> str:
    """:func:`eligibility.batch.verdict_sql` in ``dialect``: same relations, same columns, same answers."""
    return translate(verdict_sql(hubs, table, policy, d, settings), dialect)
