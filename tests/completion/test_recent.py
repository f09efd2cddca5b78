"""wfctl.recent: the private, bounded record of instances used over HTTP."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

from wfctl import paths, recent

URL = "http://127.0.0.1:3500"


def test_newest_first_and_recording_again_moves_to_front(clean_env) -> None:
    for i in range(3):
        recent.record_instance(URL, f"id{i}", "wf")
    recent.record_instance(URL, "id0")
    assert [i for i, _ in recent.recent_instances(URL)] == ["id0", "id2", "id1"]
    # A look-up without a name keeps the name recorded with the ID before.
    assert recent.recent_instances(URL)[0] == ("id0", "wf")


def test_bounded(clean_env) -> None:
    for i in range(recent.MAX_INSTANCES + 40):
        recent.record_instance(URL, f"i{i}", f"wf{i % (recent.MAX_WORKFLOWS + 7)}")
    ids = [i for i, _ in recent.recent_instances(URL)]
    assert len(ids) == recent.MAX_INSTANCES
    assert ids[0] == f"i{recent.MAX_INSTANCES + 39}" and "i0" not in ids
    names = recent.recent_workflow_names(URL)
    assert len(names) == recent.MAX_WORKFLOWS == len(set(names))


def test_private_modes(clean_env) -> None:
    old = os.umask(0o022)
    try:
        recent.record_instance(URL, "x", "wf")
    finally:
        os.umask(old)
    path = Path(recent.record_path(URL))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert path.parent == paths.data_dir() / "recent"


def test_data_dir_agrees_with_wfctl_paths(clean_env, monkeypatch) -> None:
    assert recent.data_dir_path() == str(paths.data_dir())
    monkeypatch.delenv("XDG_DATA_HOME")
    assert recent.data_dir_path() == str(paths.data_dir())
    monkeypatch.setenv("XDG_DATA_HOME", "")
    assert recent.data_dir_path() == str(paths.data_dir())


def test_one_record_per_url_and_normalised(clean_env) -> None:
    recent.record_instance("HTTP://LocalHost:3500/", "a")
    recent.record_instance("http://localhost:3500", "b")
    recent.record_instance("http://localhost:3501", "c")
    assert [i for i, _ in recent.recent_instances("http://localhost:3500")] == ["b", "a"]
    assert recent.record_path("http://localhost:3500") != recent.record_path(
        "http://localhost:3501"
    )


def test_unusable_values_are_not_recorded(clean_env) -> None:
    recent.record_instance(URL, "")
    recent.record_instance(URL, "bad\nid")
    recent.record_instance(URL, "x" * 1000)
    assert recent.recent_instances(URL) == []


def test_corrupt_or_unwritable_record_never_raises(clean_env, monkeypatch) -> None:
    path = Path(recent.record_path(URL))
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    assert recent.recent_instances(URL) == []
    recent.record_instance(URL, "fresh", "wf")
    assert recent.recent_instances(URL) == [("fresh", "wf")]
    path.write_text('{"instances": [1, [2], ["ok", 3], "x"], "workflows": {"a": 1}}')
    assert recent.recent_instances(URL) == [("ok", "")]
    assert recent.recent_workflow_names(URL) == []
    # A data directory that is a file: recording is skipped, silently.
    blocker = paths.data_dir() / "blocked"
    blocker.write_text("")
    monkeypatch.setenv("XDG_DATA_HOME", str(blocker))
    recent.record_instance(URL, "y")
    assert recent.recent_instances(URL) == []


def test_concurrent_writers_leave_a_whole_file(clean_env) -> None:
    def work(n: int) -> None:
        for i in range(30):
            recent.record_instance(URL, f"t{n}-{i}", "wf")

    # Threads of one process, so each write needs its own temporary file.
    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    got = recent.recent_instances(URL)
    assert got and all(name == "wf" for _, name in got)
    assert not [p for p in Path(recent.record_dir()).iterdir() if p.suffix == ".tmp"]
