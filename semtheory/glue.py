"""Computed numbers in the prose, on the web and in JupyterLab, from one source.

A chapter computes a value in a code cell and hands it to the prose::

    glue("logp", logp, display=False)            # in a code cell
    ... $\\ln p =$ {eval}`glued("logp:.4f")` nats ...   # in the markdown

- **Web** (Jupyter Book, cache execution): :func:`glue` writes myst-nb's glue output (the same display data
  as myst-nb's ``glue``, without importing myst-nb), so the value is stored in the executed notebook; the book's Sphinx extension (``book/_ext/bookext.py``) reads ``{eval}`glued("k:f")```
  as myst-nb's ``{glue:text}`k:f``` and pastes the stored value, formatted.
- **JupyterLab** (jupyterlab-myst): when a markdown cell runs, ``glued("logp:.4f")`` is evaluated in the
  kernel as a user expression and its ``text/plain`` (the formatted number, no quotes) is shown in place.

The argument is exactly the text of myst-nb's ``{glue:text}`` role, ``"name"`` or ``"name:format_spec"``, and
the number is formatted the same way: the ``text/plain`` representation IPython gives the value when it is
glued, parsed back with :func:`ast.literal_eval` and passed to :func:`format` (see :func:`format_plain_text`,
a copy of myst-nb's). Used by every chapter; no heavy imports (IPython is imported on first use; myst-nb not at all).
"""

from __future__ import annotations

from ast import literal_eval
from typing import Any

__all__ = ["glue", "glued", "format_plain_text", "Glued"]

#: The mime-type prefix of a value glued without being shown (myst-nb's ``GLUE_PREFIX``, papermill's record).
GLUE_PREFIX = "application/papermill.record/"

#: ``text/plain`` of every value glued in this kernel, by name (a later glue of a name replaces it).
PLAIN: dict[str, str] = {}


def _is_bool(x) -> bool:
    """A Python or numpy bool (without importing numpy): the strings ``'False'``/``'True'`` and ints are not."""
    t = type(x)
    return isinstance(x, bool) or (t.__module__ == "numpy" and t.__name__ in ("bool_", "bool"))


def glue(name: str, variable: Any, display: bool = True) -> None:
    """Glue ``variable`` under ``name``: myst-nb's ``glue`` (for the web), and kept for :func:`glued` (for Lab).

    Parameters
    ----------
    name : str
        The key the prose refers to, ``{eval}`glued("name:fmt")```.
    variable : object
        Any value; what is kept is its ``text/plain`` representation at glue time, as myst-nb keeps it.
    display : bool
        Also show the value in the cell's output (myst-nb's meaning).
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"name must be a non-empty str, got {name!r}")
    if not _is_bool(display):
        raise ValueError(f"display must be True or False (a bool), got {display!r}")
    from IPython.core.formatters import format_display_data
    from IPython.display import display as ipy_display

    bundle, metadata = format_display_data(variable)
    # myst-nb's glue output: the value's display bundle, its mime types prefixed when it is not shown, and a
    # "scrapbook" record naming it.  Written here so that a chapter does not import myst-nb's Sphinx side
    # (seconds per chapter); tests/test_glue_eval.py checks the output equals myst-nb's own glue.
    prefix = "" if display else GLUE_PREFIX
    metadata["scrapbook"] = {"name": name, "mime_prefix": prefix}
    ipy_display({prefix + k: v for k, v in bundle.items()}, raw=True, metadata=metadata)
    PLAIN[name] = bundle.get("text/plain", repr(variable))


def format_plain_text(text: str, fmt_spec: str) -> str:
    """``text`` (a ``text/plain`` representation) formatted with ``fmt_spec``, exactly as myst-nb's glue role.

    The literal is parsed back (``'0.5'`` -> 0.5, quotes dropped from strings); the type character of
    ``fmt_spec`` converts it (``d``: int, ``f``/``e``/``g``/``%``: float, ``s``: str); ``""`` gives ``str``.
    Both must be strings (``ValueError`` naming the argument otherwise); a value the format cannot convert
    fails as it does in myst-nb (the same exception), so the web and JupyterLab agree.

    Parameters
    ----------
    text : str
        A ``text/plain`` representation, e.g. ``'0.5'``.
    fmt_spec : str
        A format specification, e.g. ``'.3f'``.

    Returns
    -------
    str
        The formatted text.

    Examples
    --------
    >>> format_plain_text("0.123456", ".3f")
    '0.123'
    """
    if not isinstance(text, str):
        raise ValueError(f"text must be a str (a text/plain representation), got {type(text).__name__}")
    if not isinstance(fmt_spec, str):
        raise ValueError(f"fmt_spec must be a str (a format specification such as '.4f'), got {type(fmt_spec).__name__}")
    try:
        value = literal_eval(text)
    except (SyntaxError, ValueError):
        value = text
    if fmt_spec == "":
        return str(value)
    kind = fmt_spec[-1]
    if kind == "s":
        value = str(value)
    elif kind in "bcdoxX":
        value = int(value)
    elif kind in "eEfFgGn%":
        value = float(value)
    return format(value, fmt_spec)


class Glued:
    """A formatted glued number; its ``repr`` (the ``text/plain`` JupyterLab shows) is the bare text.

    Parameters
    ----------
    text : str
        The formatted text.
    """

    def __init__(self, text: str):
        if not isinstance(text, str):
            raise ValueError(f"text must be a str, got {type(text).__name__}")
        self.text = text

    def __repr__(self) -> str:
        return self.text

    __str__ = __repr__


def glued(key: str) -> Glued:
    """The value glued as ``name`` formatted as in ``{glue:text}`name:format_spec```: ``key = "name:.4f"``.

    ``key`` without a colon formats with ``"s"``. A name not glued yet in this kernel (its cell has not run)
    gives a readable placeholder, ``(name: computed by a cell not run yet)``, not an error.

    Parameters
    ----------
    key : str
        ``"name"`` or ``"name:format_spec"``.

    Returns
    -------
    Glued
        The formatted value, or a placeholder naming the cell not run yet.
    """
    if not isinstance(key, str) or not key:
        raise ValueError(f"key must be a non-empty str 'name' or 'name:format_spec', got {key!r}")
    name, fmt_spec = key.rsplit(":", 1) if ":" in key else (key, "s")
    if name not in PLAIN:
        return Glued(f"({name}: computed by a cell not run yet)")
    return Glued(format_plain_text(PLAIN[name], fmt_spec))
