"""The conditional mutual information of Steinke and Zakynthinou and the entropies of dataset types
(chapter 12)."""

from __future__ import annotations

import itertools
import math
from typing import TYPE_CHECKING

import numpy as np

from .._validate import as_pmf, as_rng, check_int, log_base
from ..core.results import Estimate
from ._common import check_pxy, loss_table, type_logpmf
from .gibbs import enumerate_types, gibbs_posterior

if TYPE_CHECKING:
    from ..core.types import ArrayLike, SeedLike


def _cmi_given(post_grid, law):
    # I(W; T | z~) from P(T | z~) on the type grid and the posterior of every type
    mix = law @ post_grid
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(post_grid > 0, post_grid * (np.log(post_grid) - np.log(np.where(mix > 0, mix, 1.0))), 0.0)
    return float(max(law @ r.sum(axis=1), 0.0))


def supersample_cmi(p_xy: ArrayLike, hypotheses: ArrayLike, n: int, beta: float, *, n_samples: int = 200,
                    seed: SeedLike = 0, base: float = 2) -> Estimate:
    r"""Conditional mutual information :math:`\mathrm{CMI} = \I(W; U \mid \tilde Z)` of Steinke and Zakynthinou.

    A supersample :math:`\tilde Z` holds :math:`n` pairs drawn i.i.d. from ``p_xy``; :math:`U \in \{0,1\}^n` uniform
    picks one of each pair as the training set; :math:`W` is the Gibbs learner of :func:`gibbs_study`.  Given
    :math:`\tilde z`, :math:`W` depends on :math:`U` only through the type :math:`T` of the chosen examples, so
    :math:`\I(W;U\mid\tilde z) = \I(W;T\mid\tilde z)`, computed exactly with the law of :math:`T` built pair by pair.
    The outer expectation over :math:`\tilde Z` is a Monte-Carlo average over ``n_samples`` seeded draws:
    returns an :class:`~semtheory.core.Estimate` ``(mean, se)``.  Always :math:`\le n\log 2` (:math:`n` bits).
    In units of log ``base`` (bits by default).  Chapter 12.

    Parameters
    ----------
    p_xy : array_like, shape (m, K)
        The joint pmf :math:`\mu(x, y)` of an input and its label.
    hypotheses : array_like, shape (M, m, K)
        The finite class: ``M`` logit tables, one row of ``K`` finite logits per input.
    n : int
        The sample size, at least 1.
    beta : float
        The inverse temperature of the Gibbs posterior, >= 0 (``math.inf``: empirical risk minimisation).
    n_samples : int, keyword-only, default 200
        Monte-Carlo supersamples, at least 2.
    seed : int, numpy.random.Generator or None, keyword-only, default 0
        Seed of the supersamples.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    Estimate
        ``(mean, se)``: the Monte-Carlo estimate of the CMI and its standard error, in units of log ``base``
        (bits by default); it unpacks as a pair.
    """
    p, H = check_pxy(p_xy, hypotheses)
    n = check_int(n, "n", minimum=1)
    n_samples = check_int(n_samples, "n_samples", minimum=2)
    lb = log_base(base)
    loss, flat = loss_table(p, H)
    A = flat.size
    if (n + 1) ** (A - 1) > 5_000_000:
        raise ValueError(f"n={n} with {A} outcomes gives too large a type grid")
    T = enumerate_types(n, A)
    post_grid = gibbs_posterior(T @ loss.T / n, beta, n)
    # the law of the type on a grid of the first A-1 counts (the last count is n minus their sum)
    shape = (n + 1,) * (A - 1)
    flat_idx = np.ravel_multi_index(T[:, :-1].T, shape) if A > 1 else np.zeros(len(T), dtype=int)
    rng = as_rng(seed)
    pairs = rng.choice(A, size=(n_samples, n, 2), p=flat)
    vals = np.empty(n_samples)

    def shift(law, a):
        return law if a == A - 1 else np.roll(law, 1, axis=a)

    for k in range(n_samples):
        law = np.zeros(shape)
        law[(0,) * (A - 1)] = 1.0
        for a, b in pairs[k]:
            law = 0.5 * (shift(law, a) + shift(law, b))
        vals[k] = _cmi_given(post_grid, law.reshape(-1)[flat_idx])
    return Estimate(float(vals.mean()) / lb, float(vals.std(ddof=1) / math.sqrt(n_samples)) / lb)


