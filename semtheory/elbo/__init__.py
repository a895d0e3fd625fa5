r"""The evidence lower bound (ELBO) of a latent-variable sequence model small enough to enumerate.

Chapter 11.  The model is a hidden Markov model (HMM): hidden states :math:`z^n` with initial law
:math:`\pi`, transition kernel :math:`A`, emission kernel :math:`B`,
:math:`p(x^n, z^n) = \pi(z_1) B(x_1|z_1) \prod_{t\ge2} A(z_t|z_{t-1}) B(x_t|z_t)`.  For a distribution
:math:`q(z^n)` over the hidden path,

.. math:: \log p(x) = \underbrace{\E_q[\log p(x,z) - \log q(z)]}_{\mathrm{ELBO}(q)} + \KL(q \cc p(\cdot|x)),

so :math:`\mathrm{ELBO}(q) \le \log p(x)` with equality iff :math:`q = p(z|x)`.  Everything is enumerated
(:math:`S^n` paths), computed in the log domain; :func:`fit_variational` climbs the ELBO in torch.

Units: the functions that take ``base`` return units of log ``base`` (bits by default, ``base=math.e`` for nats);
log tables (:func:`log_joint`, :func:`log_prior`), the fitted ELBOs and log-likelihoods of :func:`fit_variational`,
:func:`cavi_mean_field`, :func:`baum_welch` and the VAE's values are in nats.

**Files.**  :mod:`~semtheory.elbo.hmm` (the :class:`HMM` record), :mod:`~semtheory.elbo.laws` (the enumerated
laws and sampling), :mod:`~semtheory.elbo.bounds` (the ELBO, its gap, the bound chain, the causal split, the
IWAE bounds), :mod:`~semtheory.elbo.inference` (gradient and coordinate ascent, forward-backward, Baum-Welch),
:mod:`~semtheory.elbo.vae` (a variational autoencoder); every public name is re-exported here.
"""

from __future__ import annotations

from .bounds import (
    BoundChain,
    CausalELBO,
    bound_chain,
    causal_elbo_decomposition,
    elbo,
    elbo_gap,
    iwae_bound,
    iwae_bound_exact,
    mean_field,
)
from .hmm import HMM, make_hmm, random_hmm
from .inference import (
    CAVIResult,
    EMResult,
    FitResult,
    ForwardBackward,
    baum_welch,
    cavi_mean_field,
    fit_variational,
    forward_backward,
)
from .laws import log_evidence, log_joint, log_prior, posterior, sample_hmm, sequence_law
from .vae import VAEBounds, VAEResult, train_vae, vae_bounds

__all__ = [
    "HMM",
    "make_hmm",
    "random_hmm",
    "log_joint",
    "log_evidence",
    "posterior",
    "log_prior",
    "elbo",
    "elbo_gap",
    "mean_field",
    "sequence_law",
    "BoundChain",
    "bound_chain",
    "FitResult",
    "fit_variational",
    "CausalELBO",
    "causal_elbo_decomposition",
    "CAVIResult",
    "cavi_mean_field",
    "ForwardBackward",
    "forward_backward",
    "EMResult",
    "baum_welch",
    "iwae_bound",
    "iwae_bound_exact",
    "sample_hmm",
    "VAEResult",
    "train_vae",
    "VAEBounds",
    "vae_bounds",
]
