"""The architectures of chapter 11, written in PyTorch (no torchvision).

Every constructor takes ``num_classes`` and ``in_channels``. At
``num_classes=1000`` on 3x224x224 inputs the parameter counts equal the
canonical (torchvision) configurations. Every constructor except ``lenet5``
(which is small already and takes 32x32) also takes ``small=True``: a variant
of the same design that trains on 1x28x28 or 3x32x32 images on a CPU inside a
notebook; each family's module docstring says what ``small`` changes.

``digit_cnn()`` is the course's own small digit network with named blocks (chapters 12
and 13 transfer it). ``summary(model, input_size)`` prints each layer's output shape and
parameters.
"""

from .alexnet import AlexNet, alexnet
from .densenet import DenseNet, densenet121
from .digit_cnn import digit_cnn
from .googlenet import GoogLeNet, googlenet
from .lenet import LeNet5, lenet5
from .mobilenet import MobileNetV2, mobilenet_v2
from .resnet import ResNet, resnet18, resnet34, resnet50
from .summary import LayerInfo, ModelSummary, summary
from .vgg import VGG, vgg11, vgg16

#: name -> constructor, for loops over "every architecture of the chapter"
MODELS = {
    "lenet5": lenet5, "alexnet": alexnet, "vgg11": vgg11, "vgg16": vgg16,
    "googlenet": googlenet, "resnet18": resnet18, "resnet34": resnet34, "resnet50": resnet50,
    "densenet121": densenet121, "mobilenet_v2": mobilenet_v2,
}

__all__ = [
    "MODELS", "summary", "ModelSummary", "LayerInfo", "digit_cnn",
    "LeNet5", "lenet5", "AlexNet", "alexnet", "VGG", "vgg11", "vgg16",
    "GoogLeNet", "googlenet", "ResNet", "resnet18", "resnet34", "resnet50",
    "DenseNet", "densenet121", "MobileNetV2", "mobilenet_v2",
]
