import torch

from cnn_core.models import googlenet
from cnn_core.models.googlenet import GoogLeNet, Inception
from tests.models._checks import check_first_conv_takes, check_small_variant, count


def test_canonical_parameter_count_without_aux_heads():
    assert count(googlenet) == 6_624_904        # torchvision's figure, aux_logits=False


def test_paper_5x5_branch_adds_exactly_the_extra_taps():
    # branch 3 with 5x5 instead of 3x3: (25 - 9) * ch5x5red * ch5x5 more weights per module
    from cnn_core.models.googlenet import INCEPTION_CONFIG
    extra = sum(16 * row[4] * row[5] for row in INCEPTION_CONFIG.values())
    assert count(GoogLeNet, branch3_kernel=5) == 6_624_904 + extra


def test_inception_module_concatenates_its_branches():
    module = Inception(192, 64, 96, 128, 16, 32, 32).eval()
    with torch.no_grad():
        out = module(torch.randn(1, 192, 28, 28))
    assert out.shape == (1, 64 + 128 + 32 + 32, 28, 28)     # 256 channels, as in Table 1


def test_in_channels_and_num_classes():
    assert count(googlenet, in_channels=1) == 6_624_904 - 2 * 64 * 49
    assert count(googlenet, num_classes=10) == 6_624_904 - 990 * 1025
    check_first_conv_takes(googlenet(in_channels=1), 1)


def test_full_model_forward_at_224():
    model = googlenet(num_classes=3).eval()
    with torch.no_grad():
        assert model(torch.randn(1, 3, 224, 224)).shape == (1, 3)


def test_small_variant():
    check_small_variant(googlenet)
