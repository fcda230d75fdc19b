"""Run every benchmark in turn: ``make bench``."""

from __future__ import annotations

from bench import batch, cli, engine, import_cpl, isolation, risk, service, spark, targets


def main() -> None:
    cli.main([])
    import_cpl.main()
    engine.main()
    batch.main()
    spark.main()
    service.main()
    isolation.main([])
    risk.main([])
    print(targets.table(), flush=True)


if __name__ == "__main__":
    main()
