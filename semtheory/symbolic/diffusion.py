r"""Symbolic identities behind the masked-diffusion (LLaDA) loss of chapter 16 (sympy).

* :func:`beta_weight` — the :math:`1/t` weight integrates the mask law of a pattern with :math:`k` of
  :math:`n` tokens masked to :math:`\int_0^1 \frac1t\binom nk t^k(1-t)^{n-k}\dd t = \frac1k` (sympy evaluates
  the integral for symbolic :math:`k` and :math:`n - k`);
* :func:`order_weight` — per pattern and position, :math:`\frac{1}{k\binom nk} = \frac{(k-1)!\,(n-k)!}{n!}`,
  the probability that a uniformly random order leaves exactly that pattern masked and reveals that position
  next (the any-order autoregressive reading);
* :func:`two_token_identity` — for two binary tokens and the exact conditionals, the weighted loss is the
  joint entropy :math:`H(X_1, X_2)`, for a generic joint pmf.
"""

from __future__ import annotations

import sympy as sp

from . import Derivation, derivation

__all__ = ["beta_weight", "order_weight", "two_token_identity"]

_n, _k = sp.symbols("n k", integer=True, positive=True)
_t = sp.Symbol("t", positive=True)
_m = sp.Symbol("m", integer=True, nonnegative=True)


@derivation
def beta_weight() -> Derivation:
    r""":math:`\int_0^1 \frac1t\binom nk t^k(1-t)^{n-k}\dd t = \frac1k` for integers :math:`1 \le k \le n`, the integral evaluated by sympy.

    With :math:`m = n - k` (a symbolic non-negative integer) sympy integrates :math:`t^{k-1}(1-t)^m` over
    :math:`[0, 1]` itself (Meijer-G integration; it returns :math:`\Gamma(k)\,{}_2F_1(k, -m; k+1; 1)/\Gamma(k+1)`,
    Euler's Beta integral :math:`B(k, m+1)` in hypergeometric form), and ``holds`` simplifies
    :math:`\binom{k+m}{k}` times that value to :math:`1/k`.  ``steps[0]`` is the unevaluated integral shown in
    the chapter (in :math:`n, k`), ``steps[1]`` sympy's value of the integral.  Shared among the :math:`k`
    masked positions, every mask size :math:`k` thus contributes the average loss of *one* predicted token,
    as one step of an autoregression does.  Chapter 16.
    """
    integral = sp.Integral(sp.binomial(_n, _k) * _t**_k * (1 - _t) ** (_n - _k) / _t, (_t, 0, 1))
    value = sp.integrate(_t ** (_k - 1) * (1 - _t) ** _m, (_t, 0, 1), meijerg=True)  # evaluated, not assumed
    return Derivation(
        name="the 1/t weight integrates to 1/k",
        lhs=sp.binomial(_k + _m, _k) * value,
        rhs=1 / _k,
        proves="int_0^1 (1/t) C(n,k) t^k (1-t)^(n-k) dt = 1/k (integral evaluated by sympy, m = n - k): "
               "each mask size contributes like one next-token term",
        chapter="16",
        assumptions=("k a positive integer", "m = n - k a non-negative integer"),
        steps=(integral, value),
    )


@derivation
def order_weight() -> Derivation:
    r""":math:`\frac{1}{k\binom nk} = \frac{(k-1)!\,(n-k)!}{n!}`: the weight of one (pattern, position) pair is an order probability.

    Of the :math:`n!` orders, those whose last :math:`k` positions form the pattern :math:`m` and whose
    next-revealed position is :math:`i \in m` number :math:`(n-k)!\,(k-1)!`.  Chapter 16.
    """
    lhs = 1 / (_k * sp.binomial(_n, _k))
    rhs = sp.factorial(_k - 1) * sp.factorial(_n - _k) / sp.factorial(_n)
    return Derivation(
        name="mask weight = order probability",
        lhs=lhs,
        rhs=rhs,
        proves="1/(k C(n,k)) = (k-1)!(n-k)!/n!, the chance that a random order reveals position i when exactly m is masked",
        chapter="16",
        assumptions=("n, k positive integers", "k <= n"),
        steps=(),
    )


def _two_token_law():
    a, b, c, d = sp.symbols("p00 p01 p10 p11", positive=True)
    return sp.Matrix([[a, b], [c, d]])


@derivation
def two_token_identity() -> Derivation:
    r"""For :math:`n = 2` binary tokens and the exact conditionals, :math:`\mathcal L = H(X_1, X_2)` (nats) for every pmf.

    The weights are :math:`\frac12` for each one-token pattern and :math:`\frac12` for the two-token pattern,
    so :math:`\mathcal L = \frac12[H(X_1\mid X_2) + H(X_2\mid X_1)] + \frac12[H(X_1) + H(X_2)]`: the average
    of the two chain rules.  ``lhs`` is that weighted sum written with the four cell probabilities
    :math:`p_{ab}` (which sum to 1), ``rhs`` the joint entropy.  Chapter 16.
    """
    P = _two_token_law()
    tot = sum(P)
    P = P / tot  # normalise symbolically: the identity holds for every positive table
    row = [P[a, 0] + P[a, 1] for a in range(2)]  # P(X1 = a)
    col = [P[0, b] + P[1, b] for b in range(2)]  # P(X2 = b)
    one_masked = 0
    both_masked = 0
    for a in range(2):
        for b in range(2):
            pab = P[a, b]
            one_masked += pab * (-sp.log(pab / col[b]) - sp.log(pab / row[a])) / 2  # mask X1 (see X2); mask X2
            both_masked += pab * (-sp.log(row[a]) - sp.log(col[b])) / 2
    lhs = one_masked + both_masked
    rhs = -sum(P[a, b] * sp.log(P[a, b]) for a in range(2) for b in range(2))
    return Derivation(
        name="two-token LLaDA loss = joint entropy",
        lhs=lhs,
        rhs=rhs,
        proves="with the exact conditionals the 1/t-weighted loss of two tokens averages the two chain rules of H(X1, X2)",
        chapter="16",
        assumptions=("every cell probability positive",),
        steps=(),
    )
