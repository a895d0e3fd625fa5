"""Exercise answers for the preface (a worked example of the checker)."""

import math

from . import answer


@answer("ex-00-coin-bits", units="bits", rtol=1e-3)
def _coin_bits():
    from ..measures import entropy

    return entropy([0.5, 0.5])
