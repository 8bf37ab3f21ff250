"""Print where the shop is once its server answers, not before (used by `make demo`).

Asks /health/live/ every half second. Gives up quietly when the process it serves beside
(--stop-with) is gone or after --timeout seconds, so it never outlives a server that failed
to start. Standard library only: it runs before and beside the server, with any Python.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import urllib.error
import urllib.request


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def alive(pid: int | None) -> bool:
    if pid is None:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--stop-with", type=int, default=None, help="give up once this process is gone")
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--every", type=float, default=0.5)
    options = parser.parse_args(argv)
    # A server bound to every interface answers on the loopback.
    probe_host = "127.0.0.1" if options.host in ("0.0.0.0", "") else options.host
    probe_host = f"[{probe_host}]" if ":" in probe_host and not probe_host.startswith("[") else probe_host
    probe = f"http://{probe_host}:{options.port}/health/live/"
    give_up_at = time.monotonic() + options.timeout
    while time.monotonic() < give_up_at and alive(options.stop_with):
        if answers(probe):
            print(f"The shop is at http://{options.host}:{options.port}/ — stop it with Ctrl-C.", flush=True)
            return 0
        time.sleep(options.every)
    return 1


if __name__ == "__main__":
    sys.exit(main())
