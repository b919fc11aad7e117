"""Optimizers that turn noise into stimuli for one batch.

Both share one loop (:func:`_optimize`): forward the current stimuli through the teacher,
freeze those that reached their confidence target, step on the objective. They differ in
what is optimized: the inputs themselves (:class:`DirectOptimizer`) or the weights of a
generator network that maps noise to inputs (:class:`GeneratorOptimizer`, the paper's).
"""

import torch
from torch import nn

from ..utils import draw_normal, seeded_torch

from .initializers import StandardNormal, _unit_power
from .objectives import ConfidenceTarget, SynthesisState

__all__ = ["DirectOptimizer", "GeneratorOptimizer", "StimulusGenerator"]


def _optimize(params, produce, forward, objective, targets, thresholds, n_iter, lr, freeze=True):
    """Adam with a cosine schedule on ``params``; ``produce()`` returns the batch ``z``.

    With ``thresholds``, a stimulus whose target-class probability reaches its threshold
    is frozen (``freeze=True``: kept as it is and out of the objective) or only leaves
    the excitation term while it stays above (``freeze=False``). Returns the final ``z``.
    """
    optimizer = torch.optim.Adam(params, lr=lr)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=max(n_iter, 1))
    z = produce()
    kept = z.detach().clone()
    active = torch.ones(len(targets), dtype=torch.bool, device=targets.device)
    for _ in range(n_iter):
        z = torch.where(active[:, None, None], produce(), kept)
        logits = forward(z)
        pending = None
        if thresholds is not None:
            with torch.no_grad():
                pending = ~ConfidenceTarget.reached(logits, targets, thresholds)
                if freeze:
                    done = active & ~pending
                    kept = torch.where(done[:, None, None], z.detach(), kept)
                    active = active & ~done
            if not active.any():
                break
        loss = objective(SynthesisState(z, logits, targets, pending), active)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        schedule.step()
    with torch.no_grad():
        return torch.where(active[:, None, None], produce(), kept)


class DirectOptimizer:
    """Optimize the inputs themselves with Adam and a cosine learning-rate schedule.

    Parameters
    ----------
    n_iter : int, default=20
        Steps per batch.
    lr : float, default=0.1
        Initial learning rate (the stimuli live in a standardized space).
    steps : {"white", "spectrum"}, default="white"
        How a step spreads over frequency. Adam moves every feature by about ``lr``
        whatever its gradient, which adds white detail; with ``"spectrum"`` it moves
        the offset ``u`` of ``z = start + filter(u)`` instead, where the filter has each
        class's power spectrum from the start (``init.step_spectrum``, at the power of
        a white step): a step then changes a stimulus as the class's windows move,
        slowly where they are smooth. A start without one (white noise) keeps white
        steps.

    Examples
    --------
    >>> import torch
    >>> from skstim.synthesis import ClassExcitation, Objective
    >>> model = torch.nn.Linear(6, 2)
    >>> with torch.no_grad():
    ...     _ = model.weight.copy_(torch.eye(2, 6)), model.bias.zero_()
    >>> z = DirectOptimizer(n_iter=20).run(
    ...     lambda z: model(z.flatten(1)), Objective([(1.0, ClassExcitation())]),
    ...     torch.tensor([0, 1]), None, (2, 3), torch.Generator().manual_seed(0))
    >>> model(z.flatten(1)).argmax(1).tolist()
    [0, 1]
    """

    def __init__(self, n_iter=20, lr=0.1, steps="white"):
        if steps not in ("white", "spectrum"):
            raise ValueError(f"steps must be 'white' or 'spectrum', got {steps!r}.")
        self.n_iter, self.lr, self.steps = n_iter, lr, steps

    def run(self, forward, objective, targets, thresholds, shape, generator, n_classes=None,
            freeze=True, init=None):
        """Stimuli ``z`` of shape ``(len(targets), *shape)``, started from ``init`` (white noise).

        Where ``init.step_scale`` gives each channel its own scale, Adam moves the offset
        ``u`` of ``z = start + scale * u``: a step moves each channel by its scale, so a
        channel with little detail in its class gets little.
        """
        init = StandardNormal() if init is None else init
        z = init.draw(targets, shape, generator)
        step = self._step(init, targets, shape)
        if step is None:
            z.requires_grad_(True)
            return _optimize([z], lambda: z, forward, objective, targets, thresholds,
                             self.n_iter, self.lr, freeze).detach()
        offset = torch.zeros_like(z, requires_grad=True)
        return _optimize([offset], lambda: z + step(offset), forward, objective, targets,
                         thresholds, self.n_iter, self.lr, freeze).detach()

    def _step(self, init, targets, shape):
        """How Adam's offset ``u`` moves the stimuli (``z = start + step(u)``), or None where
        it moves them as it is: scaled per channel (``init.step_scale``) and, with
        ``steps="spectrum"``, filtered to the class spectra (``init.step_spectrum``)."""
        scale = init.step_scale(targets)
        spectra = init.step_spectrum(targets) if self.steps == "spectrum" else None
        if spectra is None:
            return None if scale is None else (lambda offset: scale * offset)
        gain = _unit_power(spectra, shape[-1]).sqrt()
        gain = gain if scale is None else scale * gain

        def shaped(offset):
            flat = offset.view(len(offset), -1, shape[-1])
            filtered = torch.fft.irfft(torch.fft.rfft(flat, dim=2) * gain, n=shape[-1], dim=2)
            return filtered.view_as(offset)
        return shaped


