"""DBOS's side of the latency figure: one three-step workflow at a time, start -> result.

python dbos_latency.py N /path/to/fresh.db     (in the DBOS venv)
"""

import sqlite3
import sys
import time

db = sys.argv[2]
c = sqlite3.connect(db)
c.execute("PRAGMA journal_mode=WAL")
c.close()
from dbos import DBOS  # noqa: E402

DBOS(config={"name": "bench", "system_database_url": f"sqlite:///{db}", "log_level": "WARNING"})


@DBOS.step()
def s1(x):
    return x + 1


@DBOS.step()
def s2(x):
    return x + 1


@DBOS.step()
def s3(x):
    return x + 1


@DBOS.workflow()
def three(x):
    return s3(s2(s1(x)))


DBOS.launch()
n = int(sys.argv[1])
for i in range(20):
    DBOS.start_workflow(three, i).get_result()
lat = []
for i in range(n):
    t = time.perf_counter()
    assert DBOS.start_workflow(three, i).get_result() == i + 3
    lat.append(time.perf_counter() - t)
lat.sort()
print("P50_MS", lat[len(lat) // 2] * 1000, "P90_MS", lat[int(len(lat) * 0.9)] * 1000)
import os  # noqa: E402

os._exit(0)
