"""Retrieval-augmented generation from scratch (Part V, Days 19-30): one module per strategy.

Importing this package is light (numpy only); MiniLM, torch and the optional libraries load
inside the functions that need them. Public names (append yours below, one line per module):
"""

from course_lib.rag.assemble import AssembledContext, ContextAssembler
from course_lib.rag.base import RetrievedChunk, Retriever
from course_lib.rag.bm25 import BM25, bm25_tokenize
from course_lib.rag.book import BOOK_CHUNKING, book_chunks, build_book_retriever
from course_lib.rag.chunking import TextChunker
from course_lib.rag.dense import DenseRetriever
from course_lib.rag.documents import Document, book_documents, content_hash
from course_lib.rag.embedding import EmbeddingModel
from course_lib.rag.fusion import HybridRetriever, fuse_results, reciprocal_rank_fusion
from course_lib.rag.hnsw import HNSWIndex
from course_lib.rag.indexes import BruteForceIndex, IVFIndex, knn_recall
from course_lib.rag.llamaindex import (course_embedding, course_llm, to_llamaindex_documents, to_llamaindex_nodes,
                                       use_course_settings)
from course_lib.rag.mmr import MMRRetriever, mmr_select
from course_lib.rag.pipeline import RAGAnswer, RAGPipeline
from course_lib.rag.qdrant_store import QdrantRetriever, QdrantStore
from course_lib.rag.query import HyDERetriever, QueryExpansionRetriever, expand_query, hypothetical_document
from course_lib.rag.rerank import MaxSimReranker, RerankRetriever, maxsim

__all__ = [
    "Document", "book_documents", "content_hash",
    "TextChunker",
    "EmbeddingModel",
    "RetrievedChunk", "Retriever",
    "DenseRetriever",
    "BM25", "bm25_tokenize",
    "HybridRetriever", "reciprocal_rank_fusion", "fuse_results",
    "MaxSimReranker", "RerankRetriever", "maxsim",
    "MMRRetriever", "mmr_select",
    "HyDERetriever", "QueryExpansionRetriever", "expand_query", "hypothetical_document",
    "AssembledContext", "ContextAssembler",
    "RAGAnswer", "RAGPipeline",
    "build_book_retriever", "book_chunks", "BOOK_CHUNKING",
    "BruteForceIndex", "IVFIndex", "HNSWIndex", "knn_recall", "QdrantStore", "QdrantRetriever",
    "course_embedding", "course_llm", "to_llamaindex_documents", "to_llamaindex_nodes", "use_course_settings",
]
