r"""Symbolic derivations of rate-distortion theory (chapter 5).

* :func:`ba_gibbs_channel`: stationarity of the Blahut–Arimoto Lagrangian gives the Gibbs test channel
  :math:`q(y \mid x) \propto r(y) e^{-\beta d(x,y)}`;
* :func:`ba_rate_formula`: the rate of the Gibbs channel is :math:`-\beta D - \sum_x p(x)\log Z(x)` (Blahut's formula);
* :func:`binary_rd_slope` and :func:`binary_rd_beta`: the slope of :math:`h(p) - h(D)` is
  :math:`-\log\frac{1-D}{D}`, so the point of slope :math:`-\beta` sits at :math:`D = 1/(1+e^{\beta})`;
* :func:`gaussian_rd_from_entropies`: :math:`H_{\mathrm d}(N(0,\sigma^2)) - H_{\mathrm d}(N(0,D)) = \tfrac12\log(\sigma^2/D)`
  (:math:`H_{\mathrm d}` the differential entropy);
* :func:`reverse_water_filling_equal_levels`: stationarity of the parallel-Gaussian Lagrangian puts every
  component at the same distortion (the water level);
* :func:`gauss_markov_stationary_rate` and :func:`gauss_markov_step_convexity`: the stationary Kalman step
  costs :math:`\tfrac12\log(a^2 + \sigma_w^2/D)`, a convex function of the posterior variance.

All logarithms are natural (nats).
"""

from __future__ import annotations

import sympy as sp

from . import Derivation, derivation

__all__ = [
    "ba_gibbs_channel",
    "ba_rate_formula",
    "binary_rd_slope",
    "binary_rd_beta",
    "gaussian_rd_from_entropies",
    "reverse_water_filling_equal_levels",
    "gauss_markov_stationary_rate",
    "gauss_markov_step_convexity",
]


@derivation
def ba_gibbs_channel() -> Derivation:
    r"""Stationarity of :math:`\sum_y q\log\frac{q}{r} + \beta\sum_y q\,d + \nu(\sum_y q - 1)` in :math:`q(y \mid x)` gives the Gibbs channel.

    For one source letter :math:`x` and two reproductions, solve :math:`\partial/\partial q_y = 0` for each
    :math:`q_y`, then normalise: the result is :math:`q_0 = r_0 e^{-\beta d_0}/(r_0 e^{-\beta d_0} + r_1 e^{-\beta d_1})`
    whatever the multiplier :math:`\nu`.  This is the Blahut–Arimoto channel update.  Chapter 5.
    """
    q0, q1, r0, r1, beta, nu = sp.symbols("q_0 q_1 r_0 r_1 beta nu", positive=True)
    d0, d1 = sp.symbols("d_0 d_1", real=True)
    L = q0 * sp.log(q0 / r0) + q1 * sp.log(q1 / r1) + beta * (q0 * d0 + q1 * d1) + nu * (q0 + q1 - 1)
    s0 = sp.solve(sp.diff(L, q0), q0)[0]
    s1 = sp.solve(sp.diff(L, q1), q1)[0]
    lhs = sp.simplify(s0 / (s0 + s1))
    rhs = r0 * sp.exp(-beta * d0) / (r0 * sp.exp(-beta * d0) + r1 * sp.exp(-beta * d1))
    return Derivation(
        name="Blahut-Arimoto channel update from the Lagrangian",
        lhs=lhs,
        rhs=rhs,
        proves="stationarity of the Lagrangian in q(y|x) gives q(y|x) = r(y) exp(-beta d(x,y)) / Z(x)",
        chapter="5",
        assumptions=("r(y) > 0", "beta > 0"),
    )


