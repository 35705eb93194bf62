# A plausible wrong submission, used by tests/notebooks to check partial credit.
# expected_failures: freeze_check, optimizer_check
#
# Mistakes: model.eval() taken for freezing (it changes dropout and batch norm, not
# requires_grad), and an optimizer over all parameters.

# %% solution id=freeze
def freeze_features(model):
    model.features.eval()
    return model

# %% solution id=optimizer
def make_optimizer(model, lr):
    return torch.optim.SGD(model.parameters(), lr=lr)
