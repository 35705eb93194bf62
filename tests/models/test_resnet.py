import torch

from cnn_core.models import resnet18, resnet34, resnet50
from cnn_core.models.resnet import BasicBlock, Bottleneck
from tests.models._checks import check_first_conv_takes, check_small_variant, count


def test_canonical_parameter_counts():
    assert count(resnet18) == 11_689_512        # torchvision's published figures
    assert count(resnet34) == 21_797_672
    assert count(resnet50) == 25_557_032


def test_in_channels_and_num_classes():
    # the 7x7 stem has 64 filters: two channels fewer remove 64*49*2 weights
    assert count(resnet18, in_channels=1) == 11_689_512 - 64 * 49 * 2
    # the head is 2048 -> classes for ResNet-50
    assert count(resnet50, num_classes=10) == 25_557_032 - 990 * 2049
    check_first_conv_takes(resnet34(in_channels=1), 1)


def test_blocks_keep_or_halve_the_resolution():
    x = torch.randn(2, 64, 8, 8)
    assert BasicBlock(64, 64)(x).shape == (2, 64, 8, 8)
    assert BasicBlock(64, 128, stride=2)(x).shape == (2, 128, 4, 4)
    assert Bottleneck(64, 64)(x).shape == (2, 256, 8, 8)
    assert Bottleneck(64, 32, stride=2)(x).shape == (2, 128, 4, 4)


def test_identity_shortcut_when_the_residual_branch_is_zero():
    # With the last batch norm's scale at 0, F(x) = 0 and the block is relu(x).
    block = BasicBlock(8, 8).eval()
    torch.nn.init.zeros_(block.bn2.weight)
    x = torch.randn(2, 8, 5, 5)
    with torch.no_grad():
        assert torch.equal(block(x), torch.relu(x))


def test_full_model_forward_at_224():
    model = resnet18(num_classes=6).eval()
    with torch.no_grad():
        assert model(torch.randn(1, 3, 224, 224)).shape == (1, 6)


def test_small_variants():
    check_small_variant(resnet18)
    check_small_variant(resnet34)
    check_small_variant(resnet50)
