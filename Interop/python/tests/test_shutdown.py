"""SIGTERM: the gateway tells connected clients it is closing and exits cleanly."""

from __future__ import annotations

import signal

from junction_client import make_event

WAIT = 15.0


def test_sigterm_sends_closing_and_exits_zero(private_gateway, unique) -> None:
    gateway = private_gateway()
    source = unique("com.example.shutdown")
    client = gateway.connect()
    try:
        stream = client.subscribe({"source": [source]}, credits=10)
        assert client.publish([make_event(source, "BeforeStop")], timeout=WAIT).all_accepted
        stream.next(timeout=WAIT)

        gateway.process.send_signal(signal.SIGTERM)  # the process this test started
        assert client.wait_closed(WAIT), "the connection stayed open after SIGTERM"
        assert client.closing_reason is not None, f"no Closing frame before the close ({client.end_error})"
        assert gateway.process.wait(timeout=WAIT) == 0, gateway.stderr_tail()
    finally:
        client.abort()
