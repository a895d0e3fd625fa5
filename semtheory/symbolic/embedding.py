r"""Symbolic identities of chapter 9: the SGNS optimum, the InfoNCE gap, the rank of a softmax of inner products.

* :func:`sgns_optimum`: the stationary point of the skip-gram negative-sampling objective of one
  (word, context) pair is the shifted PMI, :math:`z^\ast = \mathrm{PMI}(w,c) - \log k` (Levy and Goldberg 2014).
* :func:`sgns_curvature`: the curvature there is :math:`-ab/(a+b)` with :math:`a = \#(w,c)` and
  :math:`b = k\#(w)\#(c)/D`, the weight of the cell in the least-squares form of SGNS.
* :func:`infonce_gap_n2`: for a binary symmetric pair and :math:`N = 2` candidates, the expected InfoNCE
  bound of the optimal critic is exactly :math:`I(X;Y) - \KL(\bar P \| Q)`.  sympy proves the *identity*; the
  *inequality* :math:`\log N - \mathcal L_N \le I` then follows from :math:`\KL \ge 0` (Gibbs), which sympy
  does not prove here.
* :func:`softmax_rank_d1`: a softmax of one-dimensional inner products over three contexts and three tokens
  has a singular log-probability matrix (rank :math:`\le d + 1 = 2`), whatever the normalisers.

Natural logarithms (nats) throughout.
"""

from __future__ import annotations

import itertools

import sympy as sp

from . import Derivation, derivation

__all__ = ["sgns_pair_objective", "sgns_optimum", "sgns_curvature", "infonce_gap_n2", "softmax_rank_d1"]


def _sigma(x):
    return 1 / (1 + sp.exp(-x))


def sgns_pair_objective():
    r"""``(ell, z, n_wc, n_w, n_c, D, k)``: the SGNS objective of one pair as a function of :math:`z = \langle w, c\rangle`.

    :math:`\ell(z) = \#(w,c)\log\sigma(z) + k\,\frac{\#(w)\,\#(c)}{D}\log\sigma(-z)`: the observed pair is
    pushed up :math:`\#(w,c)` times and, with :math:`k` negatives drawn from the unigram law, pushed down
    :math:`k\,\#(w)\,\#(c)/D` times in expectation.
    """
    x = sp.symbols("z", real=True)
    n_wc, n_w, n_c, D, k = sp.symbols(r"\#(w\,c) \#(w) \#(c) D k", positive=True)
    ell = n_wc * sp.log(_sigma(x)) + k * n_w * n_c / D * sp.log(_sigma(-x))
    return ell, x, n_wc, n_w, n_c, D, k


@derivation
def sgns_optimum() -> Derivation:
    r"""The SGNS optimum is the shifted PMI: the root of :math:`\ell'(z) = 0` is :math:`\log\frac{\#(w,c)D}{\#(w)\#(c)} - \log k`.

    sympy differentiates :math:`\ell`, solves :math:`\ell'(z) = 0` for :math:`z` (a single root, since
    :math:`\ell''(z) = -(\#(w,c) + k\#(w)\#(c)/D)\,\sigma(z)\sigma(-z) < 0`: the objective is strictly concave)
    and compares the root with the shifted PMI.  Chapter 9.
    """
    ell, x, n_wc, n_w, n_c, D, k = sgns_pair_objective()
    d1 = sp.simplify(sp.diff(ell, x))
    roots = sp.solve(sp.Eq(d1, 0), x)
    if len(roots) != 1:  # pragma: no cover - sympy's solver is deterministic here
        raise RuntimeError(f"expected one stationary point, got {roots}")
    pmi = sp.log(n_wc * D / (n_w * n_c))
    d2 = sp.simplify(sp.diff(ell, x, 2) + (n_wc + k * n_w * n_c / D) * _sigma(x) * _sigma(-x))
    if d2 != 0:  # pragma: no cover - the concavity step is exact
        raise RuntimeError(f"unexpected second derivative, residual {d2}")
    dl = sp.Function(r"\ell'")(x)
    return Derivation(
        name="SGNS optimum = shifted PMI",
        lhs=roots[0],
        rhs=pmi - sp.log(k),
        proves="the stationary point of the per-pair SGNS objective is z* = PMI(w, c) - log k",
        chapter="9",
        assumptions=("counts #(w,c), #(w), #(c), D > 0", "k > 0 negative samples per pair"),
        steps=(
            sp.Eq(sp.Function(r"\ell")(x), ell, evaluate=False),
            sp.Eq(dl, d1, evaluate=False),
            sp.Eq(sp.Function(r"\ell''")(x), -(n_wc + k * n_w * n_c / D) * _sigma(x) * _sigma(-x), evaluate=False),
        ),
    )


