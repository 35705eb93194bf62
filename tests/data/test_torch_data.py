import numpy as np
import torch

from cnn_core.data.batches import iterate_minibatches
from cnn_core.data.torch_data import ArrayDataset, make_loader
from cnn_core.data.transforms import RandomFlip


def data(n=23):
    images = np.random.default_rng(0).random((n, 1, 4, 4), dtype=np.float32)
    return images, np.arange(n) % 10


def test_dataset_items():
    images, labels = data()
    dataset = ArrayDataset(images, labels)
    x, y = dataset[3]
    assert len(dataset) == 23 and x.shape == (1, 4, 4) and x.dtype == torch.float32
    assert y.dtype == torch.int64 and int(y) == 3
    np.testing.assert_array_equal(x.numpy(), images[3])


def test_unshuffled_loader_matches_the_numpy_iterator():
    images, labels = data()
    torch_batches = list(make_loader(images, labels, batch_size=5))
    numpy_batches = list(iterate_minibatches(images, labels, 5))
    assert len(torch_batches) == len(numpy_batches) == 5
    for (tx, ty), (nx, ny) in zip(torch_batches, numpy_batches):
        np.testing.assert_array_equal(tx.numpy(), nx)
        np.testing.assert_array_equal(ty.numpy(), ny)


def test_shuffled_loader_is_seeded_and_complete():
    images, labels = data()
    order = lambda seed: torch.cat([y for _, y in make_loader(images, np.arange(23), 4, shuffle=True, seed=seed)])
    assert torch.equal(order(0), order(0)) and not torch.equal(order(0), order(1))
    assert sorted(order(0).tolist()) == list(range(23))
    assert len(list(make_loader(images, labels, 4, drop_last=True))) == 5


def test_numpy_transform_inside_the_loader():
    images, labels = data(8)
    (x, y), = list(make_loader(images, labels, batch_size=8, transform=RandomFlip(p=1.0)))
    np.testing.assert_array_equal(x.numpy(), images[..., ::-1])
    np.testing.assert_array_equal(y.numpy(), labels)
