"""The ``hubcheck`` command as a Python file, for ``spark-submit`` (which runs files, not console scripts).

    spark-submit --master yarn --archives hubcheck-env.tar.gz#env \\
        "$(python -c 'import cpl_data.spark_submit as m; print(m.__file__)')" \\
        --db "$HUBCHECK_DB" batch s3a://smi/2026-11/ -o s3a://smi-verdicts/2026-11/ --engine spark

Everything after the file is the usual ``hubcheck`` command line; the session takes its master
and settings from spark-submit (see docs/scale.md).
"""

from __future__ import annotations

import sys

from api.cli import main

__all__: list[str] = []

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
