"""A variational autoencoder on token sequences (chapter 11): training, and its ELBO, evidence, gap and
IWAE bounds by quadrature and Monte Carlo (torch)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from .._validate import as_array as _asarray
from .._validate import check_int, check_positive, torch_seed
from ._common import check_x

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ..core.types import ArrayLike, SeedLike


class VAEResult(NamedTuple):
    r"""``model`` the trained torch module (``encode``, ``decode_logits``); ``losses`` (steps,) the minibatch
    negative ELBO (nats per sequence); ``seconds``.

    Attributes
    ----------
    model : torch.nn.Module
        The trained module (``encode``, ``decode_logits``).
    losses : numpy.ndarray, shape (steps,)
        Minibatch negative ELBO (nats per sequence).
    seconds : float
        Wall-clock seconds.
    """

    model: object
    losses: np.ndarray
    seconds: float


def _vae_module(n, V, latent, hidden, seed):
    import torch
    from torch import nn

    torch.manual_seed(seed)

    class TinyVAE(nn.Module):
        def __init__(self):
            super().__init__()
            self.n, self.V, self.d = n, V, latent
            self.enc = nn.Sequential(nn.Linear(n * V, hidden), nn.Tanh(), nn.Linear(hidden, 2 * latent))
            self.dec = nn.Sequential(nn.Linear(latent, hidden), nn.Tanh(), nn.Linear(hidden, n * V))

        def encode(self, x):                       # x: (B, n) integer tokens -> mean, log std of q(z|x)
            h = self.enc(nn.functional.one_hot(x, self.V).reshape(x.shape[0], -1).double())
            return h[:, : self.d], h[:, self.d:].clamp(-6, 3)

        def decode_logits(self, z):                # z: (..., d) -> (..., n, V) log p(x_t | z)
            return self.dec(z).reshape(*z.shape[:-1], self.n, self.V).log_softmax(-1)

    return TinyVAE().double()


def train_vae(sequences: ArrayLike, vocab_size: int, *, latent: int = 2, hidden: int = 32, steps: int = 600,
              batch_size: int = 128, lr: float = 1e-2, seed: SeedLike = 0) -> VAEResult:
    r"""A variational autoencoder with an amortised, reparameterised Gaussian posterior, trained on token sequences.

    Prior :math:`z \sim \mathcal N(0, I_d)`; decoder :math:`p_\theta(x^n|z) = \prod_t \softmax(f_\theta(z))_{t, x_t}`
    (tokens independent given :math:`z`); encoder :math:`q_\phi(z|x^n) = \mathcal N(\mu_\phi(x^n),
    \operatorname{diag}\sigma_\phi^2(x^n))`, one network for every :math:`x^n` (amortised).  Minimises the
    minibatch negative ELBO :math:`\E_{\epsilon}[-\ln p_\theta(x|\mu + \sigma\odot\epsilon)] + \KL(q_\phi\cc\mathcal N(0,I))`
    with one reparameterised draw per sequence and the KL in closed form, by :func:`semtheory.transformer.minimise`
    (seeded, deterministic).  Nats per sequence.  ``seed``: an int >= 0, a numpy ``Generator`` or ``None``.  Chapter 11.

    Parameters
    ----------
    sequences : array_like of int, shape (N, n)
        The data.
    vocab_size : int
        Alphabet size, >= 2.
    latent, hidden : int, keyword-only
        Latent dimension and hidden width.
    steps, batch_size : int, keyword-only
        Adam steps and batch size.
    lr : float, keyword-only, default 1e-2
        Peak learning rate.
    seed : int, numpy.random.Generator or None, keyword-only, default 0
        Seed.

    Returns
    -------
    VAEResult
        The model, the losses (nats per sequence), the seconds.
    """
    import torch

    from ..core.torchloop import minimise

    X = _asarray(sequences, "sequences")
    vocab_size = check_int(vocab_size, "vocab_size", minimum=2)
    if X.ndim != 2 or X.size == 0 or X.dtype.kind not in "iu" or X.min() < 0 or X.max() >= vocab_size:
        raise ValueError(f"sequences must be a non-empty (N, n) integer array with symbols in [0, {vocab_size})")
    latent = check_int(latent, "latent", minimum=1)
    hidden = check_int(hidden, "hidden", minimum=1)
    steps = check_int(steps, "steps", minimum=1)
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    seed = torch_seed(seed)
    model = _vae_module(X.shape[1], vocab_size, latent, hidden, seed)
    data = torch.as_tensor(X, dtype=torch.long)

    def batch_loss(gen):
        xb = data[torch.randint(0, len(data), (batch_size,), generator=gen)]
        mu, ls = model.encode(xb)
        z = mu + ls.exp() * torch.randn(mu.shape, generator=gen, dtype=mu.dtype)
        rec = model.decode_logits(z).gather(-1, xb[..., None]).squeeze(-1).sum(-1)
        kl = 0.5 * (mu**2 + (2 * ls).exp() - 2 * ls - 1).sum(-1)
        return (kl - rec).mean()

    res = minimise(model, batch_loss, steps, lr=lr, seed=seed)
    return VAEResult(model, res.losses, res.seconds)


class VAEBounds(NamedTuple):
    r"""Per-sequence values (nats) for the rows of ``x``: ``elbo`` (quadrature), ``log_evidence`` (quadrature),
    ``gap`` :math:`=\KL(q_\phi(\cdot|x)\cc p_\theta(\cdot|x))` (quadrature), ``iwae`` (len(K), N) Monte-Carlo
    :math:`\mathcal L_K` with the encoder as proposal.

    Attributes
    ----------
    elbo, log_evidence, gap : numpy.ndarray, shape (N,)
        Per-sequence quadrature values (nats).
    iwae : numpy.ndarray, shape (len(K), N)
        Monte-Carlo :math:`\mathcal L_K` (nats).
    """

    elbo: np.ndarray
    log_evidence: np.ndarray
    gap: np.ndarray
    iwae: np.ndarray


def vae_bounds(result: VAEResult, x: ArrayLike, *, K: int | Sequence[int] = (1, 10, 100), n_samples: int = 20,
               grid: int = 61, extent: float = 6.0, seed: SeedLike = 0) -> VAEBounds:
    r"""ELBO, log-evidence and posterior gap of a trained 2-D-latent VAE by quadrature, and IWAE bounds by Monte Carlo.

    On a ``grid`` x ``grid`` lattice over :math:`[-e, e]^2` (``extent``), :math:`\ln p_\theta(x) \approx
    \ln\sum_z p_\theta(x|z)\,\mathcal N(z; 0, I)\,\Delta^2`, and with :math:`q = q_\phi(\cdot|x)` on the same lattice,
    :math:`\mathrm{ELBO} = \sum_z q(z)[\ln p_\theta(x|z) + \ln\mathcal N(z) - \ln q(z)]\Delta^2` and the gap
    :math:`\KL(q\cc p_\theta(\cdot|x))`.  The IWAE values average :math:`\ln\frac1K\sum_k w_k` over ``n_samples``
    seeded draws of :math:`K` reparameterised samples.  Nats per sequence.  ``seed``: an int >= 0, a numpy ``Generator`` or ``None``.
    Chapter 11.

    Parameters
    ----------
    result : VAEResult
        A trained VAE with a 2-D latent.
    x : array_like of int, shape (N, n)
        The sequences.
    K : sequence of int, keyword-only, default (1, 10, 100)
        Importance sample counts.
    n_samples : int, keyword-only, default 20
        Monte-Carlo repetitions.
    grid : int, keyword-only, default 61
        Quadrature points per axis.
    extent : float, keyword-only, default 6.0
        Half-width of the quadrature box.
    seed : int, numpy.random.Generator or None, keyword-only, default 0
        Seed.

    Returns
    -------
    VAEBounds
        Per-sequence bounds (nats).
    """
    import torch

    if not isinstance(result, VAEResult):
        raise ValueError("result must be a VAEResult from train_vae")
    model = result.model
    if model.d != 2:
        raise ValueError("vae_bounds integrates over a 2-D latent; train with latent=2")
    xa = _asarray(x, "x") if x is not None else np.zeros((0, 0))
    if xa.ndim != 2 or xa.shape[1] != model.n or xa.shape[0] == 0:
        raise ValueError(f"x must have shape (N, {model.n}) with N >= 1")
    X = torch.as_tensor(np.stack([check_x(row, model.V, "x", max_len=None) for row in xa]), dtype=torch.long)
    grid = check_int(grid, "grid", minimum=11)
    e = check_positive(extent, "extent")
    n_samples = check_int(n_samples, "n_samples", minimum=2)
    Ks = [check_int(k, "K", minimum=1) for k in np.atleast_1d(K)]
    from ..core.torchloop import one_thread

    g = torch.linspace(-e, e, grid, dtype=torch.float64)
    Z = torch.stack(torch.meshgrid(g, g, indexing="ij"), -1).reshape(-1, 2)
    log_area = 2 * math.log(float(g[1] - g[0]))
    with torch.no_grad(), one_thread():
        lpz = -0.5 * (Z**2).sum(-1) - math.log(2 * math.pi)
        lpx_z = model.decode_logits(Z)                                   # (G, n, V)
        ll = torch.stack([lpx_z[:, t, X[:, t]] for t in range(model.n)]).sum(0).T   # (N, G)
        ljoint = ll + lpz
        logev = torch.logsumexp(ljoint, -1) + log_area
        mu, ls = model.encode(X)
        lq = (-0.5 * ((Z[None] - mu[:, None]) / ls.exp()[:, None]) ** 2 - ls[:, None] - 0.5 * math.log(2 * math.pi)).sum(-1)
        qw = torch.softmax(lq, -1)                                        # q on the lattice, renormalised
        lqn = qw.clamp_min(1e-300).log() - log_area
        elbo_ = (qw * (ljoint - lqn)).sum(-1)
        gen = torch.Generator().manual_seed(torch_seed(seed))
        iw = []
        for k in Ks:
            eps = torch.randn((n_samples, k) + tuple(mu.shape), generator=gen, dtype=mu.dtype)
            z = mu + ls.exp() * eps                                       # (n_samples, k, N, 2)
            lx = model.decode_logits(z).gather(-1, X[None, None, ..., None].expand(n_samples, k, *X.shape, 1)).squeeze(-1).sum(-1)
            lw = lx - 0.5 * (z**2).sum(-1) + 0.5 * (eps**2).sum(-1) + ls.sum(-1)
            iw.append((torch.logsumexp(lw, 1) - math.log(k)).mean(0).numpy())
    return VAEBounds(elbo_.numpy(), logev.numpy(), (logev - elbo_).numpy(), np.array(iw))
