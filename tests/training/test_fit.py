import pytest
import torch

from cnn_core.training import History, fit, seed_everything
from tests.training._data import blobs, loader, mlp


def test_learns_a_separable_problem():
    torch.manual_seed(0)
    train, val = loader(*blobs(200, seed=1), shuffle=True), loader(*blobs(100, seed=2))
    history = fit(mlp(), train, val, epochs=8, lr=0.05, progress=False, device="cpu")
    assert isinstance(history, History) and history.epochs == list(range(1, 9))
    assert len(history.val_loss) == len(history.val_acc) == len(history.seconds) == 8
    assert history.val_acc[-1] >= 0.97
    assert history.train_loss[-1] < 0.5 * history.train_loss[0]


def test_losses_and_accuracy_are_what_a_hand_pass_measures():
    # With lr=0 nothing changes, so every epoch must report the loss of the initial model.
    torch.manual_seed(0)
    model = mlp()
    x, y = blobs(96)
    with torch.no_grad():
        logits = model(x)
    expected_loss = torch.nn.functional.cross_entropy(logits, y).item()
    expected_acc = (logits.argmax(1) == y).float().mean().item()
    history = fit(model, loader(x, y, batch_size=32), loader(x, y, batch_size=50), epochs=2,
                  optimizer=torch.optim.SGD, lr=0.0, progress=False)
    for values, want in ((history.train_loss, expected_loss), (history.val_loss, expected_loss),
                         (history.train_acc, expected_acc), (history.val_acc, expected_acc)):
        assert values == pytest.approx([want, want], rel=1e-6)


def test_early_stopping_stops_and_restores_the_best_weights():
    # Validation labels are the opposite of the training labels: the better the model
    # learns, the worse the validation loss. Epoch 0 is the best; patience 2 stops after 3.
    torch.manual_seed(0)
    model = mlp()
    x, y = blobs(200, seed=1)
    xv, yv = blobs(100, seed=2, flip=True)
    history = fit(model, loader(x, y), loader(xv, yv), epochs=20, lr=0.05, early_stopping=2,
                  progress=False)
    assert history.stopped_early and len(history.train_loss) == 3 and history.best_epoch == 0
    assert history.val_loss[1] > history.val_loss[0] and history.val_loss[2] > history.val_loss[0]
    with torch.no_grad():
        restored = torch.nn.functional.cross_entropy(model(xv), yv).item()
    assert restored == pytest.approx(history.val_loss[0], rel=1e-5)


def test_no_early_stop_without_patience_running_out():
    torch.manual_seed(0)
    history = fit(mlp(), loader(*blobs(64)), epochs=3, lr=0.05, early_stopping=5, progress=False)
    assert len(history.train_loss) == 3 and not history.stopped_early


def _run(seed_model: int, seed_fit: int):
    seed_everything(seed_model)
    model = mlp(dropout=0.3)
    history = fit(model, loader(*blobs(128), shuffle=True), epochs=3, lr=0.01,
                  seed=seed_fit, progress=False, device="cpu")
    return model, history


def test_seeded_runs_are_bitwise_identical_on_cpu():
    (m1, h1), (m2, h2) = _run(0, 1), _run(0, 1)
    assert h1.train_loss == h2.train_loss
    for (name, a), b in zip(m1.state_dict().items(), m2.state_dict().values()):
        assert torch.equal(a, b), name
    # and the seed matters: another one shuffles and drops out differently
    m3, h3 = _run(0, 2)
    assert h3.train_loss != h1.train_loss


def test_device_override_and_unavailable_device():
    model = mlp()
    fit(model, loader(*blobs(32)), epochs=1, device="cpu", progress=False)
    assert next(model.parameters()).device.type == "cpu"
    if not torch.cuda.is_available():
        with pytest.raises(RuntimeError, match="no CUDA GPU"):
            fit(mlp(), loader(*blobs(32)), epochs=1, device="cuda", progress=False)


