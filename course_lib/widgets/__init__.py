"""Interactive widgets for the notebooks, each with a static rendering for the printed book.

Each widget is a live ipywidgets container built on :func:`course_lib.widgets.static.static_html_box`,
so that the built book shows a ``text/html`` snapshot of it with no kernel and no CDN. One module
per widget family; ipywidgets is imported inside the functions, so ``import course_lib`` stays fast.

Widgets: :func:`token_explorer` (Day 1).
"""

from course_lib.widgets.static import static_html_box
from course_lib.widgets.tokens import render_tokens_html, token_explorer, token_pieces

__all__ = ["static_html_box", "render_tokens_html", "token_explorer", "token_pieces"]
