import gzip
import struct

import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra.numpy import arrays

from cnn_core.data.idx import IdxFormatError, read_idx

from .conftest import idx_bytes, write_gz


@given(array=arrays(np.uint8, st.tuples(st.integers(0, 5), st.integers(1, 4), st.integers(1, 4))),
       compressed=st.booleans())
def test_round_trip_of_unsigned_byte_images(tmp_path_factory, array, compressed):
    folder = tmp_path_factory.mktemp("idx")
    path = folder / ("images.idx3-ubyte" + (".gz" if compressed else ""))
    if compressed:
        write_gz(path, idx_bytes(array))
    else:
        path.write_bytes(idx_bytes(array))
    out = read_idx(path, expect_ndim=3)
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, array)


def test_big_endian_int32_values(tmp_path):
    values = np.array([1, -2, 70000], dtype=">i4")
    path = tmp_path / "x.idx"
    path.write_bytes(bytes([0, 0, 0x0C, 1]) + struct.pack(">I", 3) + values.tobytes())
    out = read_idx(path)
    assert out.tolist() == [1, -2, 70000] and out.dtype.isnative


def test_labels_file_is_not_an_images_file(tmp_path):
    path = write_gz(tmp_path / "labels.gz", idx_bytes(np.arange(5)))
    with pytest.raises(IdxFormatError, match="magic number 0x00000801: expected 0x00000803"):
        read_idx(path, expect_ndim=3)


def test_wrong_magic_number(tmp_path):
    path = tmp_path / "bad.idx"
    path.write_bytes(b"\x1f\x8b\x08\x00" + b"\x00" * 20)  # a gzip header, not an idx one
    with pytest.raises(IdxFormatError, match="wrong idx magic number 0x1F8B0800"):
        read_idx(path)


def test_data_shorter_than_the_header_says(tmp_path):
    payload = idx_bytes(np.zeros((4, 3, 3)))[:-5]
    path = write_gz(tmp_path / "short.gz", payload)
    with pytest.raises(IdxFormatError, match=r"shape \(4, 3, 3\) \(36 bytes.*31 bytes"):
        read_idx(path)


def test_truncated_gzip(tmp_path):
    whole = gzip.compress(idx_bytes(np.arange(2000) % 256))
    path = tmp_path / "cut.gz"
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(IdxFormatError, match="gzip stream is truncated or damaged"):
        read_idx(path)


def test_tiny_file(tmp_path):
    path = tmp_path / "tiny.idx"
    path.write_bytes(b"\x00\x00")
    with pytest.raises(IdxFormatError, match="fewer than the 4"):
        read_idx(path)


def test_agrees_with_mlxtend_reader(tmp_path):
    # an independent reader of the same format
    from mlxtend.data import loadlocal_mnist

    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(9, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, size=9, dtype=np.uint8)
    (tmp_path / "images").write_bytes(idx_bytes(images))
    (tmp_path / "labels").write_bytes(idx_bytes(labels))
    theirs_x, theirs_y = loadlocal_mnist(str(tmp_path / "images"), str(tmp_path / "labels"))
    np.testing.assert_array_equal(read_idx(tmp_path / "images", expect_ndim=3).reshape(9, 784), theirs_x)
    np.testing.assert_array_equal(read_idx(tmp_path / "labels", expect_ndim=1), theirs_y)
