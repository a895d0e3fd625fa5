r"""Symbolic identities of the evidence lower bound on a two-state latent (chapter 11).

A latent :math:`z \in \{1, 2\}` with joint weights :math:`p(x, z{=}1) = p_1`, :math:`p(x, z{=}2) = p_2`
(positive symbols, so :math:`p(x) = p_1 + p_2`) and a variational law :math:`q = (a, 1-a)`, :math:`0<a<1`.
"""

from __future__ import annotations

import sympy as sp

from . import Derivation, derivation

__all__ = ["symbols", "elbo_decomposition", "elbo_gap_is_kl", "elbo_tight_at_posterior", "elbo_stationary_at_posterior"]


def symbols():
    r"""``(p1, p2, a, elbo, kl)``: joint weights, variational mass on :math:`z=1`, the ELBO and :math:`\KL(q\cc p(z|x))` (nats)."""
    p1, p2 = sp.symbols("p_1 p_2", positive=True)
    a = sp.Symbol("a", positive=True)
    elbo = a * (sp.log(p1) - sp.log(a)) + (1 - a) * (sp.log(p2) - sp.log(1 - a))
    post1, post2 = p1 / (p1 + p2), p2 / (p1 + p2)
    kl = a * sp.log(a / post1) + (1 - a) * sp.log((1 - a) / post2)
    return p1, p2, a, elbo, kl


@derivation
def elbo_decomposition() -> Derivation:
    r""":math:`\ln p(x) = \mathrm{ELBO}(q) + \KL(q \cc p(z|x))` for every :math:`q` (two-state latent)."""
    p1, p2, a, elbo, kl = symbols()
    return Derivation("elbo_decomposition", sp.log(p1 + p2), elbo + kl,
                      "the log-evidence splits into the ELBO plus the KL divergence to the exact posterior", "11",
                      ("p_1, p_2 > 0", "0 < a < 1"))


@derivation
def elbo_gap_is_kl() -> Derivation:
    r"""The gap :math:`\ln p(x) - \mathrm{ELBO}(q)` equals :math:`\KL(q\cc p(z|x))`, written out term by term."""
    p1, p2, a, elbo, _ = symbols()
    kl_explicit = a * (sp.log(a) - sp.log(p1) + sp.log(p1 + p2)) + (1 - a) * (sp.log(1 - a) - sp.log(p2) + sp.log(p1 + p2))
    return Derivation("elbo_gap_is_kl", sp.log(p1 + p2) - elbo, kl_explicit,
                      "the ELBO's gap is the relative entropy from q to the posterior", "11",
                      ("p_1, p_2 > 0", "0 < a < 1"))


@derivation
def elbo_tight_at_posterior() -> Derivation:
    r"""At :math:`q = p(z|x)`, i.e. :math:`a = p_1/(p_1+p_2)`, the ELBO equals :math:`\ln p(x)` (the bound is tight)."""
    p1, p2, a, elbo, _ = symbols()
    return Derivation("elbo_tight_at_posterior", elbo.subs(a, p1 / (p1 + p2)), sp.log(p1 + p2),
                      "the bound is attained at the exact posterior", "11", ("p_1, p_2 > 0",))


@derivation
def elbo_stationary_at_posterior() -> Derivation:
    r""":math:`\partial\,\mathrm{ELBO}/\partial a = \ln\frac{p_1}{a} - \ln\frac{p_2}{1-a}`, which vanishes at :math:`a = p_1/(p_1+p_2)`."""
    p1, p2, a, elbo, _ = symbols()
    grad = sp.diff(elbo, a)
    return Derivation("elbo_stationary_at_posterior", grad.subs(a, p1 / (p1 + p2)), sp.Integer(0),
                      "the exact posterior is a stationary point of the ELBO (its maximiser, the ELBO being concave in q)",
                      "11", ("p_1, p_2 > 0",), steps=(sp.Eq(sp.Derivative(sp.Symbol("ELBO"), a), grad),))
