"""Interactive widgets for the notebooks, each with a static rendering for the printed book.

Each widget is a live ipywidgets container built on :func:`course_lib.widgets.static.static_html_box`,
so that the built book shows a ``text/html`` snapshot of it with no kernel and no CDN. One module
per widget family; ipywidgets (and numpy, matplotlib) are imported inside the functions, so
``import course_lib`` stays fast.

Widgets: :func:`token_explorer` (Day 1), :func:`merge_stepper` (Day 2), :func:`compare_tokenizers`
(Day 3), :func:`next_token_explorer` (Day 4), :func:`position_heatmap` and :func:`rope_explorer` (Day 5),
:func:`attention_explorer` (Day 6), :func:`mask_gallery` (Day 7), :func:`block_explorer` (Day 8),
:func:`visibility_explorer` (Day 9), :func:`training_replay` (Day 10), :func:`sampling_explorer` (Day 11),
:func:`beam_tree` (Day 12), :func:`kv_cache_size_explorer` (Day 13), :func:`causal_attention_explorer`
(Day 14), :func:`expert_usage` (Day 15), :func:`embedding_space` (Day 16), :func:`rank_explorer` (Day 17),
:func:`quantization_explorer` (Day 18), :func:`chat_budget` (Day 19), :func:`retrieval_explorer` and
:func:`compare_rankers` (Days 20-22), :func:`index_tradeoff_explorer` (Day 21), :func:`rag_eval_explorer` (Day 24).
"""

from course_lib.widgets.attention import attention_explorer
from course_lib.widgets.beam import beam_tree
from course_lib.widgets.causal_attention import causal_attention_explorer
from course_lib.widgets.chat_budget import chat_budget
from course_lib.widgets.decoding import sampling_explorer
from course_lib.widgets.embedding_space import embedding_space
from course_lib.widgets.kv_cache import kv_cache_size_explorer
from course_lib.widgets.lora import rank_explorer
from course_lib.widgets.moe import expert_usage
from course_lib.widgets.quantization import quantization_explorer
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
           "visibility_explorer", "training_replay", "sampling_explorer", "beam_tree", "kv_cache_size_explorer",
           "causal_attention_explorer", "expert_usage", "embedding_space", "rank_explorer", "quantization_explorer",
           "chat_budget"]
