"""The same unmodified Dapr SDK app run both ways, its custom statuses compared: on
``wfctl serve --grpc-port`` (the SDK's own worker sends them) and under
``wfctl --embedded exec`` (wfctl's engine stands in for the SDK). What the app reads back,
what the file holds and what ``wfctl status`` shows must be the same."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.sdkapps.procs import APPS, SDK_PYTHON, App, GrpcServe, clean_env, status_json, wfctl

STATUS_APP = APPS / "status_app.py"
# What dapr-ext-workflow 1.19 sends as customStatus: a str as it is, another value as JSON.
EXPECTED = [
    "CUSTOM plain text, é",
    'CUSTOM {"step": 2, "ok": true}',
    'FINAL COMPLETED "quoted"',
]


def _shown(home: Path, db: Path) -> tuple[str, str]:
    """The stored custom status (``-o json``) and the ``Custom status`` line of the table."""
    (st,) = status_json(home, "--embedded", "--db", str(db), "status", "s1")
    r = wfctl(home, "--embedded", "--db", str(db), "status", "s1")
    assert r.returncode == 0, r
    line = next(x for x in r.stdout.splitlines() if x.startswith("Custom status"))
    return st["properties"]["dapr.workflow.custom_status"], " ".join(line.split())


@pytest.mark.timeout(300)  # longer than the suite's 120 s: exec gets 240 s
def test_custom_status_is_the_same_on_the_sdk_worker_and_the_embedded_engine(
    serve: GrpcServe, tmp_path: Path
) -> None:
    sdk = App([SDK_PYTHON, str(STATUS_APP), "s1"], tmp_path, serve.grpc_port)
    assert sdk.finish() == 0, sdk.report()
    embedded_db = tmp_path / "embedded.db"
    embedded = subprocess.run(
        [sys.executable, "-m", "wfctl", "--embedded", "--db", str(embedded_db), "exec"]
        + [str(STATUS_APP), "s1"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=clean_env(tmp_path),
        cwd=tmp_path,
        timeout=240,
    )
    assert embedded.returncode == 0, embedded
    assert sdk.out.lines == EXPECTED, sdk.report()
    assert embedded.stdout.splitlines() == EXPECTED, embedded
    # The SDK deprecates the dict but says so only when warnings are on: neither run prints.
    assert "Warning" not in sdk.err.text() and "Warning" not in embedded.stderr, embedded
    assert (
        _shown(tmp_path, serve.db)
        == _shown(tmp_path, embedded_db)
        == (
            '"quoted"',
            'Custom status: "quoted"',
        )
    )
