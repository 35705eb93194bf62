"""cnn_core/pretrained/: the trained models the book ships are the ones its manifest lists.

`make weights` (scripts/train_book_models.py) writes every file and its line of
MANIFEST.json together; a file copied in by hand, or retrained without the script, shows up
here. tests/book/test_retrain.py checks that retraining reproduces them.
"""

from __future__ import annotations

import hashlib
import json

import pytest
import torch

from cnn_core.paths import PRETRAINED
from cnn_core.training import load_checkpoint

MANIFEST = json.loads((PRETRAINED / "MANIFEST.json").read_text())
FILES = sorted(p.name for p in PRETRAINED.iterdir() if p.suffix in (".pt", ".json") and p.name != "MANIFEST.json")


def test_the_manifest_lists_exactly_the_shipped_files():
    assert FILES, "no trained models are shipped"
    assert sorted(MANIFEST["files"]) == FILES


@pytest.mark.parametrize("name", FILES)
def test_each_file_is_the_one_the_manifest_describes(name):
    entry = MANIFEST["files"][name]
    data = (PRETRAINED / name).read_bytes()
    assert len(data) == entry["bytes"]
    assert hashlib.sha256(data).hexdigest() == entry["sha256"], f"{name} changed since `make weights` wrote it"
    assert (PRETRAINED.parents[1] / entry["page"]).is_file(), f"{name}: made by {entry['page']}, which is gone"


@pytest.mark.parametrize("name", [n for n in FILES if n.endswith(".pt")])
def test_each_checkpoint_loads_without_unpickling_code(name):
    payload = torch.load(PRETRAINED / name, map_location="cpu", weights_only=True)
    assert payload["format"] == 1 and payload["state_dict"], name


def test_a_shipped_checkpoint_refuses_another_recipe(tmp_path):
    """fit() loads a shipped checkpoint only for the settings it was trained with."""
    from cnn_core.models import digit_cnn
    from cnn_core.training import CheckpointMismatchError, fit

    name = next(n for n in FILES if n.startswith("ch12_source_cnn"))
    model = digit_cnn()
    extra = load_checkpoint(PRETRAINED / name, model)
    settings = extra["fit_settings"]
    batches = [(torch.zeros(2, 1, 28, 28), torch.zeros(2, dtype=torch.long))] * settings.get("train_batches", 1)
    with pytest.raises(CheckpointMismatchError, match="make weights"):
        fit(digit_cnn(), batches, epochs=settings["epochs"] + 1, lr=settings["lr"], seed=settings["seed"],
            checkpoint=PRETRAINED / name, progress=False, device="cpu")
