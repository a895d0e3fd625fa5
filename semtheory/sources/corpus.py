"""The book's real English corpus (chapters 1, 9, 10): the help topics that ship with every CPython."""

from __future__ import annotations

from .._validate import check_int


def english_corpus(max_chars: int | None = None) -> str:
    """The book's real English text: the help topics that ship with every CPython (``pydoc_data.topics``).

    About half a megabyte of English prose (the Python language reference, as shown by ``help()``), read from the
    standard library without any network access.  Topics are concatenated in sorted key order, so the
    text is the same on every run for a given Python version.  ``max_chars`` truncates it.  Chapters 1, 9, 10.

    Parameters
    ----------
    max_chars : int or None, default None
        Keep the first ``max_chars`` characters (None: the whole text).

    Returns
    -------
    str
        The text.
    """
    from pydoc_data.topics import topics

    text = "\n\n".join(topics[k].strip() for k in sorted(topics))
    if max_chars is not None:
        text = text[: check_int(max_chars, "max_chars", minimum=1)]
    return text
