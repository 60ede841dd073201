"""TLS transport over a TCP socket, built on the standard ``ssl`` module's memory BIOs.

The TLS state (an :class:`ssl.SSLObject`) is driven by hand instead of through
an :class:`ssl.SSLSocket`, so that one thread can read while others write:
OpenSSL objects must not be used from two threads at once, so every TLS
operation holds a short lock, and socket sends happen outside it. Reading never
waits for a writer (a reader that produced TLS bytes to send, for example a key
update reply, hands them to whichever writer holds the send lock), which keeps
a reader from deadlocking against a writer blocked by a peer that is itself
waiting for us to read.
"""

from __future__ import annotations

import select
import socket
import ssl
import threading
import time
from typing import Optional, Sequence

from .errors import ConnectionClosed, JunctionTimeout, TlsError

ALPN_PROTOCOL = "junction/1"
"""The ALPN protocol id of Junction protocol version 1."""

_READ_CHUNK = 256 * 1024


def make_tls_context(
    ca_file: Optional[str],
    *,
    minimum_version: ssl.TLSVersion = ssl.TLSVersion.TLSv1_3,
    alpn_protocols: Sequence[str] = (ALPN_PROTOCOL,),
    client_cert: Optional[str] = None,
    client_key: Optional[str] = None,
) -> ssl.SSLContext:
    """Returns a client TLS context that verifies the server.

    ``ca_file`` is a PEM file of trusted CA certificates (``ca.pem`` of
    ``junction serve --dev``); ``None`` uses the system's default trust store.
    Server certificates are verified and their names checked against the
    server hostname. TLS 1.3 is the default minimum; pass
    ``ssl.TLSVersion.TLSv1_2`` for a server configured to allow 1.2.
    ``client_cert``/``client_key`` enable mutual TLS.
    """
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = minimum_version
    context.verify_mode = ssl.CERT_REQUIRED
    context.check_hostname = True
    if ca_file is not None:
        context.load_verify_locations(cafile=ca_file)
    else:
        context.load_default_certs(ssl.Purpose.SERVER_AUTH)
    if alpn_protocols:
        context.set_alpn_protocols(list(alpn_protocols))
    if client_cert is not None:
        context.load_cert_chain(client_cert, client_key)
    return context


