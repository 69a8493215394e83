"""Interactive widgets for the notebooks, each with a static rendering for the printed book.

Each widget is a live ipywidgets container built on :func:`course_lib.widgets.static.static_html_box`,
so that the built book shows a ``text/html`` snapshot of it with no kernel and no CDN. One module
per widget family; ipywidgets (and numpy, matplotlib) are imported inside the functions, so
``import course_lib`` stays fast.

Widgets: :func:`token_explorer` (Day 1), :func:`merge_stepper` (Day 2), :func:`compare_tokenizers`
(Day 3), :func:`next_token_explorer` (Day 4), :func:`position_heatmap` and :func:`rope_explorer` (Day 5),
:func:`attention_explorer` (Day 6), :func:`mask_gallery` (Day 7), :func:`block_explorer` (Day 8).
"""

from course_lib.widgets.attention import attention_explorer
from course_lib.widgets.blocks import block_explorer
from course_lib.widgets.bpe import merge_stepper
from course_lib.widgets.compare import compare_tokenizers
from course_lib.widgets.masks import mask_gallery
from course_lib.widgets.positions import position_heatmap, rope_explorer
from course_lib.widgets.rag import compare_rankers, retrieval_explorer
from course_lib.widgets.rag_eval import rag_eval_explorer
from course_lib.widgets.retrieval_indexes import index_tradeoff_explorer
from course_lib.widgets.sampling import next_token_explorer
from course_lib.widgets.static import live_html, static_html_box
from course_lib.widgets.tokens import render_tokens_html, token_explorer, token_pieces
from course_lib.widgets.training import training_replay
from course_lib.widgets.visibility import visibility_explorer

__all__ = ["static_html_box", "live_html", "render_tokens_html", "token_explorer", "token_pieces", "merge_stepper",
           "compare_tokenizers", "next_token_explorer", "position_heatmap", "rope_explorer", "attention_explorer",
           "mask_gallery", "block_explorer", "retrieval_explorer", "compare_rankers", "index_tradeoff_explorer", "rag_eval_explorer",
           "visibility_explorer", "training_replay"]
