"""The transfer-learning explorer: toggles for which blocks are frozen, with the trainable
parameter counts.

A block is a top-level child of the model that owns parameters. Freezing it sets
``requires_grad = False`` on its parameters *in the model itself*, so the model the explorer
was given is ready to be fine-tuned with exactly the choice shown (an optimizer built from
``[p for p in model.parameters() if p.requires_grad]``).
"""

from __future__ import annotations

from . import _draw
from ._base import Control, Explorer

__all__ = ["TransferExplorer", "transfer_explorer"]


def _count(module) -> int:
    return sum(p.numel() for p in module.parameters())


class TransferExplorer(Explorer):
    """One toggle per block: ``update(layer1=True)`` freezes the block ``layer1``.

    ``model``: any ``torch.nn.Module`` (default: ``cnn_core.models.resnet18(num_classes=10,
    small=True)``). ``blocks`` lists (name, parameters); ``trainable`` and ``total`` count
    parameters. Starts as feature extraction: every block frozen except the last (the head).
    """

    max_static_states = 128

    def __init__(self, model=None, **knobs):
        if model is None:
            from cnn_core.models import resnet18
            model = resnet18(num_classes=10, small=True)
        self.model = model
        self.blocks = [(name, _count(child)) for name, child in model.named_children() if _count(child)]
        if not self.blocks:
            raise ValueError("this model has no sub-module with parameters to freeze")
        # pre-computed toggles on a static page: only when 2^blocks states stay small
        self.static_controls = tuple(n for n, _ in self.blocks) if 2 ** len(self.blocks) <= 128 else ()
        super().__init__(**knobs)

    def controls(self) -> list[Control]:
        return [Control(name, f"freeze {name}", (False, True), "toggle") for name, _ in self.blocks]

    def defaults(self) -> dict:
        return {name: name != self.blocks[-1][0] for name, _ in self.blocks}

    def _check(self) -> None:
        children = dict(self.model.named_children())
        for name, _ in self.blocks:
            for p in children[name].parameters():
                p.requires_grad_(not self.state[name])

    @property
    def total(self) -> int:
        return sum(n for _, n in self.blocks)

    @property
    def trainable(self) -> int:
        return sum(p.numel() for p in self.model.parameters() if p.requires_grad)

    def render(self) -> str:
        rows = [(name, f"{n:,}", "frozen" if self.state[name] else "trained", f"{0 if self.state[name] else n:,}")
                for name, n in self.blocks]
        tab = _draw.table(("block", "parameters", "", "trainable"), rows)
        frozen = [name for name, _ in self.blocks if self.state[name]]
        if not frozen:
            kind = "full fine-tuning (or training from scratch): every block learns"
        elif len(frozen) == len(self.blocks):
            kind = "everything frozen: nothing would learn"
        elif [name for name, _ in self.blocks[:len(frozen)]] == frozen:
            kind = ("feature extraction: only the head learns" if len(frozen) == len(self.blocks) - 1
                    else "fine-tuning the last blocks, the first ones frozen")
        else:
            kind = "an unusual choice: frozen blocks after trained ones"
        share = self.trainable / self.total
        return tab + _draw.note(f"trainable: {self.trainable:,} of {self.total:,} parameters ({share:.1%}); {kind}")


def transfer_explorer(model=None, **frozen) -> TransferExplorer:
    """The transfer-learning explorer; ``frozen``: block name -> True/False."""
    return TransferExplorer(model, **frozen)
