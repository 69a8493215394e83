"""The live-plus-static container every course widget is built on.

A :func:`static_html_box` is an ipywidgets ``VBox`` whose mime bundle carries two views: the
live widget (``application/vnd.jupyter.widget-view+json``), which Jupyter and Colab show, and a
``text/html`` snapshot of its current state, which the built book shows (the book puts
``text/html`` first in its mime priority, so it needs neither a kernel nor a CDN). Set
``box._static_html`` to a function returning the snapshot.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

__all__ = ["static_html_box"]


@lru_cache(maxsize=None)
def static_html_box() -> type:
    """A VBox whose mime bundle also carries a text/html snapshot (built lazily: ipywidgets is heavy)."""
    import ipywidgets

    class StaticHTMLBox(ipywidgets.VBox):
        _static_html: Callable[[], str]

        def _repr_mimebundle_(self, **kwargs: Any) -> dict:
            data = super()._repr_mimebundle_(**kwargs) or {}
            data["text/html"] = self._static_html()
            return data

    return StaticHTMLBox
