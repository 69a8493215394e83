"""The live-plus-static container every course widget is built on.

A :func:`static_html_box` is an ipywidgets ``VBox`` whose mime bundle carries two views: the
live widget (``application/vnd.jupyter.widget-view+json``), which Jupyter and Colab show, and a
``text/html`` snapshot of its current state, which the built book shows (the book puts
``text/html`` first in its mime priority, so it needs neither a kernel nor a CDN).
:func:`live_html` builds the usual widget on it: controls above an HTML view that is re-rendered
whenever a control changes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

__all__ = ["static_html_box", "live_html"]


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


def live_html(controls: Sequence[Any], render: Callable[[], str], *, row: bool = False,
              snapshot: Callable[[], str] | None = None) -> Any:
    """Controls above an HTML view that ``render()`` refills whenever any control's value changes.

    ``render`` reads the controls' values itself. The book's snapshot is the view's current HTML
    unless ``snapshot`` says otherwise. With ``row=True`` the controls sit side by side. The box's
    children are ``[*controls, view]`` (or ``[HBox(controls), view]``).

    Example:
        >>> import ipywidgets
        >>> box = ipywidgets.Text(value="hi")
        >>> widget = live_html([box], lambda: f"<b>{box.value}</b>")
        >>> box.value = "there"
        >>> widget._repr_mimebundle_()["text/html"]
        '<b>there</b>'
    """
    import ipywidgets

    view = ipywidgets.HTML(value=render())
    for control in controls:
        control.observe(lambda _change: setattr(view, "value", render()), names="value")
    top = [ipywidgets.HBox(list(controls))] if row else list(controls)
    widget = static_html_box()([*top, view])
    widget._static_html = snapshot or (lambda: view.value)
    return widget
