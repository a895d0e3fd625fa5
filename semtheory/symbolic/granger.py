r"""Symbolic identities of Gaussian transfer entropy and Granger causality (chapter 8).

The Gaussian differential entropy :math:`h(V) = \tfrac12\ln\big((2\pi e)^{|V|}\det\Sigma_V\big)` turns a
conditional mutual information into log-determinants; least squares turns a Granger regression into
a residual variance.  sympy shows that the two meet: :math:`\mathrm{TE} = \tfrac12\ln(\sigma^2_r/\sigma^2_f)`.
"""

from __future__ import annotations

import sympy as sp

from . import Derivation, derivation

__all__ = [
    "gaussian_entropy",
    "gaussian_cmi_from_cov",
    "regression_residual_variance",
    "gaussian_te_variance_ratio",
    "te_white_driver",
]

_HALF = sp.Rational(1, 2)


def gaussian_entropy(cov: sp.Matrix, idx) -> sp.Expr:
    r"""Differential entropy :math:`\tfrac12\ln((2\pi e)^{m}\det\Sigma_{V})` (nats) of the variables ``idx`` of ``cov``."""
    idx = list(idx)
    if not idx:
        return sp.Integer(0)
    det = sp.factor(cov.extract(idx, idx).det())
    return _HALF * sp.log((2 * sp.pi * sp.E) ** len(idx) * det)


def gaussian_cmi_from_cov(cov: sp.Matrix, a, b, given) -> sp.Expr:
    r""":math:`I(A;B \mid C) = h(A,C) + h(B,C) - h(A,B,C) - h(C)` for a Gaussian vector with covariance ``cov`` (nats)."""
    a, b, c = list(a), list(b), list(given)
    return sp.Add(
        gaussian_entropy(cov, sorted(a + c)),
        gaussian_entropy(cov, sorted(b + c)),
        -gaussian_entropy(cov, sorted(a + b + c)),
        -gaussian_entropy(cov, sorted(c)),
    )


def regression_residual_variance(cov: sp.Matrix, target: int, regressors) -> sp.Expr:
    r"""Least-squares residual variance :math:`\sigma^2 = \Sigma_{yy} - \Sigma_{yz}\Sigma_{zz}^{-1}\Sigma_{zy}` (normal equations)."""
    regs = list(regressors)
    if not regs:
        return cov[target, target]
    c = cov.extract(regs, [target])
    beta = cov.extract(regs, regs).LUsolve(c)  # the regression coefficients
    return sp.factor(cov[target, target] - (c.T * beta)[0, 0])


@derivation
def gaussian_te_variance_ratio() -> Derivation:
    r"""Gaussian transfer entropy is half the log of the Granger variance ratio: :math:`I(Y;X\mid Z) = \tfrac12\ln(\sigma^2_r/\sigma^2_f)`.

    Variables: :math:`Z` (the target's past), :math:`X` (the source's past), :math:`Y` (the target now),
    jointly Gaussian with a *generic* covariance written through its Cholesky factor,
    :math:`\Sigma = LL^\top` (every positive-definite covariance has one, with :math:`\ell_{ii} > 0`).  The
    left side is the conditional MI from differential entropies (log-determinants); the right side
    uses the residual variances of the restricted regression (Y on Z) and the full one (Y on Z, X)
    from the normal equations.  Chapter 8.
    """
    l11, l22, l33 = sp.symbols("ell_11 ell_22 ell_33", positive=True)
    l21, l31, l32 = sp.symbols("ell_21 ell_31 ell_32", real=True)
    L = sp.Matrix([[l11, 0, 0], [l21, l22, 0], [l31, l32, l33]])
    cov = L * L.T
    Z, X, Y = 0, 1, 2
    lhs = gaussian_cmi_from_cov(cov, [Y], [X], [Z])
    s2r = regression_residual_variance(cov, Y, [Z])
    s2f = regression_residual_variance(cov, Y, [Z, X])
    return Derivation(
        name="Gaussian TE = half log of the Granger variance ratio",
        lhs=lhs,
        rhs=_HALF * sp.log(s2r / s2f),
        proves="I(Y_t; X_past | Y_past) = (1/2) ln(sigma_r^2 / sigma_f^2) for jointly Gaussian variables, i.e. TE = F/2",
        chapter="8",
        assumptions=("jointly Gaussian (Z, X, Y)", "Sigma = L L^T positive definite"),
        steps=(sp.Eq(sp.Symbol(r"\sigma^2_r"), s2r), sp.Eq(sp.Symbol(r"\sigma^2_f"), s2f)),
    )


@derivation
def te_white_driver() -> Derivation:
    r"""A white driver: for :math:`Y_t = aY_{t-1} + cX_{t-1} + e_t` with i.i.d. :math:`X_t \sim \mathcal N(0,s^2)`, :math:`\mathrm{TE}_{X\to Y} = \tfrac12\ln(1 + c^2s^2/\sigma^2)`.

    The stationary covariances are :math:`\Var(Y) = (c^2s^2+\sigma^2)/(1-a^2)`,
    :math:`\Cov(Y_t, Y_{t-1}) = a\Var(Y)`, :math:`\Cov(Y_t, X_{t-1}) = cs^2` and
    :math:`\Cov(Y_{t-1}, X_{t-1}) = 0`; the Gaussian conditional MI
    :math:`I(Y_t; X_{t-1} \mid Y_{t-1})` of this covariance simplifies to the closed form (and one lag of
    history already gives the infinite-history value, since :math:`Y` is then an AR(1) with white
    innovations :math:`cX_{t-1} + e_t`).  Chapter 8.
    """
    a, c = sp.symbols("a c", real=True)
    s, sigma = sp.symbols("s sigma", positive=True)
    vy = (c**2 * s**2 + sigma**2) / (1 - a**2)
    # order: Y_{t-1}, X_{t-1}, Y_t
    cov = sp.Matrix([[vy, 0, a * vy], [0, s**2, c * s**2], [a * vy, c * s**2, vy]])
    lhs = gaussian_cmi_from_cov(cov, [2], [1], [0])
    return Derivation(
        name="transfer entropy of a white driver",
        lhs=lhs,
        rhs=_HALF * sp.log(1 + c**2 * s**2 / sigma**2),
        proves="TE_{X->Y} = (1/2) ln(1 + c^2 s^2 / sigma^2) for Y_t = a Y_{t-1} + c X_{t-1} + e_t, X white",
        chapter="8",
        assumptions=("|a| < 1", "X_t i.i.d. N(0, s^2) independent of e_t ~ N(0, sigma^2)"),
    )
