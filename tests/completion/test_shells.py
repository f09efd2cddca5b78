"""The checked-in scripts in real shells: bash and zsh driven through tmux, fish through
its own `complete -C`. `wfctl` on PATH is this tree's entry point (see conftest.shim_bin)."""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.completion.support import REPO, make_db

COMPLETIONS = REPO / "completions"
IDS_NEWEST_FIRST = ["parent:0001", "order-7", "abc123"]
_sessions = itertools.count()


def need(*programs: str) -> None:
    for program in programs:
        if shutil.which(program) is None:
            pytest.skip(f"{program} is not installed (apt-get install {program})")


def shell_env(tmp_path: Path, shim_bin: Path, **extra: str) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    return {
        "HOME": str(home),
        "PATH": f"{shim_bin}:/usr/local/bin:/usr/bin:/bin",
        "TERM": "xterm",
        "LANG": "C.UTF-8",
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        **extra,
    }


class Tmux:
    """One shell in a private tmux server (its own socket, killed at the end)."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: Path) -> None:
        self.socket = f"wfctl-test-{os.getpid()}-{next(_sessions)}"
        self.base = ["tmux", "-L", self.socket, "-f", "/dev/null"]
        subprocess.run(
            [*self.base, "new-session", "-d", "-s", "t", "-x", "160", "-y", "40", *argv],
            env=env,
            cwd=cwd,
            check=True,
            timeout=10,
        )

    def type(self, text: str) -> None:
        subprocess.run([*self.base, "send-keys", "-t", "t", "-l", text], check=True, timeout=10)

    def keys(self, *keys: str) -> None:
        subprocess.run([*self.base, "send-keys", "-t", "t", *keys], check=True, timeout=10)

    def screen(self) -> str:
        return subprocess.run(
            [*self.base, "capture-pane", "-t", "t", "-p"],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout

    def wait_for(self, *needles: str, line: str | None = None, timeout: float = 8.0) -> str:
        """The screen once it shows every needle (and ``line`` as a whole line)."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.screen()
            lines = [x.rstrip() for x in text.splitlines()]
            if all(n in text for n in needles) and (line is None or line in lines):
                return text
            if time.monotonic() > deadline:
                raise AssertionError(f"{needles} not on the screen:\n{text}")
            time.sleep(0.05)

    def fresh_line(self, marker: str) -> None:
        """Abandon the line, clear the screen and wait for a clean prompt."""
        self.keys("C-c")
        self.type(f"clear; echo {marker}-READY")
        self.keys("Enter")
        self.wait_for(line=f"{marker}-READY")

    def close(self) -> None:
        subprocess.run([*self.base, "kill-server"], capture_output=True, timeout=10)


@pytest.fixture
def bash_shell(tmp_path, shim_bin, db):
    need("tmux", "bash")
    sh = Tmux(
        ["bash", "--norc", "--noprofile"],
        shell_env(tmp_path, shim_bin, WFCTL_EMBEDDED="1", WFCTL_DB=str(db)),
        tmp_path,
    )
    sh.type(f"source {COMPLETIONS / 'wfctl.bash'}; PS1='$ '; bind 'set bell-style none'")
    sh.type("; echo SET-UP")
    sh.keys("Enter")
    sh.wait_for(line="SET-UP")
    yield sh
    sh.close()


@pytest.fixture
def zsh_shell(tmp_path, shim_bin, db):
    need("tmux", "zsh")
    sh = Tmux(["zsh", "-f"], shell_env(tmp_path, shim_bin), tmp_path)
    sh.type(
        f"fpath=({COMPLETIONS} $fpath); autoload -U compinit; compinit -u -D; "
        "zstyle ':completion:*' format '[%d]'; PS1='%% '; echo SET-UP"
    )
    sh.keys("Enter")
    sh.wait_for(line="SET-UP")
    yield sh
    sh.close()


