"""Context-budget widget (Day 19): what a stateless chat API sends, keeps, drops and bills, turn by turn.

Sliders choose the context window, the number of turns and the tokens per turn (a quarter for the
user's message, the rest for the reply). The view, computed by :func:`course_lib.chat.bill_per_turn`:

* a bar per turn: the input tokens sent at that turn (system prompt, kept history, new message), the
  history that no longer fits drawn as an outline above it, and the window as a red line;
* the cumulative input tokens billed, with the window and without it (dashed): a stateless API bills
  the whole history again at every turn, so without a window the total grows with the square of the
  number of turns;
* a strip of the earlier turns at the last turn: kept (sent again) or dropped.

The charts are small inline SVG (no matplotlib), so the book can precompute many settings.
"""

from __future__ import annotations

import html
from typing import Any

from course_lib.widgets.static import live_html

__all__ = ["render_chat_budget", "chat_budget", "WINDOWS", "TOKENS_PER_TURN", "SYSTEM_TOKENS"]

WINDOWS = (1024, 2048, 4096, 8192, 32768)  # context windows offered by the slider
TOKENS_PER_TURN = (100, 200, 400, 800)  # user message + reply
SYSTEM_TOKENS = 200  # the system prompt, always kept
_W, _H, _PAD = 620, 190, 46  # SVG size and left margin (pixels)
_SYSTEM, _KEPT, _NEW, _DROPPED, _WINDOW = "#6b7280", "#3b82f6", "#16a34a", "#d1d5db", "#dc2626"


def _svg(body: str, title: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{_W}" height="{_H + 34}" role="img" '
            f'aria-label="{html.escape(title)}" style="font:11px sans-serif">'
            f'<text x="{_PAD}" y="13" font-weight="bold">{html.escape(title)}</text>{body}</svg>')


def _axes(top: float, x_label: str) -> str:
    y0 = 20 + _H - 20
    return (f'<line x1="{_PAD}" y1="{y0}" x2="{_W - 8}" y2="{y0}" stroke="#374151"/>'
            f'<line x1="{_PAD}" y1="22" x2="{_PAD}" y2="{y0}" stroke="#374151"/>'
            f'<text x="{_PAD - 4}" y="28" text-anchor="end">{top:,.0f}</text>'
            f'<text x="{_PAD - 4}" y="{y0}" text-anchor="end">0</text>'
            f'<text x="{(_W + _PAD) / 2}" y="{y0 + 16}" text-anchor="middle">{x_label}</text>')