@derivation
def ba_rate_formula() -> Derivation:
    r"""Rate of the Gibbs channel: :math:`\sum_{x,y} p\,q\log\frac{q}{r} = -\beta\,\mathbb E d - \sum_x p(x)\log Z(x)`.

    With :math:`q(y \mid x) = r(y)e^{-\beta d(x,y)}/Z(x)` the log-ratio is :math:`-\beta d(x,y) - \log Z(x)`; at
    the Blahut–Arimoto fixed point :math:`r` is the output marginal, the left side is :math:`I(X;Y)`, and this
    is Blahut's formula :math:`R(D_\beta) = -\beta D_\beta - \sum_x p(x)\log\sum_y r(y)e^{-\beta d(x,y)}`.
    Checked for one source letter and two reproductions (average over :math:`p(x)` to get the formula).  Chapter 5.
    """
    r0, beta = sp.symbols("r_0 beta", positive=True)
    d0, d1 = sp.symbols("d_0 d_1", real=True)
    r = (r0, 1 - r0)
    dd = (d0, d1)
    Z = sum(r[y] * sp.exp(-beta * dd[y]) for y in range(2))
    q = [r[y] * sp.exp(-beta * dd[y]) / Z for y in range(2)]
    lhs = sum(q[y] * sp.log(q[y] / r[y]) for y in range(2))
    rhs = -beta * sum(q[y] * dd[y] for y in range(2)) - sp.log(Z)
    return Derivation(
        name="rate of the Blahut-Arimoto channel",
        lhs=lhs,
        rhs=rhs,
        proves="sum_y q log(q/r) = -beta sum_y q d - log Z(x) for the Gibbs channel; averaged over p(x) this is "
        "Blahut's formula R = -beta D - sum_x p(x) log Z(x) at the fixed point",
        chapter="5",
        assumptions=("0 < r_0 < 1", "beta > 0"),
    )


def _h(x):
    return -x * sp.log(x) - (1 - x) * sp.log(1 - x)


@derivation
def binary_rd_slope() -> Derivation:
    r""":math:`\frac{d}{dD}\bigl[h(p) - h(D)\bigr] = -\log\frac{1-D}{D}` (nats), negative for :math:`D < 1/2`.  Chapter 5."""
    p, D = sp.symbols("p D", positive=True)
    return Derivation(
        name="slope of the binary rate-distortion function",
        lhs=sp.diff(_h(p) - _h(D), D),
        rhs=-sp.log((1 - D) / D),
        proves="R'(D) = -log((1-D)/D) for the Bernoulli source under Hamming distortion",
        chapter="5",
        assumptions=("0 < D < min(p, 1-p)",),
    )


@derivation
def binary_rd_beta() -> Derivation:
    r"""At :math:`D = 1/(1+e^\beta)` the slope :math:`-\log\frac{1-D}{D}` equals :math:`-\beta`: Blahut–Arimoto's point.  Chapter 5."""
    beta, D = sp.symbols("beta D", positive=True)
    return Derivation(
        name="distortion reached by Blahut-Arimoto on the binary source",
        lhs=sp.Subs(-sp.log((1 - D) / D), D, 1 / (1 + sp.exp(beta))),
        rhs=-beta,
        proves="the point of slope -beta of h(p) - h(D) is D = 1/(1 + e^beta) (in nats)",
        chapter="5",
    )


@derivation
def gaussian_rd_from_entropies() -> Derivation:
    r""":math:`H_{\mathrm d}(N(0,\sigma^2)) - H_{\mathrm d}(N(0,D)) = \tfrac12\log\frac{\sigma^2}{D}`: the Gaussian :math:`R(D)`.

    :math:`H_{\mathrm d}(X) = -\int f \log f` is the differential entropy, :math:`\tfrac12\log(2\pi e v)` for
    :math:`N(0, v)`.  The converse :math:`I(X;Y) \ge H_{\mathrm d}(X) - H_{\mathrm d}(X - Y) \ge H_{\mathrm d}(X) - \tfrac12\log(2\pi e D)` (the Gaussian maximises
    entropy under a variance constraint) and the backward channel :math:`X = Y + Z`,
    :math:`Z \sim N(0, D)`, meet at this value.  Chapter 5.
    """
    s2, D = sp.symbols("sigma^2 D", positive=True)
    hg = lambda v: sp.Rational(1, 2) * sp.log(2 * sp.pi * sp.E * v)  # noqa: E731
    return Derivation(
        name="Gaussian rate-distortion function",
        lhs=hg(s2) - hg(D),
        rhs=sp.Rational(1, 2) * sp.log(s2 / D),
        proves="R(D) = H_d(X) - H_d(Z) = 1/2 log(sigma^2 / D) for a Gaussian source under squared error (H_d: differential entropy)",
        chapter="5",
        assumptions=("0 < D <= sigma^2",),
    )