def test_bash(bash_shell, db) -> None:
    sh = bash_shell
    sh.fresh_line("A")
    sh.type("wfctl st")
    sh.keys("Tab")
    sh.wait_for("$ wfctl sta")
    sh.keys("Tab", "Tab")
    screen = sh.wait_for("start", "status")
    assert "stop" not in screen

    sh.fresh_line("B")
    sh.type("wfctl status ")
    sh.keys("Tab", "Tab")
    screen = sh.wait_for(*IDS_NEWEST_FIRST)

    sh.fresh_line("C")
    sh.type("wfctl -o ")
    sh.keys("Tab", "Tab")
    sh.wait_for("table", "json", "yaml")

    # Words bash splits at ':' and '=' still complete whole.
    # The --db on the line is passed along, and a word with ':' completes whole.
    other = make_db(db.parent / "other.db", [("other:42", "wf", "RUNNING", None)], [])
    sh.fresh_line("D")
    sh.type(f"wfctl --db {other} status oth")
    sh.keys("Tab")
    sh.wait_for("status other:42")
    sh.fresh_line("E")
    sh.type("wfctl status X --output=js")
    sh.keys("Tab")
    sh.wait_for("--output=json")
    sh.fresh_line("F")
    sh.type("wfctl raise-event order-7 ")
    sh.keys("Tab")
    sh.wait_for("order-7 approval")
    sh.fresh_line("G")
    sh.type("wfctl wait --timeout 30")
    sh.keys("Tab", "Tab")
    sh.wait_for("30ms", "30s", "30m", "30h")


def test_zsh(zsh_shell, db) -> None:
    sh = zsh_shell
    sh.fresh_line("A")
    sh.type("wfctl st")
    sh.keys("Tab")
    sh.wait_for("% wfctl sta")
    sh.keys("Tab")
    screen = sh.wait_for("start", "status")
    assert "Start a workflow instance" in screen  # zsh shows each command's help line

    sh.fresh_line("B")
    sh.type(f"wfctl --embedded --db {db} status ")
    sh.keys("Tab")
    screen = sh.wait_for(*IDS_NEWEST_FIRST, "OrderProcessingWorkflow  RUNNING")
    positions = [screen.index(i) for i in IDS_NEWEST_FIRST]
    assert positions == sorted(positions), screen  # newest first, not sorted

    sh.fresh_line("C")
    sh.type("wfctl -o ")
    sh.keys("Tab")
    sh.wait_for("table", "json", "yaml")

    sh.fresh_line("D")
    sh.type(f"wfctl --embedded --db={db} raise-event order-7 ")
    sh.keys("Tab")
    sh.wait_for("order-7 approval")