class StimulusGenerator(nn.Module):
    """Class-conditional generator: noise and a target class in, one stimulus out.

    Parameters
    ----------
    latent_dim : int
        Size of the noise vector.
    n_classes : int
        Number of classes (one-hot conditioning).
    shape : tuple of int
        ``(C, T)`` of one stimulus.
    hidden_size : int, default=256
        Width of the two hidden layers.

    Examples
    --------
    >>> import torch
    >>> g = StimulusGenerator(8, 2, (3, 5))
    >>> g(torch.randn(4, 8), torch.tensor([0, 1, 1, 0])).shape
    torch.Size([4, 3, 5])
    """

    def __init__(self, latent_dim, n_classes, shape, hidden_size=256):
        super().__init__()
        self.n_classes, self.shape = n_classes, tuple(shape)
        self.net = nn.Sequential(
            nn.Linear(latent_dim + n_classes, hidden_size), nn.LeakyReLU(0.2),
            nn.Linear(hidden_size, hidden_size), nn.LeakyReLU(0.2),
            nn.Linear(hidden_size, shape[0] * shape[1]),
        )

    def forward(self, latent, targets):
        onehot = nn.functional.one_hot(targets, self.n_classes).to(latent.dtype)
        return self.net(torch.cat([latent, onehot], dim=1)).view(-1, *self.shape)


class GeneratorOptimizer:
    """Train a generator network to excite each stimulus' class (Nikolaidis et al.).

    A fresh :class:`StimulusGenerator` is trained on each batch: fixed noise vectors and
    target classes in, stimuli out. The objective is the same as for direct
    optimization; a stimulus whose confidence target is reached is kept as generated
    then, and leaves the objective.

    Parameters
    ----------
    n_iter : int, default=200
        Generator updates per batch.
    lr : float, default=1e-3
        Initial learning rate of the generator's Adam.
    latent_dim : int, default=32
        Size of the noise vectors.
    hidden_size : int, default=256
        Width of the generator's hidden layers.

    Examples
    --------
    >>> import torch
    >>> from skstim.synthesis import ClassExcitation, Objective
    >>> model = torch.nn.Linear(6, 2)
    >>> z = GeneratorOptimizer(n_iter=30, lr=1e-2).run(
    ...     lambda z: model(z.flatten(1)), Objective([(1.0, ClassExcitation())]),
    ...     torch.tensor([0, 1]), None, (2, 3), torch.Generator().manual_seed(0))
    >>> z.shape
    torch.Size([2, 2, 3])
    """

    def __init__(self, n_iter=200, lr=1e-3, latent_dim=32, hidden_size=256):
        self.n_iter, self.lr = n_iter, lr
        self.latent_dim, self.hidden_size = latent_dim, hidden_size

    def run(self, forward, objective, targets, thresholds, shape, generator, n_classes=None,
            freeze=True, init=None):
        """Stimuli ``z`` of shape ``(len(targets), *shape)`` from a generator trained on them.

        ``init`` is ignored: the generator's output at initialization is the start.
        """
        device = targets.device
        if n_classes is None:
            n_classes = int(targets.max()) + 1
        latent = draw_normal((len(targets), self.latent_dim), generator, device)
        init_seed = int(torch.randint(0, 2**62, (1,), generator=generator))
        with seeded_torch(init_seed):
            net = StimulusGenerator(self.latent_dim, n_classes, shape, self.hidden_size)
        net = net.to(device)
        z = _optimize(list(net.parameters()), lambda: net(latent, targets), forward, objective,
                      targets, thresholds, self.n_iter, self.lr, freeze)
        return z.detach()
