"""semtheory.core.law (the X1..Xn, Y1..Yn layout) and the one API of the Amblard-Michel split (issue #15)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from semtheory import directed as d
from semtheory import diestimate, granger
from semtheory.core import law


def _law(n, seed=0, cards=None):
    rng = np.random.default_rng(seed)
    shape = tuple(cards) if cards else (2,) * (2 * n)
    return rng.dirichlet(np.ones(math.prod(shape))).reshape(shape)


def test_axes_follow_the_layout():
    assert law.axis_names(3) == ("X1", "X2", "X3", "Y1", "Y2", "Y3")
    assert law.x_axes(3) == (0, 1, 2) and law.x_axes(3, 0) == ()
    assert law.y_axes(3, 2) == (3, 4) and law.y_axes(3) == (3, 4, 5)
    assert law.num_steps(_law(2)) == 2
    # directed re-exports the same objects
    assert d.axis_names is law.axis_names and d.x_axes is law.x_axes and d.num_steps is law.num_steps


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: law.as_joint_law(np.full((2, 2, 2), 1 / 8)), "p"),
        (lambda: law.as_joint_law(np.full((2, 2), 0.3), "law"), "law"),
        (lambda: law.axis_names(0), "n"),
        (lambda: law.x_axes(2, 3), "t"),
        (lambda: law.check_kernels(np.eye(2), "policy"), "policy"),
        (lambda: law.check_kernels([np.eye(2)], "channel", 2), "channel"),
        (lambda: law.check_kernels([np.full((2, 2), 0.6)], "channel"), "channel[0]"),
        (lambda: law.check_kernel_shape(np.eye(2)[None], (2, 3, 2), "channel[1]"), "channel[1]"),
        (lambda: law.check_kernel_shape(np.eye(3), (2, 2), "policy[0]"), "policy[0]"),
        (lambda: law.pair_transition(np.full((2, 2, 2), 0.5)), "transition"),
        (lambda: law.pair_transition(np.full((2, 2, 2, 2), 0.3)), "transition"),
        (lambda: law.kernel_shape("source", 1, [2], [2]), "kind"),
    ],
)
def test_bad_layout_input_raises_naming_the_argument(call, name):
    with pytest.raises(ValueError, match=name.replace("[", r"\[").replace("]", r"\]")):
        call()


def test_kernel_shapes_and_their_broadcast_into_the_joint_law():
    assert law.kernel_shape("policy", 3, [2, 3, 4], [5, 6, 7]) == (2, 3, 5, 6, 4)
    assert law.kernel_shape("channel", 3, [2, 3, 4], [5, 6, 7]) == (2, 3, 4, 5, 6, 7)
    p = _law(3, seed=1, cards=(2, 3, 2, 3, 2, 2))
    pol, ch = d.causal_kernels(p)
    w = np.ones(p.shape)
    for t in range(1, 4):
        w = w * law.expand_policy(pol[t - 1], t, 3) * law.expand_channel(ch[t - 1], t, 3)
    assert np.allclose(w, p, atol=1e-15)


def test_conditional_is_uniform_on_null_histories():
    m = np.array([[0.1, 0.3], [0.0, 0.0]])
    c = law.conditional(m, 1, 2)
    assert np.allclose(c, [[0.25, 0.75], [0.5, 0.5]], rtol=0, atol=1e-15)


def test_pair_transition_is_the_state_matrix():
    T = d.bsc_feedback_pair(0.2, 0.1)
    P, kx, ky = law.pair_transition(T)
    assert (kx, ky) == (2, 2) and np.array_equal(P, T.reshape(4, 4))
    x, y = d.sample_markov_pair(T, 200, seed=0)
    assert x.shape == y.shape == (200,)
    # one sampler of Markov pairs, in directed (chapters 3 and 8 used to have one each)
    assert not hasattr(diestimate, "sample_markov_pair") and not hasattr(granger, "simulate_markov_pair")
    # the stationary start is the default: with it given explicitly, the draws are the same
    x2, y2 = d.sample_markov_pair(T, 200, initial=d.markov_pair_stationary(T), seed=0)
    assert np.array_equal(x, x2) and np.array_equal(y, y2)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_one_api_for_the_amblard_michel_split(seed):
    """The split has one public name, directed_information_decomposition; its terms sum to its totals and to
    the directed information value for value (not merely close)."""
    p = _law(3, seed=seed, cards=(2, 3, 2, 2, 3, 2))
    dec = d.directed_information_decomposition(p)
    te, inst = dec.transfer_terms, dec.instantaneous_terms
    assert dec.directed == d.directed_information(p)
    assert dec.transfer == float(te.sum()) and dec.instantaneous == float(inst.sum())
    assert abs(dec.residual) < 1e-12 and dec.residual == dec.directed - te.sum() - inst.sum()
    for alias in ("amblard_michel_terms", "di_decomposition", "DIParts"):
        assert not hasattr(d, alias) and not hasattr(granger, alias)
    nats = d.directed_information_decomposition(p, base=math.e)
    assert nats.directed == pytest.approx(dec.directed * math.log(2), rel=1e-12)
    with pytest.raises(TypeError):
        d.directed_information_decomposition(p, 2)  # base is keyword-only
