"""The committed generated code matches Protos/ and the pinned generator."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from junction_client import event_pb2, protocol_pb2

PYTHON_DIR = Path(__file__).resolve().parents[1]


def test_generated_code_is_fresh() -> None:
    completed = subprocess.run(
        ["bash", str(PYTHON_DIR / "generate.sh"), "--check"],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert completed.returncode == 0, f"generated code is stale or generation failed:\n{completed.stderr[-4000:]}"


def test_stale_generated_code_is_detected(tmp_path: Path) -> None:
    stale = tmp_path / "gen"
    shutil.copytree(PYTHON_DIR / "junction_client" / "gen", stale, ignore=shutil.ignore_patterns("__pycache__"))
    with open(stale / "protocol_pb2.py", "a", encoding="utf-8") as module:
        module.write("# edited by hand\n")
    completed = subprocess.run(
        ["bash", str(PYTHON_DIR / "generate.sh"), "--check", str(stale)],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert completed.returncode == 1, completed.stderr[-2000:]
    assert "STALE" in completed.stderr and "edited by hand" in completed.stderr


def test_generated_modules_describe_protocol_v1() -> None:
    assert protocol_pb2.DESCRIPTOR.package == "junction.v1"
    assert protocol_pb2.DESCRIPTOR.name == "junction/v1/protocol.proto"
    assert event_pb2.DESCRIPTOR.name == "junction/v1/event.proto"
    frame_members = {f.name for f in protocol_pb2.ClientFrame.DESCRIPTOR.oneofs_by_name["frame"].fields}
    assert frame_members == {"hello", "publish", "subscribe", "ack", "nack", "credit", "unsubscribe", "ping", "close", "admin"}
