"""Exercise answers for chapter 13 (memory capacity: Cover, Gardner, Hopfield).

Every reference answer is computed with :mod:`semtheory.capacity`; nothing is typed in.
"""

import math

from . import answer


@answer("ex-13-cover-thirty", units="probability", rtol=1e-6, atol=1e-9,
        hint="C(P,N)/2^P with P = 30 points in N = 10 dimensions")
def _cover_thirty():
    from ..capacity import cover_fraction

    return float(cover_fraction(30, 10))


@answer("ex-13-gardner-margin", units="patterns per weight", rtol=1e-4,
        hint="1 / [(1+k^2) Phi(k) + k phi(k)] at k = 0.5")
def _gardner_margin():
    from ..capacity import gardner_alpha

    return gardner_alpha(0.5)


@answer("ex-13-hopfield-errors", units="fraction of bits", rtol=1e-3, atol=1e-7,
        hint="the wrong bits are a fraction (1 - m)/2 of the retrieved state")
def _hopfield_errors():
    from ..capacity import hopfield_rs_solution

    return (1.0 - hopfield_rs_solution(0.12).m) / 2.0


@answer("ex-13-exponential-digits", units="decimal digits", rtol=1e-4,
        hint="log10 of exp(N I(1-2 rho)/2)")
def _exponential_digits():
    from ..capacity import demircigil_exponent

    return 100 * demircigil_exponent(0.1) / math.log(10)


@answer("ex-13-margin-one", units="margin kappa", rtol=1e-5,
        hint="solve alpha_c(kappa) = 1 with the closed form of Gardner's capacity")
def _margin_one():
    from ..capacity import gardner_margin

    return gardner_margin(1.0)
