"""Computed numbers in the prose from one source for the web and JupyterLab (issue #18).

- ``semtheory.glue.glued`` formats a glued value exactly as myst-nb's ``{glue:text}`` role does;
- ``book/_ext/bookext.py`` reads ``{eval}`glued("k")``` as ``{glue:text}`k``` and hides the new import;
- ``tools/glue_to_eval.py`` converts every current chapter losslessly (every glue role, nothing else) and
  idempotently, and the converted chapters stay in jupytext's canonical form.
"""

from __future__ import annotations

import importlib.util
import pathlib
import re

import pytest

from semtheory import glue as sg
from bookext import glued_key, strip_glue

ROOT = pathlib.Path(__file__).resolve().parent.parent


def _tool():
    spec = importlib.util.spec_from_file_location("glue_to_eval", ROOT / "tools" / "glue_to_eval.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _chapters():
    return [p for p in sorted((ROOT / "book").rglob("*.md"))
            if ".ipynb_checkpoints" not in p.parts and p.read_text().startswith("---\njupytext:")]


VALUES = [0, 7, -3, 12345, 0.5, -0.0123456, 1e-9, 2.5e7, float("inf"), True, "abc", "it's", 'say "x"',
          (1, 2), [0.5, 1.5]]
SPECS = ["", "s", "d", ".3f", ".1e", ".2%", ".4g", ",d", ".0f", "+.2f", "x"]


def _nb_format(value, spec):
    """What myst-nb's glue text role prints for ``value`` glued and pasted with ``spec``: text or the error type."""
    from IPython.core.formatters import format_display_data
    from myst_nb.core.variables import format_plain_text

    try:
        return format_plain_text(format_display_data(value)[0]["text/plain"], spec)
    except Exception as exc:  # noqa: BLE001 - the role turns any of these into a build warning
        return type(exc)


def test_glued_formats_like_the_glue_role():
    import numpy as np

    n = 0
    for i, value in enumerate(VALUES + [np.float64(0.25), np.int64(3)]):
        sg.glue(f"v{i}", value, display=False)
        for spec in SPECS:
            want = _nb_format(value, spec)
            if isinstance(want, type):
                with pytest.raises(want):
                    sg.glued(f"v{i}:{spec}")
            else:
                assert repr(sg.glued(f"v{i}:{spec}")) == want, (value, spec)
                n += 1
        assert repr(sg.glued(f"v{i}")) == _nb_format(value, "s")
    assert n > 60  # most pairs format; the rest fail the same way in both
    assert repr(sg.glued("v4:.3f")) == "0.500" and str(sg.glued("v1:d")) == "7"


def test_glued_shows_a_placeholder_before_the_cell_ran_and_rejects_bad_keys():
    assert repr(sg.glued("never_glued_here:.3f")) == "(never_glued_here: computed by a cell not run yet)"
    for bad in ("", None, 3):
        with pytest.raises(ValueError, match="key"):
            sg.glued(bad)
    with pytest.raises(ValueError, match="name"):
        sg.glue("", 1, display=False)


def test_a_later_glue_of_a_name_replaces_it():
    sg.glue("again", 1.0, display=False)
    sg.glue("again", 2.0, display=False)
    assert repr(sg.glued("again:.1f")) == "2.0"


def test_the_web_role_reads_only_a_glued_call_of_one_string():
    assert glued_key('glued("logp:.4f")') == "logp:.4f"
    assert glued_key(" glued('n') ") == "n"
    for other in ('glued(x)', 'glued("a", ".3f")', 'glued(key="a")', 'g("a")', "1 + 1", 'glued("a"', "obj.glued('a')"):
        assert glued_key(other) is None, other


def test_the_new_glue_import_is_bookkeeping():
    cell = 'import math\nfrom semtheory.glue import glue, glued\nx = math.pi\nglue("x", x, display=False)'
    assert strip_glue(cell) == "import math\nx = math.pi"
    assert strip_glue("from semtheory.glue import glue, glued") == ""
    assert strip_glue("from semtheory.glue import glue, format_plain_text") != ""  # not only bookkeeping


def _back(text: str) -> str:
    """The inverse of the converter, to show that it loses nothing."""
    tool = _tool()
    text = re.sub(r"\{eval\}`glued\(([\"'])(.*?)\1\)`", lambda m: "{glue:text}`" + m.group(2) + "`", text)
    return text.replace(tool.NEW_IMPORT, tool.OLD_IMPORT)


def test_converter_on_a_sample():
    tool = _tool()
    src = ("---\njupytext: {}\n---\n\n```{code-cell} ipython3\n---\nmystnb:\n  figure:\n"
           "    caption: The rate is {glue:text}`r:.2f`.\n---\nfrom myst_nb import glue\n"
           's = "{glue:text}`kept`"  # code is never touched\n```\n\n'
           "A {glue:text}`n` and {glue:text}`x:.1e`; `inline code` stays; {cite:p}`key` stays.\n")
    out = tool.convert(src)
    assert 'caption: The rate is {eval}`glued("r:.2f")`.' in out
    assert "from semtheory.glue import glue, glued\n" in out and '"{glue:text}`kept`"' in out
    assert 'A {eval}`glued("n")` and {eval}`glued("x:.1e")`; `inline code` stays; {cite:p}`key` stays.' in out
    assert tool.convert(out) == out and _back(out) == src
    assert tool.expression('a"b') == "glued('a\"b')"


def test_converter_is_lossless_on_every_chapter(tmp_path):
    jupytext = pytest.importorskip("jupytext")
    from jupytext.config import load_jupytext_config

    from tools.editions import _parser

    tool = _tool()
    config = load_jupytext_config(str(ROOT / "book"))
    (tmp_path / "book").mkdir()
    total = 0
    for p in _chapters():
        text = p.read_text()
        before = re.findall(r"\{glue:text\}`([^`]+)`", text)  # (a chapter converted already has none)
        before += [glued_key(e) for e in re.findall(r"\{eval\}`(glued\([^`]*\))`", text)]
        copy = tmp_path / "book" / p.name
        copy.write_text(text)
        assert tool.main([str(copy)]) == 0
        out = copy.read_text()
        assert "{glue:" not in out, p.name  # every glue role converted
        assert _back(out) == _back(text), p.name  # and nothing else changed
        assert tool.convert(out) == out and tool.main(["--check", str(copy)]) == 0  # idempotent
        # each converted role is a MyST role in the markdown (not code), and reads back to the same key
        roles = [t for tok in _parser().parse(out) for t in (tok.children or []) if t.type == "myst_role"]
        evals = [glued_key(t.content) for t in roles if t.meta.get("name") == "eval"]
        in_directives = re.findall(r"\{eval\}`(glued\([^`]*\))`", out)
        assert sorted(glued_key(e) for e in in_directives) == sorted(before), p.name
        assert set(evals) <= set(before), p.name
        # the converted chapter is still in jupytext's canonical form; its code differs only by the import
        nb_old, nb_new = jupytext.reads(text, fmt="md:myst"), jupytext.reads(out, fmt="md:myst")
        assert jupytext.writes(nb_new, fmt="md:myst", config=config) == out, p.name
        old_code = [c.source.replace(tool.NEW_IMPORT, tool.OLD_IMPORT) for c in nb_old.cells if c.cell_type == "code"]
        new_code = [c.source.replace(tool.NEW_IMPORT, tool.OLD_IMPORT) for c in nb_new.cells if c.cell_type == "code"]
        assert old_code == new_code, p.name
        if before:
            assert any(tool.NEW_IMPORT in c.source for c in nb_new.cells if c.cell_type == "code"), p.name
        total += len(before)
    assert total > 500  # every chapter's numbers (hundreds of roles)


def test_assignment_notebooks_name_a_glued_number_as_before():
    from tools.editions import plain_markdown

    out = plain_markdown('So $\\ln p =$ {eval}`glued("logp:.4f")` and {glue:text}`h:.2f`.')
    assert out == "So $\\ln p =$ *logp* (a number computed in the book) and *h* (a number computed in the book)."


def test_bad_input_is_refused_naming_the_argument_issue_16():
    """String or int flags, non-string texts and format specs: each a ValueError naming the argument (a
    format that cannot convert the value fails as in myst-nb, test above)."""
    with pytest.raises(ValueError, match=r"\bdisplay\b"):
        sg.glue("walk-probe", 1.0, display="False")
    with pytest.raises(ValueError, match=r"\btext\b"):
        sg.format_plain_text(None, ".2f")
    with pytest.raises(ValueError, match=r"\btext\b"):
        sg.format_plain_text(3, ".2f")
    with pytest.raises(ValueError, match=r"\bfmt_spec\b"):
        sg.format_plain_text("1.5", None)
    with pytest.raises(ValueError, match=r"\bfmt_spec\b"):
        sg.format_plain_text("1.5", 2)
    with pytest.raises(ValueError, match=r"\btext\b"):
        sg.Glued(None)
    # valid calls unchanged
    assert sg.format_plain_text("1.5", ".2f") == "1.50"
    assert sg.format_plain_text("'abc'", "s") == "abc"
    assert sg.format_plain_text("0.25", "") == "0.25"
    assert repr(sg.Glued("1.5")) == "1.5"


@pytest.mark.parametrize("value, shown", [(3.14159, False), (2.5e-7, True), ([1, 2.0], False), ("text", True)])
def test_glue_writes_what_myst_nbs_glue_writes(monkeypatch, value, shown):
    """semtheory's glue writes myst-nb's glue output (bundle, prefix, scrapbook record) without importing myst-nb."""
    import IPython.display
    import myst_nb.ext.glue as mg

    calls = []
    record = lambda *a, **k: calls.append((a, k))  # noqa: E731
    monkeypatch.setattr(IPython.display, "display", record)
    monkeypatch.setattr(mg, "ipy_display", record)
    sg.glue("k", value, display=shown)
    mg.glue("k", value, display=shown)
    assert len(calls) == 2 and calls[0] == calls[1]
    assert sg.GLUE_PREFIX == mg.GLUE_PREFIX
