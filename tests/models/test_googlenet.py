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


def paper_table_1_count(branch3_kernel=5, bias=True, num_classes=1000):
    """GoogLeNet's parameters derived from the paper's Table 1 with cnn_core.shapes, not from
    the model: the stem (7x7/2 to 64, 1x1 reduce 64, 3x3 to 192), nine Inception modules,
    and the linear classifier on 1024 features. (The paper states no total to compare with.)"""
    from cnn_core.models.googlenet import INCEPTION_CONFIG
    from cnn_core.shapes import conv_params, linear_params

    total = conv_params(3, 64, 7, bias) + conv_params(64, 64, 1, bias) + conv_params(64, 192, 3, bias)
    for c_in, c1, r3, c3, r5, c5, pool in INCEPTION_CONFIG.values():
        total += (conv_params(c_in, c1, 1, bias) + conv_params(c_in, r3, 1, bias) + conv_params(r3, c3, 3, bias)
                  + conv_params(c_in, r5, 1, bias) + conv_params(r5, c5, branch3_kernel, bias)
                  + conv_params(c_in, pool, 1, bias))
    return total + linear_params(1024, num_classes)


def test_the_papers_network_has_no_batch_norm_and_the_count_of_its_table():
    with torch.device("meta"):
        paper = GoogLeNet(batch_norm=False, branch3_kernel=5)
    modules = list(paper.modules())
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in modules)
    assert sum(isinstance(m, torch.nn.LocalResponseNorm) for m in modules) == 2       # the paper's stem
    assert all(m.bias is not None for m in modules if isinstance(m, torch.nn.Conv2d))
    assert count(paper) == paper_table_1_count(branch3_kernel=5)


def test_the_default_is_the_same_table_with_batch_norm_for_biases():
    # torchvision's version: no conv biases, two BN parameters (gamma, beta) per channel instead
    with torch.device("meta"):
        model = googlenet()
    channels = sum(m.out_channels for m in model.modules() if isinstance(m, torch.nn.Conv2d))
    assert count(model) == paper_table_1_count(branch3_kernel=3, bias=False) + 2 * channels


def test_the_papers_network_runs_and_learns():
    torch.manual_seed(0)
    model = GoogLeNet(num_classes=5, batch_norm=False, branch3_kernel=5, dropout=0.4)
    out = model(torch.randn(1, 3, 224, 224))
    assert out.shape == (1, 5)
    out.sum().backward()
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in model.parameters())
    small = GoogLeNet(num_classes=10, in_channels=1, small=True, batch_norm=False)
    assert small(torch.randn(2, 1, 28, 28)).shape == (2, 10)
