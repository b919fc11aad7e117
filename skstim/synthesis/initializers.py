"""Where stimuli start: white noise, or noise with the class-conditional spread of the data."""

import torch

__all__ = ["StandardNormal", "ClassGaussian"]


class StandardNormal:
    """Start every stimulus from white standard noise in the standardized space.

    Examples
    --------
    >>> import torch
    >>> z = StandardNormal().draw(torch.tensor([0, 1]), (2, 3), torch.Generator().manual_seed(0))
    >>> tuple(z.shape)
    (2, 2, 3)
    """

    def to(self, device):
        """This initializer (it holds no tensors)."""
        return self

    def draw(self, targets, shape, generator):
        """Noise of shape ``(len(targets), *shape)`` on the targets' device."""
        return torch.randn((len(targets), *shape), generator=generator, device=targets.device)


class ClassGaussian:
    """Start each stimulus from a low-rank Gaussian fitted to the real samples of its class.

    The class-conditional mean plus the leading principal directions of the class,
    with isotropic noise for the rest (probabilistic PCA): noise that already has the
    class's average shape and its main modes of variation, but no individual sample.

    Parameters
    ----------
    means : torch.Tensor of shape (n_classes, n_features)
        Class means, in the standardized space.
    factors : torch.Tensor of shape (n_classes, n_features, rank)
        Principal directions scaled by their standard deviation.
    noise_std : torch.Tensor of shape (n_classes,)
        Standard deviation of the isotropic rest.

    Examples
    --------
    >>> import torch
    >>> X = torch.randn(50, 6)
    >>> init = ClassGaussian.fit(X, torch.arange(50) % 2, n_classes=2, rank=2)
    >>> init.draw(torch.tensor([0, 1, 1]), (2, 3), torch.Generator().manual_seed(0)).shape
    torch.Size([3, 2, 3])
    """

    def __init__(self, means, factors, noise_std):
        self.means, self.factors, self.noise_std = means, factors, noise_std

    @classmethod
    def fit(cls, X, targets, n_classes, rank=16):
        """Fit one probabilistic PCA per class on standardized, flat ``X``."""
        n_features = X.shape[1]
        means, factors, noise = [], [], []
        for c in range(n_classes):
            Xc = X[targets == c]
            mean = Xc.mean(dim=0) if len(Xc) else X.new_zeros(n_features)
            centered = Xc - mean
            k = min(rank, max(len(Xc) - 1, 0), n_features)
            if k > 0:
                _, s, vt = torch.linalg.svd(centered, full_matrices=False)
                eigen = s.pow(2) / (len(Xc) - 1)
                rest = eigen[k:].sum() / max(n_features - k, 1)
                factor = vt[:k].T * (eigen[:k] - rest).clamp(min=0).sqrt()
            else:
                rest, factor = X.new_tensor(1.0), X.new_zeros(n_features, 0)
            padded = X.new_zeros(n_features, rank)
            padded[:, :factor.shape[1]] = factor
            means.append(mean)
            factors.append(padded)
            noise.append(rest.sqrt())
        return cls(torch.stack(means), torch.stack(factors), torch.stack(noise))

    def to(self, device):
        """This initializer with its tensors on ``device``."""
        return ClassGaussian(self.means.to(device), self.factors.to(device), self.noise_std.to(device))

    def draw(self, targets, shape, generator):
        """Samples of shape ``(len(targets), *shape)``, one from each target's class."""
        device = targets.device
        n, rank = len(targets), self.factors.shape[2]
        latent = torch.randn((n, rank, 1), generator=generator, device=device)
        white = torch.randn((n, self.means.shape[1]), generator=generator, device=device)
        z = self.means[targets] + (self.factors[targets] @ latent)[:, :, 0] + \
            self.noise_std[targets][:, None] * white
        return z.view(n, *shape)
