"""The public-API registry for the bad-input walk (tests/test_api_walk.py, issue #16).

One small *valid* call per public function and class of every public :mod:`semtheory` module.  An
argument wrapped in :class:`A` (``A(kind, value)``) is probed: the walk replaces it, one at a time,
by the bad values of its kind (:func:`bad_values`) and expects a ``ValueError`` naming it.  Plain
values are passed as they are and never probed.  :class:`Lazy` builds a fresh value for every call
(models that training mutates).

A public name is either an entry of :data:`REGISTRY` or of :data:`EXEMPT` (with its reason); a
public name in neither fails the walk, so a new function must be registered when it is added.
A probe known to fail is listed in :data:`XFAIL` (``"module.name:arg" -> reason``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

# ----------------------------------------------------------------------------------------------
# kinds of argument and their bad values
# ----------------------------------------------------------------------------------------------

KINDS = ("pmf", "kernel", "array", "tokens", "size", "flag", "base", "positive", "nonneg", "real",
         "prob", "seed", "choice", "text", "object", "samples")


@dataclass(frozen=True)
class A:
    """A probed argument: its kind, a valid value, and options (``ndim`` fixed, ``minimum`` for sizes,
    ``optional``: None is valid)."""

    kind: str
    value: Any
    ndim: int | None = None
    minimum: int | None = None
    optional: bool = False

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown kind {self.kind!r}")


@dataclass(frozen=True)
class Lazy:
    """A value built afresh for every call (``make()``)."""

    make: Callable[[], Any]


def _pmf_like(v, rows: bool):
    """Bad pmfs (or kernels, ``rows``) made from the valid ``v``."""
    v = np.array(v, dtype=float)
    out = []
    nan = v.copy()
    nan.flat[0] = np.nan
    out.append(("NaN", nan))
    neg = v.copy()
    flat = neg.reshape(-1, neg.shape[-1]) if rows else neg.reshape(1, -1)
    d = flat[0, 0] + 0.1
    flat[0, 0] -= d
    flat[0, 1] += d
    out.append(("negative mass", neg))
    off = v.copy()
    off.flat[0] += 0.1
    out.append(("mass off by 0.1", off))
    out.append(("complex", v.astype(complex) + np.where(np.arange(v.size).reshape(v.shape) == 0, 0.25j, 0)))
    return out


def bad_values(arg: A):
    """The bad values for ``arg``: a list of (label, value)."""
    k, v = arg.kind, arg.value
    out = []
    if k in ("pmf", "kernel"):
        out += _pmf_like(v, rows=(k == "kernel"))
        out += [("empty", np.array([])), ("string", "abc")] + ([] if arg.optional else [("None", None)])
        if arg.ndim is not None:
            a = np.asarray(v, dtype=float)
            out.append(("wrong ndim", a[None] if a.ndim < 2 else a.reshape(-1) / a.shape[0] if k == "kernel"
                        else a.reshape(-1)[None, None]))
    elif k == "array":
        a = np.array(v, dtype=float)
        nan = a.copy()
        nan.flat[0] = np.nan
        out += [("NaN", nan), ("complex", a + 0.5j), ("string", "abc"), ("None", None)]
        if arg.ndim is not None:
            out += [("empty", np.zeros((0,) * max(arg.ndim, 1))), ("wrong ndim", a[None] if a.ndim < 2 else a[0])]
    elif k == "tokens":
        a = np.asarray(v)
        frac = a.astype(float)
        frac.flat[0] = 0.5
        neg = a.copy()
        neg.flat[0] = -1
        out += [("non-integer", frac), ("negative", neg), ("complex", a + 0.5j), ("string", "abc"), ("None", None),
                ("empty", np.zeros((0,) * max(a.ndim, 1), dtype=int))]
    elif k == "size":
        out += [("2.5", 2.5), ("'3'", "3"), ("complex", 2 + 0j), ("bool", True)]
        if not arg.optional:
            out.append(("None", None))
        if arg.minimum is not None:
            out.append(("below minimum", arg.minimum - 1))
    elif k == "flag":
        out += [("'False'", "False"), ("'True'", "True"), ("int 1", 1), ("None", None)]
    elif k == "base":
        out += [("0", 0), ("1", 1), ("-2", -2), ("inf", math.inf), ("NaN", math.nan), ("string", "2"), ("None", None),
                ("complex", 2j)]
    elif k in ("positive", "nonneg"):
        out += [("-1", -1.0), ("inf", math.inf), ("NaN", math.nan), ("string", "1"), ("complex", 1 + 1j)]
        if k == "positive":
            out.append(("0", 0.0))
        if not arg.optional:
            out.append(("None", None))
    elif k == "real":
        out += [("NaN", math.nan), ("string", "1"), ("complex", 1 + 1j)]
        if not arg.optional:
            out.append(("None", None))
    elif k == "prob":
        out += [("-0.1", -0.1), ("1.1", 1.1), ("NaN", math.nan), ("string", "0.5"), ("complex", 0.5j)]
        if not arg.optional:
            out.append(("None", None))
    elif k == "seed":
        out += [("-1", -1), ("2.5", 2.5), ("string", "3"), ("'False'", "False"), ("complex", 1j)]
    elif k == "choice":
        out += [("unknown", "no-such-option"), ("None", None), ("int", 3)]
    elif k == "text":
        out += [("None", None), ("int", 3)]
    elif k == "samples":
        a = np.asarray(v)
        out += [("None", None), ("empty", a[:0]), ("wrong ndim", np.zeros((2, 2, 2))),
                ("NaN", np.where(np.arange(a.shape[0]).reshape((-1,) + (1,) * (a.ndim - 1)) == 0, np.nan, a.astype(float)))]
    elif k == "object":
        out += [("None", None), ("string", "abc")]
    return out


@dataclass
class Entry:
    """One valid call: ``fn(*args, **kwargs)`` of ``module.name``."""

    name: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)


REGISTRY: dict[str, Entry] = {}
EXEMPT: dict[str, str] = {}
XFAIL: dict[str, str] = {}


def reg(name: str, *args, **kwargs) -> None:
    """Register the valid call ``name(*args, **kwargs)`` (name as ``module.function``)."""
    if name in REGISTRY:
        raise ValueError(f"{name} registered twice")
    REGISTRY[name] = Entry(name, args, kwargs)


def exempt(reason: str, *names: str) -> None:
    for n in names:
        EXEMPT[n] = reason


def xfail(reason: str, *keys: str) -> None:
    for k in keys:
        XFAIL[k] = reason


RESULT = "a result type (NamedTuple or dataclass) returned by a registered function; built by it, never from user input"


# ----------------------------------------------------------------------------------------------
# small valid inputs, shared
# ----------------------------------------------------------------------------------------------

P3 = [0.5, 0.25, 0.25]
P2 = [0.25, 0.75]
PXY = [[0.4, 0.1], [0.1, 0.4]]
PXYZ = np.full((2, 2, 2), 0.125)
K2 = [[0.9, 0.1], [0.2, 0.8]]
LOGITS = [1.0, 0.5, -0.5]


# ----------------------------------------------------------------------------------------------
# measures (chapter 2)
# ----------------------------------------------------------------------------------------------

_B = A("base", 2)
reg("measures.marginal", p=A("pmf", PXY), axes=0)
reg("measures.entropy", p=A("pmf", P3), base=_B)
reg("measures.joint_entropy", p=A("pmf", PXY), base=_B)
reg("measures.conditional_entropy", p=A("pmf", PXY), axes=0, given=1, base=_B)
reg("measures.mutual_information", p=A("pmf", PXY), axes_a=0, axes_b=1, base=_B)
reg("measures.conditional_mutual_information", p=A("pmf", PXYZ), axes_a=0, axes_b=1, given=2, base=_B)
reg("measures.kl_divergence", p=A("pmf", P2), q=A("pmf", [0.5, 0.5]), base=_B)
reg("measures.cross_entropy", p=A("pmf", P2), q=A("pmf", [0.5, 0.5]), base=_B)
reg("measures.perplexity", p=A("pmf", P2), q=A("pmf", [0.5, 0.5], optional=True))
reg("measures.conditional_kl_divergence", p=A("pmf", PXY), q=A("pmf", [[0.25, 0.25], [0.25, 0.25]]), given=0, base=_B)
reg("measures.conditional_cross_entropy", p=A("pmf", PXY), q=A("pmf", [[0.25, 0.25], [0.25, 0.25]]), given=0, base=_B)
reg("measures.co_information", p=A("pmf", PXYZ), base=_B)
reg("measures.interaction_information", p=A("pmf", PXYZ), base=_B)
reg("measures.total_correlation", p=A("pmf", PXYZ), base=_B)
reg("measures.dual_total_correlation", p=A("pmf", PXYZ), base=_B)
reg("measures.o_information", p=A("pmf", PXYZ), base=_B)
reg("measures.typical_set", p=A("pmf", P2), n=A("size", 4, minimum=1), eps=A("positive", 0.1), base=_B)
reg("measures.total_variation", p=A("pmf", P2), q=A("pmf", [0.5, 0.5], optional=True))
reg("measures.gaussian_entropy", cov=A("array", [[1.0, 0.2], [0.2, 1.0]], ndim=2), base=_B)
reg("measures.differential_entropy", pdf=lambda x: np.ones_like(x), lower=A("real", 0.0), upper=A("real", 1.0), base=_B)
reg("measures.binary_entropy", x=A("prob", 0.3), base=_B)
reg("measures.fano_bound", error_probability=A("prob", 0.1), alphabet_size=A("size", 4, minimum=2), base=_B)
reg("measures.fano_error_lower_bound", equivocation=A("nonneg", 0.5), alphabet_size=A("size", 4, minimum=2), base=_B)
reg("measures.map_error_probability", p=A("pmf", PXY), axes=0, given=1)
reg("measures.product_law", A("pmf", P2), A("pmf", P3))
reg("measures.markov_chain_law", A("pmf", P2), A("kernel", K2))
reg("measures.empirical_pmf", samples=A("samples", [0, 1, 1, 2]))
reg("measures.entropy_plugin", samples=A("samples", [0, 1, 1, 2]), base=_B)
reg("measures.entropy_miller_madow", samples=A("samples", [0, 1, 1, 2]), base=_B)
reg("measures.entropy_jackknife", samples=A("samples", [0, 1, 1, 2]), base=_B)
reg("measures.entropy_chao_shen", samples=A("samples", [0, 1, 1, 2]), base=_B)
reg("measures.entropy_estimates", p=A("pmf", P3), n=A("size", 5, minimum=1), reps=A("size", 3, minimum=1),
    method=A("choice", "plugin"), seed=A("seed", 0), base=_B)
reg("measures.estimator_bias", p=A("pmf", P3), n=A("size", 3, minimum=1), method=A("choice", "plugin"), base=_B)
reg("measures.plugin_bias", p=A("pmf", P3), n=A("size", 3, minimum=1), base=_B)
reg("measures.mutual_information_plugin", x=A("samples", [0, 1, 1, 0]), y=A("samples", [0, 1, 0, 0]), base=_B)
exempt(RESULT, "measures.TypicalSet")
