"""The SDK client's ``rerun_workflow_from_event`` under ``wfctl --embedded exec``: the same
unmodified app the gRPC test runs against ``serve`` (tests/grpc/apps/fixable_app.py)."""

from __future__ import annotations

from pathlib import Path

from tests.compat.support import run_exec

APP = Path(__file__).resolve().parents[1] / "grpc" / "apps" / "fixable_app.py"


def test_rerun_from_step_two_under_exec(db: Path, tmp_path: Path) -> None:
    env = {"FIX_GATE": str(tmp_path / "gate-closed"), "FIX_SIDE": str(tmp_path / "side")}
    (tmp_path / "gate-closed").write_text("bug")
    assert run_exec(APP, db, "run", "src", "1", env=env).ok().lines == ["RESULT FAILED None"]
    (tmp_path / "gate-closed").unlink()
    done = run_exec(APP, db, "rerun", "src", "2", "41", env=env).ok().lines[-1].split()
    assert done[0] == "RERUN" and done[2:] == ["COMPLETED", "410"]
    assert (tmp_path / "side").read_text().split() == ["src:inc", f"{done[1]}:gate"]
    again = run_exec(APP, db, "rerun", "src", "1", env=env).ok().lines[-1].split()
    assert again[2:] == ["COMPLETED", "20"]  # from step 1, with its recorded input
