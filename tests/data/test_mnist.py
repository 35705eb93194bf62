import dataclasses

import numpy as np
import pytest

from cnn_core.data import mnist
from cnn_core.data.downloads import CorruptFileError, DownloadError
from cnn_core.data.mnist import load_fashion_mnist, load_mnist

from .conftest import idx_bytes, md5_of, write_gz


def test_official_names_and_checksums():
    # as published (yann.lecun.com file names; torchvision's MD5 list)
    assert mnist.MNIST_FILES["train", "images"].filename == "train-images-idx3-ubyte.gz"
    assert mnist.MNIST_FILES["test", "labels"].md5 == "ec29112dd5afa0611ce80d1b7f02629c"
    assert mnist.FASHION_MNIST_FILES["test", "images"].md5 == "bef4ecab320f06d8554ea6380940ec79"
    assert "http://yann.lecun.com/exdb/mnist/train-images-idx3-ubyte.gz" in mnist.MNIST_FILES["train", "images"].urls
    assert mnist.FASHION_MNIST_FILES["train", "labels"].urls == [
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/train-labels-idx1-ubyte.gz"]


@pytest.fixture
def tiny_mnist(tmp_path, monkeypatch):
    """Official file names and format, 7 train / 3 test images, served by file:// from tmp_path/server."""
    server = tmp_path / "server"
    server.mkdir()
    rng = np.random.default_rng(0)
    arrays = {}
    for split, n in (("train", 7), ("test", 3)):
        arrays[split] = (rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8),
                         rng.integers(0, 10, size=n, dtype=np.uint8))
        write_gz(server / mnist._NAMES[split, "images"], idx_bytes(arrays[split][0]))
        write_gz(server / mnist._NAMES[split, "labels"], idx_bytes(arrays[split][1]))

    def patch(table_name):
        table = getattr(mnist, table_name)
        patched = {key: dataclasses.replace(remote, md5=md5_of(server / remote.filename),
                                            mirrors=(server.as_uri() + "/",))
                   for key, remote in table.items()}
        monkeypatch.setattr(mnist, table_name, patched)

    patch("MNIST_FILES")
    patch("FASHION_MNIST_FILES")
    return server, arrays, tmp_path / "cache"


@pytest.mark.parametrize("load, folder", [(load_mnist, "mnist"), (load_fashion_mnist, "fashion-mnist")])
@pytest.mark.parametrize("split", ["train", "test"])
def test_loads_the_real_format(tiny_mnist, load, folder, split):
    server, arrays, cache = tiny_mnist
    images, labels = load(split, data_dir=cache)
    raw_images, raw_labels = arrays[split]
    assert images.shape == (len(raw_labels), 1, 28, 28) and images.dtype == np.float32
    np.testing.assert_allclose(images[:, 0], raw_images / 255.0, rtol=0, atol=1e-7)
    np.testing.assert_array_equal(labels, raw_labels)
    assert labels.dtype == np.int64
    assert (cache / folder / mnist._NAMES[split, "images"]).is_file()
    raw, _ = load(split, data_dir=cache, dtype=np.uint8)
    np.testing.assert_array_equal(raw[:, 0], raw_images)


def test_truncated_gzip_in_cache(tiny_mnist, monkeypatch):
    server, _, cache = tiny_mnist
    name = mnist._NAMES["train", "images"]
    whole = (server / name).read_bytes()
    (server / name).write_bytes(whole[: len(whole) // 2])
    # pretend the truncated file is what was published, so that only the gzip check can catch it
    remote = dataclasses.replace(mnist.MNIST_FILES["train", "images"], md5=md5_of(server / name))
    monkeypatch.setitem(mnist.MNIST_FILES, ("train", "images"), remote)
    with pytest.raises(CorruptFileError) as info:
        load_mnist("train", data_dir=cache)
    message = str(info.value)
    assert "truncated" in message and f"rm '{cache / 'mnist' / name}'" in message and "load_mnist()" in message


def test_wrong_magic_number_in_cache(tiny_mnist, monkeypatch):
    server, arrays, cache = tiny_mnist
    name = mnist._NAMES["test", "images"]
    write_gz(server / name, idx_bytes(arrays["test"][1]))  # a labels file under the images name
    remote = dataclasses.replace(mnist.MNIST_FILES["test", "images"], md5=md5_of(server / name))
    monkeypatch.setitem(mnist.MNIST_FILES, ("test", "images"), remote)
    with pytest.raises(CorruptFileError, match="magic number 0x00000801: expected 0x00000803"):
        load_mnist("test", data_dir=cache)


def test_images_and_labels_must_pair_up(tiny_mnist, monkeypatch):
    server, _, cache = tiny_mnist
    name = mnist._NAMES["test", "labels"]
    write_gz(server / name, idx_bytes(np.arange(5)))
    remote = dataclasses.replace(mnist.MNIST_FILES["test", "labels"], md5=md5_of(server / name))
    monkeypatch.setitem(mnist.MNIST_FILES, ("test", "labels"), remote)
    with pytest.raises(CorruptFileError, match="3 images but .* 5 labels"):
        load_mnist("test", data_dir=cache)


def test_offline(tmp_path, monkeypatch, closed_port):
    table = {key: dataclasses.replace(r, mirrors=(f"http://127.0.0.1:{closed_port}/",))
             for key, r in mnist.MNIST_FILES.items()}
    monkeypatch.setattr(mnist, "MNIST_FILES", table)
    with pytest.raises(DownloadError) as info:
        load_mnist("test", data_dir=tmp_path)
    message = str(info.value)
    assert f"http://127.0.0.1:{closed_port}/t10k-images-idx3-ubyte.gz" in message
    assert str(tmp_path / "mnist" / "t10k-images-idx3-ubyte.gz") in message


def test_bad_split():
    with pytest.raises(ValueError, match="'train' or 'test'"):
        load_mnist("validation")