def fish_complete(tmp_path: Path, shim_bin: Path, line: str, **env: str) -> list[str]:
    need("fish")
    script = COMPLETIONS / "wfctl.fish"
    proc = subprocess.run(
        ["fish", "--no-config", "-c", f"source {script}; complete -C {line!r}"],
        env=shell_env(tmp_path, shim_bin, **env),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    return proc.stdout.splitlines()


def test_fish(tmp_path, shim_bin, db) -> None:
    names = [c.split("\t")[0] for c in fish_complete(tmp_path, shim_bin, "wfctl st")]
    assert {"start", "status"} <= set(names) and all(n.startswith("st") for n in names)

    got = fish_complete(tmp_path, shim_bin, "wfctl status ", WFCTL_EMBEDDED="1", WFCTL_DB=str(db))
    assert got[:3] == [
        "parent:0001\thello_world_wf  RUNNING",
        "order-7\tOrderProcessingWorkflow  RUNNING",
        "abc123\thello_world_wf  COMPLETED",
    ]

    formats = [c.split("\t")[0] for c in fish_complete(tmp_path, shim_bin, "wfctl -o ")]
    assert {"table", "json", "yaml"} <= set(formats)

    # Global options before the command, values skipped, the database passed along.
    after = fish_complete(
        tmp_path, shim_bin, f"wfctl -o json --embedded --db {db} raise-event order-7 "
    )
    assert after == ["approval"]
    assert fish_complete(tmp_path, shim_bin, f"wfctl --embedded --db={db} start ") == [
        "OrderProcessingWorkflow",
        "hello_world_wf",
    ]


def bash_tab(tmp_path: Path, line: str) -> tuple[list[str], list[str]]:
    """Run the bash completion function for ``line`` (cursor at the end) with a `wfctl` on
    PATH that only logs how it was called: (candidates, logged wfctl calls)."""
    need("bash")
    fake = tmp_path / "fake"
    fake.mkdir(exist_ok=True)
    log = tmp_path / "calls.log"
    log.write_text("")
    exe = fake / "wfctl"
    exe.write_text(f'#!/bin/sh\necho "$*" >> {log}\necho "ID-1\tname  RUNNING"\n')
    exe.chmod(0o755)
    # COMP_WORDS as bash splits them: at blanks and at '=' and ':' (COMP_WORDBREAKS).
    script = f"""
source {COMPLETIONS / "wfctl.bash"}
COMP_LINE=$1; COMP_POINT=${{#1}}
words=(); w=""
for ((i = 0; i < ${{#1}}; i++)); do
  c=${{1:i:1}}
  case $c in
    " ") [[ -n $w ]] && words+=("$w"); w="" ;;
    "="|":") [[ -n $w ]] && words+=("$w"); words+=("$c"); w="" ;;
    *) w+=$c ;;
  esac
done
words+=("$w")
[[ ${{words[-1]}} == "" && ${{words[-2]}} =~ ^[=:]$ ]] && unset 'words[-1]'
COMP_WORDS=("${{words[@]}}"); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1))
_wfctl
printf '%s\\n' "${{COMPREPLY[@]}}"
"""
    proc = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", script, "bash", line],
        env={"PATH": f"{fake}:/usr/bin:/bin", "HOME": str(tmp_path)},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.stderr == ""
    return [c for c in proc.stdout.splitlines() if c], log.read_text().splitlines()


@pytest.mark.parametrize(
    ("line", "offered"),
    [
        ("wfctl st", ["start", "status"]),
        ("wfctl -o ", ["table", "wide", "json", "yaml", "ids"]),
        ("wfctl --output=y", ["yaml"]),
        ("wfctl status X -o j", ["json"]),
        ("wfctl --api-version ", ["v1.0-beta1", "v1.0"]),
        ("wfctl wait --for ", ["start", "completion"]),
        ("wfctl list --status C", ["COMPLETED", "CONTINUED_AS_NEW", "CANCELED"]),
        ("wfctl start --timeout 30", ["30ms", "30s", "30m", "30h", "30d"]),
        ("wfctl --url http://x:1 sus", ["suspend"]),
        ("wfctl --embedded --db x.db purge --y", ["--yes"]),
        ("wfctl config ", ["init", "set-profile", "show", "use"]),
        ("wfctl completion ", ["bash", "zsh", "fish"]),
    ],
)
def test_bash_static_completion_starts_no_process(tmp_path, line, offered) -> None:
    got, calls = bash_tab(tmp_path, line)
    assert sorted(got) == sorted(offered)
    assert calls == []


@pytest.mark.parametrize(
    ("line", "call"),
    [
        ("wfctl status ", "__complete instances --prefix "),
        (
            "wfctl --embedded --db my.db status a ID-0 ",
            "__complete instances --embedded --db my.db --prefix ",
        ),
        (
            "wfctl status --url=http://h:1 --profile p --config c.yaml I",
            "__complete instances --url http://h:1 --profile p --config c.yaml --prefix I",
        ),
        (
            "wfctl --grpc-endpoint h:1 --api-token-file t --insecure status --ca-cert=ca.pem I",
            "__complete instances --grpc-endpoint h:1 --api-token-file t --insecure"
            " --ca-cert ca.pem --prefix I",
        ),
        ("wfctl -o json start ", "__complete workflows --prefix "),
        ("wfctl raise-event parent:0001 ", "__complete events --prefix  -- parent:0001"),
        ("wfctl list --name ", "__complete workflows --prefix "),
    ],
)
def test_bash_dynamic_completion_passes_the_line_along(tmp_path, line, call) -> None:
    got, calls = bash_tab(tmp_path, line)
    assert calls == [call]
    assert got == ["ID-1"]
