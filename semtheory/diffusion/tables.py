"""Predictor tables: the exact conditionals of a data law and imperfect predictors (marginal, random,
perturbed).  Chapter 16 (see :mod:`semtheory.diffusion`)."""

from __future__ import annotations


import numpy as np

from .._validate import as_rng, check_int, check_positive, check_probability
from ..core.types import ArrayLike, FloatArray, SeedLike
from ._common import MAX_CELLS, check_law, check_table, visible_one_hot
from .forward import mask_patterns


def exact_conditionals(p: ArrayLike) -> FloatArray:
    r"""The data law's own mask predictor: :math:`q^\star(x^i = v \mid z) = P(X_i = v \mid X_j = z_j,\ j \text{ visible})`.

    Shape ``(V+1,)*n + (n, V)``.  Visible positions get the one-hot law of their token; conditionals given a
    visible configuration of probability zero are set to the uniform law (they never enter a loss).
    Chapter 16.

    Parameters
    ----------
    p : array_like of float, shape (V,) * n
        The data law (a pmf).

    Returns
    -------
    numpy.ndarray of float, shape (V + 1,) * n + (n, V)
        A predictor table (probabilities).
    """
    p, n, V = check_law(p, "p")
    out, Z = visible_one_hot(n, V)
    masks = mask_patterns(n)
    for m in masks[1:]:
        hid = tuple(np.nonzero(m)[0])
        vis = tuple(np.nonzero(~m)[0])
        mv = p.sum(axis=hid)  # law of the visible tokens, axes in order `vis`
        rows = np.nonzero(np.all((Z == V) == m, axis=1))[0]  # states with exactly this pattern
        vis_idx = tuple(Z[rows][:, list(vis)].T)
        den = mv[vis_idx] if vis else np.full(rows.size, mv)
        for i in hid:
            joint = p.sum(axis=tuple(j for j in hid if j != i))  # axes sorted(vis + (i,))
            joint = np.moveaxis(joint, sorted(vis + (i,)).index(i), -1)  # (vis..., V)
            num = joint[vis_idx] if vis else np.broadcast_to(joint, (rows.size, V))
            with np.errstate(invalid="ignore", divide="ignore"):
                out[rows, i] = np.where(den[:, None] > 0, num / np.where(den > 0, den, 1.0)[:, None], 1.0 / V)
    return out.reshape((V + 1,) * n + (n, V))


def marginal_predictor(p: ArrayLike) -> FloatArray:
    r"""The context-free predictor :math:`q(x^i \mid z) = P(X_i = x^i)` (ignores every visible token).

    Its LLaDA loss is :math:`\sum_i H(X_i)` (each position is predicted in each of its masks with total
    weight 1), above :math:`H(X^n)` by the total correlation.  Shape ``(V+1,)*n + (n, V)``.  Chapter 16.

    Parameters
    ----------
    p : array_like of float, shape (V,) * n
        The data law (a pmf).

    Returns
    -------
    numpy.ndarray of float, shape (V + 1,) * n + (n, V)
        A predictor table (probabilities).
    """
    p, n, V = check_law(p, "p")
    out, Z = visible_one_hot(n, V)
    for i in range(n):
        marg = p.sum(axis=tuple(j for j in range(n) if j != i))
        hid = Z[:, i] == V
        out[hid, i] = marg
    return out.reshape((V + 1,) * n + (n, V))


def random_predictor(vocab_size: int, n: int, *, concentration: float = 1.0, seed: SeedLike = 0) -> FloatArray:
    r"""A predictor whose masked rows are independent Dirichlet(``concentration``) pmfs (seeded); visible rows one-hot.

    Shape ``(V+1,)*n + (n, V)`` with ``V = vocab_size``.  Chapter 16.

    Parameters
    ----------
    vocab_size : int
        :math:`V`.
    n : int
        :math:`n`.
    concentration : float, keyword-only, default 1.0
        Dirichlet concentration, > 0.
    seed : int, numpy.random.Generator or None, keyword-only, default 0
        Seed.

    Returns
    -------
    numpy.ndarray of float, shape (V + 1,) * n + (n, V)
        A predictor table (probabilities).
    """
    V = check_int(vocab_size, "vocab_size", minimum=1)
    n = check_int(n, "n", minimum=1)
    a = check_positive(concentration, "concentration")
    if (V + 1) ** n * n * V > MAX_CELLS:
        raise ValueError(f"n={n} with vocab_size={V} gives a table too large to enumerate")
    out, Z = visible_one_hot(n, V)
    rng = as_rng(seed)
    hid = Z == V
    draws = rng.dirichlet(np.full(V, a), size=int(hid.sum()))
    out[hid] = draws / draws.sum(axis=1, keepdims=True)
    return out.reshape((V + 1,) * n + (n, V))


def perturbed_predictor(q: ArrayLike, noise: float, *, concentration: float = 1.0, seed: SeedLike = 0) -> FloatArray:
    r"""The mixture :math:`(1-\epsilon)\,q + \epsilon\, r` of a predictor with a :func:`random_predictor` :math:`r`.

    ``noise`` :math:`= \epsilon \in [0, 1]`; :math:`\epsilon = 0` returns ``q`` unchanged.  Chapter 16.

    Parameters
    ----------
    q : array_like of float, shape (V + 1,) * n + (n, V)
        A predictor table (each row a pmf; token ``V`` is the mask).
    noise : float
        :math:`\epsilon \in [0, 1]`.
    concentration : float, keyword-only, default 1.0
        Dirichlet concentration of :math:`r`.
    seed : int, numpy.random.Generator or None, keyword-only, default 0
        Seed.

    Returns
    -------
    numpy.ndarray of float, shape (V + 1,) * n + (n, V)
        A predictor table (probabilities).
    """
    q, n, V = check_table(q, "q")
    eps = check_probability(noise, "noise")
    r = random_predictor(V, n, concentration=concentration, seed=seed)
    return (1 - eps) * q + eps * r
