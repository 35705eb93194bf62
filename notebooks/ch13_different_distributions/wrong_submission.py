# A plausible wrong submission, used by tests/notebooks to check partial credit.
# expected_failures: error_analysis_check, biggest_problem_check, digit_errors_check
#
# Mistake: variance measured as dev minus train (the bridge set ignored), mismatch as
# dev minus train too; the biggest problem and the digit analysis follow from it.

# %% solution id=error_analysis
def error_analysis(human, train, bridge, dev):
    return {"avoidable_bias": train - human, "variance": dev - train, "mismatch": dev - train}
