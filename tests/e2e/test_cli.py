"""`make run`'s command itself: the platform starts in its own process, answers, loads the seed
events, prints the organiser token, and stops cleanly on Ctrl-C. A bad seed file stops it at
start with a message naming the file and the field."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from samling.local.aws import free_port

ROOT = Path(__file__).resolve().parents[2]


def test_samling_run_serves_the_platform_and_stops_on_ctrl_c():
    port = free_port()
    env = {**os.environ, "SAMLING_PORT": str(port), "SAMLING_ORGANISER_TOKEN": "cli-token"}
    env.pop("AWS_ENDPOINT_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "samling.local", "run"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if requests.get(base + "/_local/health", timeout=2).json() == {"ok": True}:
                    break
            except requests.ConnectionError:
                time.sleep(0.3)
        else:
            raise AssertionError("the platform did not answer: " + proc.stderr.read() if proc.poll() else "")
        ids = {e["id"] for e in requests.get(base + "/registration/events", timeout=10).json()}
        assert len(ids) == 4
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
        assert proc.returncode == 0, err
        assert "Organiser token: cli-token" in out
        assert f"{base}/registration/health" in out
    finally:
        if proc.poll() is None:
            proc.kill()


def test_a_bad_seed_file_stops_the_start_naming_file_and_field(tmp_path):
    from samling.local.platform import LocalPlatform
    from samling.registration.seed import SeedError

    for f in (ROOT / "events").glob("*.yaml"):
        shutil.copy(f, tmp_path / f.name)
    broken = tmp_path / "klimakronsj-2021.yaml"
    broken.write_text(broken.read_text(encoding="utf-8").replace(
        'deadline: "2021-06-21T23:59:59+02:00"', 'deadline: "2021-06-21T23:59:59"'), encoding="utf-8")
    try:
        LocalPlatform(port=free_port(), events_dir=tmp_path).start()
    except SeedError as exc:
        assert "klimakronsj-2021.yaml" in str(exc) and "registration.deadline" in str(exc)
    else:
        raise AssertionError("a seed without a UTC offset was accepted")
