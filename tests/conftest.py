"""Shared test settings.

Hypothesis runs a bounded number of examples per test so the whole suite stays
well inside CI's budget; set HYPOTHESIS_PROFILE=thorough for a longer search.
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "thorough", max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
