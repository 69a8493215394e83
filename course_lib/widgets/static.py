"""The live-plus-static container every course widget is built on.

A :func:`static_html_box` is an ipywidgets ``VBox`` whose mime bundle carries two views: the
live widget (``application/vnd.jupyter.widget-view+json``), which Jupyter and Colab show, and a
``text/html`` view, which the built book shows (the book puts ``text/html`` first in its mime
priority, so it needs neither a kernel nor a CDN). :func:`live_html` builds the usual widget on
it: controls above an HTML view that is re-rendered whenever a control changes.

**Interactive in the book.** When the notebook runs for the book (``COURSE_STATIC_WIDGETS=1`` in
the environment of a Jupyter kernel: ``make book`` and the notebook tests set it), the
``text/html`` view is no longer one frozen snapshot: :func:`static_grid_html` renders the view
for a bounded grid of control values (each slider's steps, each dropdown's options, both values
of a checkbox, the current text of a text box plus presets: by default the text cut after a few
words) and emits the same controls in
plain HTML (``<input type=range>``, ``<select>``, checkbox) with a few lines of inline JavaScript
that show the precomputed view for the chosen values. No kernel, no CDN, no external script.
Identical views are stored once. The grid is bounded (:data:`MAX_STATES` states,
:data:`MAX_BYTES` bytes of HTML, :data:`MAX_IMAGE_STATES` states when the view is a picture,
:data:`MAX_SECONDS` of rendering): sliders are thinned evenly
(always keeping the current value), and when even that is too big the snapshot stays, with the
reason in ``widget.static_reason`` and a one-line note under it. A widget chooses its own values
with ``live_html(..., grid={control: values})`` or opts out with ``static=False``. While a
learner works in Jupyter or Colab (variable unset) nothing of this runs: the live path is the
plain ipywidgets one.
"""

from __future__ import annotations

import hashlib
import html
import itertools
import json
import math
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

__all__ = ["static_html_box", "live_html", "static_widgets_enabled", "StaticAxis", "control_axis", "fit_axes",
           "static_grid_html", "text_prefixes", "MAX_STATES", "MAX_BYTES", "MAX_IMAGE_STATES", "MAX_SECONDS",
           "ENV_VAR"]

ENV_VAR = "COURSE_STATIC_WIDGETS"  # "1": notebooks executed for the book emit interactive static widgets
LOG_VAR = "COURSE_STATIC_WIDGETS_LOG"  # a file path: one JSON line per widget (states, bytes, seconds)
MAX_STATES = 300  # control settings rendered per widget, at most
MAX_BYTES = 500_000  # HTML per widget (all views, controls and script), at most
MAX_IMAGE_STATES = 12  # automatic grids of image views (a PNG per state: ~0.1 s to render, ~50 KB each)
MAX_SECONDS = 30.0  # rendering time per widget; past it the snapshot stays (a safety net, not a budget)
TEXT_PREFIXES = 6  # automatic presets of a text box: the text cut after evenly spaced words (at most 6)

_IDS = itertools.count(1)


@lru_cache(maxsize=None)
def static_html_box() -> type:
    """A VBox whose mime bundle also carries a text/html view (built lazily: ipywidgets is heavy)."""
    import ipywidgets

    class StaticHTMLBox(ipywidgets.VBox):
        _static_html: Callable[[], str]

        def _repr_mimebundle_(self, **kwargs: Any) -> dict:
            data = super()._repr_mimebundle_(**kwargs) or {}
            data["text/html"] = self._static_html()
            return data

    return StaticHTMLBox


