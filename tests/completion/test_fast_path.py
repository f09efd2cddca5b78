"""The `wfctl __complete` fast path against real SQLite files and real subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.completion.support import REPO, make_db
from wfctl import _complete, recent


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> list[str]:
    assert _complete.main(argv) == 0
    out, err = capsys.readouterr()
    assert err == ""
    return out.splitlines()


def test_instances_newest_first_with_name_and_status(db, clean_env, capsys) -> None:
    lines = run(["instances", "--embedded", "--db", str(db)], capsys)
    assert lines == [
        "parent:0001\thello_world_wf  RUNNING",
        "order-7\tOrderProcessingWorkflow  RUNNING",
        "abc123\thello_world_wf  COMPLETED",
    ]


def test_prefix_keeps_matching_values(db, clean_env, capsys) -> None:
    assert run(["instances", "--embedded", f"--db={db}", "--prefix", "ord"], capsys) == [
        "order-7\tOrderProcessingWorkflow  RUNNING"
    ]


def test_workflow_names_come_from_the_database(db, clean_env, capsys) -> None:
    assert run(["workflows", "--embedded", "--db", str(db)], capsys) == WORKFLOWS_SORTED


WORKFLOWS_SORTED = ["OrderProcessingWorkflow", "hello_world_wf"]


def test_events_the_instance_waits_for(db, clean_env, capsys) -> None:
    assert run(["events", "--embedded", "--db", str(db), "--", "order-7"], capsys) == ["approval"]
    assert run(["events", "--embedded", "--db", str(db), "--", "abc123"], capsys) == []
    assert run(["events", "--embedded", "--db", str(db), "--", "nope"], capsys) == []


@pytest.mark.parametrize(
    ("stored", "names"),
    [
        ('["a", "b", "a"]', ["a", "b"]),
        ('{"x": 1}', ["x"]),
        ("approval", ["approval"]),
        ("[not json", []),
        ("", []),
    ],
)
def test_waiting_for_shapes(stored: str, names: list[str]) -> None:
    from wfctl.engine.catalog import event_names

    assert event_names(stored) == names


def test_embedded_from_environment(db, clean_env, monkeypatch, capsys) -> None:
    monkeypatch.setenv("WFCTL_EMBEDDED", "1")
    monkeypatch.setenv("WFCTL_DB", str(db))
    assert len(run(["instances"], capsys)) == 3
    monkeypatch.setenv("WFCTL_EMBEDDED", "0")
    assert run(["instances"], capsys) == []  # HTTP, and nothing recorded for the URL


def test_embedded_default_database_location(tmp_path, clean_env, monkeypatch, capsys) -> None:
    from wfctl.paths import default_db_path

    path = default_db_path()
    path.parent.mkdir(parents=True)
    make_db(path)
    assert len(run(["instances", "--embedded"], capsys)) == 3


def test_profile_chooses_the_database(tmp_path, db, clean_env, monkeypatch, capsys) -> None:
    cfg = tmp_path / "config.yaml"
    cfg.write_text(f"profiles:\n  local:\n    embedded: true\n    db: {db}\n")
    assert len(run(["instances", "--config", str(cfg), "--profile", "local"], capsys)) == 3
    cfg.write_text(
        f"default-profile: local\nprofiles:\n  local:\n    embedded: yes\n    db: {db}\n"
    )
    monkeypatch.setenv("WFCTL_CONFIG", str(cfg))
    assert len(run(["workflows"], capsys)) == 2


def test_missing_database_prints_nothing_and_is_not_created(tmp_path, clean_env, capsys) -> None:
    path = tmp_path / "nope" / "wf.db"
    assert run(["instances", "--embedded", "--db", str(path)], capsys) == []
    assert not path.exists() and not path.parent.exists()


@pytest.mark.parametrize("content", [b"this is not sqlite" * 100, b""])
def test_broken_database_prints_nothing(tmp_path, clean_env, capsys, content: bytes) -> None:
    path = tmp_path / "broken.db"
    path.write_bytes(content)
    assert run(["instances", "--embedded", "--db", str(path)], capsys) == []
    assert path.read_bytes() == content


def test_database_is_opened_read_only(db, clean_env, monkeypatch, capsys) -> None:
    before = db.read_bytes()
    seen = []
    real_connect = _complete.sqlite3.connect

    def spy(target, *args, **kwargs):
        seen.append(target)
        return real_connect(target, *args, **kwargs)

    monkeypatch.setattr(_complete.sqlite3, "connect", spy)
    run(["instances", "--embedded", "--db", str(db)], capsys)
    assert len(seen) == 1 and seen[0].startswith("file:") and seen[0].endswith("?mode=ro")
    assert db.read_bytes() == before


def test_odd_paths_are_encoded_in_the_uri(tmp_path, clean_env, capsys) -> None:
    weird = tmp_path / "a dir?#%"
    weird.mkdir()
    path = make_db(weird / "w f.db")
    assert len(run(["instances", "--embedded", "--db", str(path)], capsys)) == 3


@pytest.mark.parametrize(
    "argv", [[], ["bogus"], ["instances", "--db"], ["events", "--db", "x"], ["--weird", "x"]]
)
def test_bad_requests_print_nothing(argv, clean_env, capsys) -> None:
    assert run(argv, capsys) == []


def test_http_mode_reads_the_recent_record(clean_env, monkeypatch, capsys) -> None:
    url = "http://127.0.0.1:3999"
    recent.record_instance(url, "first", "hello_world_wf")
    recent.record_instance(url, "second")
    recent.record_instance("http://127.0.0.1:4000", "elsewhere", "other")
    assert run(["instances", "--url", url], capsys) == ["second", "first\thello_world_wf"]
    assert run(["workflows", "--url", url + "/"], capsys) == ["hello_world_wf"]
    monkeypatch.setenv("DAPR_HTTP_PORT", "4000")
    assert run(["instances"], capsys) == ["elsewhere\tother"]


def test_fast_path_imports_no_heavy_module(db, tmp_path, clean_env) -> None:
    """In a fresh interpreter, answering a TAB imports neither typer, rich, httpx nor yaml."""
    code = (
        "import sys\n"
        "from wfctl._complete import main\n"
        f"main(['instances', '--embedded', '--db', {str(db)!r}])\n"
        f"main(['events', '--embedded', '--db', {str(db)!r}, '--', 'order-7'])\n"
        "main(['instances', '--url', 'http://127.0.0.1:1'])\n"
        "heavy = {'typer', 'rich', 'httpx', 'yaml', 'click', 'pydantic', 'asyncio', 'uvicorn',\n"
        "         'grpc', 'google',  # the gRPC client: only when gRPC is chosen\n"
        "         'pathlib'}  # pathlib: a few ms that a TAB need not pay\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in heavy)\n"
        "print('LOADED', loaded, file=sys.stderr)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    assert proc.stdout.splitlines()[:1] == ["parent:0001\thello_world_wf  RUNNING"]
    assert "approval" in proc.stdout.splitlines()
    assert "LOADED []" in proc.stderr


def test_python_m_entry_point(db, clean_env) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "wfctl._complete", "workflows", "--embedded", "--db", str(db)],
        cwd=REPO,
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert (proc.returncode, proc.stdout.split(), proc.stderr) == (0, WORKFLOWS_SORTED, "")


def test_recent_record_file_is_json(clean_env) -> None:
    recent.record_instance("http://h:1", "x", "wf")
    data = json.loads(Path(recent.record_path("http://h:1")).read_text())
    assert data["url"] == "http://h:1" and data["instances"][0][:2] == ["x", "wf"]
    assert os.stat(recent.record_path("http://h:1")).st_mode & 0o777 == 0o600
    assert not [p for p in Path(recent.record_dir()).iterdir() if p.name.endswith(".tmp")]


def test_prefix_range_matches_a_plain_filter(tmp_path, clean_env, capsys) -> None:
    ids = ["a", "ab", "abc", "abd", "b", "a-1", "a_2", "ä", "äx", "z\U0010ffff", "A"]
    path = make_db(tmp_path / "p.db", [(i, "wf", "RUNNING", None) for i in ids], [])
    for prefix in ["a", "ab", "ä", "z\U0010ffff", "A", "q", "a-"]:
        got = [
            line.split("\t")[0]
            for line in run(
                ["instances", "--embedded", "--db", str(path), "--prefix", prefix], capsys
            )
        ]
        assert got == [i for i in reversed(ids) if i.startswith(prefix)], prefix


def test_db_alone_does_not_switch_to_embedded(db, clean_env, capsys) -> None:
    # As wfctl itself decides: --db names the file, --embedded (or env/profile) chooses it.
    assert run(["instances", "--db", str(db)], capsys) == []


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"WFCTL_EMBEDDED": "1"},
        {"WFCTL_EMBEDDED": "0", "WFCTL_DB": "/tmp/x.db"},
        {"WFCTL_EMBEDDED": "yes", "WFCTL_DB": "~/env.db"},
        {"DAPR_HTTP_PORT": "3601"},
        {"DAPR_RUNTIME_HOST": "10.0.0.2"},
        {"DAPR_HTTP_ENDPOINT": "http://side:9/", "DAPR_HTTP_PORT": "1"},
        {"WFCTL_PROFILE": "remote"},
        {"WFCTL_PROFILE": "local", "WFCTL_EMBEDDED": "0"},
    ],
)
@pytest.mark.parametrize(
    "flags",
    [
        {},
        {"embedded": True},
        {"url": "http://flag:1"},
        {"db": "~/flag.db"},
        {"profile": "local"},
        {"profile": "remote", "embedded": True},
    ],
)
@pytest.mark.parametrize("config", ["none", "default-local", "no-default"])
def test_resolve_agrees_with_wfctl_settings(
    tmp_path, clean_env, monkeypatch, env, flags, config
) -> None:
    from wfctl.model import UsageError
    from wfctl.settings import resolve as settings_resolve

    cfg = tmp_path / "config.yaml"
    body = (
        "profiles:\n  local:\n    embedded: true\n    db: ~/profile.db\n"
        "  remote:\n    url: http://remote:3500/\n"
    )
    if config == "default-local":
        cfg.write_text("default-profile: local\n" + body)
    elif config == "no-default":
        cfg.write_text(body)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    argv = ["instances"] + (["--config", str(cfg)] if cfg.exists() else [])
    for k, v in flags.items():
        argv += [f"--{k}"] if v is True else [f"--{k}", v]
    settings_flags = {**flags, **({"config": str(cfg)} if cfg.exists() else {})}
    try:
        s = settings_resolve(settings_flags)
    except UsageError:  # wfctl refuses it (a profile but no config file): a TAB stays quiet
        assert _complete.main(argv) == 0
        return
    expected = ("embedded", str(s.db_path)) if s.embedded else ("http", s.url)
    assert _complete.resolve(_complete.parse_args(argv)) == expected
