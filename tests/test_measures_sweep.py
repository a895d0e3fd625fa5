"""The blocked kernels of measures (entropy, MI, CMI, conditional entropy) against a one-pass numeric route.

Arrays larger than one block of the sweep (SWEEP_BLOCK cells), with and without exact zeros, in C, Fortran
and non-contiguous layouts; the reference is the difference of entropies computed in a single numpy pass.
"""

import numpy as np
import pytest

from semtheory import measures
from semtheory._validate import SWEEP_BLOCK


def H(q):
    q = np.asarray(q, dtype=float).ravel()
    q = q[q > 0]
    return float(-(q * np.log2(q)).sum())


def law(shape, seed, zeros):
    p = np.random.default_rng(seed).dirichlet(np.ones(int(np.prod(shape)))).reshape(shape)
    if zeros:
        p[..., ::3] = 0.0
        p /= p.sum()
    return p


@pytest.mark.parametrize("zeros", [False, True])
@pytest.mark.parametrize("layout", ["C", "F", "view"])
def test_mi_and_conditional_entropy_match_entropy_differences(zeros, layout):
    p = law((300, 400), 0, zeros)
    assert p.size > 2 * SWEEP_BLOCK
    if layout == "F":
        p = np.asfortranarray(p)
    elif layout == "view":
        p = p[::-1, :]
    hx, hy, hxy = H(p.sum(1)), H(p.sum(0)), H(p)
    assert measures.entropy(p) == pytest.approx(hxy, rel=1e-12)
    assert measures.mutual_information(p, 0, 1) == pytest.approx(hx + hy - hxy, abs=1e-11)
    assert measures.conditional_entropy(p, 0, 1) == pytest.approx(hxy - hy, abs=1e-11)
    assert measures.conditional_entropy(p, 1, 0) == pytest.approx(hxy - hx, abs=1e-11)


@pytest.mark.parametrize("zeros", [False, True])
def test_cmi_matches_entropy_differences(zeros):
    p = law((40, 30, 50), 1, zeros)  # 60,000 cells: two blocks along the first axis
    hac, hbc, habc, hc = H(p.sum(1)), H(p.sum(0)), H(p), H(p.sum((0, 1)))
    ref = hac + hbc - habc - hc
    assert measures.conditional_mutual_information(p, 0, 1, 2) == pytest.approx(ref, abs=1e-11)
    ref2 = H(p.sum(2)) + H(p.sum(1)) - habc - H(p.sum((1, 2)))  # I(Y; Z | X): blocks along X
    assert measures.conditional_mutual_information(p, 1, 2, 0) == pytest.approx(ref2, abs=1e-11)


def test_product_law_has_exactly_zero_mi_at_scale():
    rng = np.random.default_rng(2)
    a, b = rng.dirichlet(np.ones(500)), rng.dirichlet(np.ones(300))
    p = np.multiply.outer(a, b)
    assert measures.mutual_information(p, 0, 1) == 0.0
    assert measures.mutual_information(law((500, 300), 3, False), 0, 1) > 0.01