def static_widgets_enabled() -> bool:
    """True when ``COURSE_STATIC_WIDGETS=1`` and this code runs in a Jupyter kernel (a notebook being run).

    Outside a kernel (plain pytest, doctests, scripts) the snapshot stays even with the variable set,
    so unit tests see the same ``text/html`` as always; :func:`static_grid_html` builds the
    interactive view on request anywhere.

    Example:
        >>> static_widgets_enabled()  # no kernel here
        False
    """
    if os.environ.get(ENV_VAR, "").strip() != "1" or "IPython" not in sys.modules:
        return False
    shell = sys.modules["IPython"].get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def live_html(controls: Sequence[Any], render: Callable[[], str], *, row: bool = False,
              snapshot: Callable[[], str] | None = None, grid: Mapping[Any, Sequence[Any]] | None = None,
              static: bool = True, max_states: int = MAX_STATES, max_bytes: int = MAX_BYTES) -> Any:
    """Controls above an HTML view that ``render()`` refills whenever any control's value changes.

    ``render`` reads the controls' values itself. With ``row=True`` the controls sit side by side.
    The box's children are ``[*controls, view]`` (or ``[HBox(controls), view]``).

    The book's ``text/html``: when :func:`static_widgets_enabled`, the interactive static widget of
    :func:`static_grid_html` (``grid`` maps a control, its index or its description to the values to
    precompute, e.g. preset texts for a text box; ``max_states``/``max_bytes`` bound it); otherwise,
    or with ``static=False``, the view's current HTML, or ``snapshot()`` when given.

    Example:
        >>> import ipywidgets
        >>> box = ipywidgets.Text(value="hi")
        >>> widget = live_html([box], lambda: f"<b>{box.value}</b>", grid={box: ["you"]})
        >>> box.value = "there"
        >>> widget._repr_mimebundle_()["text/html"]
        '<b>there</b>'
        >>> page = static_grid_html(widget)
        >>> page.count("<option"), "<template" in page, "<b>you</b>" in page
        (2, True, True)
    """
    import ipywidgets

    controls = list(controls)
    view = ipywidgets.HTML(value=render())
    paused = [False]  # True while the book's grid is rendered: the grid calls render() itself

    def refresh(_change: Any) -> None:
        if not paused[0]:
            view.value = render()

    for control in controls:
        control.observe(refresh, names="value")
    top = [ipywidgets.HBox(controls)] if row else controls
    widget = static_html_box()([*top, view])
    plain = snapshot or (lambda: view.value)
    widget._static_source = _Source(controls, render, view, paused, row, dict(grid or {}), plain,
                                    max_states, max_bytes)
    if grid:
        _axes_for(widget._static_source)  # a bad grid= fails here, in every mode, not later in the book build
    widget.static_reason = None if static else "static=False (opted out)"
    widget.static_stats = {}
    widget._static_html = (lambda: _book_html(widget)) if static else plain
    return widget


@dataclass
class _Source:
    controls: list
    render: Callable[[], str]
    view: Any
    paused: list
    row: bool
    grid: dict
    snapshot: Callable[[], str]
    max_states: int
    max_bytes: int


# --------------------------------------------------------------------------- one axis per control


@dataclass(frozen=True)
class StaticAxis:
    """The values of one control that the book precomputes.

    ``kind`` is how the book shows it: ``"range"`` (a slider: may be thinned), ``"select"`` (options),
    ``"text"`` (a text box: a menu of texts), ``"checkbox"`` or ``"fixed"`` (not changeable in the
    book). ``current`` indexes the control's value in ``values``; ``origin`` maps each value to its
    index in the axis it was thinned from.
    """

    kind: str
    description: str
    values: tuple
    labels: tuple[str, ...]
    current: int
    origin: tuple[int, ...]

    def thin(self, count: int) -> StaticAxis:
        """``count`` values spread evenly over this axis, always keeping the current one.

        Example:
            >>> steps = tuple(range(11))
            >>> axis = StaticAxis("range", "n", steps, tuple(map(str, steps)), 4, steps)
            >>> axis.thin(3).values, axis.thin(3).current, axis.thin(1).values
            ((0, 4, 10), 1, (4,))
        """
        size = len(self.values)
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ValueError(f"count must be an int >= 1, got {count!r}")
        if count >= size:
            return self
        if count == 1:
            picks = [self.current]
        else:
            picks = [round(i * (size - 1) / (count - 1)) for i in range(count)]
            if self.current not in picks:  # the nearest pick gives way to the current value
                nearest = min(range(count), key=lambda i: (abs(picks[i] - self.current), i))
                picks[nearest] = self.current
            picks = sorted(picks)
        return replace(self, values=tuple(self.values[i] for i in picks),
                       labels=tuple(self.labels[i] for i in picks), current=picks.index(self.current),
                       origin=tuple(self.origin[i] for i in picks))


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        try:
            return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)
        except (TypeError, ValueError):
            return False
    return a == b


def _label(control: Any, value: Any) -> str:
    try:
        return format(value, control.readout_format)
    except (AttributeError, TypeError, ValueError):
        return str(value)


