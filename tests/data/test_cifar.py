import dataclasses

import numpy as np
import pytest

from cnn_core.data import cifar
from cnn_core.data.cifar import CIFAR10_CLASSES, load_cifar10, read_cifar10_archive
from cnn_core.data.downloads import CorruptFileError

from .conftest import Marker, cifar_archive, md5_of, py2_pickle


def make_batch(rng, n, label):
    """n images in the published layout: each row = 1024 red, 1024 green, 1024 blue values."""
    hwc = rng.integers(0, 256, size=(n, 32, 32, 3), dtype=np.uint8)  # what a viewer shows
    rows = np.concatenate([hwc[..., 0].reshape(n, 1024), hwc[..., 1].reshape(n, 1024),
                           hwc[..., 2].reshape(n, 1024)], axis=1)
    labels = rng.integers(0, 10, size=n).tolist()
    batch = {b"batch_label": label.encode(), b"labels": labels, b"data": rows,
             b"filenames": [f"img_{i}.png".encode() for i in range(n)]}
    return batch, hwc, labels


@pytest.fixture
def tiny_cifar(tmp_path):
    rng = np.random.default_rng(0)
    batches, expected = {}, {"train": ([], []), "test": ([], [])}
    for i in range(1, 6):
        batch, hwc, labels = make_batch(rng, 2, f"training batch {i} of 5")
        batches[f"data_batch_{i}"] = py2_pickle(batch)
        expected["train"][0].append(hwc)
        expected["train"][1].extend(labels)
    batch, hwc, labels = make_batch(rng, 3, "testing batch 1 of 1")
    batches["test_batch"] = py2_pickle(batch)
    expected["test"] = ([hwc], labels)
    batches["batches.meta"] = py2_pickle({b"label_names": [c.encode() for c in CIFAR10_CLASSES],
                                          b"num_cases_per_batch": 2, b"num_vis": 3072})
    server = tmp_path / "server"
    server.mkdir()
    cifar_archive(server / "cifar-10-python.tar.gz", batches)
    return server, expected, tmp_path / "cache"


def use_server(monkeypatch, server):
    remote = dataclasses.replace(cifar.CIFAR10_FILE, md5=md5_of(server / "cifar-10-python.tar.gz"),
                                 mirrors=(server.as_uri() + "/",))
    monkeypatch.setattr(cifar, "CIFAR10_FILE", remote)


def test_official_file():
    assert cifar.CIFAR10_FILE.urls == ["https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"]
    assert cifar.CIFAR10_FILE.md5 == "c58f30108f718f92721af3b95e74349a"


@pytest.mark.parametrize("split, n", [("train", 10), ("test", 3)])
def test_loads_the_real_format(tiny_cifar, monkeypatch, split, n):
    server, expected, cache = tiny_cifar
    use_server(monkeypatch, server)
    images, labels = load_cifar10(split, data_dir=cache)
    hwc = np.concatenate(expected[split][0])
    assert images.shape == (n, 3, 32, 32) and images.dtype == np.float32
    np.testing.assert_allclose(images, hwc.transpose(0, 3, 1, 2) / 255.0, rtol=0, atol=1e-7)
    assert labels.tolist() == expected[split][1] and labels.dtype == np.int64
    assert (cache / "cifar-10" / "cifar-10-python.tar.gz").is_file()
    raw, _ = load_cifar10(split, data_dir=cache, dtype=np.uint8)
    np.testing.assert_array_equal(raw, hwc.transpose(0, 3, 1, 2))


def test_malicious_pickle_in_the_archive_is_refused(tmp_path, monkeypatch):
    marker = tmp_path / "pwned"
    server = tmp_path / "server"
    server.mkdir()
    evil = py2_pickle({b"data": Marker(marker), b"labels": [0]})
    cifar_archive(server / "cifar-10-python.tar.gz", {f"data_batch_{i}": evil for i in range(1, 6)})
    use_server(monkeypatch, server)
    with pytest.raises(CorruptFileError) as info:
        load_cifar10("train", data_dir=tmp_path / "cache")
    assert "refusing" in str(info.value) and "system" in str(info.value)
    assert not marker.exists()


def test_truncated_archive(tiny_cifar, monkeypatch):
    server, _, cache = tiny_cifar
    path = server / "cifar-10-python.tar.gz"
    path.write_bytes(path.read_bytes()[:-200])
    use_server(monkeypatch, server)
    with pytest.raises(CorruptFileError, match="rm '.*cifar-10-python.tar.gz'"):
        load_cifar10("test", data_dir=cache)


def test_missing_batch(tmp_path):
    archive = cifar_archive(tmp_path / "a.tar.gz", {"test_batch": py2_pickle({b"x": 1})})
    with pytest.raises(ValueError, match="no cifar-10-batches-py/data_batch_1"):
        read_cifar10_archive(archive, "train")
    with pytest.raises(ValueError, match="not a CIFAR-10 batch"):
        read_cifar10_archive(archive, "test")
