import torch

from cnn_core.models import vgg11, vgg16
from tests.models._checks import check_first_conv_takes, check_small_variant, count


def test_canonical_parameter_counts():
    assert count(vgg11) == 132_863_336          # torchvision's published figures
    assert count(vgg16) == 138_357_544


def test_in_channels_and_num_classes():
    # the first layer has 64 3x3 filters: two input channels fewer remove 64*9*2 weights
    assert count(vgg16, in_channels=1) == 138_357_544 - 64 * 9 * 2
    assert count(vgg11, num_classes=10) == 132_863_336 - 990 * 4097
    check_first_conv_takes(vgg11(in_channels=1), 1)


def test_vgg16_has_13_convolutions_and_3_dense_layers():
    model = vgg16()
    assert sum(isinstance(m, torch.nn.Conv2d) for m in model.modules()) == 13
    assert sum(isinstance(m, torch.nn.Linear) for m in model.modules()) == 3
    assert all(m.kernel_size == (3, 3) for m in model.modules() if isinstance(m, torch.nn.Conv2d))


def test_full_model_forward_on_a_small_image():
    model = vgg11(num_classes=4).eval()
    with torch.no_grad():          # 5 halvings of 32 leave 1x1, pooled adaptively to 7x7
        assert model(torch.randn(1, 3, 32, 32)).shape == (1, 4)


def test_small_variants():
    check_small_variant(vgg11)
    check_small_variant(vgg16)
