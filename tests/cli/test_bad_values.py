"""Values no command can use are usage errors (exit 2, one line) before any request: numbers
and durations past any sensible bound, malformed URLs, an in-memory database."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.http.fakedaprd import FakeDaprd
from wfctl.cli.app import app


@pytest.mark.parametrize(
    "args",
    [
        ["list", "--limit", "1e20"],
        ["list", "--limit", "100000000000000000000"],
        ["list", "--limit", "9" * 5000],
        ["list", "--max-age", "99999999w"],
        ["start", "wf", "--in", "99999999d"],
        ["start", "wf", "--in", "9" * 400 + "s"],
        ["start", "wf", "--at", "9999-12-31T23:59:59-01:00"],
        ["start", "wf", "--at", "2026-13-45T00:00:00Z"],
        ["start", "wf", "--wait", "--timeout", "1e300"],
        ["status", "a", "--watch", "--interval", "1e300"],
        ["wait", "a", "--interval", "1e300"],
        # Every polling --interval has the same floor (one parse_interval), not only status/wait:
        ["status", "a", "--watch", "--interval", "0"],
        ["list", "--watch", "--interval", "0"],
        ["history", "a", "--follow", "--interval", "0"],
        ["rerun", "a", "--from-event", "1", "--wait", "--interval", "0"],
        ["wait", "a", "--timeout", "inf"],
        ["purge", "--older-than", "1e300", "--yes"],
        ["--request-timeout", "1e400", "status", "a"],
        ["--drive", "3651d", "status", "a"],
        ["worker", "--concurrency", "99999999999"],
    ],
)
def test_numbers_past_any_bound_are_usage_errors(
    runner: CliRunner, daprd: FakeDaprd, args: list[str]
) -> None:
    r = runner.invoke(app, ["--url", daprd.url, *args])
    assert r.exit_code == 2, r.output
    assert r.stderr.startswith("Error: ") and r.stderr.count("\n") == 1
    assert daprd.requests == []


def test_the_duration_bound_is_ten_years() -> None:
    from wfctl.durations import MAX_SECONDS, parse_duration

    assert parse_duration("3650d") == MAX_SECONDS
    with pytest.raises(Exception, match="too long"):
        parse_duration("3650d1s")


def test_a_config_duration_past_the_bound_is_a_usage_error(
    runner: CliRunner, tmp_path: Path
) -> None:
    cfg = tmp_path / "config.yaml"
    for value in ("1e300", "10000000000000000000000000000000", "-1", ".nan"):
        cfg.write_text(f"profiles:\n  p:\n    request-timeout: {value}\n")
        r = runner.invoke(app, ["--config", str(cfg), "--profile", "p", "config", "show"])
        assert r.exit_code == 2, (value, r.output)
        assert "profile p" in r.stderr


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://127.0.0.1 :80", "has a space at position 17"),
        ("http://127.0.0.1:80 ", None),  # surrounding spaces are only trimmed
        ("http:// 127.0.0.1:80", "has a space"),
        ("http://127.0.0.1\t:80", "U+0009"),
        ("http://exa mple.com", "has a space"),
        ("http://host:abc", "not valid"),
        ("http://host:99999", "not valid"),
        ("http://host:0", "port 0"),
        ("http://ho%73t:80", "invalid host"),
        ("http://a..b:80", "invalid host"),
        ("http://host:80?x=1", "query or fragment"),
        ("http://[::1:80", "not valid"),
        ("http://:80", "no host"),
        ("ftp://host", "must start with http"),
    ],
)
def test_a_malformed_url_is_a_usage_error(runner: CliRunner, url: str, problem: str | None) -> None:
    r = runner.invoke(app, ["--url", url, "status", "a"])
    if problem is None:
        assert r.exit_code == 5, r.output  # a fine URL, where nothing listens
        return
    assert r.exit_code == 2, r.output
    assert problem in r.stderr and "unknown host" not in r.stderr


def test_a_malformed_url_from_the_environment_is_a_usage_error(runner: CliRunner) -> None:
    r = runner.invoke(app, ["status", "a"], env={"DAPR_HTTP_PORT": "35 00"})
    assert r.exit_code == 2 and "env DAPR_HTTP_PORT" in r.stderr, r.output
    r = runner.invoke(app, ["status", "a"], env={"DAPR_RUNTIME_HOST": "bad host"})
    assert r.exit_code == 2 and "env DAPR_RUNTIME_HOST" in r.stderr, r.output


@pytest.mark.parametrize(
    "args",
    [
        ["status", "a"],
        ["list"],
        ["start", "hello_world_wf", "--wait"],
        ["history", "a"],
        ["purge", "--older-than", "1d", "--yes"],
        ["worker"],
        ["serve", "--port", "0"],
        ["exec", "app.py"],
        ["config", "show"],
    ],
)
@pytest.mark.parametrize("via", ["flag", "env"])
def test_an_in_memory_database_is_a_usage_error(
    runner: CliRunner, args: list[str], via: str
) -> None:
    if via == "flag":
        r = runner.invoke(app, ["--embedded", "--db", ":memory:", *args])
    else:
        r = runner.invoke(app, ["--embedded", *args], env={"WFCTL_DB": ":memory:"})
    assert r.exit_code == 2, r.output
    assert "':memory:' is not a file" in r.stderr
