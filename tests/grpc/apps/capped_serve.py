"""``python -m tests.grpc.apps.capped_serve --db DB --port 0 --grpc-port 0 --cache-bytes N``:
serve exactly as ``wfctl serve`` runs it (:func:`wfctl.server.serve`), with the gRPC front's
history cache capped at N bytes (no CLI flag sets it yet)."""

from __future__ import annotations

import argparse
import sys

from wfctl.server import serve


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--db", required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--grpc-port", type=int, default=0)
    p.add_argument("--cache-bytes", type=int, required=True)
    a = p.parse_args()
    return serve(
        port=a.port, grpc_port=a.grpc_port, db_path=a.db, history_cache_bytes=a.cache_bytes
    )


if __name__ == "__main__":
    sys.exit(main())