class TlsTransport:
    """One TLS connection. ``send`` may be called from any thread; ``receive`` from one thread at a time."""

    def __init__(
        self,
        sock: socket.socket,
        tls: ssl.SSLObject,
        incoming: ssl.MemoryBIO,
        outgoing: ssl.MemoryBIO,
    ) -> None:
        self._sock = sock
        self._tls = tls
        self._incoming = incoming
        self._outgoing = outgoing
        self._tls_lock = threading.Lock()  # guards _tls and both BIOs; never held across socket I/O
        self._send_lock = threading.Lock()  # orders socket sends; held across sendall
        self._closed = False
        self._eof = False
        self._close_notify = False
        self._poller = select.poll()
        self._poller.register(sock, select.POLLIN)

    # -- connection -----------------------------------------------------------------------------

    @classmethod
    def connect(
        cls,
        host: str,
        port: int,
        *,
        ca_file: Optional[str],
        server_hostname: Optional[str] = None,
        timeout: float = 10.0,
        io_timeout: float = 30.0,
        context: Optional[ssl.SSLContext] = None,
        require_alpn: bool = True,
    ) -> "TlsTransport":
        """Connects over TCP and completes the TLS handshake.

        ``server_hostname`` is the name checked against the server certificate
        (default ``host``; an IP address is checked against IP SANs).
        ``timeout`` bounds connect plus handshake; ``io_timeout`` bounds each
        later send. With ``require_alpn`` the server must select
        ``junction/1``. Raises :class:`TlsError` on any TLS failure,
        :class:`JunctionTimeout` on timeout and :class:`ConnectionClosed` if
        the server closes during the handshake.
        """
        if context is None:
            context = make_tls_context(ca_file)
        deadline = time.monotonic() + timeout
        try:
            sock = socket.create_connection((host, port), timeout=timeout)
        except socket.timeout as error:
            raise JunctionTimeout(f"TCP connect to {host}:{port} timed out after {timeout}s") from error
        except OSError as error:
            raise ConnectionClosed(f"TCP connect to {host}:{port} failed: {error}") from error
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            incoming = ssl.MemoryBIO()
            outgoing = ssl.MemoryBIO()
            try:
                tls = context.wrap_bio(incoming, outgoing, server_side=False, server_hostname=server_hostname or host)
            except (ssl.SSLError, ValueError) as error:
                raise TlsError(f"cannot start TLS to {host}:{port}: {error}") from error
            transport = cls(sock, tls, incoming, outgoing)
            transport._handshake(deadline, f"{host}:{port}")
            alpn = tls.selected_alpn_protocol()
            if require_alpn and alpn != ALPN_PROTOCOL:
                raise TlsError(
                    f"server {host}:{port} selected ALPN protocol {alpn!r}; expected {ALPN_PROTOCOL!r}"
                )
            sock.settimeout(io_timeout)
            return transport
        except BaseException:
            sock.close()
            raise

    def _handshake(self, deadline: float, peer: str) -> None:
        while True:
            try:
                with self._tls_lock:
                    self._tls.do_handshake()
                break
            except ssl.SSLWantReadError:
                pass
            except ssl.SSLCertVerificationError as error:
                raise TlsError(f"TLS handshake with {peer}: server certificate rejected: {error.verify_message}") from error
            except ssl.SSLError as error:
                raise TlsError(f"TLS handshake with {peer} failed: {error}") from error
            self._flush_for_handshake(deadline, peer)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise JunctionTimeout(f"TLS handshake with {peer} timed out")
            self._sock.settimeout(remaining)
            try:
                data = self._sock.recv(_READ_CHUNK)
            except socket.timeout as error:
                raise JunctionTimeout(f"TLS handshake with {peer} timed out") from error
            except OSError as error:
                raise ConnectionClosed(f"TLS handshake with {peer}: connection failed: {error}") from error
            if not data:
                raise ConnectionClosed(f"TLS handshake with {peer}: server closed the connection")
            with self._tls_lock:
                self._incoming.write(data)
        # TLS 1.3: the client's Finished message is produced by the last do_handshake.
        self._flush_for_handshake(deadline, peer)

    def _flush_for_handshake(self, deadline: float, peer: str) -> None:
        with self._tls_lock:
            data = self._outgoing.read()
        if not data:
            return
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise JunctionTimeout(f"TLS handshake with {peer} timed out")
        self._sock.settimeout(remaining)
        try:
            self._sock.sendall(data)
        except socket.timeout as error:
            raise JunctionTimeout(f"TLS handshake with {peer} timed out while sending") from error
        except OSError as error:
            raise ConnectionClosed(f"TLS handshake with {peer}: send failed: {error}") from error

    # -- information ----------------------------------------------------------------------------

    @property
    def tls_version(self) -> Optional[str]:
        """Negotiated TLS version, for example ``"TLSv1.3"``."""
        return self._tls.version()

    @property
    def alpn_protocol(self) -> Optional[str]:
        """The ALPN protocol the server selected, or ``None``."""
        return self._tls.selected_alpn_protocol()

    @property
    def cipher(self) -> Optional[tuple]:
        """The negotiated cipher, as :meth:`ssl.SSLObject.cipher` returns it."""
        return self._tls.cipher()

    @property
    def closed(self) -> bool:
        """True once :meth:`close` has been called."""
        return self._closed

    @property
    def received_close_notify(self) -> bool:
        """True when the server ended TLS with a close_notify alert."""
        return self._close_notify

    # -- sending --------------------------------------------------------------------------------

    def send(self, data: bytes) -> None:
        """Encrypts ``data`` and sends it completely (waits at most the I/O timeout).

        Raises :class:`ConnectionClosed` when the connection is closed or the
        send fails, and :class:`JunctionTimeout` when the peer does not take the
        bytes in time.
        """
        with self._send_lock:
            if self._closed:
                raise ConnectionClosed("connection is closed")
            with self._tls_lock:
                view = memoryview(data)
                while view:
                    try:
                        written = self._tls.write(view)
                    except ssl.SSLError as error:
                        raise ConnectionClosed(f"TLS write failed: {error}") from error
                    view = view[written:]
            self._drain_outgoing_locked()
        self._flush_handoff()

    def _drain_outgoing_locked(self) -> None:
        """Sends everything in the outgoing BIO; the caller holds ``_send_lock``."""
        while True:
            with self._tls_lock:
                chunk = self._outgoing.read()
            if not chunk:
                return
            try:
                self._sock.sendall(chunk)
            except socket.timeout as error:
                raise JunctionTimeout("sending to the server timed out: it is not reading") from error
            except OSError as error:
                raise ConnectionClosed(f"send failed: {error}") from error

    def _flush_handoff(self) -> None:
        """Sends TLS bytes left in the outgoing BIO by a reader while a writer held the send lock."""
        with self._tls_lock:
            pending = self._outgoing.pending
        if pending and self._send_lock.acquire(blocking=False):
            try:
                if not self._closed:
                    self._drain_outgoing_locked()
            except Exception:
                pass  # a later send or receive reports the broken connection
            finally:
                self._send_lock.release()

    # -- receiving ------------------------------------------------------------------------------

    def receive(self, timeout: Optional[float]) -> Optional[bytes]:
        """Waits up to ``timeout`` seconds for data and returns the decrypted bytes.

        Returns ``b""`` when nothing arrived in time (or only TLS records with
        no application data), and ``None`` at the end of the stream (TCP close,
        reset, or TLS close_notify). Raises :class:`TlsError` on a TLS
        protocol error. Only one thread may call it at a time.
        """
        if self._eof:
            return None
        if self._closed:
            return None
        try:
            ready = self._poller.poll(None if timeout is None else max(int(timeout * 1000), 0))
        except (OSError, ValueError):
            self._eof = True
            return None
        if not ready:
            return b""
        try:
            data = self._sock.recv(_READ_CHUNK)
        except BlockingIOError:
            return b""
        except socket.timeout:
            return b""
        except OSError:
            # Connection reset or socket shut down: the stream has ended.
            self._eof = True
            data = b""
        chunks = []
        with self._tls_lock:
            if data:
                self._incoming.write(data)
            else:
                self._incoming.write_eof()
            while True:
                try:
                    chunk = self._tls.read(_READ_CHUNK)
                except ssl.SSLWantReadError:
                    break
                except ssl.SSLZeroReturnError:
                    self._close_notify = True
                    self._eof = True
                    break
                except ssl.SSLEOFError:
                    self._eof = True
                    break
                except ssl.SSLError as error:
                    self._eof = True
                    raise TlsError(f"TLS error while reading: {error}") from error
                if not chunk:
                    self._eof = True
                    break
                chunks.append(chunk)
        if not data:
            self._eof = True
        self._flush_handoff()
        if chunks:
            return b"".join(chunks)
        return None if self._eof else b""

    # -- closing --------------------------------------------------------------------------------

    def shutdown(self) -> None:
        """Shuts the TCP socket down in both directions (wakes a thread blocked in :meth:`receive`)."""
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def close(self, send_close_notify: bool = True) -> None:
        """Sends a TLS close_notify (best effort, without waiting) and closes the socket. Idempotent."""
        if self._closed:
            return
        if send_close_notify and self._send_lock.acquire(timeout=1.0):
            try:
                with self._tls_lock:
                    try:
                        self._tls.unwrap()
                    except ssl.SSLError:
                        pass  # SSLWantReadError: our close_notify is written, the peer's is not awaited
                    data = self._outgoing.read()
                if data:
                    self._sock.settimeout(1.0)
                    self._sock.sendall(data)
            except OSError:
                pass
            finally:
                self._closed = True
                self._send_lock.release()
        self._closed = True
        try:
            self._sock.close()
        except OSError:
            pass
