import io
import pickle

import numpy as np
import pytest

from cnn_core.data.safe_pickle import UnsafePickleError, safe_load, safe_loads

from .conftest import Marker, py2_pickle


def cifar_like_batch():
    return {b"batch_label": b"training batch 1 of 5",
            b"labels": [3, 1, 4],
            b"data": np.arange(3 * 3072, dtype=np.uint8).reshape(3, 3072),
            b"filenames": [b"a.png", b"b.png", b"c.png"]}


@pytest.mark.parametrize("protocol", [0, 1, 2, 3, 4, 5])
def test_plain_data_loads_with_every_protocol(protocol):
    value = {"text": "é", "number": 1.5, "flag": True, "none": None, "list": [1, (2, 3)],
             "array": np.linspace(0, 1, 6, dtype=np.float32).reshape(2, 3), "scalar": np.float64(2.5),
             b"bytes": b"\x00\xff"}
    loaded = safe_loads(pickle.dumps(value, protocol=protocol))
    assert loaded.keys() == value.keys()
    np.testing.assert_array_equal(loaded["array"], value["array"])
    assert loaded["list"] == [1, (2, 3)] and loaded[b"bytes"] == b"\x00\xff" and loaded["scalar"] == 2.5


def test_python2_style_cifar_batch_loads():
    batch = cifar_like_batch()
    loaded = safe_loads(py2_pickle(batch))
    assert b"numpy.core.multiarray" in py2_pickle(batch)
    assert loaded[b"labels"] == [3, 1, 4] and loaded[b"filenames"][1] == b"b.png"
    np.testing.assert_array_equal(loaded[b"data"], batch[b"data"])


@pytest.mark.parametrize("protocol", [0, 2, 4, 5])
def test_os_system_is_refused_before_it_runs(tmp_path, protocol):
    marker = tmp_path / "pwned"
    payload = pickle.dumps({b"data": Marker(marker)}, protocol=protocol)
    # the payload is live: an ordinary unpickler would create the marker
    pickle.loads(pickle.dumps(Marker(tmp_path / "control"), protocol=protocol))
    assert (tmp_path / "control").exists()
    with pytest.raises(UnsafePickleError, match="system"):
        safe_loads(payload)
    assert not marker.exists()


@pytest.mark.parametrize("dangerous", [
    b"cbuiltins\neval\n(S'1+1'\ntR.",
    b"c__builtin__\neval\n(S'1+1'\ntR.",
    b"csubprocess\nPopen\n(S'true'\ntR.",
    b"(S'ls'\nios\nsystem\n.",              # the INST opcode
    b"ccopyreg\n_reconstructor\n(cbuiltins\nobject\nNtR.",
    b"cnumpy\nload\n(S'x'\ntR.",
])
def test_other_callables_are_refused(dangerous):
    with pytest.raises(UnsafePickleError, match="refusing"):
        safe_loads(dangerous)


def test_object_arrays_are_refused():
    with pytest.raises(UnsafePickleError, match="object"):
        safe_loads(pickle.dumps(np.array([1, "a"], dtype=object), protocol=2))


def test_codecs_encode_only_for_latin1():
    with pytest.raises(UnsafePickleError, match="_codecs.encode"):
        safe_loads(b"c_codecs\nencode\n(Vabc\nVrot13\ntR.")


def test_safe_load_reads_a_file_object():
    assert safe_load(io.BytesIO(pickle.dumps([1, 2]))) == [1, 2]
