"""Notebook cells and notebooks as the autograder reads them (plain nbformat 4 dicts), for the tests."""

from __future__ import annotations


def md(source: str, **nbgrader) -> dict:
    """A markdown cell; ``nbgrader`` fields (grade_id, grade, solution, points, ...) as keywords."""
    return {"cell_type": "markdown", "metadata": {"nbgrader": nbgrader} if nbgrader else {}, "source": source}


def code(source: str, **nbgrader) -> dict:
    """A code cell without outputs; ``nbgrader`` fields as keywords."""
    return {"cell_type": "code", "metadata": {"nbgrader": nbgrader} if nbgrader else {}, "source": source,
            "outputs": [], "execution_count": None}


def notebook(cells: list[dict], nbformat_minor: int = 5) -> dict:
    return {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": nbformat_minor}
