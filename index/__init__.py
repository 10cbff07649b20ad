"""Corpus files → passages → embeddings → the on-disk index."""

from .documents import CorpusError, Document, DocumentMeta
from .passage import Item, Passage
from .settings import Settings
from .store import IndexStore, load_index

__all__ = [
    "CorpusError",
    "Document",
    "DocumentMeta",
    "IndexStore",
    "Item",
    "Passage",
    "Settings",
    "load_index",
]
