r"""The Ising perceptron (weights :math:`\pm1`): Gardner & Derrida's replica-symmetric entropy and the
zero-entropy capacity :math:`\alpha_c \approx 0.833` (chapter 13).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from scipy import optimize, special

from .._validate import check_int, check_positive, log_base


_GH_X, _GH_W = np.polynomial.hermite_e.hermegauss(201)
_GH_W = _GH_W / _GH_W.sum()  # E over a standard normal


def _mills(u):
    """phi(u) / H(u) with H(u) = 1 - Phi(u), in the log domain."""
    return np.exp(-0.5 * u * u - 0.5 * math.log(2.0 * math.pi) - special.log_ndtr(-u))


class IsingRS(NamedTuple):
    r"""Replica-symmetric saddle point of the Ising perceptron at load ``alpha``: overlap ``q``, conjugate
    ``q_hat``, and ``entropy`` (per weight, units of the call's ``base``) of the couplings that store the
    patterns.  Chapter 13.

    Attributes
    ----------
    alpha : float
        The load :math:`P/N` (dimensionless).
    q : float
        The overlap of two typical solutions, in :math:`[0, 1)`.
    q_hat : float
        Its conjugate :math:`\hat q \ge 0`.
    entropy : float
        The replica-symmetric entropy per weight, in units of log ``base`` of the call (bits by default).
    """

    alpha: float
    q: float
    q_hat: float
    entropy: float


def ising_perceptron_rs(alpha: float, *, base: float = 2, tol: float = 1e-13, max_iter: int = 5000) -> IsingRS:
    r"""Gardner & Derrida's replica-symmetric entropy of the Ising perceptron (weights :math:`w_i = \pm 1`, :math:`\kappa = 0`).

    .. math:: s(\alpha) = -\frac{\hat q(1-q)}{2} + \int Dz\,\ln 2\cosh(\sqrt{\hat q}\,z)
              + \alpha\int Dt\,\ln H\!\Bigl(\sqrt{\tfrac{q}{1-q}}\,t\Bigr),

    at the saddle point :math:`q = \int Dz\,\tanh^2(\sqrt{\hat q}\,z)`,
    :math:`\hat q = \frac{\alpha}{1-q}\int Dt\,[\varphi(u)/H(u)]^2`, :math:`u = \sqrt{q/(1-q)}\,t`, found by damped
    iteration (Gauss–Hermite quadrature, 201 nodes; :math:`\varphi/H` in the log domain).  :math:`s` is the
    typical :math:`\frac1N\ln` of the number of the :math:`2^N` sign vectors that store :math:`\alpha N` random
    patterns with random labels; it lies below the annealed :math:`(1-\alpha)\ln 2` and vanishes at
    :math:`\alpha \approx 0.833` (:func:`ising_perceptron_capacity`; Krauth & Mézard 1989).  ``alpha`` in
    :math:`(0, 2]`.  Units of ``base`` per weight.  Chapter 13.

    Parameters
    ----------
    alpha : float
        The load :math:`P/N`, in :math:`(0, 2]`.
    base : float, keyword-only, default 2
        Logarithm base of ``entropy`` (2: bits, e: nats).
    tol : float, keyword-only, default 1e-13
        Stopping tolerance on the change of :math:`q`.
    max_iter : int, keyword-only, default 5000
        Iteration limit of the damped iteration.

    Returns
    -------
    IsingRS
        The saddle point, its ``entropy`` in units of log ``base`` per weight (bits by default).

    Examples
    --------
    >>> rs = ising_perceptron_rs(0.5)
    >>> 0 < rs.entropy < 0.5
    True
    """
    lb = log_base(base)
    a = check_positive(alpha, "alpha")
    if a > 2.0:
        raise ValueError(f"alpha must be in (0, 2], got {alpha!r}")
    tol = check_positive(tol, "tol")
    q = 0.5
    qh = 0.0
    for _ in range(check_int(max_iter, "max_iter", minimum=1)):
        u = math.sqrt(q / (1.0 - q)) * _GH_X
        qh = a / (1.0 - q) * float(_GH_W @ _mills(u) ** 2)
        qn = float(_GH_W @ np.tanh(math.sqrt(qh) * _GH_X) ** 2)
        if abs(qn - q) < tol:
            q = qn
            break
        q = 0.5 * (q + qn)
    u = math.sqrt(q / (1.0 - q)) * _GH_X
    z = math.sqrt(qh) * np.abs(_GH_X)
    ln2cosh = z + np.log1p(np.exp(-2.0 * z))
    s = -qh * (1.0 - q) / 2.0 + float(_GH_W @ ln2cosh) + a * float(_GH_W @ special.log_ndtr(-u))
    return IsingRS(a, q, qh, s / lb)


def ising_perceptron_capacity() -> float:
    r"""The load where the replica-symmetric entropy of the Ising perceptron vanishes: :math:`\alpha_c \approx 0.833`.

    Root of :func:`ising_perceptron_rs` ``(alpha).entropy`` by ``brentq`` on :math:`[0.5, 1]`.  Krauth & Mézard
    (1989) identified this zero-entropy point as the capacity (the replica-symmetric saddle itself stays
    formally valid up to Gardner & Derrida's :math:`4/\pi`, beyond the counting bound :math:`\alpha \le 1`);
    Ding & Sun (2019) proved, under a numerical hypothesis, that below it random patterns are storable with
    probability bounded away from 0.  Chapter 13.

    Returns
    -------
    float
        The critical load :math:`\alpha_c` (patterns per weight, dimensionless).
    """
    return float(optimize.brentq(lambda a: ising_perceptron_rs(a).entropy, 0.5, 1.0, xtol=1e-12))
