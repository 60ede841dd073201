"""Starts and stops a real `junction serve --dev` process for the interop tests.

Only the process this module started is ever signalled (by its PID, through
its Popen handle); it listens on 127.0.0.1 with an ephemeral port and keeps
its data in a temporary directory.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from junction_client import JunctionClient, RawConnection

REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_BINARY = REPO_ROOT / ".build" / "debug" / "junction"
STARTUP_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0
HOST = "127.0.0.1"


def junction_binary() -> Path:
    """The gateway binary: $JUNCTION_BIN, else the debug build. Raises with a clear message when missing."""
    configured = os.environ.get("JUNCTION_BIN")
    path = Path(configured) if configured else DEFAULT_BINARY
    if not path.is_file() or not os.access(path, os.X_OK):
        origin = f"JUNCTION_BIN={configured}" if configured else f"the default {DEFAULT_BINARY} (JUNCTION_BIN is not set)"
        raise RuntimeError(
            f"junction binary not found or not executable: {origin}. "
            "Build it first (swift build from the repository root) or set JUNCTION_BIN to its path."
        )
    return path


class LineReader:
    """Reads a pipe's lines on a daemon thread so waits can be bounded."""

    def __init__(self, stream, name: str) -> None:
        self._lines: "queue.Queue[Optional[str]]" = queue.Queue()
        self.seen: List[str] = []
        self._thread = threading.Thread(target=self._run, args=(stream,), name=name, daemon=True)
        self._thread.start()

    def _run(self, stream) -> None:
        try:
            for raw in iter(stream.readline, b""):
                self._lines.put(raw.decode("utf-8", errors="replace").rstrip("\n"))
        except (OSError, ValueError):
            pass
        finally:
            self._lines.put(None)

    def next_line(self, timeout: float) -> Optional[str]:
        """The next line; ``None`` at end of stream. Raises ``TimeoutError`` if none within ``timeout`` seconds."""
        try:
            line = self._lines.get(timeout=max(timeout, 0.0))
        except queue.Empty:
            raise TimeoutError(f"no output line within {timeout:.1f}s") from None
        if line is None:
            self._lines.put(None)
        else:
            self.seen.append(line)
        return line


@dataclass
class Gateway:
    """A running gateway process and what its `listening` line reported."""

    process: subprocess.Popen
    data_dir: Path
    stderr_path: Path
    info: Dict[str, object]
    stdout: LineReader
    args: Sequence[str] = field(default_factory=list)

    @property
    def host(self) -> str:
        return str(self.info.get("host", HOST))

    @property
    def port(self) -> int:
        return int(self.info["port"])  # type: ignore[arg-type]

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def ca_file(self) -> str:
        return str(self.info["ca"])

    @property
    def token_file(self) -> str:
        return str(self.info["token_file"])

    @property
    def token(self) -> str:
        return Path(self.token_file).read_text(encoding="utf-8").strip()

    @property
    def account(self) -> str:
        return str(self.info.get("account", "dev"))

    def alive(self) -> bool:
        return self.process.poll() is None

    def stderr_tail(self, limit: int = 4000) -> str:
        try:
            text = self.stderr_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "<no stderr>"
        return text[-limit:]

    def connect(self, token: Optional[str] = None, **options) -> JunctionClient:
        """A connected, welcomed client (token defaults to the dev token)."""
        options.setdefault("timeout", 10.0)
        return JunctionClient.connect(
            self.host, self.port, token=self.token if token is None else token, ca_file=self.ca_file, **options
        )

    def raw(self, **options) -> RawConnection:
        """A TLS-connected raw connection that has sent nothing."""
        options.setdefault("timeout", 10.0)
        return RawConnection.connect(self.host, self.port, ca_file=self.ca_file, **options)

    def stop(self, timeout: float = STOP_TIMEOUT) -> Optional[int]:
        """SIGTERM, wait up to ``timeout`` seconds, then SIGKILL. Returns the exit code (negative: signal)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=timeout)
        return self.process.returncode


def start_gateway(data_dir: Path, extra_args: Sequence[str] = ()) -> Gateway:
    """Starts `junction serve --dev` on 127.0.0.1:0 and waits for its `listening` line."""
    binary = junction_binary()
    data_dir.mkdir(parents=True, exist_ok=True)
    stderr_path = data_dir.parent / f"{data_dir.name}-stderr.log"
    args = [str(binary), "serve", "--dev", "--data-dir", str(data_dir), "--listen", f"{HOST}:0", *extra_args]
    stderr_file = open(stderr_path, "wb")
    try:
        process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=stderr_file)
    finally:
        stderr_file.close()
    reader = LineReader(process.stdout, "gateway-stdout")
    deadline = time.monotonic() + STARTUP_TIMEOUT
    gateway = Gateway(process, data_dir, stderr_path, {}, reader, args)
    try:
        while True:
            try:
                line = reader.next_line(deadline - time.monotonic())
            except TimeoutError:
                raise RuntimeError(
                    f"gateway did not print its listening line within {STARTUP_TIMEOUT}s: {' '.join(args)}\n"
                    f"stdout so far: {reader.seen}\nstderr:\n{gateway.stderr_tail()}"
                ) from None
            if line is None:
                process.wait(timeout=STOP_TIMEOUT)
                raise RuntimeError(
                    f"gateway exited with status {process.returncode} before listening: {' '.join(args)}\n"
                    f"stdout: {reader.seen}\nstderr:\n{gateway.stderr_tail()}"
                )
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if isinstance(message, dict) and message.get("event") == "listening":
                missing = [key for key in ("port", "ca", "token_file") if key not in message]
                if missing:
                    raise RuntimeError(f"gateway listening line lacks {missing}: {line}")
                gateway.info = message
                return gateway
    except BaseException:
        gateway.stop()
        raise
