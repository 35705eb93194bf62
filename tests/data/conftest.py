"""Helpers for the data tests: files in the real formats, written independently of cnn_core.

Nothing here touches the network: files are served from a temporary folder through
``file://`` URLs or an http.server bound to 127.0.0.1.
"""

from __future__ import annotations

import gzip
import hashlib
import http.server
import io
import pickle
import socket
import struct
import tarfile
import threading
from pathlib import Path

import numpy as np
import pytest


def md5_of(path) -> str:
    return hashlib.md5(Path(path).read_bytes()).hexdigest()


def idx_bytes(array: np.ndarray) -> bytes:
    """The idx encoding of an unsigned-byte array, written from the format's description."""
    array = np.asarray(array, dtype=np.uint8)
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(struct.pack(">I", d) for d in array.shape)
    return header + array.tobytes()


def write_gz(path, payload: bytes) -> Path:
    path = Path(path)
    with gzip.open(path, "wb") as f:
        f.write(payload)
    return path


class Py2Pickler(pickle._Pickler):
    """A pickler that writes ``bytes`` and ``str`` the way Python 2 wrote its ``str``
    (SHORT_BINSTRING / BINSTRING opcodes), as in CIFAR-10's official files, instead of
    Python 3's ``_codecs.encode`` call and BINUNICODE. Loaded with ``encoding="bytes"``,
    every such string (dict keys, NumPy's dtype codes) comes back as bytes."""

    dispatch = dict(pickle._Pickler.dispatch)

    def save_py2_str(self, obj):
        if len(obj) < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([len(obj)]) + obj)
        else:
            self.write(pickle.BINSTRING + struct.pack("<i", len(obj)) + obj)
        self.memoize(obj)

    def save_ascii_str(self, obj):
        self.save_py2_str(obj.encode("latin1"))

    dispatch[bytes] = save_py2_str
    dispatch[str] = save_ascii_str


def py2_pickle(obj) -> bytes:
    buffer = io.BytesIO()
    Py2Pickler(buffer, protocol=2).dump(obj)
    # NumPy 2 names its module numpy._core; the NumPy of 2009 that wrote CIFAR-10 said numpy.core
    return buffer.getvalue().replace(b"numpy._core.multiarray", b"numpy.core.multiarray")


def cifar_archive(path, batches: dict[str, bytes]) -> Path:
    """A tar.gz holding cifar-10-batches-py/<name> for each (name, pickled bytes)."""
    with tarfile.open(path, "w:gz") as archive:
        for name, payload in batches.items():
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = len(payload)
            archive.addfile(info, io.BytesIO(payload))
    return Path(path)


class Marker:
    """A pickle that, if loaded by an unrestricted unpickler, creates a file via os.system."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        import os

        return os.system, (f"touch '{self.path}'",)


@pytest.fixture
def closed_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (connections are refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def http_server():
    """Start an http.server on 127.0.0.1 whose responses the test defines.

    Usage: ``base = http_server({"/file.gz": (status, headers, body)})``.
    """
    servers = []

    def start(routes: dict) -> str:
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                status, headers, body = routes.get(self.path, (404, {}, b"not found"))
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)
                self.wfile.flush()
                self.close_connection = True

            def log_message(self, *args):
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()