@derivation
def sgns_curvature() -> Derivation:
    r"""The curvature of the per-pair SGNS objective at its optimum: :math:`\ell''(z^\ast) = -\frac{ab}{a+b}`.

    :math:`a = \#(w,c)`, :math:`b = k\#(w)\#(c)/D`.  sympy substitutes the root of
    :func:`sgns_optimum` into :math:`\ell''` and simplifies the difference to zero.  So, to second order,
    maximising SGNS over rank-:math:`d` vectors is a least-squares fit of the shifted PMI with cell weights
    :math:`ab/(a+b)`, not the unweighted fit of an SVD.  Chapter 9.
    """
    ell, x, n_wc, n_w, n_c, D, k = sgns_pair_objective()
    root = sp.log(n_wc * D / (n_w * n_c)) - sp.log(k)
    b = k * n_w * n_c / D
    curv = sp.simplify(sp.diff(ell, x, 2).subs(x, root))
    return Derivation(
        name="SGNS curvature at the optimum",
        lhs=curv,
        rhs=-n_wc * b / (n_wc + b),
        proves="l''(z*) = -a b / (a + b): SGNS near its optimum is least squares with cell weights a b / (a + b)",
        chapter="9",
        assumptions=("counts #(w,c), #(w), #(c), D > 0", "k > 0 negative samples per pair"),
        steps=(sp.Eq(sp.Function(r"\ell''")(sp.Symbol(r"z^\ast")), -n_wc * b / (n_wc + b), evaluate=False),),
    )


@derivation
def infonce_gap_n2() -> Derivation:
    r"""For a binary symmetric pair and :math:`N = 2`: :math:`I(X;Y) = \E[\log 2 - \mathcal L_2(g^\ast)] + \KL(\bar P \,\|\, Q)`.

    :math:`X` uniform on :math:`\{0,1\}`, :math:`Y = X \oplus Z` with :math:`Z \sim \mathrm{Bern}(a)`; the batch
    is :math:`(x, y_1, y_2)` with :math:`(x, y_1) \sim p` and :math:`y_2 \sim p(y)`; the optimal critic is
    :math:`g^\ast = \log r`, :math:`r(x,y) = p(y\mid x)/p(y)`.  :math:`\bar P` is the law of the batch when the
    positive sits at a uniformly random index, :math:`\bar P = p(x)p(y_1)p(y_2)\,\tfrac12(r_1 + r_2)`, and
    :math:`Q = p(x)p(y_1)p(y_2)`.  Every expectation is a finite sum of 8 terms, written out and compared
    by sympy.  Chapter 9.
    """
    a = sp.symbols("a", positive=True)
    half = sp.Rational(1, 2)
    pyx = {(x, y): (1 - a) if x == y else a for x in (0, 1) for y in (0, 1)}
    r = {xy: v / half for xy, v in pyx.items()}  # p(y|x)/p(y) with p(y) = 1/2
    mi = sum(half * pyx[x, y] * sp.log(r[x, y]) for x in (0, 1) for y in (0, 1))
    nce, kl = 0, 0
    for x, y1, y2 in itertools.product((0, 1), repeat=3):
        p1 = half * pyx[x, y1] * half  # positive at index 1
        nce += p1 * (sp.log(r[x, y1]) - sp.log((r[x, y1] + r[x, y2]) / 2))
        q = half * half * half
        pbar = q * (r[x, y1] + r[x, y2]) / 2
        kl += pbar * sp.log(pbar / q)
    nce_s, kl_s, mi_s = (sp.expand(sp.expand_log(sp.expand(e), force=True)) for e in (nce, kl, mi))
    return Derivation(
        name="InfoNCE at the optimal critic = I - KL (binary symmetric pair, N = 2)",
        lhs=mi,
        rhs=sp.Add(nce, kl, evaluate=False),
        proves="I(X;Y) = E[log N - L_N(g*)] + KL(Pbar || Q) for N = 2 on a binary symmetric pair; with KL >= 0 "
        "this gives the InfoNCE lower bound (the inequality itself is Gibbs' inequality, not proved by sympy)",
        chapter="9",
        assumptions=("X uniform on {0, 1}", "Y = X xor Bern(a), 0 < a < 1", "N = 2 candidates"),
        steps=(
            sp.Eq(sp.Symbol("I(X;Y)"), mi_s, evaluate=False),
            sp.Eq(sp.Symbol(r"\mathbb{E}[\log 2 - \mathcal{L}_2(g^*)]"), nce_s, evaluate=False),
            sp.Eq(sp.Symbol(r"D_{\mathrm{KL}}(\bar P \| Q)"), kl_s, evaluate=False),
        ),
    )


@derivation
def softmax_rank_d1() -> Derivation:
    r"""A softmax of 1-dimensional inner products has a singular :math:`3\times 3` log-probability matrix.

    :math:`\log Q(v\mid c) = s\,u_c w_v - z_c` for contexts :math:`c = 1,2,3`, tokens :math:`v = 1,2,3` and
    *arbitrary* row normalisers :math:`z_c` (the true ones are :math:`\log\sum_v e^{s u_c w_v}`): the matrix is
    :math:`s\,u w^\T - z\mathbf 1^\T`, of rank at most :math:`d + 1 = 2`, so its determinant vanishes
    identically.  Chapter 9.
    """
    s = sp.symbols("s", positive=True)
    u = sp.symbols("u1:4", real=True)
    w = sp.symbols("w1:4", real=True)
    z = sp.symbols("z1:4", real=True)
    L = sp.Matrix(3, 3, lambda i, j: s * u[i] * w[j] - z[i])
    return Derivation(
        name="rank of a softmax of 1-d inner products is at most 2",
        lhs=sp.Determinant(L),
        rhs=sp.Integer(0),
        proves="det(s u w^T - z 1^T) = 0 for 3 contexts and 3 tokens with d = 1: the log-probability matrix has rank <= d + 1",
        chapter="9",
        assumptions=("d = 1", "any row normalisers z_c"),
    )
