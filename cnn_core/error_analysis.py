"""Error analysis when training and target data differ (chapter 13): what the gaps between
the train, bridge (train-dev), dev and test errors say.

- bridge - train: **variance** (unseen data from the training distribution);
- dev - bridge: **data mismatch** (unseen data from the target distribution);
- test - dev: **overfitting to the dev set**.
"""

from __future__ import annotations

__all__ = ["gaps", "largest_gap", "ADVICE"]

ADVICE = {
    "variance": "the model does much worse on unseen data of its own distribution: regularize "
                "(chapter 10), get more training data, or use a smaller model",
    "data mismatch": "the model works on its own distribution but not on the target: study the dev "
                     "errors, make training data more like the target (collect it, synthesize it, "
                     "weight it up)",
    "overfitting to dev": "the dev set has been tuned on too long: get a bigger dev set",
}


def gaps(train: float, bridge: float, dev: float, test: float | None = None) -> dict[str, float]:
    """Differences between consecutive errors, in the errors' own units (e.g. percent)."""
    out = {"variance": bridge - train, "data mismatch": dev - bridge}
    if test is not None:
        out["overfitting to dev"] = test - dev
    return out


def largest_gap(train: float, bridge: float, dev: float, test: float | None = None) -> str:
    """The name of the largest gap: the problem to work on first."""
    g = gaps(train, bridge, dev, test)
    return max(g, key=g.get)
