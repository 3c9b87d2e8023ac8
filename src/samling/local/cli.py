"""``samling run`` / ``python -m samling.local run``: the platform in the foreground."""
from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="samling", description="Samling on one machine, over embedded AWS.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="start every service locally with the seed events")
    run.add_argument("--port", type=int, default=int(os.environ.get("SAMLING_PORT", "8000")))
    run.add_argument("--no-seeds", action="store_true", help="start without the events in events/")
    args = parser.parse_args(argv)

    logging.basicConfig(level=os.environ.get("SAMLING_LOG", "WARNING"),
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    from samling.local.platform import LocalPlatform
    from samling.registration.seed import SeedError

    platform = LocalPlatform(port=args.port, load_seeds=not args.no_seeds)
    try:
        platform.start()
    except SeedError as exc:
        print(f"Samling did not start: {exc}", file=sys.stderr)
        return 2
    url = platform.url
    print(f"Samling is running on {url}")
    for name in ("registration", "notifications", "certificates", "matching"):
        print(f"  {name:<14} {url}/{name}/health")
    print(f"  local routes   {url}/_local/health  (outbox, clock, tick, drain)")
    print(f"  seed events    {url}/registration/events")
    print(f"Organiser token: {platform.organiser_token}")
    print("Stop with Ctrl-C.", flush=True)

    stopped = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    stopped.wait()
    print("Stopping Samling …", flush=True)
    platform.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
