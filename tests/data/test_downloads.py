import hashlib
import os
import urllib.request

import pytest

from cnn_core.data import downloads
from cnn_core.data.downloads import (CorruptFileError, DownloadError, RemoteFile, data_home, fetch_file,
                                     file_md5)

from .conftest import md5_of


def remote_for(source_dir, filename, md5, extra_mirrors=()):
    return RemoteFile(filename, md5, tuple(extra_mirrors) + (source_dir.as_uri() + "/",), "toy", "load_toy()")


@pytest.fixture
def published(tmp_path):
    """A 'published' file in a folder served by file:// URLs, and an empty cache."""
    server = tmp_path / "server"
    server.mkdir()
    payload = os.urandom(3 * 2**20 + 17)  # more than one download chunk
    (server / "data.bin").write_bytes(payload)
    return server, payload, tmp_path / "cache"


def cache_contents(cache):
    return sorted(p.name for p in cache.rglob("*") if p.is_file()) if cache.exists() else []


def test_data_home_order(monkeypatch, tmp_path):
    monkeypatch.setenv("CNN_CORE_DATA", str(tmp_path / "env"))
    assert data_home() == tmp_path / "env"
    assert data_home(tmp_path / "arg") == tmp_path / "arg"
    monkeypatch.delenv("CNN_CORE_DATA")
    assert data_home() == downloads.Path.home() / ".cache" / "cnn_core"


def test_download_then_reuse(published, monkeypatch):
    server, payload, cache = published
    remote = remote_for(server, "data.bin", md5_of(server / "data.bin"))
    path = fetch_file(remote, data_dir=cache)
    assert path == cache / "toy" / "data.bin" and path.read_bytes() == payload
    assert cache_contents(cache) == ["data.bin"]  # no temporary file left behind
    # the second call must not touch the network
    monkeypatch.setattr(urllib.request, "urlopen", lambda *a, **k: pytest.fail("downloaded twice"))
    assert fetch_file(remote, data_dir=cache) == path


def test_environment_variable_moves_the_cache(published, monkeypatch):
    server, _, cache = published
    monkeypatch.setenv("CNN_CORE_DATA", str(cache))
    path = fetch_file(remote_for(server, "data.bin", md5_of(server / "data.bin")))
    assert path == cache / "toy" / "data.bin"


def test_bad_checksum_download_leaves_nothing(published):
    server, _, cache = published
    remote = remote_for(server, "data.bin", "0" * 32)
    with pytest.raises(DownloadError, match="not the published 0{32}"):
        fetch_file(remote, data_dir=cache)
    assert cache_contents(cache) == []


def test_interrupted_download_leaves_nothing(published, monkeypatch):
    server, _, cache = published
    remote = remote_for(server, "data.bin", md5_of(server / "data.bin"))
    real_urlopen = urllib.request.urlopen

    class Interrupted:
        """A response that delivers one chunk, then the reader presses Ctrl-C."""

        def __init__(self, response):
            self.response, self.calls = response, 0
            self.headers = response.headers

        def read(self, n):
            self.calls += 1
            if self.calls > 1:
                raise KeyboardInterrupt
            return self.response.read(n)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.response.close()

    monkeypatch.setattr(urllib.request, "urlopen", lambda url, timeout: Interrupted(real_urlopen(url)))
    with pytest.raises(KeyboardInterrupt):
        fetch_file(remote, data_dir=cache)
    assert cache_contents(cache) == []


def test_connection_dropped_mid_file_leaves_nothing(http_server, tmp_path):
    whole = b"x" * 5000
    # the server promises 5000 bytes, sends 1000 and hangs up; the checksum is that of the whole file,
    # so only the truncation can make this download fail
    base = http_server({"/data.bin": (200, {"Content-Length": "5000"}, whole[:1000])})
    remote = RemoteFile("data.bin", hashlib.md5(whole).hexdigest(), (base,), "toy", "load_toy()")
    with pytest.raises(DownloadError, match="IncompleteRead|1000 of 5000"):
        fetch_file(remote, data_dir=tmp_path / "cache")
    assert cache_contents(tmp_path / "cache") == []


def test_http_download_and_mirror_fallback(http_server, published, closed_port):
    server, payload, cache = published
    base = http_server({"/data.bin": (200, {"Content-Length": str(len(payload))}, payload)})
    dead = f"http://127.0.0.1:{closed_port}/"
    remote = RemoteFile("data.bin", md5_of(server / "data.bin"), (dead, base), "toy", "load_toy()")
    assert fetch_file(remote, data_dir=cache).read_bytes() == payload


def test_offline_message_names_urls_file_and_folder(tmp_path, closed_port):
    urls = (f"http://127.0.0.1:{closed_port}/a/", f"http://127.0.0.1:{closed_port}/b/")
    remote = RemoteFile("train-images-idx3-ubyte.gz", "f" * 32, urls, "mnist", "load_mnist()")
    with pytest.raises(DownloadError) as info:
        fetch_file(remote, data_dir=tmp_path / "cache", timeout=5)
    message = str(info.value)
    for url in urls:
        assert url + "train-images-idx3-ubyte.gz" in message
    assert str(tmp_path / "cache" / "mnist" / "train-images-idx3-ubyte.gz") in message
    assert str(tmp_path / "cache" / "mnist") in message and "offline" in message and "f" * 32 in message
    assert "refused" in message.lower()
    assert cache_contents(tmp_path / "cache") == []


def test_no_download_allowed(tmp_path):
    remote = RemoteFile("data.bin", "a" * 32, ("http://127.0.0.1:9/",), "toy", "load_toy()")
    with pytest.raises(FileNotFoundError, match=str(tmp_path / "toy" / "data.bin")):
        fetch_file(remote, data_dir=tmp_path, download=False)


def test_corrupt_cached_file_says_delete_and_refetch(published):
    server, _, cache = published
    remote = remote_for(server, "data.bin", md5_of(server / "data.bin"))
    (cache / "toy").mkdir(parents=True)
    bad = cache / "toy" / "data.bin"
    bad.write_bytes(b"half a file")
    with pytest.raises(CorruptFileError) as info:
        fetch_file(remote, data_dir=cache)
    message = str(info.value)
    assert f"rm '{bad}'" in message and "load_toy()" in message and file_md5(bad) in message
    assert server.as_uri() + "/data.bin" in message
