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


def test_python_m_wfctl_server_is_wfctl_serve(tmp_path):
    import grpc

    from tests.grpc.proc import GrpcServe
    from tests.grpc.worker import RawWorker, complete_action, pb
    from wfctl.protocol import rpc

    s = GrpcServe(tmp_path / "wf.db", ["--app-id", "orders"], module="wfctl.server")
    try:
        assert any("app id 'orders'" in line for line in s.banner), s.banner
        ch = grpc.insecure_channel(f"127.0.0.1:{s.grpc_port}")
        stub = rpc.TaskHubClient(ch)
        w = RawWorker(stub)
        try:
            stub.StartInstance(pb.CreateInstanceRequest(name="w", instanceId="m-1"), timeout=10)
            w.answer(w.take_turn("m-1"), complete_action(1))
            s.wait_status("m-1", {"COMPLETED"})
        finally:
            w.close()
            ch.close()
    finally:
        assert s.stop() == 0, s.stderr
    p = subprocess.run(
        [sys.executable, "-m", "wfctl.server", "--db", ":memory:", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert p.returncode == 2 and p.stderr.count("\n") == 1, p.stderr
    assert ":memory:" in p.stderr and "is not a file" in p.stderr and not p.stdout
