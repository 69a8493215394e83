"""Interactive widgets for the notebooks, each with a static rendering for the printed book.

Each widget is a live ipywidgets container built on :func:`course_lib.widgets.static.static_html_box`,
so that the built book shows a ``text/html`` snapshot of it with no kernel and no CDN. One module
per widget family; ipywidgets (and numpy, matplotlib) are imported inside the functions, so
``import course_lib`` stays fast.

Widgets: :func:`token_explorer` (Day 1), :func:`merge_stepper` (Day 2), :func:`compare_tokenizers`
(Day 3), :func:`next_token_explorer` (Day 4), :func:`position_heatmap` and :func:`rope_explorer` (Day 5).
"""

from course_lib.widgets.bpe import merge_stepper
from course_lib.widgets.compare import compare_tokenizers
from course_lib.widgets.positions import position_heatmap, rope_explorer
from course_lib.widgets.sampling import next_token_explorer
from course_lib.widgets.static import live_html, static_html_box
from course_lib.widgets.tokens import render_tokens_html, token_explorer, token_pieces

__all__ = ["static_html_box", "live_html", "render_tokens_html", "token_explorer", "token_pieces", "merge_stepper",
           "compare_tokenizers", "next_token_explorer", "position_heatmap", "rope_explorer"]