def test_iterator_is_refused_with_an_explanation():
    batches = iter([blobs(8)])
    with pytest.raises(TypeError, match="empty after the first epoch"):
        fit(mlp(), batches, epochs=2, progress=False)


def test_list_of_batches_and_bad_arguments():
    data = [blobs(16, seed=s) for s in range(3)]          # a plain list of (x, y) batches
    assert fit(mlp(), data, epochs=2, progress=False).epochs == [1, 2]
    with pytest.raises(ValueError, match="positive int"):
        fit(mlp(), data, epochs=0)
    with pytest.raises(ValueError, match="patience"):
        fit(mlp(), data, epochs=1, early_stopping=0)
    model = mlp()                                         # the reference's older order: loss, optimizer, data
    with pytest.raises(TypeError, match="train is a CrossEntropyLoss, not batches"):
        fit(model, torch.nn.CrossEntropyLoss(), torch.optim.SGD(model.parameters(), lr=0.1), data)


def test_scheduler_and_regression_loss():
    x, _ = blobs(64)
    target = x.sum(dim=1, keepdim=True)                    # a regression: no accuracy
    model = torch.nn.Linear(2, 1)
    history = fit(model, loader(x, target), epochs=3, optimizer=torch.optim.SGD, lr=0.1,
                  loss_fn=torch.nn.MSELoss(), progress=False,
                  scheduler=lambda opt: torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5))
    assert history.lr == pytest.approx([0.1, 0.05, 0.025])
    assert history.train_acc == [] and history.train_loss[-1] < history.train_loss[0]


def test_progress_bar_and_epoch_lines(capsys):
    fit(mlp(), loader(*blobs(32)), loader(*blobs(32)), epochs=2, progress=True)
    out = capsys.readouterr()
    assert "epoch 2/2: loss" in out.out and "val_acc" in out.out


def test_bf16_autocast_on_cpu_still_learns():
    torch.manual_seed(0)
    history = fit(mlp(), loader(*blobs(200, seed=1)), loader(*blobs(100, seed=2)), epochs=5,
                  lr=0.05, amp=True, progress=False, device="cpu")
    assert history.val_acc[-1] >= 0.95


def test_history_plot_draws_both_panels():
    import matplotlib
    matplotlib.use("Agg")
    history = History(train_loss=[1.0, 0.5], val_loss=[1.1, 0.7], train_acc=[0.5, 0.8],
                      val_acc=[0.4, 0.7], best_epoch=1)
    axes = history.plot()
    assert len(axes) == 2 and axes[0].get_ylabel() == "loss" and axes[1].get_ylabel() == "accuracy"
    assert len(axes[0].lines) == 3                # train, validation, best-epoch marker


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_bf16_channels_last():
    from cnn_core.models import resnet18
    torch.manual_seed(0)
    x = torch.randn(64, 3, 32, 32)
    y = torch.randint(0, 10, (64,))
    model = resnet18(num_classes=10, small=True)
    history = fit(model, loader(x, y), epochs=2, progress=False, device="cuda")
    assert next(model.parameters()).device.type == "cuda"
    conv = model.conv1.weight
    assert conv.is_contiguous(memory_format=torch.channels_last)
    assert all(torch.isfinite(torch.tensor(history.train_loss)))


def test_channels_last_and_bf16_code_paths_also_run_on_cpu():
    # The CUDA defaults (bf16 autocast, NHWC memory layout) exercised on the CPU.
    from cnn_core.models import lenet5
    torch.manual_seed(0)
    x, y = torch.randn(32, 1, 32, 32), torch.randint(0, 10, (32,))
    model = lenet5()
    history = fit(model, loader(x, y, batch_size=16), epochs=2, amp=True, channels_last=True,
                  progress=False, device="cpu")
    assert model.features[0].weight.is_contiguous(memory_format=torch.channels_last)
    assert all(torch.isfinite(torch.tensor(history.train_loss)))
