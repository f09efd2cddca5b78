"""Secrets never leak: a token an HTTP header cannot carry is refused before any request
(exit 2, the problem named, never the token), and a password in the URL is hidden in every
message, log line and record."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.http.fakedaprd import FakeDaprd
from tests.http.fixtures import run_wfctl
from wfctl.cli.app import app

TOKEN = "s3cret-Token-value"


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


BAD_TOKENS = [
    (TOKEN + "\r", "carriage return (CR)"),
    (TOKEN + "\nother", "line feed (LF)"),
    (TOKEN[:4] + "\0" + TOKEN[4:], "NUL byte"),
    (TOKEN + "\x1b[2J", "control character (U+001B)"),
    ("t\u00f6ken-" + TOKEN, "non-ASCII"),
    (" " + TOKEN, "space at one end"),
]


@pytest.mark.parametrize(
    ("token", "problem", "via"),
    [
        (token, problem, via)
        for token, problem in BAD_TOKENS
        for via in ("env", "flag", "profile")
        # No environment variable can hold a NUL (the OS ends the value there; os.environ
        # refuses it). An OS argv cannot either, but the in-process runner hands the flag's
        # Python string to the parser as it is: the flag case checks the same rule.
        if not ("\0" in token and via == "env")
    ],
)
def test_a_token_a_header_cannot_carry_is_refused_before_any_request(
    runner: CliRunner, daprd: FakeDaprd, tmp_path: Path, token: str, problem: str, via: str
) -> None:
    daprd.add("a")
    args = ["--url", daprd.url]
    env = {}
    if via == "env":
        env["DAPR_API_TOKEN"] = token
    elif via == "flag":
        args += ["--api-token", token]
    else:
        import yaml

        cfg = tmp_path / "config.yaml"
        cfg.write_text(yaml.safe_dump({"profiles": {"p": {"api-token": token}}}))
        args += ["--config", str(cfg), "--profile", "p"]
    r = runner.invoke(app, [*args, "status", "a"], env=env)
    assert r.exit_code == 2, r.output
    assert problem in r.stderr
    assert {"env": "env DAPR_API_TOKEN", "flag": "flag --api-token", "profile": "profile p"}[
        via
    ] in r.stderr
    assert TOKEN not in r.output and TOKEN[:4] not in r.output
    assert daprd.requests == []  # refused before any I/O


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (TOKEN.encode() + b"\r\nsecond\r\n", "carriage return (CR)"),
        (b"\xef\xbb\xbf" + TOKEN.encode() + b"\n", "byte-order mark"),
        (TOKEN.encode() + b"\0\n", "NUL byte"),
        (b"\xff\xfe" + TOKEN.encode("utf-16-le"), "is not UTF-8 text"),
        (b"\n\n  \n", "is empty"),
        (b"x" * 70000, "not a token file"),
    ],
)
def test_a_token_file_that_cannot_be_used_is_a_usage_error(
    runner: CliRunner, daprd: FakeDaprd, tmp_path: Path, content: bytes, problem: str
) -> None:
    path = tmp_path / "token"
    path.write_bytes(content)
    r = runner.invoke(app, ["--url", daprd.url, "--api-token-file", str(path), "status", "a"])
    assert r.exit_code == 2, r.output
    assert problem in r.stderr and r.stderr.count("\n") == 1
    assert TOKEN not in r.output and "internal error" not in r.output
    assert daprd.requests == []


def test_a_token_file_with_one_trailing_newline_works(
    runner: CliRunner, daprd: FakeDaprd, tmp_path: Path
) -> None:
    daprd.add("a")
    daprd.token = TOKEN
    path = tmp_path / "token"
    path.write_bytes(TOKEN.encode() + b"\r\n")  # Windows line ending at the end only: stripped
    r = runner.invoke(app, ["--url", daprd.url, "--api-token-file", str(path), "status", "a"])
    assert r.exit_code == 0, r.output
    assert daprd.requests[0].token == TOKEN


def test_serve_refuses_a_bad_token_file_with_the_same_rule(tmp_path: Path) -> None:
    path = tmp_path / "token"
    path.write_bytes(b"\xef\xbb\xbf" + TOKEN.encode())
    db = str(tmp_path / "wf.db")
    p = run_wfctl("--db", db, "--api-token-file", str(path), "serve", "--port", "0", timeout=60)
    assert p.returncode == 2, p.stderr
    assert b"byte-order mark" in p.stderr and TOKEN.encode() not in p.stderr
    import subprocess
    import sys

    q = subprocess.run(
        [sys.executable, "-m", "wfctl.server", "--db", db, "--port", "0"],
        env={**os.environ, "DAPR_API_TOKEN": TOKEN + "\r"},
        capture_output=True,
        timeout=60,
    )
    assert q.returncode == 2, q.stderr
    assert b"carriage return" in q.stderr and TOKEN.encode() not in q.stderr


# -- a password in the URL ------------------------------------------------------------------


def test_password_in_url_is_hidden_when_unreachable(runner: CliRunner) -> None:
    url = f"http://alice:pw@127.0.0.1:{closed_port()}"
    r = runner.invoke(app, ["--url", url, "status", "a"])
    assert r.exit_code == 5
    assert "cannot reach http://****@127.0.0.1:" in r.stderr
    assert "alice" not in r.output and ":pw@" not in r.output


def test_password_in_url_is_hidden_in_config_show_logs_errors_and_records(
    runner: CliRunner, daprd: FakeDaprd, clean_env: Path
) -> None:
    daprd.add("a")
    daprd.faults.append((500, b'{"errorCode":"ERR_X","message":"boom"}'))
    url = daprd.url.replace("http://", "http://alice:hunter2pw@")
    for args in (
        ["config", "show"],
        ["config", "show", "-o", "json"],
        ["--verbose", "status", "a"],  # the 500: an error message with the location
        ["--verbose", "status", "a"],  # a log line per request
        ["--verbose", "start", "wf", "--id", "b"],  # records the instance for completion
    ):
        r = runner.invoke(app, ["--url", url, *args])
        assert "hunter2pw" not in r.output, (args, r.output)
        assert "alice" not in r.output, (args, r.output)
    assert "****@127.0.0.1" in r.stderr  # the log line names the server, hidden password
    records = list(clean_env.rglob("*"))
    assert records  # something was recorded, and nowhere the password
    for f in records:
        assert "hunter2pw" not in str(f)
        if f.is_file():
            assert b"hunter2pw" not in f.read_bytes()
    # The request itself still carries the credentials, as basic auth.
    assert all("authorization" in {k.lower() for k in q.headers} for q in daprd.requests)


def test_password_in_a_bad_url_is_hidden_in_the_usage_error(runner: CliRunner) -> None:
    r = runner.invoke(app, ["--url", "http://alice:hunter2pw@127.0.0.1 :80", "status", "a"])
    assert r.exit_code == 2
    assert "hunter2pw" not in r.output and "****@" in r.stderr


# -- a token in a URL's query, a password in a gRPC endpoint ----------------------------------


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (["--url", "http://127.0.0.1:3500/?token=abc-s3cret"], {}),
        ([], {"DAPR_HTTP_ENDPOINT": "http://127.0.0.1:3500/?api_key=abc-s3cret&x=1"}),
        (["--url", "http://127.0.0.1:3500/#abc-s3cret"], {}),
        (["--grpc-endpoint", "admin:abc-s3cret@127.0.0.1:50001"], {}),
        (["--transport", "grpc"], {"DAPR_GRPC_ENDPOINT": "grpcs://admin:abc-s3cret@h:443"}),
        (["--grpc-endpoint", "127.0.0.1:50001?token=abc-s3cret"], {}),
    ],
)
@pytest.mark.parametrize("command", [["status", "a"], ["config", "show"]])
def test_a_secret_in_an_address_is_never_printed(
    clean_env: Path, args: list[str], env: dict[str, str], command: list[str]
) -> None:
    # Refused (a query, a fragment, userinfo gRPC cannot send): the one line names the
    # problem and shows the address with the secret hidden. Before, it echoed it whole.
    p = run_wfctl(*args, *command, env=env)
    err = p.stderr.decode()
    assert p.returncode == 2, err
    assert "abc-s3cret" not in err + p.stdout.decode()
    assert "****" in err and err.count("\n") == 1 and "Traceback" not in err


def test_an_endpoint_shown_by_config_show_and_verbose_keeps_only_tls(clean_env: Path) -> None:
    endpoint = f"127.0.0.1:{closed_port()}?tls=false"
    p = run_wfctl("--grpc-endpoint", endpoint, "config", "show")
    assert p.returncode == 0, p.stderr
    assert endpoint in p.stdout.decode()  # nothing secret to hide: tls= is shown as it is
    p = run_wfctl("--grpc-endpoint", endpoint, "--verbose", "status", "a")
    assert p.returncode == 5 and b"cannot reach 127.0.0.1:" in p.stderr, p.stderr
