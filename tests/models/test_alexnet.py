import torch

from cnn_core.models import alexnet
from tests.models._checks import check_first_conv_takes, check_small_variant, count


def test_canonical_parameter_count():
    assert count(alexnet) == 61_100_840        # torchvision's published figure


def test_in_channels_and_num_classes_change_the_count_by_hand_derived_amounts():
    # conv1 has 64 filters of 11x11: one input channel fewer removes 64*121 weights x2
    assert count(alexnet, in_channels=1) == 61_100_840 - 2 * 64 * 121
    # the last layer is 4096 -> num_classes: 990 classes fewer remove 990 * 4097
    assert count(alexnet, num_classes=10) == 61_100_840 - 990 * 4097
    check_first_conv_takes(alexnet(in_channels=1), 1)


def test_full_model_forward_at_224():
    model = alexnet(num_classes=5).eval()
    with torch.no_grad():
        assert model(torch.randn(1, 3, 224, 224)).shape == (1, 5)


def test_small_variant():
    check_small_variant(alexnet)
