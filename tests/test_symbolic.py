"""Every registered sympy derivation is an identity sympy can prove, and names the chapter that shows it."""

import pathlib
import re

import sympy as sp

from semtheory.symbolic import Derivation, registry

ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_every_derivation_holds_and_is_shown():
    reg = registry()
    book = {}
    for p in sorted((ROOT / "book").glob("[0-9][0-9]*-*.md")):  # a chapter and its section pages NNb-*.md
        book[p.stem[:2]] = book.get(p.stem[:2], "") + p.read_text()
    for key, fn in reg.items():
        d = fn()
        assert isinstance(d, Derivation), key
        assert d.holds(), f"{key}: sympy does not reduce lhs - rhs to 0"
        assert d.proves and d.chapter, key
        ch = re.search(r"\d+", str(d.chapter)).group().zfill(2)
        if ch in book:
            assert fn.__name__ in book[ch], f"{key} is not shown in chapter {ch}"


def test_a_false_identity_does_not_hold():
    x = sp.symbols("x", positive=True)
    assert not Derivation("bad", sp.log(x + 1), sp.log(x) + 1, "nothing", "0").holds()
    assert Derivation("good", sp.log(x**3), 3 * sp.log(x), "power rule", "0").holds()
