"""Child-process entry points for the crash and concurrency tests.

python -m tests.engine.procs start DB PREFIX COUNT STEPS   # record, print IDs, drive all
python -m tests.engine.procs drive DB [LIMIT]               # drive everything until idle
"""

from __future__ import annotations

import sys
from pathlib import Path

from wfctl.backend.embedded import EmbeddedBackend

APP = str(Path(__file__).with_name("sample_app.py"))


def main(argv: list[str]) -> int:
    mode, db = argv[0], argv[1]
    if mode == "start":
        prefix, count, steps = argv[2], int(argv[3]), argv[4]
        b = EmbeddedBackend(db, app=APP, detach=True)
        ids = []
        for i in range(count):
            ids.append(b.start("chain", steps, instance_id=f"{prefix}{i}"))
            print(ids[-1], flush=True)
        b.drive(ids, until="completion", limit=120)
        b.close()
        return 0
    if mode == "drive":
        b = EmbeddedBackend(db, app=APP)
        b.drive(None, until="idle", limit=float(argv[2]) if len(argv) > 2 else 120)
        b.close()
        return 0
    raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
