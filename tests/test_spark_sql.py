"""The verdict SQL in Spark's dialect comes from ``verdict_sql`` itself, translated, never rewritten by hand.

Running it against the default engine is ``tests/test_spark.py``'s job; these tests check the
translation alone (no Spark session): that it keeps the query's shape and leaves no DuckDB-only
construct behind, under every policy.
"""

from __future__ import annotations

from datetime import date

import pytest
import sqlglot
from sqlglot import exp

from eligibility.batch import OUTPUT_COLUMNS, verdict_sql
from eligibility.dialects import translate, verdict_sql_for
from eligibility.errors import HubcheckError
from eligibility.smi import POLICIES, HousekeepingPolicy, parse_policy
from eligibility.verdict import REASON_CODES

DAY = date(2026, 11, 28)
ALL_POLICIES = [*POLICIES.values(), parse_policy("months=24;exclude=GPF;history-aware")]
#: Spellings that exist in DuckDB's SQL only (Spark has none of them).
DUCKDB_ONLY = ("EPOCH_MS", "LIST_FILTER", "REGEXP_MATCHES", "LAMBDA", "::")


@pytest.mark.parametrize("policy", ALL_POLICIES, ids=lambda p: p.name)
def test_the_spark_query_is_the_duckdb_query_translated(policy: HousekeepingPolicy) -> None:
    spark_sql = verdict_sql_for("spark", "hubs", "t", policy, DAY)
    upper = spark_sql.upper()
    assert not [s for s in DUCKDB_ONLY if s in upper]
    tree = sqlglot.parse_one(spark_sql, read="spark")
    assert isinstance(tree, exp.Select)
    assert [s.alias_or_name for s in tree.selects] == list(OUTPUT_COLUMNS)
    # every reason code of the one definition is in the translation, and nothing else was added
    codes = {lit.name for lit in tree.find_all(exp.Literal) if lit.is_string and lit.name in REASON_CODES}
    assert codes == set(REASON_CODES)
    duck = sqlglot.parse_one(verdict_sql("hubs", "t", policy, DAY), read="duckdb")
    assert len(list(tree.find_all(exp.Case))) == len(list(duck.find_all(exp.Case)))
    assert len(list(tree.find_all(exp.Column))) == len(list(duck.find_all(exp.Column)))


@pytest.mark.parametrize(
    ("duckdb", "spark"),
    [
        # rule: DuckDB's epoch_ms(TIMESTAMP) is milliseconds of a timestamp (sqlglot reads its inverse)
        ("SELECT epoch_ms(d::TIMESTAMP)", "SELECT UNIX_MILLIS(CAST(d AS TIMESTAMP))"),
        # rule: epoch_ms(BIGINT) stays what sqlglot makes of it: a timestamp from milliseconds
        ("SELECT epoch_ms(1000)", "SELECT TIMESTAMP_MILLIS(1000)"),
        # rule: calendar months, lists and regular expressions keep their meaning
        ("SELECT d + INTERVAL 12 MONTH", "SELECT d + INTERVAL '12' MONTH"),
        ("SELECT [1, 2] < [1, 3]", "SELECT ARRAY(1, 2) < ARRAY(1, 3)"),
        ("SELECT regexp_matches(h, '(?i)Commissioned')", "SELECT h RLIKE '(?i)Commissioned'"),
    ],
)
def test_translation_rules(duckdb: str, spark: str) -> None:
    assert translate(duckdb, "spark") == spark


def test_duckdb_is_left_as_written_and_bad_sql_is_an_error() -> None:
    sql = verdict_sql("hubs", "t", POLICIES["secmp0060"], DAY)
    assert translate(sql, "duckdb") is sql
    with pytest.raises(HubcheckError, match="cannot be written in spark SQL"):
        translate("SELECT FROM WHERE (", "spark")
