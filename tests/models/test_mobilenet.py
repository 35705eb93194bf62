import torch

from cnn_core.models import mobilenet_v2
from cnn_core.models.mobilenet import InvertedResidual
from tests.models._checks import check_first_conv_takes, check_small_variant, count


def test_canonical_parameter_count():
    assert count(mobilenet_v2) == 3_504_872     # torchvision's published figure


def test_in_channels_and_num_classes():
    assert count(mobilenet_v2, in_channels=1) == 3_504_872 - 32 * 9 * 2
    assert count(mobilenet_v2, num_classes=10) == 3_504_872 - 990 * 1281
    check_first_conv_takes(mobilenet_v2(in_channels=1), 1)


def test_depthwise_convolution_has_one_filter_per_channel():
    block = InvertedResidual(16, 16, stride=1, expand_ratio=6)
    depthwise = [m for m in block.modules() if isinstance(m, torch.nn.Conv2d) and m.groups > 1]
    assert len(depthwise) == 1 and depthwise[0].groups == 96
    assert depthwise[0].weight.shape == (96, 1, 3, 3)
    assert block.use_residual and not InvertedResidual(16, 24, 2, 6).use_residual


def test_full_model_forward_on_a_small_image():
    model = mobilenet_v2(num_classes=3).eval()
    with torch.no_grad():
        assert model(torch.randn(1, 3, 64, 64)).shape == (1, 3)


def test_small_variant():
    check_small_variant(mobilenet_v2)
