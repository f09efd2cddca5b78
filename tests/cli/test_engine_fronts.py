"""exec, worker, serve and --embedded call the engine's entry points with the right arguments
(the engine modules are stood in for here; their own tests live with them)."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest
from typer.testing import CliRunner

from wfctl.cli.app import app


def fake_module(monkeypatch: pytest.MonkeyPatch, name: str, **attrs) -> None:
    mod = types.ModuleType(name)
    for k, v in attrs.items():
        setattr(mod, k, v)
    monkeypatch.setitem(sys.modules, name, mod)


def test_exec_passes_app_args_untouched(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls = []

    def exec_app(path: str, args: list[str], *, db_path: Path) -> int:
        calls.append((path, args, db_path))
        return 7

    fake_module(monkeypatch, "wfctl.workflow.loader", exec_app=exec_app)
    db = tmp_path / "x.db"
    r = runner.invoke(
        app, ["--db", str(db), "exec", "app.py", "--orders", "3", "-o", "json", "--", "x"]
    )
    assert r.exit_code == 7, r.stderr
    assert calls == [("app.py", ["--orders", "3", "-o", "json", "--", "x"], db)]


def test_exec_default_db_is_users_data_dir(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, clean_env: Path
) -> None:
    seen = []
    fake_module(
        monkeypatch,
        "wfctl.workflow.loader",
        exec_app=lambda path, args, db_path: seen.append(db_path) or 0,
    )
    assert runner.invoke(app, ["exec", "--db", "/tmp/a.db", "m:app"]).exit_code == 0
    assert runner.invoke(app, ["exec", "m:app"]).exit_code == 0
    assert seen == [Path("/tmp/a.db"), clean_env / ".local" / "share" / "wfctl" / "wfctl.db"]


def test_worker_and_serve_arguments(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls = []
    fake_module(
        monkeypatch,
        "wfctl.workflow.loader",
        load_app=lambda spec, *, default: ("registry of", spec),
    )
    fake_module(
        monkeypatch,
        "wfctl.engine.background",
        run_worker=lambda db, registry, *, concurrency: (
            calls.append(("worker", db, registry, concurrency)) or 0
        ),
    )
    fake_module(
        monkeypatch,
        "wfctl.server",
        serve=lambda **kw: calls.append(("serve", kw)) or 3,
    )
    tok = tmp_path / "tok"
    tok.write_text("t-1\n")
    db = str(tmp_path / "w.db")
    assert (
        runner.invoke(app, ["worker", "--concurrency", "8", "--app", "m.py", "--db", db]).exit_code
        == 0
    )
    r = runner.invoke(
        app, ["serve", "--port", "3600", "--api-token-file", str(tok), "--db", db, "--verbose"]
    )
    assert r.exit_code == 3
    assert calls == [
        ("worker", Path(db), ("registry of", "m.py"), 8),
        (
            "serve",
            {
                "host": "127.0.0.1",
                "port": 3600,
                "db_path": Path(db),
                "app": None,
                "api_token": "t-1",
                "verbose": True,
                "ui": True,
                "grpc_port": None,
                "app_id": "wfctl",
                "max_body_size": 4 * 1024 * 1024,
                "header_timeout": 10.0,
                "work_item_timeout": 120.0,
                "allowed_hosts": [],
            },
        ),
    ]
    calls.clear()
    assert runner.invoke(app, ["serve", "--no-ui", "--db", db]).exit_code == 3
    assert calls[0][1]["ui"] is False
    calls.clear()
    assert runner.invoke(app, ["serve", "--header-timeout", "2.5", "--db", db]).exit_code == 3
    assert calls[0][1]["header_timeout"] == 2.5
    calls.clear()
    assert runner.invoke(app, ["serve", "--work-item-timeout", "0", "--db", db]).exit_code == 3
    assert calls[0][1]["work_item_timeout"] == 0
    calls.clear()
    argv = ["serve", "--allowed-host", "a.test", "--allowed-host", "b.test:8443", "--db", db]
    assert runner.invoke(app, argv).exit_code == 3
    assert calls[0][1]["allowed_hosts"] == ["a.test", "b.test:8443"]
    calls.clear()
    r = runner.invoke(app, ["serve", "--db", db], env={"WFCTL_ALLOWED_HOSTS": "c.test d.test"})
    assert r.exit_code == 3
    assert calls[0][1]["allowed_hosts"] == ["c.test", "d.test"]


def test_embedded_backend_built_from_settings(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from wfctl.model import NotFoundError

    made = []

    class EmbeddedBackend:
        location = "db"

        def __init__(self, db_path, *, app, drive_limit, detach):
            made.append((db_path, app, drive_limit, detach))

        def get(self, instance_id):
            raise NotFoundError(f"no workflow instance {instance_id!r} in db")

        def close(self):
            made.append("closed")

    fake_module(monkeypatch, "wfctl.backend.embedded", EmbeddedBackend=EmbeddedBackend)
    db = tmp_path / "e.db"
    r = runner.invoke(
        app,
        ["status", "a", "--drive", "2m", "--app", "demo:wfr", "--detach", "--db", str(db)],
        env={"WFCTL_EMBEDDED": "1"},
    )
    assert r.exit_code == 3 and r.stderr == "Error: no workflow instance 'a' in db\n"
    assert made == [(db, "demo:wfr", 120.0, True), "closed"]


def test_missing_engine_modules_are_usage_errors(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("wfctl.workflow.loader", "wfctl.engine.background", "wfctl.server"):
        monkeypatch.setitem(sys.modules, name, None)
    for args in (["exec", "a.py"], ["worker"], ["serve"]):
        r = runner.invoke(app, args)
        assert r.exit_code == 2, args
        assert "is not installed in this wfctl" in r.stderr
