"""The least Python can do to run a report: the reference line "plain Python" of benchmarks/run.py.

    python benchmarks/plain_python.py DB.sqlite SQL_FILE PARAMS_JSON

Runs the SQL (a report's own text) on the SQLite file with the standard
library alone: ``sqlite3`` with the parameters bound, rows fetched 1,000 at a
time and written by ``csv.writer`` to /dev/null, header first. No SQLAlchemy,
no type normalisation, no accords: what is left of a report's time in Python
once nothing but the driver and the CSV writer remain.
"""

import csv
import json
import sqlite3
import sys
from pathlib import Path


def main() -> None:
    db, sql_file, params = sys.argv[1], Path(sys.argv[2]), json.loads(sys.argv[3])
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    cursor = conn.execute(sql_file.read_text(encoding="utf-8"), params)
    with open("/dev/null", "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([d[0] for d in cursor.description])
        while batch := cursor.fetchmany(1000):
            writer.writerows(batch)
    conn.close()


if __name__ == "__main__":
    main()
