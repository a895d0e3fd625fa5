"""Building joint laws: products and Markov chains (chapter 2); re-exported by :mod:`semtheory.measures`."""

from __future__ import annotations

import numpy as np

from ..core.types import ArrayLike
from .._validate import as_pmf, as_stochastic


# ----------------------------------------------------------------------------------------------
# building joint laws
# ----------------------------------------------------------------------------------------------


def product_law(*pmfs: ArrayLike) -> np.ndarray:
    r"""Joint law of independent groups of variables: :math:`p(x, y) = p_1(x)\,p_2(y) \cdots`.

    The axes of the result are those of ``pmfs[0]``, then those of ``pmfs[1]``, and so on.  With
    ``product_law(*[p_xy] * n)`` this is the law of ``n`` i.i.d. pairs, axes ``(x1, y1, x2, y2, ...)``.
    Unitless.  Chapter 2.

    Parameters
    ----------
    *pmfs : array_like
        Pmfs (each with any number of axes).

    Returns
    -------
    numpy.ndarray
        Their product, with the axes of ``pmfs[0]`` first, then those of ``pmfs[1]``, and so on.
    """
    if len(pmfs) == 0:
        raise ValueError("pmfs must contain at least one pmf")
    out = np.ones(())
    for i, q in enumerate(pmfs):
        q = as_pmf(q, f"pmfs[{i}]")
        out = np.multiply.outer(out, q)
    return out


def markov_chain_law(initial: ArrayLike, *kernels: ArrayLike) -> np.ndarray:
    r"""Joint law of a Markov chain :math:`X_0 \to X_1 \to \cdots \to X_n`.

    :math:`p(x_0, \dots, x_n) = p_0(x_0) \prod_{t=1}^n W_t(x_t \mid x_{t-1})`, where ``initial`` is
    the pmf of :math:`X_0` and ``kernels[t-1][x_{t-1}, x_t]`` is :math:`W_t` (rows sum to 1).  One axis
    per variable.  Unitless.  Chapter 2.

    Parameters
    ----------
    initial : array_like, shape (k,)
        The pmf of :math:`X_0`.
    *kernels : array_like, shape (k, k)
        Transition matrices :math:`W_t[x_{t-1}, x_t]`, rows summing to 1.

    Returns
    -------
    numpy.ndarray, shape (k,) * (n + 1)
        The joint law of :math:`X_0, \dots, X_n`, one axis per time.
    """
    out = as_pmf(initial, "initial", ndim=1)
    for i, w in enumerate(kernels):
        w = as_stochastic(w, f"kernels[{i}]")
        if w.ndim != 2 or w.shape[0] != out.shape[-1]:
            raise ValueError(
                f"kernels[{i}] must have shape ({out.shape[-1]}, k), got {w.shape}"
            )
        out = out[..., None] * w.reshape((1,) * (out.ndim - 1) + w.shape)
    return out
