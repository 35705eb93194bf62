"""The error-analysis explorer: train, bridge (train-dev), dev and test errors -> which
problem to work on.

Chapter 13's reasoning (``cnn_core.error_analysis``) as knobs: the gaps between the four
errors say whether to work on variance, data mismatch or overfitting to the dev set.

Presets: the two cases of the notes' dog classifier (set 004), and any results passed in
(e.g. the models trained on the chapter's page).
"""

from __future__ import annotations

from cnn_core.error_analysis import ADVICE, gaps

from . import _draw
from ._base import Control, Explorer

__all__ = ["ErrorAnalysisExplorer", "error_analysis_explorer", "NOTES_SCENARIOS"]

SPLITS = ("train", "bridge", "dev", "test")
ERRORS = tuple(round(0.1 * i, 1) for i in range(0, 601))        # 0.0% ... 60.0%

#: The notes' dog classifier (set 004): training error 2%, dev error 10%, and a bridge set
#: that tells the two explanations apart (the notes give no test error).
NOTES_SCENARIOS = {
    "notes: bridge 9% (variance)": {"train": 2.0, "bridge": 9.0, "dev": 10.0, "test": 10.0},
    "notes: bridge 3% (data mismatch)": {"train": 2.0, "bridge": 3.0, "dev": 10.0, "test": 10.0},
}

class ErrorAnalysisExplorer(Explorer):
    """Knobs: ``scenario`` (a preset, or 'custom') and the four errors in percent.

    Moving an error slider switches the scenario to 'custom'; choosing a scenario sets the
    four errors. ``gaps`` and ``largest`` give the analysis.
    """

    static_controls = ("scenario",)

    def __init__(self, scenarios: dict | None = None, **knobs):
        self.scenarios = {**NOTES_SCENARIOS}
        for name, errors in (scenarios or {}).items():
            missing = [s for s in SPLITS if s not in errors]
            if missing:
                raise ValueError(f"scenario {name!r} needs the errors {', '.join(SPLITS)}; missing {', '.join(missing)}")
            self.scenarios[name] = {s: round(float(errors[s]), 1) for s in SPLITS}
        super().__init__(**knobs)

    def defaults(self) -> dict:
        first = next(iter(self.scenarios))
        return {"scenario": first, **self.scenarios[first]}

    def controls(self) -> list[Control]:
        return [Control("scenario", "scenario", (*self.scenarios, "custom"), "dropdown")] + [
            Control(s, f"{s} error %", ERRORS) for s in SPLITS]

    def update(self, **changes) -> "ErrorAnalysisExplorer":
        scenario = changes.get("scenario")
        if scenario in getattr(self, "scenarios", {}):
            changes = {**self.scenarios[scenario], **changes}
        elif scenario is None and any(s in changes for s in SPLITS):
            changes = {"scenario": "custom", **changes}
        changes = {k: round(float(v), 1) if k in SPLITS else v for k, v in changes.items()}
        return super().update(**changes)

    @property
    def gaps(self) -> dict[str, float]:
        return gaps(*(self.state[s] for s in SPLITS))

    @property
    def largest(self) -> str:
        return max(self.gaps, key=self.gaps.get)

    def render(self) -> str:
        errors = [self.state[s] for s in SPLITS]
        bars = _draw.bars_svg(errors, SPLITS, title="error (%)", width=280, height=170, lo=0,
                              hi=max(max(errors), 1.0))
        rows = [(name, f"{value:+.1f} points") for name, value in self.gaps.items()]
        worst = self.largest
        lines = [f"largest gap: {worst} ({self.gaps[worst]:.1f} points): {ADVICE[worst]}"]
        if self.gaps[worst] <= 0:
            lines = ["no gap is positive: the errors do not grow from train to test"]
        return _draw.panel(bars, _draw.table(("gap", "size"), rows)) + "".join(_draw.note(t) for t in lines)


def error_analysis_explorer(scenarios: dict | None = None, **knobs) -> ErrorAnalysisExplorer:
    """Errors on train, bridge, dev and test -> the gap to work on (chapter 13)."""
    return ErrorAnalysisExplorer(scenarios, **knobs)
