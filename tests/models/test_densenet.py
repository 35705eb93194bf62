import torch

from cnn_core.models import densenet121
from cnn_core.models.densenet import DenseBlock
from tests.models._checks import check_first_conv_takes, check_small_variant, count


def test_canonical_parameter_count():
    assert count(densenet121) == 7_978_856      # torchvision's published figure


def test_in_channels_and_num_classes():
    assert count(densenet121, in_channels=1) == 7_978_856 - 64 * 49 * 2
    # 64 + 32*(6) -> 128, +32*12 -> 256, +32*24 -> 512, +32*16 = 1024 features at the head
    assert count(densenet121, num_classes=10) == 7_978_856 - 990 * 1025
    check_first_conv_takes(densenet121(in_channels=1), 1)


def test_dense_block_grows_by_growth_rate_per_layer():
    block = DenseBlock(num_layers=3, in_channels=5, growth_rate=4, bn_size=2).eval()
    x = torch.randn(1, 5, 6, 6)
    with torch.no_grad():
        out = block(x)
    assert out.shape == (1, 5 + 3 * 4, 6, 6)
    assert torch.equal(out[:, :5], x)            # the input is passed on untouched


def test_full_model_forward_on_a_small_image():
    model = densenet121(num_classes=2).eval()
    with torch.no_grad():
        assert model(torch.randn(1, 3, 64, 64)).shape == (1, 2)


def test_small_variant():
    check_small_variant(densenet121)
