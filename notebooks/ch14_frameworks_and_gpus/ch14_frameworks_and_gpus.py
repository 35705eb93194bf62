# %% [markdown]
# # Assignment 14 (appendix): frameworks and running on a GPU
#
# The course writes every operation in NumPy to understand it, and uses PyTorch to go fast:
# the same code runs on a CPU or a GPU by moving tensors and models to a *device*. You will
# bridge NumPy and PyTorch, write device-agnostic inference, count the multiply-adds that
# make GPUs worth it, and update the notes' (dated) table of frameworks.
#
# Here PyTorch is what you are asked to use. Tests print `PASS ...` or say what was
# expected, what you gave and for which input; hidden tests run when your work is graded.
# The tests run on the CPU: your code must work whatever device it is given.
#
# Points: part 1 (3), part 2 (3), part 3 (2), part 4 (2): 10 in all.

# %% locked id=setup
import numpy as np
import torch
from torch import nn
from cnn_core.grading import check_choice, check_close, check_equal, check_number, check_option, check_true, part

# %% [markdown]
# ## Part 1 (3 points): from NumPy to PyTorch and back
#
# Write `conv2d_fast(x, weight, bias, stride, padding, device="cpu")`: the arguments are NumPy
# arrays as in the reference (`x` (N, C, H, W), `weight` (K, C, F, F), `bias` (K,)); convert
# them to tensors **of the same dtype** on `device`, run `torch.nn.functional.conv2d`, and
# return a NumPy array (on the CPU).

# %% solution id=conv2d_fast
def conv2d_fast(x, weight, bias, stride=1, padding=0, device="cpu"):
    ### BEGIN SOLUTION
    t = [torch.as_tensor(a, device=device) for a in (x, weight, bias)]
    out = torch.nn.functional.conv2d(*t, stride=stride, padding=padding)
    return out.cpu().numpy()
    ### END SOLUTION

# %% tests id=conv2d_fast_check points=3
part("conv2d_fast_check")
from cnn_core.reference import conv2d as _ref_conv2d

_rng = np.random.default_rng(141)
for _dtype, _tol in [(np.float64, 1e-10), (np.float32, 1e-5)]:
    _x = _rng.normal(size=(2, 3, 8, 8)).astype(_dtype)
    _w, _b = _rng.normal(size=(4, 3, 3, 3)).astype(_dtype), _rng.normal(size=4).astype(_dtype)
    _out = conv2d_fast(_x, _w, _b, stride=2, padding=1)
    check_true(f"a NumPy array comes back ({np.dtype(_dtype).name} input)", isinstance(_out, np.ndarray))
    check_true(f"the dtype is kept ({np.dtype(_dtype).name})", _out.dtype == np.dtype(_dtype))
    check_close(f"conv2d_fast, {np.dtype(_dtype).name}, stride 2, padding 1", _out,
                _ref_conv2d(_x, _w, _b, stride=2, padding=1, strict=False), rtol=_tol, atol=_tol, inputs={"x": _x})

# %% [markdown]
# ## Part 2 (3 points): device-agnostic inference
#
# Write `predict(model, x, device)`: move the model and the batch `x` (a CPU tensor) to
# `device`, run the model in evaluation mode without tracking gradients, and return
# `(classes, probabilities)` as CPU tensors: the predicted class of each image (the argmax
# of the outputs) and the softmax of the outputs.

# %% solution id=predict
def predict(model, x, device):
    ### BEGIN SOLUTION
    model = model.to(device).eval()
    with torch.no_grad():
        out = model(x.to(device))
    return out.argmax(dim=1).cpu(), torch.softmax(out, dim=1).cpu()
    ### END SOLUTION

# %% tests id=predict_check points=3
part("predict_check")
torch.manual_seed(14)
_model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Dropout(0.5), nn.Flatten(), nn.Linear(4 * 6 * 6, 5))
_x = torch.randn(6, 1, 8, 8)
with torch.no_grad():
    _out = _model.eval()(_x)
_model.train()                                       # predict() must switch dropout off itself
_classes, _probabilities = predict(_model, _x, "cpu")
check_equal("predicted classes of 6 images", _classes, _out.argmax(dim=1))
check_close("class probabilities", _probabilities, torch.softmax(_out, dim=1), rtol=1e-5, atol=1e-7)
check_true("the results live on the CPU", _classes.device.type == "cpu" and _probabilities.device.type == "cpu")
check_true("no gradient is tracked (the probabilities carry no autograd graph)", not _probabilities.requires_grad)

# %% [markdown]
# ## Part 3 (2 points): why GPUs?
#
# A convolution layer does one multiply-add per weight per output pixel. Give, as
# arithmetic, `vgg_first_layer_macs`: the multiply-adds of VGG-16's first layer for one
# image (3 -> 64 channels, 3x3 filters, padding 1, 224x224 output).

# %% solution id=macs
### BEGIN SOLUTION
vgg_first_layer_macs = 224 * 224 * 64 * (3 * 3 * 3)
### END SOLUTION

# %% tests id=macs_check points=2
part("macs_check")
from cnn_core.shapes import conv_macs

check_number("multiply-adds of VGG-16's first layer", vgg_first_layer_macs, conv_macs(3, 64, 3, 224))

# %% [markdown]
# ## Part 4 (2 points): the notes' table of frameworks is dated
#
# The notes list Caffe, Theano, Torch (Lua), TensorFlow and Keras. Which is true today?
# Store a letter as a string in `frameworks_choice`.
#
# - (a) Keras is a front end of TensorFlow only, Torch (Lua) is still developed beside
#   PyTorch, and Caffe is the usual choice for new research code;
# - (b) TensorFlow replaced PyTorch in research, Theano's successor is JAX, and Keras was
#   merged into PyTorch;
# - (c) Theano and Caffe are no longer developed, Lua Torch gave way to PyTorch, Keras runs on
#   several back ends, and PyTorch, JAX and TensorFlow lead.

# %% solution id=frameworks_choice
### BEGIN SOLUTION
frameworks_choice = "c"
### END SOLUTION

# %% tests id=frameworks_choice_check points=2
part("frameworks_choice_check")
check_option("frameworks today", frameworks_choice, ["a", "b", "c"])
### BEGIN HIDDEN TESTS
# (a) Keras 3 runs on JAX, PyTorch and TensorFlow; Lua Torch is no longer developed.
# (b) PyTorch is the most used framework in research; JAX is Google's, not Theano's successor.
check_choice("frameworks today", frameworks_choice, "c", ["a", "b", "c"])
### END HIDDEN TESTS
