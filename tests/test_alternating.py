"""The shared alternating-optimisation loop semtheory.core.alternating (issue #15)."""

import math

import numpy as np
import pytest

from semtheory.core.alternating import Round, alternate, squarem_point, squarem_steps


def _capacity_step(W):
    def step(logr, check):
        D = (W * np.log(W / (np.exp(logr) @ W))).sum(axis=1)
        nxt = logr + D
        lower = float(np.exp(logr) @ D)
        return Round(nxt - np.logaddexp.reduce(nxt), -lower, lower, float(D.max()))
    return step


def _h(p):
    return -p * math.log(p) - (1 - p) * math.log(1 - p)


def test_certified_capacity_of_a_bsc():
    W = np.array([[0.9, 0.1], [0.1, 0.9]])
    res = alternate(_capacity_step(W), np.log([0.95, 0.05]), tol=1e-12, max_iter=10_000)
    C = math.log(2) - _h(0.1)
    assert res.certified and res.converged
    assert res.gap <= 1e-12 and res.gap == max(res.upper - res.lower, 0.0)
    assert res.lower <= C + 1e-15 and res.upper >= C - 1e-15
    assert res.iterations >= 1 and res.accepted == 0


def test_max_iter_stops_with_the_bounds_of_the_last_iterate():
    W = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]])
    res = alternate(_capacity_step(W), np.log([0.99, 0.01]), tol=1e-14, max_iter=3)
    assert res.iterations == 3 and not res.converged and res.gap > 1e-14
    again = _capacity_step(W)(res.state, True)
    assert again.lower == res.lower and again.upper == res.upper


def test_check_every_certifies_only_on_checked_iterates():
    seen = []

    def step(x, check):
        seen.append(check)
        return Round(x / 2, lower=0.0, upper=float(abs(x)) if check else math.nan)

    res = alternate(step, 1.0, tol=1e-3, max_iter=100, check_every=5)
    assert res.converged and res.iterations % 5 == 0 and res.iterations == 10
    assert seen == [k % 5 == 0 for k in range(11)]


def test_uncertified_change_criterion():
    res = alternate(lambda x, c: Round(x / 2, change=abs(x / 2 - x)), 1.0, tol=1e-3, max_iter=100,
                    certified=False)
    assert res.converged and not res.certified and math.isnan(res.gap)
    assert res.iterations == 10 and res.state == 2.0 ** -10  # the change 2^-10 is the first <= 1e-3
    short = alternate(lambda x, c: Round(x / 2, change=abs(x / 2 - x)), 1.0, tol=1e-3, max_iter=4,
                      certified=False)
    assert not short.converged and short.iterations == 4


def test_nan_stops_at_the_last_finite_iterate():
    def step(x, check):
        nxt = np.array([math.nan]) if x[0] < 0.2 else x / 2
        return Round(nxt, lower=0.0, upper=float(x[0]))

    res = alternate(step, np.array([1.0]), tol=1e-9, max_iter=100)
    assert not res.converged and res.state[0] == 0.125 and res.upper == 0.125 and res.iterations == 3
    un = alternate(lambda x, c: Round(x + 1, change=math.nan), 1.0, tol=1e-3, max_iter=10, certified=False)
    assert not un.converged and un.state == 1.0 and un.iterations == 0


def test_acceleration_is_kept_only_when_it_lowers_the_objective():
    # a slow linear contraction x -> 0.99 x towards 0, objective |x|^2, trivially certified by lower = 0
    def step(x, check):
        v = float(x @ x)
        return Round(0.99 * x, value=v, lower=0.0, upper=v)

    x0 = np.array([1.0, -2.0])
    plain = alternate(step, x0, tol=1e-10, max_iter=100_000)
    fast = alternate(step, x0, tol=1e-10, max_iter=100_000, accelerate=True)
    assert plain.converged and fast.converged and fast.accepted > 0
    assert fast.iterations < plain.iterations / 10

    # an extrapolation that worsens the objective is refused: every round reports the same value
    def flat(x, check):
        return Round(0.5 * x, value=1.0, lower=0.0, upper=float(x @ x))

    res = alternate(flat, x0, tol=1e-10, max_iter=1000, accelerate=True)
    assert res.converged and res.accepted == 0


def test_squarem_steps_and_point():
    assert squarem_steps([0.0], [0.5], [0.75]) == [-2.0]
    assert float(squarem_point([0.0], [0.5], [0.75], -2.0)[0]) == 1.0
    assert squarem_steps([0.0], [1.0], [2.0]) == []  # v = 0: no step
    assert squarem_steps([0.0, 0.0], [1.0, 0.5], [1.5, 0.75], max_step=1.5) == [-1.5]
    steps = squarem_steps([0.0, 0.0], [1.0, 0.1], [1.5, 0.19], weights=[1.0, 0.0])
    assert steps == sorted(steps) and len(steps) == 2
    x = squarem_point([-np.inf, 0.0], [-np.inf, 0.5], [-np.inf, 0.75], -2.0)
    assert x[0] == -np.inf and x[1] == 1.0
    with pytest.raises(ValueError, match="max_step"):
        squarem_steps([0.0], [0.5], [0.75], max_step=0.5)


@pytest.mark.parametrize("kw, name", [({"tol": 0.0}, "tol"), ({"max_iter": 0}, "max_iter"),
                                      ({"max_iter": 2.0}, "max_iter"), ({"check_every": 0}, "check_every"),
                                      ({"accelerate": True, "certified": False}, "accelerate")])
def test_bad_arguments(kw, name):
    args = {"tol": 1e-9, "max_iter": 10} | kw
    with pytest.raises(ValueError, match=name):
        alternate(lambda x, c: Round(x), 1.0, **args)


def test_a_deferred_next_is_computed_only_when_the_loop_moves_on():
    calls = []

    def step(x, check):
        def nxt():
            calls.append(x)
            return x / 2
        return Round(nxt, lower=0.0, upper=x)

    res = alternate(step, 1.0, tol=0.1, max_iter=100)
    assert res.converged and res.state == 0.0625 and res.iterations == 4 and calls == [1.0, 0.5, 0.25, 0.125]


def test_refine_and_restart_hooks():
    W = np.array([[0.9, 0.1], [0.1, 0.9]])
    step = _capacity_step(W)
    calls = {"refine": 0, "restart": 0}

    def refine(x, rnd, k):  # a round whose own gap field is the certificate
        calls["refine"] += 1
        return x, rnd._replace(gap=rnd.upper - rnd.lower)

    def restart(x, rnd, k):  # from the start law once, after two iterations
        if calls["restart"] or k < 2:
            return None
        calls["restart"] += 1
        y = np.log([0.5, 0.5])
        return y, step(y, True)

    res = alternate(step, np.log([0.95, 0.05]), tol=1e-12, max_iter=100, refine=refine, restart=restart)
    assert res.converged and calls["restart"] == 1 and calls["refine"] >= 1
    assert np.allclose(np.exp(res.state), 0.5)  # the symmetric channel's optimum, reached from the restart


def test_refine_may_reduce_the_iterate():
    seen = []

    def step(x, check):
        return Round(x, 0.0, 0.0, float(x.size - 1))  # the gap falls only when the iterate shrinks

    def refine(x, rnd, k):
        seen.append(x.size)
        y = x[:-1]
        return y, step(y, True)

    res = alternate(step, np.zeros(4), tol=0.5, max_iter=10, refine=refine)
    assert res.converged and res.iterations == 0 and res.state.size == 1 and seen == [4, 3, 2]
