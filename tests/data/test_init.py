import subprocess
import sys


def test_numpy_side_imports_and_runs_without_torch():
    code = (
        "import sys; sys.modules['torch'] = None\n"  # makes any `import torch` fail
        "import cnn_core.data as d\n"
        "x, y = d.make_xo_letters(4, rng=0)\n"
        "b = list(d.iterate_minibatches(x, y, 2))\n"
        "from cnn_core.data import transforms, cifar, mnist, safe_pickle\n"
        "assert 'torch' not in [m for m in sys.modules if sys.modules[m] is not None]\n"
        "try:\n"
        "    import cnn_core.data.torch_data\n"
        "except ImportError:\n"
        "    print('torch_data needs torch')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "torch_data needs torch" in result.stdout


def test_public_names():
    import cnn_core.data as d

    for name in d.__all__:
        assert hasattr(d, name), name
