# A plausible wrong submission, used by tests/notebooks to check partial credit.
# expected_failures: conv2d_fast_check, predict_check
#
# Mistakes: everything is converted to float32 (float64 inputs come back as float32), and
# predict forgets eval(): dropout stays on at inference.

# %% solution id=conv2d_fast
def conv2d_fast(x, weight, bias, stride=1, padding=0, device="cpu"):
    t = [torch.tensor(a, dtype=torch.float32, device=device) for a in (x, weight, bias)]
    return torch.nn.functional.conv2d(*t, stride=stride, padding=padding).cpu().numpy()

# %% solution id=predict
def predict(model, x, device):
    model = model.to(device)
    with torch.no_grad():
        out = model(x.to(device))
    return out.argmax(dim=1).cpu(), torch.softmax(out, dim=1).cpu()
