"""The shift explorer: the shifted digit and each model's probabilities."""

import numpy as np
import pytest
import torch

from cnn_core.widgets.shift import ShiftExplorer, shift_explorer, shift_image


def test_shift_image_against_a_hand_made_case():
    image = np.arange(1, 10, dtype=np.float32).reshape(3, 3)
    assert shift_image(image, 1, 0).tolist() == [[0, 1, 2], [0, 4, 5], [0, 7, 8]]
    assert shift_image(image, 0, -1).tolist() == [[4, 5, 6], [7, 8, 9], [0, 0, 0]]
    assert shift_image(image, -2, 2).tolist() == [[0, 0, 0], [0, 0, 0], [3, 0, 0]]
    with pytest.raises(ValueError, match="out of the frame"):
        shift_image(image, 3, 0)


def test_shift_image_equals_torch_roll_where_nothing_wraps():
    rng = np.random.default_rng(0)
    image = np.zeros((12, 12), dtype=np.float32)
    image[3:9, 3:9] = rng.uniform(size=(6, 6))      # a blob well inside the frame
    for dx, dy in [(2, -3), (-3, 3), (0, 1)]:
        rolled = torch.roll(torch.from_numpy(image), shifts=(dy, dx), dims=(0, 1)).numpy()
        assert np.array_equal(shift_image(image, dx, dy), rolled)


def models_and_digits():
    torch.manual_seed(0)
    dense = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, 10))
    cnn = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.AdaptiveMaxPool2d(1),
                              torch.nn.Flatten(), torch.nn.Linear(4, 10))
    images = np.random.default_rng(1).uniform(size=(3, 1, 8, 8)).astype(np.float32)
    return {"dense": dense, "CNN": cnn}, images, np.array([3, 1, 4])


def test_probabilities_are_the_models_softmax_on_the_shifted_digit():
    models, images, labels = models_and_digits()
    ex = shift_explorer(models, images, labels)
    ex.update(digit=2, dx=2, dy=-1)
    expected_input = torch.from_numpy(shift_image(images[2, 0], 2, -1))[None, None]
    for name, model in models.items():
        with torch.no_grad():
            expected = torch.softmax(model(expected_input), dim=1)[0].numpy()
        np.testing.assert_allclose(ex.probabilities()[name], expected, rtol=1e-6)
    html = ex.render()
    assert "a 4, shifted (2, -1)" in html and "dense: predicts" in html and "CNN: predicts" in html


def test_knobs_outside_their_range_are_refused_and_change_nothing():
    ex = shift_explorer(*models_and_digits())
    with pytest.raises(ValueError, match="shift right must be one of"):
        ex.update(dx=9)
    assert ex.state["dx"] == 0


def test_static_page_has_a_state_per_combination():
    ex = ShiftExplorer(*models_and_digits())
    knobs, states = ex.static_states()
    assert [k.name for k in knobs] == ["digit", "dx", "dy"]
    assert len(states) == 3 * 7 * 3         # dx -6, -4, ..., 6; dy -4, 0, 4


def test_bad_inputs_get_clear_errors():
    models, images, labels = models_and_digits()
    with pytest.raises(ValueError, match="at least one model"):
        shift_explorer({}, images, labels)
    with pytest.raises(ValueError, match="grey-scale digits"):
        shift_explorer(models, images[:, 0], labels)
