"""`junction bench` against the real gateway: its JSON report, as fast as possible and at a fixed rate."""

from __future__ import annotations

import json
import subprocess
from typing import List

from gateway import junction_binary

TIMEOUT = 60.0


def run_bench(gateway, *args: str) -> dict:
    command: List[str] = [
        junction_binary(), "bench",
        "--server", gateway.address, "--ca", gateway.ca_file, "--token-file", gateway.token_file,
        "--server-pid", str(gateway.process.pid), "--json", *args,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == 0, f"junction bench failed ({done.returncode}):\n{done.stderr}"
    # A clean run says nothing on stderr (the end of a subscription that the
    # run closed itself used to be reported there as an error).
    assert done.stderr == "", f"junction bench wrote to stderr:\n{done.stderr}"
    return json.loads(done.stdout)


def check_latency(report: dict) -> None:
    latency = report["latency_us"]
    for key in ("p50", "p90", "p99", "p999", "max"):
        assert latency[key] > 0, f"latency_us.{key} missing or zero: {latency}"
    assert latency["p50"] <= latency["p90"] <= latency["p99"] <= latency["p999"] <= latency["max"]


def test_as_fast_as_possible_reports_throughput_latency_and_no_loss(private_gateway) -> None:
    gateway = private_gateway()
    report = run_bench(gateway, "--count", "20000", "--batch", "16")
    assert report["published"] == 20000
    assert report["delivered"] == 20000
    assert report["lost"] == 0
    assert report["rejected"] == 0
    assert report["events_per_second"] > 0
    check_latency(report)
    assert report["server_cpu_seconds"] > 0, "the gateway's CPU time, read through --server-pid"


def test_a_fixed_rate_is_kept(private_gateway) -> None:
    gateway = private_gateway()
    # 500 events/s for 1 s, one per batch: the publisher wakes when each is due.
    report = run_bench(gateway, "--rate", "500", "--batch", "1", "--duration", "1")
    assert 400 <= report["published"] <= 520, f"published {report['published']} events at 500/s for 1 s"
    assert report["lost"] == 0
    assert report["delivered"] == report["published"]
    check_latency(report)


def test_a_run_ends_at_its_duration_even_before_the_next_event_is_due(private_gateway) -> None:
    gateway = private_gateway()
    # One event per second for 0.2 s: the first would be due at 1 s, after the end.
    report = run_bench(gateway, "--rate", "1", "--batch", "1", "--duration", "0.2")
    assert report["published"] == 0
    assert report["lost"] == 0
    assert report["seconds"] < 0.8, f"the run took {report['seconds']} s instead of ending at 0.2 s"