@derivation
def reverse_water_filling_equal_levels() -> Derivation:
    r"""Reverse water-filling from the optimality conditions, two Gaussian components above the water.

    Stationarity of :math:`\sum_i \tfrac12\log\frac{\sigma_i^2}{D_i} + \lambda(\sum_i D_i - D)` in each :math:`D_i`
    gives :math:`D_1 = D_2 = \frac1{2\lambda}` (``steps``): every active component sits at the same water level
    :math:`\theta`.  The budget :math:`D_1 + D_2 = D` fixes :math:`\lambda = 1/D`, :math:`\theta = D/2`, and the
    rate at that point is :math:`\tfrac12\log\frac{4\sigma_1^2\sigma_2^2}{D^2}`, i.e. :math:`\sum_i \tfrac12\log(\sigma_i^2/\theta)`;
    with one component it is :math:`\tfrac12\log(\sigma^2/D)`.  Chapter 5.
    """
    s1, s2, lam, D, D1, D2 = sp.symbols("sigma_1^2 sigma_2^2 lambda D D_1 D_2", positive=True)
    R = sp.Rational(1, 2) * sp.log(s1 / D1) + sp.Rational(1, 2) * sp.log(s2 / D2)
    L = R + lam * (D1 + D2 - D)
    sol1 = sp.solve(sp.diff(L, D1), D1)[0]
    sol2 = sp.solve(sp.diff(L, D2), D2)[0]
    lam_star = sp.solve(sp.Eq(sol1 + sol2, D), lam)[0]
    theta = sol1.subs(lam, lam_star)
    return Derivation(
        name="reverse water-filling from the optimality conditions",
        lhs=R.subs({D1: theta, D2: sol2.subs(lam, lam_star)}),
        rhs=sp.Rational(1, 2) * sp.log(4 * s1 * s2 / D**2),
        proves="stationarity gives D_i = theta = 1/(2 lambda) on every active component; with D_1 + D_2 = D, "
        "R = 1/2 log(4 sigma_1^2 sigma_2^2 / D^2)",
        chapter="5",
        assumptions=("both variances exceed the water level D/2",),
        steps=(sp.Eq(D1, sol1), sp.Eq(D2, sol2), sp.Eq(lam, lam_star)),
    )


@derivation
def gauss_markov_stationary_rate() -> Derivation:
    r"""A stationary Kalman step with posterior variance :math:`D` costs :math:`\tfrac12\log\frac{a^2 D + \sigma_w^2}{D} = \tfrac12\log(a^2 + \sigma_w^2/D)`.

    The prior variance of :math:`x_t` given the past reproductions is :math:`a^2 D + \sigma_w^2`; the step's
    directed information is half the log-ratio of prior to posterior variance.  Chapter 5.
    """
    a = sp.symbols("a", real=True)
    D, w = sp.symbols("D sigma_w^2", positive=True)
    return Derivation(
        name="sequential rate of the stationary Gauss-Markov source",
        lhs=sp.Rational(1, 2) * sp.log((a**2 * D + w) / D),
        rhs=sp.Rational(1, 2) * sp.log(a**2 + w / D),
        proves="the stationary Kalman step costs 1/2 log(a^2 + sigma_w^2 / D) nats",
        chapter="5",
    )


@derivation
def gauss_markov_step_convexity() -> Derivation:
    r""":math:`\frac{d^2}{dP^2}\log\bigl(a^2 + \sigma_w^2/P\bigr) = \frac{\sigma_w^2(2a^2P + \sigma_w^2)}{P^2(a^2P + \sigma_w^2)^2} > 0`.

    The per-step cost is convex (and decreasing) in the posterior variance: the Jensen step of the converse
    of the sequential Gauss–Markov theorem of chapter 5 (``thm-05-gauss-markov``).  Chapter 5.
    """
    a = sp.symbols("a", real=True)
    P, w = sp.symbols("P sigma_w^2", positive=True)
    return Derivation(
        name="convexity of the Gauss-Markov step cost",
        lhs=sp.diff(sp.log(a**2 + w / P), P, 2),
        rhs=w * (2 * a**2 * P + w) / (P**2 * (a**2 * P + w) ** 2),
        proves="log(a^2 + sigma_w^2 / P) is convex in P > 0",
        chapter="5",
    )
