"""Settings precedence, config file rules, global options in both positions, tokens."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.http.fakedaprd import FakeDaprd
from wfctl.cli.app import app
from wfctl.model import UsageError
from wfctl.settings import resolve

CONFIG = """\
default-profile: local
profiles:
  local:
    url: http://127.0.0.1:4000
    request-timeout: 5s
  prod:
    url: https://prod.example:3500
    api-token-file: {token_file}
    api-version: v1.0
"""


@pytest.fixture
def config(clean_env: Path, tmp_path: Path) -> Path:
    token_file = tmp_path / "prod-token"
    token_file.write_text("prod-secret\n")
    path = clean_env / ".config" / "wfctl" / "config.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(CONFIG.format(token_file=token_file))
    return path


def test_defaults_without_anything() -> None:
    s = resolve({}, {})
    assert (s.url, s.api_version, s.component, s.output) == (
        "http://127.0.0.1:3500",
        "v1.0-beta1",
        "dapr",
        "table",
    )
    assert s.sources["url"] == "default" and s.token() is None


def test_env_dapr_variables() -> None:
    assert resolve({}, {"DAPR_HTTP_PORT": "3601"}).url == "http://127.0.0.1:3601"
    s = resolve({}, {"DAPR_RUNTIME_HOST": "10.0.0.2", "DAPR_HTTP_PORT": "1"})
    assert s.url == "http://10.0.0.2:1"
    s = resolve({}, {"DAPR_HTTP_ENDPOINT": "https://x:1/", "DAPR_HTTP_PORT": "2"})
    assert (s.url, s.sources["url"]) == ("https://x:1", "env DAPR_HTTP_ENDPOINT")


def test_precedence_flag_profile_env_default_profile(config: Path) -> None:
    env = {"DAPR_HTTP_PORT": "3601"}
    # config default profile < env
    s = resolve({}, env)
    assert (s.url, s.sources["url"]) == ("http://127.0.0.1:3601", "env DAPR_HTTP_PORT")
    assert s.request_timeout == 5.0 and s.sources["request_timeout"] == "default profile local"
    # explicit profile > env (dapr run's DAPR_HTTP_PORT must not win over --profile)
    s = resolve({"profile": "prod"}, env)
    assert (s.url, s.sources["url"]) == ("https://prod.example:3500", "profile prod")
    assert s.token() == "prod-secret" and s.api_version == "v1.0"
    s = resolve({}, {**env, "WFCTL_PROFILE": "prod"})
    assert s.url == "https://prod.example:3500" and s.sources["profile"] == "env WFCTL_PROFILE"
    # flag > everything
    s = resolve({"profile": "prod", "url": "http://flag:1"}, env)
    assert (s.url, s.sources["url"]) == ("http://flag:1", "flag --url")


def test_token_from_higher_layer_beats_token_file_of_lower(config: Path) -> None:
    s = resolve({"profile": "prod", "api_token": "flagtok"}, {})
    assert s.token() == "flagtok"
    s = resolve({"profile": "prod"}, {"DAPR_API_TOKEN": "envtok"})
    assert s.token() == "prod-secret"  # the chosen profile beats the environment


def test_config_never_read_from_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "repo"
    work.mkdir()
    (work / "config.yaml").write_text("profiles: {evil: {url: 'http://evil:1'}}\n")
    (work / ".wfctl.yaml").write_text("default-profile: evil\n")
    monkeypatch.chdir(work)
    s = resolve({}, {})
    assert s.url == "http://127.0.0.1:3500" and s.config_path is None


def test_config_flag_and_env(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("profiles:\n  default:\n    component: other\n")
    assert resolve({"config": str(path)}, {}).component == "other"
    assert resolve({}, {"WFCTL_CONFIG": str(path)}).component == "other"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("profiles: [1, 2]", "must map names"),
        ("a: [unclosed", "not valid YAML"),
        ("profiles:\n  p:\n    colour: red\n", "unknown key 'colour'"),
        ("profiles:\n  p:\n    api-version: v2\n", "api-version 'v2'"),
        ("profiles:\n  p:\n    insecure: maybe\n", "true or false"),
    ],
)
def test_bad_config_files_are_usage_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(text)
    with pytest.raises(UsageError, match=message):
        resolve({"config": str(path), "profile": "p"}, {})


def test_missing_profile_and_missing_config() -> None:
    with pytest.raises(UsageError, match="no config file"):
        resolve({"profile": "nope"}, {})
    with pytest.raises(UsageError, match="cannot read config file"):
        resolve({"config": "/nonexistent/c.yaml"}, {})


def test_bad_flag_values() -> None:
    for flags, message in (
        ({"url": "127.0.0.1:3500"}, "must start with http"),
        ({"request_timeout": "forever"}, "invalid duration"),
        ({"output": "xml"}, "output 'xml'"),
        ({"url": "http://[::1"}, "is not valid"),
        ({"url": "http://127.0.0.1:99999"}, "Port out of range"),
        ({"url": "http://:3500"}, "has no host"),
        ({"request_timeout": "0s"}, "more than 0"),
    ):
        with pytest.raises(UsageError, match=message):
            resolve(flags, {})
    with pytest.raises(UsageError, match="env DAPR_HTTP_PORT: URL .* is not valid"):
        resolve({}, {"DAPR_HTTP_PORT": "abc"})
    assert resolve({"url": "http://[::1]:3500/"}, {}).url == "http://[::1]:3500"


def test_token_file_problems(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot read the API token file"):
        resolve({"api_token_file": str(tmp_path / "none")}, {}).token()
    empty = tmp_path / "empty"
    empty.write_text("\n")
    with pytest.raises(UsageError, match="is empty"):
        resolve({"api_token_file": str(empty)}, {}).token()


# -- through the CLI -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["-o", "json", "--url", "URL", "status", "a"],
        ["status", "a", "-o", "json", "--url", "URL"],
        ["--url=URL", "status", "-ojson", "a"],
        ["status", "--output=json", "a", "--url", "URL"],
    ],
)
def test_global_options_before_and_after(
    runner: CliRunner, daprd: FakeDaprd, args: list[str]
) -> None:
    daprd.add("a")
    args = [x.replace("URL", daprd.url) for x in args]
    r = runner.invoke(app, args, catch_exceptions=False)
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["instanceID"] == "a"


def test_option_values_of_the_subcommand_are_not_mistaken(
    runner: CliRunner, daprd: FakeDaprd
) -> None:
    # "-q" here is the value of --input (raw), not the global --quiet.
    r = runner.invoke(
        app, ["start", "wf", "--input", "-q", "--raw", "--id", "x", "--url", daprd.url]
    )
    assert r.exit_code == 0 and r.stdout == "Started wf as x\n"
    assert daprd.requests[0].body == b"-q"


@pytest.mark.parametrize("how", ["flag", "file", "env", "profile"])
def test_token_sources_send_header(
    runner: CliRunner, daprd: FakeDaprd, tmp_path: Path, how: str
) -> None:
    daprd.token = "tok-123"
    daprd.add("a")
    tf = tmp_path / "tok"
    tf.write_text("tok-123\n")
    env = {}
    args = ["--url", daprd.url]
    if how == "flag":
        args += ["--api-token", "tok-123"]
    elif how == "file":
        args += ["--api-token-file", str(tf)]
    elif how == "env":
        env["DAPR_API_TOKEN"] = "tok-123"
    else:
        cfg = tmp_path / "c.yaml"
        cfg.write_text(f"profiles:\n  p:\n    api-token-file: {tf}\n")
        args += ["--config", str(cfg), "--profile", "p"]
    r = runner.invoke(app, [*args, "status", "a", "-q"], env=env)
    assert r.exit_code == 0, r.stderr
    assert [q.token for q in daprd.requests] == ["tok-123"]


def test_wrong_token_exit_6_never_printed(runner: CliRunner, daprd: FakeDaprd) -> None:
    daprd.token = "right"
    r = runner.invoke(
        app, ["--url", daprd.url, "--api-token", "wrong-tok", "--verbose", "status", "a"]
    )
    assert r.exit_code == 6
    assert "wrong-tok" not in r.output and "401" in r.stderr


def test_config_show_masks_token_and_names_sources(
    runner: CliRunner, config: Path, tmp_path: Path
) -> None:
    r = runner.invoke(
        app,
        ["--profile", "prod", "config", "show", "-o", "json", "--api-token", "flag-secret"],
        env={"DAPR_HTTP_PORT": "3601"},
    )
    assert r.exit_code == 0, r.stderr
    shown = json.loads(r.stdout)
    assert "flag-secret" not in r.output and "prod-secret" not in r.output
    assert shown["api-token"] == {"value": "****", "source": "flag --api-token"}
    assert shown["url"] == {"value": "https://prod.example:3500", "source": "profile prod"}
    assert shown["profile"] == {"value": "prod", "source": "flag --profile"}
    assert shown["config"]["value"] == str(config)
    table = runner.invoke(app, ["config", "show"]).stdout
    assert "default profile local" in table and "SOURCE" in table.splitlines()[0]


def test_api_version_flag_changes_prefix(runner: CliRunner, daprd: FakeDaprd) -> None:
    daprd.add("a")
    runner.invoke(app, ["--url", daprd.url, "--api-version", "v1.0", "status", "a"])
    assert daprd.requests[0].path == "/v1.0/workflows/dapr/a"
    r = runner.invoke(app, ["--url", daprd.url, "--api-version", "v2", "status", "a"])
    assert r.exit_code == 2 and "api-version" in r.stderr


def test_embedded_without_engine_is_a_usage_error(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "wfctl.backend.embedded", None)  # as if not installed
    r = runner.invoke(app, ["--embedded", "status", "a"])
    assert r.exit_code == 2
    assert r.stderr == (
        "Error: the embedded engine is not installed in this wfctl: "
        "drop --embedded/WFCTL_EMBEDDED and use a Dapr sidecar\n"
    )
    r = runner.invoke(app, ["status", "a"], env={"WFCTL_EMBEDDED": "1"})
    assert r.exit_code == 2 and "embedded engine is not installed" in r.stderr


def test_tls_flags(runner: CliRunner, daprd: FakeDaprd, tmp_path: Path) -> None:
    https = daprd.url.replace("http://", "https://")
    r = runner.invoke(app, ["--url", https, "--insecure", "status", "a"])
    assert r.exit_code == 5 and "TLS handshake" in r.stderr
    r = runner.invoke(app, ["--url", https, "--ca-cert", str(tmp_path / "nope.pem"), "status", "a"])
    assert r.exit_code == 2 and "cannot load CA certificate" in r.stderr