def supersample_cmi_brute_force(p_xy: ArrayLike, hypotheses: ArrayLike, n: int, beta: float, *,
                                base: float = 2) -> float:
    r""":math:`\I(W;U\mid\tilde Z)` exactly, enumerating every supersample and every :math:`U` (tiny cases only).  Chapter 12.

    Parameters
    ----------
    p_xy : array_like, shape (m, K)
        The joint pmf :math:`\mu(x, y)` of an input and its label.
    hypotheses : array_like, shape (M, m, K)
        The finite class: ``M`` logit tables, one row of ``K`` finite logits per input.
    n : int
        The sample size, at least 1.
    beta : float
        The inverse temperature of the Gibbs posterior, >= 0 (``math.inf``: empirical risk minimisation).
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    float
        :math:`\I(W;U\mid\tilde Z)`, in units of log ``base`` (bits by default).
    """
    from ..measures import mutual_information

    p, H = check_pxy(p_xy, hypotheses)
    n = check_int(n, "n", minimum=1)
    lb = log_base(base)
    loss, flat = loss_table(p, H)
    A = flat.size
    if A ** (2 * n) * 2**n > 2_000_000:
        raise ValueError(f"n={n} gives too many (supersample, U) pairs to enumerate")
    Us = np.array(list(itertools.product((0, 1), repeat=n)), dtype=int)
    total = 0.0
    for zt in itertools.product(range(A), repeat=2 * n):
        zt = np.array(zt).reshape(n, 2)
        chosen = zt[np.arange(n)[None, :], Us]                      # (2^n, n)
        post = gibbs_posterior(loss[:, chosen].mean(axis=2).T, beta, n)
        total += np.prod(flat[zt]) * mutual_information(post / len(Us), (0,), (1,), base=math.e)
    return float(total) / lb


def type_entropy(p_xy: ArrayLike, n: int, *, base: float = 2) -> float:
    r"""Entropy :math:`\H(T)` of the type of :math:`n` i.i.d. draws from ``p_xy`` (a multinomial law).

    :math:`\H(T)` grows like :math:`\frac{|\mathcal Z|-1}{2}\log n`.  A deterministic learner that is a function of
    the type has :math:`\I(W;S) = \H(W) \le \H(T)`, with equality only if it is one-to-one on the types; the
    maximum-likelihood logit table is not (see :func:`ml_table_entropy`).  In units of log ``base`` (bits by
    default).  Chapter 12.

    Parameters
    ----------
    p_xy : array_like
        A pmf over the outcomes (any shape; flattened).
    n : int
        The number of draws, at least 1.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    float
        :math:`\H(T)`, in units of log ``base`` (bits by default).

    Examples
    --------
    >>> round(type_entropy([0.5, 0.5], 1), 12)
    1.0
    """
    p = as_pmf(p_xy, "p_xy").reshape(-1)
    n = check_int(n, "n", minimum=1)
    lb = log_base(base)
    lp = type_logpmf(enumerate_types(n, p.size), p, n)
    lp = lp[np.isfinite(lp)]
    return float(-np.sum(np.exp(lp) * lp)) / lb


def ml_table_entropy(p_xy: ArrayLike, n: int, *, base: float = 2) -> float:
    r""":math:`\I(W;S) = \H(W)` of the maximum-likelihood logit table on :math:`n` i.i.d. draws from ``p_xy``.

    ``p_xy`` is an (m, K) table :math:`\mu(x, y)`.  The maximum-likelihood table is determined (up to a shift of each
    row, and a convention for rows with no data) by the empirical conditional laws :math:`N_{x,y}/N_x`, a function
    of the type that is *not* one-to-one: types whose rows are proportional collide, so :math:`\H(W) \le \H(T)`
    (:func:`type_entropy`).  Rows with :math:`N_x = 0` map to one common value.  Exact, by enumerating types.  In
    units of log ``base`` (bits by default).  Chapter 12.

    Parameters
    ----------
    p_xy : array_like, shape (m, K)
        The joint pmf :math:`\mu(x, y)` of an input and its label.
    n : int
        The sample size, at least 1.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    float
        :math:`\H(W)`, in units of log ``base`` (bits by default).
    """
    p = as_pmf(p_xy, "p_xy")
    if p.ndim != 2:
        raise ValueError("p_xy must be a 2-d table mu(x, y)")
    m, K = p.shape
    n = check_int(n, "n", minimum=1)
    lb = log_base(base)
    T = enumerate_types(n, m * K)
    lp = type_logpmf(T, p.reshape(-1), n)
    law = {}
    for t, l in zip(T.reshape(-1, m, K), lp):
        if not np.isfinite(l):
            continue
        key = tuple(tuple(row // math.gcd(*row)) if row.sum() else None for row in t)
        law[key] = law.get(key, 0.0) + math.exp(l)
    v = np.array(list(law.values()))
    return float(-np.sum(v * np.log(v))) / lb