def _tidy(value: float) -> float:
    return float(f"{value:.12g}")  # 0.1 + 3 * 0.1 -> 0.4, as the slider in a browser shows it


def _slider_steps(control: Any) -> list:
    import ipywidgets

    if isinstance(control, ipywidgets.FloatLogSlider):
        count = int(math.floor((control.max - control.min) / control.step + 1e-9)) + 1
        return [_tidy(control.base ** _tidy(control.min + i * control.step)) for i in range(count)]
    count = int(math.floor((control.max - control.min) / control.step + 1e-9)) + 1
    if isinstance(control, ipywidgets.IntSlider):
        return [control.min + i * control.step for i in range(count)]
    return [_tidy(control.min + i * control.step) for i in range(count)]


def _on_slider(control: Any, value: Any) -> bool:
    """True for a number within a numeric slider's range (a FloatLogSlider's range is of exponents)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    if hasattr(control, "base"):
        if value <= 0:
            return False
        value = math.log(value, control.base)
    return control.min - 1e-9 <= value <= control.max + 1e-9


def _kind(control: Any) -> str:
    import ipywidgets

    if isinstance(control, (ipywidgets.IntSlider, ipywidgets.FloatSlider, ipywidgets.FloatLogSlider,
                            ipywidgets.SelectionSlider)):
        return "range"
    if isinstance(control, (ipywidgets.Dropdown, ipywidgets.RadioButtons, ipywidgets.ToggleButtons,
                            ipywidgets.Select)):
        return "select"
    if isinstance(control, (ipywidgets.Checkbox, ipywidgets.ToggleButton)):
        return "checkbox"
    if isinstance(control, (ipywidgets.Text, ipywidgets.Textarea)):  # Combobox and Password are Text
        return "text"
    return "fixed"


def control_axis(control: Any, values: Sequence[Any] | None = None) -> StaticAxis:
    """The values the book precomputes for one ipywidgets control.

    Automatic (``values=None``): every step of an IntSlider, FloatSlider or FloatLogSlider, every option
    of a SelectionSlider, Dropdown, RadioButtons, ToggleButtons or Select, both values of a Checkbox
    or ToggleButton, the current text of a Text or Textarea (plus a Combobox's options); any other
    control stays at its value. ``values`` replaces that list (slider values, options, or preset texts);
    the control's current value is always added.

    Example:
        >>> import ipywidgets
        >>> control_axis(ipywidgets.IntSlider(value=3, min=0, max=8, step=2)).values
        (0, 2, 3, 4, 6, 8)
        >>> control_axis(ipywidgets.Text(value="hi"), ["a </script>", "hi"]).labels
        ('hi', 'a </script>')
    """
    kind = _kind(control)
    description = str(getattr(control, "description", "") or "")
    current = control.value if hasattr(control, "value") else None
    if kind == "fixed":
        if values is not None:
            raise ValueError(f"no grid of values for a {type(control).__name__} ({description!r}): only "
                             f"sliders, "
                             f"option menus, checkboxes and text boxes take one, got {list(values)!r:.80}")
        return StaticAxis("fixed", description, (current,), (str(current),), 0, (0,))
    if kind == "checkbox":
        found = [bool(current), not current] if values is None else [bool(current), *map(bool, values)]
        found = list(dict.fromkeys(found))
        return StaticAxis("checkbox", description, tuple(found), tuple(map(str, found)), 0,
                          tuple(range(len(found))))
    if kind == "text":
        if values is None:
            presets = list(getattr(control, "options", ()) or ()) or text_prefixes(current)
        else:
            presets = list(values)
        bad = [v for v in presets if not isinstance(v, str)]
        if bad:
            raise ValueError(f"preset texts for {description!r} must be str, got {bad!r:.80}")
        texts = list(dict.fromkeys([current, *presets]))
        labels = tuple(text if text.strip() else "(empty)" for text in texts)
        return StaticAxis("text", description, tuple(texts), labels, 0, tuple(range(len(texts))))
    if hasattr(control, "_options_values"):  # Dropdown, SelectionSlider, ...: keep the options' order
        options = list(zip(control._options_values, control._options_labels))
        if values is not None:
            unknown = [v for v in values if not any(_same(v, o) for o, _ in options)]
            if unknown:
                raise ValueError(f"grid values {unknown!r:.80} for {description!r} are not among its options "
                                 f"{[o for o, _ in options]!r:.120}")
            options = [(o, label) for o, label in options
                       if _same(o, current) or any(_same(v, o) for v in values)]
        found = [(o, label) for o, label in options]
    else:  # numeric slider
        steps = _slider_steps(control) if values is None else list(values)
        bad = [v for v in steps if not _on_slider(control, v)]
        if bad:
            raise ValueError(f"grid values {bad!r:.80} for {description!r} must be numbers within the "
                             f"slider's "
                             f"range {control.min} .. {control.max}")
        steps = [v for v in steps if not _same(v, current)] + [current]
        found = [(v, _label(control, v)) for v in sorted(set(steps))]
    index = next((i for i, (v, _) in enumerate(found) if _same(v, current)), None)
    if index is None:  # e.g. a Dropdown whose value is None
        return StaticAxis("fixed", description, (current,), (str(current),), 0, (0,))
    return StaticAxis(kind, description, tuple(v for v, _ in found), tuple(label for _, label in found),
                      index,                       tuple(range(len(found))))


def text_prefixes(text: str, count: int = TEXT_PREFIXES) -> list[str]:
    """A text box's automatic presets: ``text`` cut after evenly spaced words, shortest first, then ``text``.

    As if the reader typed the text word by word; at most ``count`` of them.

    Example:
        >>> text_prefixes("the cat sat on the mat", 3)
        ['the', 'the cat sat', 'the cat sat on the mat']
        >>> text_prefixes("")
        []
    """
    import re

    ends = [match.end() for match in re.finditer(r"\S+", text)]
    if not ends or count < 1:
        return [text] if text and count >= 1 else []
    if len(ends) > count:
        picks = [round(i * (len(ends) - 1) / (count - 1)) for i in range(count)] if count > 1 else [-1]
        ends = [ends[i] for i in picks]
    return list(dict.fromkeys([text[:end] for end in ends[:-1]] + [text]))


def fit_axes(axes: Sequence[StaticAxis], max_states: int) -> list[StaticAxis] | None:
    """Thin the sliders (``kind == "range"``) until the grid has at most ``max_states`` states.

    The slider with the most values loses one at a time (down to two each); then sliders are fixed at
    their current value, the last one first, and any room left under the bound goes back to the
    longest sliders. ``None`` when even that is too many (menus are never thinned).

    Example:
        >>> axes = [StaticAxis("range", "a", tuple(range(10)), tuple("0123456789"), 0, tuple(range(10))),
        ...         StaticAxis("select", "b", ("x", "y"), ("x", "y"), 0, (0, 1))]
        >>> [len(a.values) for a in fit_axes(axes, 12)], fit_axes(axes, 1)
        ([6, 2], None)
    """
    counts = [len(axis.values) for axis in axes]
    while math.prod(counts) > max_states:
        sliders = [i for i, axis in enumerate(axes) if axis.kind == "range"]
        many = [i for i in sliders if counts[i] > 2]
        if many:
            counts[max(many, key=lambda i: (counts[i], i))] -= 1
        elif [i for i in sliders if counts[i] == 2]:
            counts[[i for i in sliders if counts[i] == 2][-1]] = 1
        else:
            return None
    for i in sorted((i for i, a in enumerate(axes) if a.kind == "range"), key=lambda i: -len(axes[i].values)):
        while counts[i] < len(axes[i].values) and math.prod(counts) // counts[i] * (counts[i] + 1) \
                <= max_states:
            counts[i] += 1  # room left under the bound (fixing a slider can overshoot): give it back
    return [axis.thin(count) for axis, count in zip(axes, counts)]


# --------------------------------------------------------------------------- rendering the grid


def _axes_for(source: _Source) -> list[StaticAxis]:
    chosen: dict[int, Sequence[Any]] = {}
    for key, values in source.grid.items():
        matches = [i for i, c in enumerate(source.controls)
                   if key is c or (isinstance(key, int) and not isinstance(key, bool) and key == i)
                   or (isinstance(key, str) and key == getattr(c, "description", None))]
        if len(matches) != 1:
            names = [getattr(c, "description", type(c).__name__) for c in source.controls]
            raise ValueError(f"grid key {key!r:.60} must name exactly one control (the control, its index or "
                             f"its "
                             f"description), found {len(matches)} among {names}")
        if isinstance(values, str):
            raise TypeError(f"grid values for {key!r:.60} must be a list of values, "
                            f"got the string {values!r:.60}")
        chosen[matches[0]] = list(values)
    return [control_axis(c, chosen.get(i)) for i, c in enumerate(source.controls)]


def _render_grid(source: _Source, axes: list[StaticAxis], max_seconds: float) -> dict[tuple[int, ...], str]:
    """Render every state of ``axes`` (the current one is the view itself); restore the controls after."""
    saved = [(c, {name: getattr(c, name) for name in ("min", "max", "value") if c.has_trait(name)})
             for c in source.controls]
    current = tuple(axis.current for axis in axes)
    views = {current: source.view.value}
    start = time.perf_counter()
    source.paused[0] = True
    try:
        for state in itertools.product(*(range(len(axis.values)) for axis in axes)):
            if state == current:
                continue
            for (control, traits), axis, index in zip(saved, axes, state):
                with control.hold_trait_notifications():  # ranges first: render() may have narrowed them
                    for name in ("min", "max"):
                        if name in traits and getattr(control, name) != traits[name]:
                            setattr(control, name, traits[name])
                    if axis.kind != "fixed" and not _same(control.value, axis.values[index]):
                        control.value = axis.values[index]
            try:
                views[state] = source.render()
            except Exception as error:  # noqa: BLE001 - shown in the book instead of breaking the build
                views[state] = (f'<div class="widget-static-error" style="color:#b91c1c">'
                                f"these settings raise "
                                f"{html.escape(type(error).__name__)}: {html.escape(str(error))}</div>")
            if time.perf_counter() - start > max_seconds:
                total = math.prod(len(a.values) for a in axes)
                raise TimeoutError(f"rendering {len(views)} of {total} states "
                                   f"took more than {max_seconds:g} s")
    finally:
        for control, traits in saved:
            with control.hold_trait_notifications():
                for name, value in traits.items():
                    if getattr(control, name) != value:
                        setattr(control, name, value)
        source.paused[0] = False
    return views


_SCRIPT = """(function(){var r=document.getElementById(%s);if(!r||r.getAttribute("data-cw-ready"))return;
r.setAttribute("data-cw-ready","1");var v=r.querySelector(":scope>.cw-view"),views=[v.innerHTML],
t=r.querySelectorAll(":scope>template[data-cw-view]"),i;for(i=0;i<t.length;i++)
views[+t[i].getAttribute("data-cw-view")]=t[i].innerHTML;
var map=r.getAttribute("data-cw-map").split(",").map(Number),
c=r.querySelectorAll(":scope>.cw-controls [data-cw-stride]"),shown=0;function at(e){if(e.type==="checkbox")
return +e.getAttribute(e.checked?"data-cw-on":"data-cw-off");return +e.value;}function update(){var k=0,j,e,o;
for(j=0;j<c.length;j++){e=c[j];k+=at(e)*(+e.getAttribute("data-cw-stride"));if(e.type==="range"){
o=e.parentNode.querySelector("output");
if(o)o.textContent=JSON.parse(e.getAttribute("data-cw-labels"))[+e.value];}}
if(map[k]!==shown){v.innerHTML=views[map[k]];shown=map[k];}r.setAttribute("data-cw-state",String(k));}
for(i=0;i<c.length;i++){c[i].addEventListener("input",update);c[i].addEventListener("change",update);}
update();})();"""


def _control_html(axis: StaticAxis, stride: int) -> str:
    desc = html.escape(axis.description)
    label = f'<span class="cw-desc" style="min-width:7em;color:#374151">{desc}</span>'
    common = f'data-cw-stride="{stride}" autocomplete="off" aria-label="{desc}"'
    if axis.kind == "range":
        labels = html.escape(json.dumps(list(axis.labels), ensure_ascii=False), quote=True)
        disabled = " disabled" if len(axis.values) == 1 else ""
        field = (f'<input type="range" min="0" max="{len(axis.values) - 1}" step="1" value="{axis.current}" '
                 f'{common} data-cw-labels="{labels}"{disabled} style="width:14em">'
                 f'<output style="font-family:monospace">{html.escape(axis.labels[axis.current])}</output>')
    elif axis.kind in ("select", "text"):
        options = "".join(f'<option value="{i}"{" selected" if i == axis.current else ""}>'
                          f"{html.escape(text)}</option>" for i, text in enumerate(axis.labels))
        disabled = " disabled" if len(axis.values) == 1 else ""
        field = f'<select {common}{disabled} style="max-width:100%">{options}</select>'
    elif axis.kind == "checkbox":
        on, off = (axis.values.index(v) if v in axis.values else axis.current for v in (True, False))
        field = (f'<input type="checkbox" {common} data-cw-on="{on}" data-cw-off="{off}"'
                 f'{" checked" if axis.values[axis.current] else ""}'
                 f'{" disabled" if len(axis.values) == 1 else ""}>')
    else:
        field = f'<span class="cw-fixed" style="font-family:monospace">{html.escape(axis.labels[0])}</span>'
    style = "display:flex;align-items:center;gap:6px;margin:2px 0"
    return f'<label class="cw-control" style="{style}">{label}{field}</label>'


def _assemble(axes: list[StaticAxis], views: dict[tuple[int, ...], str], row: bool,
              note: str) -> tuple[str, int]:
    """The widget's book HTML for ``axes`` (``origin`` indexes the rendered ``views``), and its view count."""
    strides, stride = [], 1
    for axis in reversed(axes):
        strides.insert(0, stride)
        stride *= len(axis.values)
    current = tuple(axis.origin[axis.current] for axis in axes)
    unique = {views[current]: 0}
    cells = []
    for state in itertools.product(*(range(len(axis.values)) for axis in axes)):
        view = views[tuple(axis.origin[i] for axis, i in zip(axes, state))]
        cells.append(unique.setdefault(view, len(unique)))
    digest = hashlib.sha1("\x00".join(unique).encode("utf-8", "surrogatepass")).hexdigest()[:10]
    uid = f"cw-{digest}-{next(_IDS)}"
    layout = "display:flex;flex-wrap:wrap;gap:4px 18px" if row else "display:flex;flex-direction:column"
    controls = "".join(_control_html(axis, s) for axis, s in zip(axes, strides))
    templates = "".join(f'<template data-cw-view="{i}">{view}</template>' for view, i in unique.items() if i)
    page = (f'<div class="course-widget-static" id="{uid}" data-cw-map="{",".join(map(str, cells))}">'
            f'<div class="cw-controls" style="{layout};margin-bottom:6px">{controls}</div>'
            f'<div class="cw-view">{views[current]}</div>{templates}'
            f'<div class="cw-note" style="font-size:80%;color:#6b7280">{html.escape(note)}</div>'
            f"<script>{_SCRIPT % json.dumps(uid)}</script></div>")
    return page, len(unique)


def _note(states: int, full: int) -> str:
    thinned = f" of {full:,} (slider steps thinned)" if states < full else ""
    return f"Precomputed for the book: {states} settings{thinned}. Run the notebook for the live widget."


def _fitting_page(axes: list[StaticAxis], views: dict[tuple[int, ...], str], row: bool, max_bytes: int,
                  full: int) -> tuple[str | None, list[StaticAxis]]:
    """The page for the most states of the rendered grid whose HTML fits in ``max_bytes`` (sliders thinned).

    Tries every thinning of the sliders, most states first, using the measured size of each view
    (pictures grow with their content, so the current view's size is only a guess).
    """
    ids: dict[str, int] = {}
    index = {state: ids.setdefault(view, len(ids)) for state, view in views.items()}
    sizes = {i: len(view.encode("utf-8")) for view, i in ids.items()}
    choices = [range(len(a.values), 0, -1) if a.kind == "range" else (len(a.values),) for a in axes]
    for counts in sorted(itertools.product(*choices), key=lambda c: (-math.prod(c), max(c) - min(c))):
        thin = [axis.thin(count) for axis, count in zip(axes, counts)]
        used = {index[tuple(a.origin[i] for a, i in zip(thin, state))]
                for state in itertools.product(*(range(len(a.values)) for a in thin))}
        if sum(sizes[i] for i in used) > max_bytes:
            continue
        page = _assemble(thin, views, row, _note(math.prod(counts), full))[0]
        if len(page.encode("utf-8")) <= max_bytes:
            return page, thin
    return None, axes


def _fallback(widget: Any, reason: str) -> str:
    widget.static_reason = reason
    return (f"{widget._static_source.snapshot()}"
            f'<div class="cw-note cw-frozen" style="font-size:80%;color:#6b7280">'
            f"A picture of the widget, not the "
            f"widget ({html.escape(reason)}). Run the notebook to use it.</div>")


def static_grid_html(widget: Any, *, max_states: int | None = None, max_bytes: int | None = None,
                     max_seconds: float = MAX_SECONDS) -> str:
    """The book's interactive HTML for a :func:`live_html` widget, built now (whatever the environment says).

    Sets ``widget.static_reason`` (``None``, or why the snapshot stays), ``widget.static_stats``
    (``states``, ``views``, ``bytes``, ``seconds``, ``cpu_seconds``, ``thinned``) and
    ``widget.static_axes`` (one
    :class:`StaticAxis` per control: the values behind each position of the book's controls). The
    controls end where they were.

    Example:
        >>> import ipywidgets
        >>> box = ipywidgets.Checkbox(value=False, description="loud")
        >>> widget = live_html([box], lambda: "HI" if box.value else "hi")
        >>> page = static_grid_html(widget)
        >>> widget.static_stats["states"], widget.static_stats["views"], 'type="checkbox"' in page
        (2, 2, True)
    """
    source: _Source = widget._static_source
    max_states = source.max_states if max_states is None else max_states
    max_bytes = source.max_bytes if max_bytes is None else max_bytes
    for name, value in (("max_states", max_states), ("max_bytes", max_bytes)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be an int >= 1, got {value!r}")
    start, cpu = time.perf_counter(), time.process_time()
    widget.static_reason, widget.static_stats = None, {}
    axes = _axes_for(source)
    full = math.prod(len(axis.values) for axis in axes)
    view_bytes = max(1, len(source.view.value.encode("utf-8")))
    cap = min(max_states, max(1, max_bytes // view_bytes))  # each view about as big as the current one
    if not source.grid and "<img" in source.view.value:  # a picture per state is slow to render: fewer
        cap = min(cap, MAX_IMAGE_STATES)
    fitted = fit_axes(axes, cap)
    if fitted is None:
        return _fallback(widget, f"{full} states, more than {cap} even with every slider fixed")
    fitted = [replace(axis, origin=tuple(range(len(axis.values)))) for axis in fitted]  # the rendered grid
    try:
        views = _render_grid(source, fitted, max_seconds)
    except TimeoutError as error:
        return _fallback(widget, str(error))
    axes = fitted
    page, axes = _fitting_page(fitted, views, source.row, max_bytes, full)
    if page is None:
        return _fallback(widget, f"no grid of the {len(views)} rendered states fits in "
                                 f"{max_bytes:,} bytes of HTML")
    states, size = math.prod(len(axis.values) for axis in axes), len(page.encode("utf-8"))
    unique = len(set(views[tuple(a.origin[i] for a, i in zip(axes, state))]
                     for state in itertools.product(*(range(len(a.values)) for a in axes))))
    widget.static_axes = axes
    widget.static_stats = dict(states=states, full=full, views=unique, rendered=len(views), bytes=size,
                               seconds=round(time.perf_counter() - start, 3),
                               cpu_seconds=round(time.process_time() - cpu, 3), thinned=states < full)
    return page


def _book_html(widget: Any) -> str:
    """``text/html`` of a :func:`live_html` widget: interactive when run for the book, else the snapshot."""
    source: _Source = widget._static_source
    if not static_widgets_enabled():
        return source.snapshot()
    key = repr([getattr(c, "value", None) for c in source.controls])
    cached = getattr(widget, "_static_cache", None)
    if cached and cached[0] == key:
        return cached[1]
    start = time.perf_counter()
    page = static_grid_html(widget)
    widget._static_cache = (key, page)
    if os.environ.get(LOG_VAR):
        name = getattr(source.render, "__qualname__", "widget").split(".<locals>")[0]
        record = dict(widget=name, reason=widget.static_reason, seconds=round(time.perf_counter() - start, 3),
                      **{k: v for k, v in widget.static_stats.items() if k != "seconds"})
        with open(os.environ[LOG_VAR], "a", encoding="utf-8") as log:
            log.write(json.dumps(record) + "\n")
    return page
