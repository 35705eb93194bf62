"""Reading the idx format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/).

An idx file is a 4-byte magic number, the sizes of its dimensions, then the data:

    bytes 0-1   0x00 0x00
    byte  2     the element type: 0x08 unsigned byte (the only one MNIST uses),
                0x09 signed byte, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64
    byte  3     the number of dimensions d
    then        d sizes, each a big-endian (most significant byte first) int32
    then        the values, row-major, big-endian

so MNIST's image files start with 0x00000803 (= 2051: unsigned bytes, 3 dimensions:
N, 28, 28) and its label files with 0x00000801 (= 2049: N labels). The files are
published gzip-compressed (``.gz``); both forms are read.
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import numpy as np

__all__ = ["IDX_TYPES", "read_idx", "IdxFormatError"]

#: idx type byte -> NumPy big-endian dtype
IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


class IdxFormatError(ValueError):
    """The bytes are not a well-formed idx file (what is wrong is in the message)."""


def _read_bytes(path: Path) -> bytes:
    if path.suffix == ".gz":
        try:
            with gzip.open(path, "rb") as f:
                return f.read()
        except (EOFError, gzip.BadGzipFile, zlib.error) as error:
            raise IdxFormatError(f"the gzip stream is truncated or damaged ({error})") from error
    return path.read_bytes()


def read_idx(path, expect_ndim: int | None = None) -> np.ndarray:
    """Read an idx (or idx.gz) file into a NumPy array of its native dtype.

    Parameters
    ----------
    path : str | Path
    expect_ndim : int, optional
        Refuse a file whose magic number announces another number of dimensions
        (3 for image files: (N, H, W); 1 for label files: (N,)).

    Returns
    -------
    ndarray of the shape in the header (e.g. (60000, 28, 28) uint8), in native byte order.

    Raises
    ------
    IdxFormatError : bad magic number, wrong rank, truncated data or truncated gzip.
    """
    raw = _read_bytes(Path(path))
    if len(raw) < 4:
        raise IdxFormatError(f"the file has {len(raw)} bytes, fewer than the 4 of an idx magic number")
    magic = int.from_bytes(raw[:4], "big")
    zero, type_code, ndim = raw[0:2], raw[2], raw[3]
    if zero != b"\x00\x00" or type_code not in IDX_TYPES:
        raise IdxFormatError(
            f"wrong idx magic number 0x{magic:08X}: an idx file starts with 0x0000, a type byte "
            f"({', '.join(f'0x{k:02X}' for k in IDX_TYPES)}) and the number of dimensions"
        )
    if expect_ndim is not None and ndim != expect_ndim:
        want = 0x0800 | expect_ndim if type_code == 0x08 else (type_code << 8) | expect_ndim
        raise IdxFormatError(f"wrong idx magic number 0x{magic:08X}: expected 0x{want:08X} "
                             f"({expect_ndim} dimension{'s' if expect_ndim != 1 else ''}), "
                             f"the file announces {ndim}")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise IdxFormatError(f"the header is cut short: {len(raw)} bytes, {header} needed for {ndim} sizes")
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    dtype = np.dtype(IDX_TYPES[type_code])
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(raw) - header != expected:
        raise IdxFormatError(
            f"the header announces shape {shape} ({expected} bytes of data) but the file holds "
            f"{len(raw) - header} bytes after the header"
        )
    data = np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)
    return data.astype(dtype.newbyteorder("="))
