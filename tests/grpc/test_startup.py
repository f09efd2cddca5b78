"""gRPC costs nothing unless asked for; without the extra, --grpc-port says how to get it."""

from __future__ import annotations

import os
import subprocess
import sys


def test_no_grpc_import_without_grpc_flags(tmp_path):
    code = (
        "import sys\n"
        "from wfctl.__main__ import main\n"
        "for argv in (['serve', '--help'], ['--embedded', 'list']):\n"
        "    try:\n"
        "        main(argv)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "heavy = ('grpc', 'google.protobuf', 'dapr')\n"
        "print(sorted(m for m in heavy if m in sys.modules), file=sys.stderr)\n"
    )
    env = {**os.environ, "WFCTL_DB": str(tmp_path / "wf.db")}
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert p.stderr.strip().splitlines()[-1] == "[]", p.stderr


def test_grpc_port_without_the_extra_says_how_to_install(tmp_path):
    fake = tmp_path / "site" / "grpc"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('no grpc here')\n")
    env = {**os.environ, "PYTHONPATH": str(fake.parent)}
    p = subprocess.run(
        [sys.executable, "-m", "wfctl", "--db", str(tmp_path / "wf.db"), "serve"]
        + ["--port", "0", "--grpc-port", "0"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert p.returncode == 2, p.stderr
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and "pip install 'wfctl[grpc]'" in lines[0], p.stderr
    assert not (tmp_path / "wf.db").exists()  # nothing was opened or served