def render_chat_budget(context_window: int = 4096, turns: int = 20, tokens_per_turn: int = 400,
                       system_tokens: int = SYSTEM_TOKENS) -> str:
    """HTML: per-turn input tokens, cumulative tokens billed, and which turns are kept at the last turn.

    Example:
        >>> page = render_chat_budget(1024, turns=10, tokens_per_turn=200)
        >>> 'class="chat-budget"' in page, "3 of 9 earlier turns kept" in page
        (True, True)
    """
    from course_lib.chat import bill_per_turn

    user = tokens_per_turn // 4
    with_window = bill_per_turn(turns, user, tokens_per_turn - user, system_tokens, context_window)
    unlimited = bill_per_turn(turns, user, tokens_per_turn - user, system_tokens)
    top = max(max(b.input_tokens for b in unlimited), context_window) * 1.05
    y0, plot_h = 20 + _H - 20, _H - 42
    step = (_W - 8 - _PAD) / max(turns, 1)
    scale = lambda tokens: plot_h * tokens / top  # noqa: E731
    paths = {_SYSTEM: [], _KEPT: [], _NEW: [], _DROPPED: []}  # colour -> path pieces (one <path> each)
    for t, (b, full) in enumerate(zip(with_window, unlimited)):
        x, w = _PAD + t * step + 1, max(step - 2, 1)
        y = y0
        for tokens, colour in ((system_tokens, _SYSTEM), (b.kept_turns * tokens_per_turn, _KEPT), (user, _NEW),
                               (full.input_tokens - b.input_tokens, _DROPPED)):
            h = scale(tokens)
            if h > 0:
                y -= h
                paths[colour].append(f"M{x:.0f} {y:.1f}h{w:.1f}v{h:.1f}h-{w:.1f}z")
    bars = [f'<path d="{"".join(d)}" fill="{"none" if c == _DROPPED else c}"'
            f'{" stroke=" + chr(34) + "#9ca3af" + chr(34) if c == _DROPPED else ""}/>' for c, d in paths.items() if d]
    window_y = y0 - scale(context_window)
    bars.append(f'<line x1="{_PAD}" y1="{window_y:.1f}" x2="{_W - 8}" y2="{window_y:.1f}" stroke="{_WINDOW}" '
                f'stroke-dasharray="5 3"/><text x="{_W - 10}" y="{window_y - 3:.1f}" text-anchor="end" '
                f'fill="{_WINDOW}">context window {context_window:,}</text>')
    per_turn = _svg(_axes(top, "turn") + "".join(bars), "input tokens sent at each turn")

    totals = {"window": [], "unlimited": []}
    for name, bills in (("window", with_window), ("unlimited", unlimited)):
        running = 0
        for b in bills:
            running += b.input_tokens
            totals[name].append(running)
    peak = max(totals["unlimited"][-1] if turns else 1, 1) * 1.05
    lines = []
    for name, colour, dash in (("unlimited", "#6b7280", "4 3"), ("window", _KEPT, "")):
        points = " ".join(f"{_PAD + (t + 0.5) * step:.1f},{y0 - plot_h * v / peak:.1f}"
                          for t, v in enumerate(totals[name]))
        lines.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2" '
                     f'stroke-dasharray="{dash}"/>')
    lines.append(f'<text x="{_PAD + 6}" y="36" fill="#6b7280">dashed: no window (everything resent)</text>'
                 f'<text x="{_PAD + 6}" y="50" fill="{_KEPT}">solid: with the window</text>')
    cumulative = _svg(_axes(peak, "turn") + "".join(lines), "input tokens billed so far")

    last = with_window[-1] if with_window else None
    dropped_now = last.dropped_turns if last else 0
    strip = "".join(f'<span style="color:{c};letter-spacing:1px">{"■" * n}</span>'
                    for c, n in (("#9ca3af", dropped_now), (_KEPT, max(turns - 1 - dropped_now, 0))) if n)
    billed_window, billed_all = (totals["window"][-1], totals["unlimited"][-1]) if turns else (0, 0)
    kept_text = (f"{last.kept_turns} of {turns - 1} earlier turns kept, {last.dropped_turns} dropped"
                 if last else "no turns")
    caption = (f"{turns} turns of {tokens_per_turn} tokens (user {user}, reply {tokens_per_turn - user}), "
               f"system prompt {system_tokens} · at the last turn: {kept_text} · billed input: "
               f"{billed_window:,} tokens with the window, {billed_all:,} without")
    legend = " ".join(f'<span style="color:{c}">■</span> {n}' for n, c in
                      (("system prompt", _SYSTEM), ("kept history", _KEPT), ("new message", _NEW),
                       ("dropped (outline)", "#9ca3af")))
    return (f'<div class="chat-budget"><div style="font-size:90%;color:#374151">{html.escape(caption)}</div>'
            f'<div style="font-size:85%">{legend}</div>{per_turn}{cumulative}'
            f'<div style="font-size:85%">earlier turns at the last turn (blue kept, grey dropped): {strip}</div></div>')


def chat_budget(context_window: int = 4096, turns: int = 20, tokens_per_turn: int = 400) -> Any:
    """Sliders for the context window, the number of turns and the tokens per turn (Day 19).

    Example:
        >>> widget = chat_budget(2048, 12, 200)  # doctest: +SKIP
        >>> "12 turns of 200 tokens" in widget._repr_mimebundle_()["text/html"]  # doctest: +SKIP
        True
    """
    import ipywidgets

    if context_window not in WINDOWS or tokens_per_turn not in TOKENS_PER_TURN:
        raise ValueError(f"context_window must be one of {WINDOWS} and tokens_per_turn one of {TOKENS_PER_TURN}, "
                         f"got {context_window!r} and {tokens_per_turn!r}")
    style = {"description_width": "initial"}
    window = ipywidgets.SelectionSlider(options=list(WINDOWS), value=context_window, description="context window",
                                        continuous_update=False, style=style)
    count = ipywidgets.IntSlider(value=turns, min=1, max=40, description="turns", continuous_update=False)
    size = ipywidgets.SelectionSlider(options=list(TOKENS_PER_TURN), value=tokens_per_turn,
                                      description="tokens per turn", continuous_update=False, style=style)
    grid = {count: sorted({1, 5, 10, 20, 40, turns}), size: sorted({100, 400, 800, tokens_per_turn})}
    return live_html([window, count, size], lambda: render_chat_budget(window.value, count.value, size.value),
                     grid=grid)
