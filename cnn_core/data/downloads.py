"""Downloading the standard data sets once, into a cache, safely.

- The cache is ``$CNN_CORE_DATA`` if set, else ``~/.cache/cnn_core``; each data set
  has its own folder in it (``mnist/``, ``fashion-mnist/``, ``cifar-10/``).
- Every file has a published MD5 checksum. A download is written to a temporary
  file in the destination folder, checked, and only then renamed into place with
  ``os.replace`` (atomic on one file system): an interrupted or corrupt download
  leaves nothing behind under the real name.
- A file already in the cache is checked again before use; a corrupt one gets an
  error that says to delete it and how to fetch it again.
- Offline, the error names each URL tried, the file name and the exact folder to
  put the file in, so a reader can fetch it on another machine.

Only ``urllib.request`` from the standard library is used.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from .._files import atomic_file

__all__ = [
    "DATA_ENV",
    "RemoteFile",
    "DownloadError",
    "CorruptFileError",
    "data_home",
    "file_md5",
    "fetch_file",
    "corrupt_file_error",
]

#: The environment variable that moves the cache.
DATA_ENV = "CNN_CORE_DATA"
_CHUNK = 1 << 20


class DownloadError(ConnectionError):
    """A file could not be downloaded (offline, refused, interrupted or a bad mirror)."""


class CorruptFileError(ValueError):
    """A file in the cache is not what it should be (checksum, truncation, format)."""


@dataclass(frozen=True)
class RemoteFile:
    """One file of a data set, as published.

    filename : str            official file name, e.g. "train-images-idx3-ubyte.gz"
    md5 : str                 published MD5 checksum (32 hex digits)
    mirrors : tuple[str, ...] base URLs tried in order; the file's URL is base + filename
    dataset : str             the cache sub-folder and the data set's name, e.g. "mnist"
    loader : str              the call that loads it, quoted in error messages
    """

    filename: str
    md5: str
    mirrors: tuple[str, ...]
    dataset: str
    loader: str

    @property
    def urls(self) -> list[str]:
        return [base.rstrip("/") + "/" + self.filename for base in self.mirrors]


def data_home(data_dir=None) -> Path:
    """The cache root: ``data_dir`` if given, else ``$CNN_CORE_DATA``, else ``~/.cache/cnn_core``."""
    if data_dir is not None:
        return Path(data_dir).expanduser()
    env = os.environ.get(DATA_ENV)
    if env:
        return Path(env).expanduser()
    return Path.home() / ".cache" / "cnn_core"


def file_md5(path) -> str:
    """The MD5 hex digest of a file, read in 1 MiB chunks."""
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _how_to_fetch(remote: RemoteFile, target: Path) -> str:
    urls = "\n".join(f"    {url}" for url in remote.urls)
    return (
        f"To fetch it by hand, download {remote.filename} from\n{urls}\n"
        f"and save it as\n    {target}\n"
        f"(folder {target.parent}; MD5 {remote.md5}). "
        f"Set {DATA_ENV} to keep the cache elsewhere."
    )


def corrupt_file_error(path, remote: RemoteFile, reason: str) -> CorruptFileError:
    """The error for a cached file that cannot be used: what is wrong, and what to do."""
    path = Path(path)
    return CorruptFileError(
        f"the cached file {path} is corrupt: {reason}.\n"
        f"Delete it (rm '{path}') and run {remote.loader} again to download it afresh.\n"
        + _how_to_fetch(remote, path)
    )


def _download(url: str, target: Path, md5: str, timeout: float) -> None:
    """Download ``url`` to ``target`` atomically: temp file, checksum, then os.replace."""
    digest = hashlib.md5(usedforsecurity=False)
    received = 0
    with atomic_file(target, suffix=".part") as out, urllib.request.urlopen(url, timeout=timeout) as response:
        expected = response.headers.get("Content-Length") if hasattr(response, "headers") else None
        for chunk in iter(lambda: response.read(_CHUNK), b""):
            out.write(chunk)
            digest.update(chunk)
            received += len(chunk)
        if expected is not None and received != int(expected):
            raise DownloadError(f"the download stopped after {received} of {expected} bytes")
        if digest.hexdigest() != md5:
            raise DownloadError(
                f"the downloaded file has MD5 {digest.hexdigest()}, not the published {md5} "
                f"(a broken mirror or a changed file)"
            )


def fetch_file(remote: RemoteFile, data_dir=None, download: bool = True, timeout: float = 60.0) -> Path:
    """The path of ``remote`` in the cache, downloading it first if needed and allowed.

    Parameters
    ----------
    remote : RemoteFile
        The file and its checksum.
    data_dir : str | Path, optional
        Cache root (default: :func:`data_home`). The file goes to
        ``data_dir / remote.dataset / remote.filename``.
    download : bool
        If False and the file is not cached, raise FileNotFoundError with the
        instructions instead of using the network.
    timeout : float
        Seconds to wait for a mirror to answer.

    Raises
    ------
    CorruptFileError : the cached file's checksum is wrong.
    DownloadError : every mirror failed (the message says where to put the file by hand).
    FileNotFoundError : not cached and ``download=False``.
    """
    folder = data_home(data_dir) / remote.dataset
    target = folder / remote.filename
    if target.is_file():
        actual = file_md5(target)
        if actual != remote.md5:
            raise corrupt_file_error(target, remote, f"its MD5 is {actual}, the published checksum is {remote.md5}")
        return target
    if not download:
        raise FileNotFoundError(f"{remote.filename} is not in the cache and download=False.\n"
                                + _how_to_fetch(remote, target))
    folder.mkdir(parents=True, exist_ok=True)
    failures = []
    for url in remote.urls:
        try:
            _download(url, target, remote.md5, timeout)
            return target
        except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as error:
            failures.append(f"    {url}: {getattr(error, 'reason', None) or error}")
    raise DownloadError(
        f"could not download {remote.filename} ({remote.dataset}); are you offline? Tried:\n"
        + "\n".join(failures) + "\n" + _how_to_fetch(remote, target)
    )

