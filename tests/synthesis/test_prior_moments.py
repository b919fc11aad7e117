"""The BatchNorm prior's moments: the tap that takes them where a layer's input flows, and
the prior's loss and gradient against a direct float64 computation of the same
statistics (the tap's custom backward and its shifted sums must change nothing but
rounding)."""

import numpy as np
import pytest
import torch
from torch import nn

from skstim.synthesis import BatchNormPrior, SynthesisState, segment_time, tap_time_moments


def _direct_loss(inputs, targets, statistics, n_segments, running=None):
    """The prior's loss from layer inputs, by plain autograd operations."""
    total = 0.0
    for index, x in enumerate(inputs):
        x = x.flatten(2) if x.dim() > 2 else x[:, :, None]
        if running is not None:
            mean, var = x.mean(dim=(0, 2)), x.var(dim=(0, 2), unbiased=False)
            target_mean, target_var = running[index]
            total = total + torch.linalg.vector_norm(mean - target_mean) + \
                torch.linalg.vector_norm(var - target_var)
            continue
        target_mean, target_var = statistics[index]
        segments, rows, _ = segment_time(x, targets, n_segments)
        distances = []
        for row in range(len(target_mean)):
            chosen = segments[rows == row]
            if len(chosen) == 0 or not torch.isfinite(target_mean[row]).all():
                continue
            mean = chosen.mean(dim=(0, 2))
            var = chosen.var(dim=(0, 2), unbiased=False)
            distances.append(torch.linalg.vector_norm(mean - target_mean[row]) +
                             torch.linalg.vector_norm(var - target_var[row]))
        total = total + torch.stack(distances).mean()
    return total


def _net():
    """Two normalization layers; the input one learned inputs near 95 +- 0.1."""
    torch.manual_seed(0)
    net = nn.Sequential(nn.Unflatten(1, (2, 31)), nn.BatchNorm1d(2), nn.Conv1d(2, 4, 3),
                        nn.BatchNorm1d(4), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 29, 2)).eval()
    net[1].running_mean.fill_(95.0)
    net[1].running_var.fill_(1e-2)
    return net


def _statistics(n_segments, far):
    """Class targets, 2 classes x segments: the input layer's far from zero where ``far``
    (95 +- 0.1, like the inputs below); one NaN row (no target) at the second layer."""
    g = torch.Generator().manual_seed(1)
    rows = 2 * n_segments
    first = torch.randn(rows, 2, generator=g) * 0.1 + (95.0 if far else 0.0)
    second = torch.randn(rows, 4, generator=g)
    second[1] = float("nan")
    return [(first, torch.rand(rows, 2, generator=g) * 1e-2),
            (second, torch.rand(rows, 4, generator=g) + 0.5)]


@pytest.mark.parametrize("n_segments", [1, 3])  # 31 time steps: 3 segments leave one out
@pytest.mark.parametrize("statistics", ["class", "running"])
def test_prior_loss_and_gradient_match_a_direct_float64_computation(n_segments, statistics):
    net = _net()
    targets = torch.tensor([0, 1, 1, 0, 1, 1])
    g = torch.Generator().manual_seed(2)
    x = 95.0 + 0.1 * torch.randn(6, 62, generator=g)
    class_statistics = _statistics(n_segments, far=True) if statistics == "class" else None
    prior = BatchNormPrior(net, class_statistics=class_statistics, n_segments=n_segments)
    try:
        z = x.clone().requires_grad_(True)
        out = net(z)  # the layer's own gradient joins the prior's in the tap
        loss = prior(SynthesisState(z, None, targets)) + out.pow(2).sum()
        grad, = torch.autograd.grad(loss, z)
    finally:
        prior.remove()

    net64 = net.double()
    inputs = []
    handles = [layer.register_forward_hook(lambda m, i, o: inputs.append(i[0]))
               for layer in (net64[1], net64[3])]
    z64 = x.double().requires_grad_(True)
    out64 = net64(z64)
    for handle in handles:
        handle.remove()
    running = None if class_statistics is not None else [
        (layer.running_mean, layer.running_var) for layer in (net64[1], net64[3])]
    statistics64 = None if class_statistics is None else [
        (m.double(), v.double()) for m, v in class_statistics]
    expected = _direct_loss(inputs, targets, statistics64, n_segments, running) + \
        out64.pow(2).sum()
    expected_grad, = torch.autograd.grad(expected, z64)
    assert float(loss) == pytest.approx(float(expected), rel=1e-5)
    np.testing.assert_allclose(grad.double().numpy(), expected_grad.numpy(),
                               rtol=1e-4, atol=1e-4 * float(expected_grad.abs().max()))


def test_prior_takes_far_moments_about_the_target_mean():
    # a channel at 95 with a spread of 0.01: raw float32 sums of squares would lose the
    # variance (95 ** 2 / 0.01 ** 2 ~ 1e8 > 1 / float32 epsilon); the shifted ones keep it
    net = _net()
    prior = BatchNormPrior(net, class_statistics=_statistics(1, far=True))
    try:
        assert prior._shifts[0] is not None and prior._shifts[1] is None
        g = torch.Generator().manual_seed(3)
        x = 95.0 + 0.01 * torch.randn(400, 2, 31, generator=g)
        net(x.flatten(1))
        mean, square = prior._moments[0]
        variance = square.mean(dim=0) - mean.mean(dim=0).pow(2)
        np.testing.assert_allclose(variance.numpy(), x.var(dim=(0, 2), unbiased=False)
                                   .numpy(), rtol=1e-2)
    finally:
        prior.remove()


def test_tap_passes_the_input_through_and_its_gradient_is_autograds():
    g = torch.Generator().manual_seed(4)
    x = torch.randn(5, 3, 10, generator=g, dtype=torch.float64, requires_grad=True)
    shift = torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64)
    upstream = torch.randn(5, 3, 10, generator=g, dtype=torch.float64)
    weights = torch.randn(2, 5 * 4, 3, generator=g, dtype=torch.float64)  # 4 segments of 2

    def loss(same, mean, square):
        return (same * upstream).sum() + (weights[0] * mean).sum() + (weights[1] * square).sum()

    same, mean, square = tap_time_moments(x, shift, n_segments=4)
    assert torch.equal(same, x)
    grad, = torch.autograd.grad(loss(same, mean, square), x)

    segments, _, _ = segment_time(x - shift[:, None], torch.zeros(5, dtype=torch.long), 4)
    direct = (x, segments.mean(dim=2), segments.pow(2).mean(dim=2))
    expected, = torch.autograd.grad(loss(*direct), x)
    torch.testing.assert_close(mean, direct[1])
    torch.testing.assert_close(square, direct[2])
    torch.testing.assert_close(grad, expected)
    assert torch.equal(grad[..., 8:], upstream[..., 8:])  # past the last whole segment


def test_prior_leaves_the_teachers_outputs_unchanged():
    net = _net()
    x = 95.0 + 0.01 * torch.randn(6, 62, generator=torch.Generator().manual_seed(5))
    before = net(x)
    prior = BatchNormPrior(net, class_statistics=_statistics(1, far=True))
    try:
        assert torch.equal(net(x), before)
    finally:
        prior.remove()
    assert all(not m._forward_pre_hooks for m in net.modules())
