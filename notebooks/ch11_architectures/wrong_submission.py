# A plausible wrong submission, used by tests/notebooks to check partial credit.
# expected_failures: residual_block_check, stacked_rf_check
#
# Mistakes: the residual block forgets the shortcut (a plain two-layer block), and the
# receptive field of three 3x3 layers is taken as 3 * 3.

# %% solution id=residual_block
class ResidualBlock(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x):
        return torch.relu(self.conv2(torch.relu(self.conv1(x))))

# %% solution id=stacked
params_5x5 = 5 * 5 * 64 * 64
params_two_3x3 = 2 * 3 * 3 * 64 * 64
rf_three_3x3 = 9
