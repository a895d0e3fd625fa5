"""Symbolic derivations (sympy): each function returns a :class:`~semtheory.symbolic.Derivation` that states an identity.

Chapters display ``d.statement`` (a sympy ``Eq``) and tests assert ``d.holds()``.  Every derivation is
registered with :func:`derivation`, so the appendix index is generated from this package and cannot
drift from the code.  Submodules: one per topic (``measures``, ``directed``, ``tokens``, ...).
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import Callable

from .._extras import require

sp = require("sympy", "symbolic", needed_by="semtheory.symbolic")

__all__ = ["Derivation", "derivation", "registry"]


@dataclass(frozen=True)
class Derivation:
    """An identity ``lhs == rhs`` proved by sympy, with what it shows and where the book shows it.

    ``assumptions`` lists the conditions under which it holds (as text); ``steps`` optional
    intermediate equalities shown in the chapter.

    Attributes
    ----------
    name : str
        A short name.
    lhs, rhs : sympy.Expr
        The two sides of the identity.
    proves : str
        What the identity shows, in words.
    chapter : str
        Where the book uses it.
    assumptions : tuple of str
        The conditions under which it holds.
    steps : tuple of sympy.Expr
        Intermediate equalities shown in the chapter.
    """

    name: str
    lhs: sp.Expr
    rhs: sp.Expr
    proves: str
    chapter: str
    assumptions: tuple[str, ...] = ()
    steps: tuple[sp.Expr, ...] = field(default=())

    @property
    def statement(self) -> sp.Eq:
        """The identity as an unevaluated ``sympy.Eq`` (for display in a chapter)."""
        return sp.Eq(self.lhs, self.rhs, evaluate=False)

    def residual(self) -> sp.Expr:
        """``lhs - rhs`` after simplification (zero when the identity holds).

        ``sympy.simplify`` of the difference with its products and logarithms expanded
        (``expand_log(..., force=True)``).

        Returns
        -------
        sympy.Expr
            The simplified difference (``0`` when sympy proves the identity this way).
        """
        return sp.simplify(sp.expand_log(sp.expand(self.lhs - self.rhs), force=True))

    def holds(self) -> bool:
        """True iff sympy proves ``lhs - rhs == 0``.

        The :meth:`residual` is 0, or becomes 0 once its logarithms are combined (``logcombine``).  ``False``
        means sympy found no proof, not that the identity is false.

        Returns
        -------
        bool
            Whether the identity is proved.
        """
        r = self.residual()
        if r == 0:
            return True
        return bool(sp.simplify(sp.logcombine(r, force=True)) == 0)

    def _repr_latex_(self) -> str:
        return f"$${sp.latex(self.statement)}$$"


_REGISTRY: dict[str, Callable[[], Derivation]] = {}
_LOADED = False


def derivation(fn: Callable[[], Derivation]) -> Callable[[], Derivation]:
    """Register a zero-argument function returning a :class:`Derivation` (keyed by its qualified name).

    Parameters
    ----------
    fn : callable
        A function of no arguments returning a :class:`Derivation`.

    Returns
    -------
    callable
        ``fn`` itself, now registered.
    """
    if not callable(fn) or isinstance(fn, type):
        raise ValueError(f"fn must be a function returning a Derivation, got {type(fn).__name__}")
    key = f"{fn.__module__.rsplit('.', 1)[-1]}.{fn.__name__}"
    _REGISTRY[key] = fn
    return fn


def registry() -> dict[str, Callable[[], Derivation]]:
    """Every registered derivation, loading all submodules first (used by tests and the appendix).

    Returns
    -------
    dict
        Qualified name -> the registered function.
    """
    global _LOADED
    if not _LOADED:
        for mod in pkgutil.iter_modules(__path__):
            importlib.import_module(f"{__name__}.{mod.name}")
        _LOADED = True
    return dict(_REGISTRY)
