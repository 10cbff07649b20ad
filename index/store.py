"""The on-disk index: FAISS vectors, passages as JSONL and a manifest, built aside and swapped in."""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import os
import re
import shutil
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from .documents import CorpusError, corpus_files, file_hash, read_document
from .embed import DEFAULT_EMBEDDER, Embedder, load_embedder
from .layouts import parse_with_layout
from .lexical import ANALYZER_FILE, LexicalIndex
from .passage import Passage

log = logging.getLogger(__name__)

FORMAT_VERSION = 3  # 3: the lexical index is part of the generation
CURRENT = "CURRENT"  # names the generation folder in use; replaced atomically
MANIFEST = "manifest.json"
PASSAGES = "passages.jsonl"
VECTORS = "vectors.faiss"
UNIT_VECTORS = "units.npy"  # one vector per item or sentence: fine-grained evidence for the passage
UNIT_OWNERS = "unit_owners.npy"  # the passage each unit belongs to
LEXICAL = "lexical"  # folder of the BM25 index over the passages' embedding texts (LexicalIndex.save)
UNIT_MAX_CHARS = 300  # items longer than this are embedded sentence by sentence
# Units cost memory (several vectors per passage); above this size only passage vectors are kept.
UNITS_LIMIT = 50_000
EMBED_BATCH = 32
# Above this many passages exact search gets slow; an HNSW graph answers instead.
EXACT_SEARCH_LIMIT = 50_000


def parser_version() -> str:
    """Hash of the parsing code: a changed parser re-parses every file."""
    digest = hashlib.sha256()
    root = Path(__file__).parent
    parsing = [root / "passage.py", root / "documents.py", root / "pdf_clean.py", root / "titles.py",
               root / "markup.py", *(root / "layouts").glob("*.py")]
    for path in sorted(parsing):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def embedding_format() -> str:
    """Hash of the code that makes what is embedded of a passage (its text with context, its units): vectors are
    reused by their text only between indexes that made it the same way."""
    import inspect

    digest = hashlib.sha256((Path(__file__).parent / "passage.py").read_bytes())
    for function in (embedding_text, unit_items):
        digest.update(inspect.getsource(function).encode())
    digest.update(f"{UNIT_MAX_CHARS}\x00{_SENTENCE_END.pattern}".encode())
    return digest.hexdigest()[:16]


def embedding_text(passage: Passage) -> str:
    """What gets embedded: the passage's context (document, place, topic, section) and its text."""
    return f"{passage.context()}\n{passage.labelled_text()}"


class EmbeddingTexts:
    """The passages' embedding texts, made anew on each pass instead of held in a list (~1 KB each)."""

    def __init__(self, passages: list[Passage]) -> None:
        self._passages = passages

    def __len__(self) -> int:
        return len(self._passages)

    def __iter__(self):
        return (embedding_text(passage) for passage in self._passages)


_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'“”»)]*\s+(?=[\"'„“»(]*[A-ZÄÖÜ0-9])")


def embedding_units(passage: Passage) -> list[str]:
    """The passage's items, long ones cut into sentences: a question often matches one line or sentence
    better than the whole passage ("subjektives Sicherheitsgefühl" among ten needs)."""
    return [text for _, text in unit_items(passage)]


def unit_items(passage: Passage) -> list[tuple[int, str]]:
    """The passage's units (embedding_units, in the order their vectors are stored), each with the position of
    the item it comes from.

    A passage whose items are the wrapped lines of a paragraph (a PDF's text, meta "wrapped") has none: a line
    there is no thought of its own, and embedding every line again doubled the time to index a long protocol.
    """
    if passage.meta.get("wrapped"):
        return []
    units: list[tuple[int, str]] = []
    for position, item in enumerate(passage.items):
        text = item.text.strip()
        if len(text) <= UNIT_MAX_CHARS:
            pieces = [text]
        else:
            pieces = []
            for sentence in _SENTENCE_END.split(text):
                # Short sentences join their predecessor, so a unit carries a thought, not a fragment.
                if pieces and len(pieces[-1]) < 60:
                    pieces[-1] = f"{pieces[-1]} {sentence}"
                else:
                    pieces.append(sentence)
        units.extend((position, piece) for piece in pieces if sum(ch.isalnum() for ch in piece) >= 2)
    return units


@dataclass
class IndexStore:
    """A loaded index: passages in vector order, their FAISS index and the manifest."""

    passages: list[Passage]
    vectors: object  # faiss.Index
    manifest: dict
    path: Path
    embedder: Embedder | None = field(default=None, repr=False)
    unit_vectors: np.ndarray | None = field(default=None, repr=False)  # (units, dim), None when not kept
    unit_owners: np.ndarray | None = field(default=None, repr=False)  # (units,) passage index of each unit
    built_now: bool = False  # True when this call (re)built the index, False when it was loaded as it was
    _lexical: LexicalIndex | None = field(default=None, repr=False)

    def search(self, query_vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        """Indices and cosine scores of the k nearest passages."""
        if not self.passages or k <= 0:
            return []
        scores, ids = self.vectors.search(np.asarray(query_vector, dtype=np.float32).reshape(1, -1), k)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=False) if i >= 0]

    @property
    def lexical(self) -> LexicalIndex:
        """BM25 over the passages' embedding texts (context and text), in passage order.

        Read from the generation folder with the rest of the index (built when the index was); a store made
        otherwise builds it on first use.
        """
        if self._lexical is None:
            self._lexical = LexicalIndex.build(EmbeddingTexts(self.passages))
        return self._lexical

    def matrix(self) -> np.ndarray:
        if not hasattr(self, "_matrix"):
            self._matrix = vector_view(self.vectors) if is_hnsw(self.vectors) else reconstruct(self.vectors)
        return self._matrix

    @property
    def errors(self) -> dict[str, str]:
        return {source: info["error"] for source, info in self.manifest["files"].items() if info.get("error")}


class IndexCorrupt(Exception):
    """An index folder that cannot be used as it is."""


def reconstruct(index) -> np.ndarray:
    import faiss

    if index.ntotal == 0:
        return np.zeros((0, index.d), dtype=np.float32)
    base = faiss.downcast_index(index)
    if hasattr(base, "storage") and base.storage is not None:  # HNSW keeps a flat copy of the vectors
        base = faiss.downcast_index(base.storage)
    return base.reconstruct_n(0, base.ntotal)


def is_hnsw(index) -> bool:
    import faiss

    return isinstance(faiss.downcast_index(index), faiss.IndexHNSW)


def vector_view(index) -> np.ndarray:
    """The vectors of an HNSW index as a read-only array over FAISS's own flat storage, without a copy.

    Above EXACT_SEARCH_LIMIT a copy would be another 1.5 KB per passage (300 MB at 200,000 passages), and
    when the index is memory-mapped only the rows actually read take memory. The view lives as long as the
    index does: keep the index (the store) while using it.
    """
    import faiss

    storage = faiss.downcast_index(faiss.downcast_index(index).storage)
    if storage.ntotal == 0:
        return np.zeros((0, storage.d), dtype=np.float32)
    view = faiss.rev_swig_ptr(storage.get_xb(), storage.ntotal * storage.d).reshape(storage.ntotal, storage.d)
    view.flags.writeable = False
    return view


def make_faiss(vectors: np.ndarray, dim: int):
    import faiss

    if len(vectors) > EXACT_SEARCH_LIMIT:
        index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
        index.hnsw.efSearch = 128
    else:
        # Vectors are L2-normalised, so inner product equals cosine similarity; exact at this size.
        index = faiss.IndexFlatIP(dim)
    if len(vectors):
        # In one call: HNSW inserts a batch's upper-level nodes first; added in slices, the graph of a
        # corpus full of near-duplicates came out worse (recall@10 against exact 0.37 instead of 0.44).
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def current_generation(index_dir: Path) -> Path | None:
    pointer = index_dir / CURRENT
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    path = index_dir / name
    return path if name and "/" not in name and path.is_dir() else None


def read_generation(path: Path) -> IndexStore:
    """Load one generation folder, checking that its parts agree; raises IndexCorrupt otherwise."""
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except Exception as error:  # missing, not JSON
        raise IndexCorrupt(f"Index in {path} ist nicht lesbar ({error.__class__.__name__}: {error})") from None
    if not isinstance(manifest, dict) or manifest.get("format_version") != FORMAT_VERSION:
        version = manifest.get("format_version") if isinstance(manifest, dict) else None
        raise IndexCorrupt(f"Index in {path} hat das Format {version}, erwartet {FORMAT_VERSION}")
    checked = [PASSAGES, VECTORS, *([UNIT_VECTORS] if manifest.get("unit_count") is not None else []),
               *_lexical_files(path, manifest)]
    # Checksums are computed by a second thread while this one reads the passages: hashing gives up the
    # interpreter lock, and at 200,000 passages it is ~0.4 s of reading and hashing 600 MB.
    with ThreadPoolExecutor(1) as pool:
        hashing = pool.submit(_checksums, path, checked)
        store = _read_parts(path, manifest)
        sums = hashing.result()
    passages, vectors, unit_vectors, unit_owners = store
    if vectors.ntotal != len(passages) or manifest.get("passage_count") != len(passages):
        raise IndexCorrupt(f"Index in {path} passt nicht zusammen: {vectors.ntotal} Vektoren, {len(passages)} Passagen")
    if manifest.get("passages_sha256") != sums[PASSAGES]:
        raise IndexCorrupt(f"Index in {path}: die Passagen-Datei passt nicht zu ihrem Manifest")
    # FAISS reads a file with overwritten vector bytes without complaint; only a checksum notices.
    if "vectors_sha256" in manifest and manifest["vectors_sha256"] != sums[VECTORS]:
        raise IndexCorrupt(f"Index in {path}: die Vektor-Datei passt nicht zu ihrem Manifest")
    dim = manifest.get("embedder", {}).get("dim")
    if vectors.d != dim:
        raise IndexCorrupt(f"Index in {path}: die Vektoren haben die Dimension {vectors.d}, das Manifest nennt {dim}")
    if unit_vectors is not None:
        count = manifest["unit_count"]
        if manifest.get("units_sha256") != sums[UNIT_VECTORS]:
            raise IndexCorrupt(f"Index in {path}: die Datei der Zeilenvektoren passt nicht zu ihrem Manifest")
        if unit_vectors.shape != (count, dim) or unit_owners.shape != (count,):
            raise IndexCorrupt(f"Index in {path}: die Zeilenvektoren passen nicht zum Manifest")
        if count and (unit_owners.min() < 0 or unit_owners.max() >= len(passages)):
            raise IndexCorrupt(f"Index in {path}: die Zeilenvektoren verweisen auf Passagen, die es nicht gibt")
    lexical = read_lexical(path, manifest, sums)
    if len(lexical) != len(passages):
        raise IndexCorrupt(f"Index in {path} passt nicht zusammen: ein lexikalischer Index über "
                           f"{len(lexical)} Dokumente, {len(passages)} Passagen")
    return IndexStore(passages=passages, vectors=vectors, manifest=manifest, path=path,
                      unit_vectors=unit_vectors, unit_owners=unit_owners, _lexical=lexical)


def _read_parts(path: Path, manifest: dict) -> tuple:
    """Passages, vectors and unit vectors of a generation folder, read as they are (checked by the caller)."""
    import faiss

    try:
        passages = read_passages(path / PASSAGES)
        # An HNSW index (above EXACT_SEARCH_LIMIT) is memory-mapped: its vectors stay in the page cache, and
        # a search reads only the few rows it visits. Generations are never rewritten in place, so this is safe.
        hnsw = manifest.get("search") == "hnsw"
        vectors = faiss.read_index(str(path / VECTORS), faiss.IO_FLAG_MMAP_IFC if hnsw else 0)
        unit_vectors = unit_owners = None
        if manifest.get("unit_count") is not None:
            unit_vectors = np.load(path / UNIT_VECTORS, allow_pickle=False)
            unit_owners = np.load(path / UNIT_OWNERS, allow_pickle=False)
    except Exception as error:  # corrupt JSON, truncated FAISS file, missing part …
        raise IndexCorrupt(f"Index in {path} ist nicht lesbar ({error.__class__.__name__}: {error})") from None
    return passages, vectors, unit_vectors, unit_owners


def _checksums(path: Path, names: list[str]) -> dict[str, str | None]:
    """sha256 of each file (None when it cannot be read)."""
    sums: dict[str, str | None] = {}
    for name in names:
        try:
            sums[name] = sha256_file(path / name)
        except OSError:
            sums[name] = None
    return sums


def _lexical_files(path: Path, manifest: dict) -> dict[str, str]:
    """The lexical index's files and checksums as the manifest lists them."""
    files = manifest.get("lexical", {}).get("files") if isinstance(manifest.get("lexical"), dict) else None
    if not isinstance(files, dict) or f"{LEXICAL}/{ANALYZER_FILE}" not in files:
        raise IndexCorrupt(f"Index in {path}: das Manifest nennt keinen lexikalischen Index")
    for name in files:
        parts = Path(name).parts
        if not parts or parts[0] != LEXICAL or ".." in parts:
            raise IndexCorrupt(f"Index in {path}: das Manifest nennt eine Datei außerhalb von {LEXICAL}/: {name}")
    return files


def read_lexical(path: Path, manifest: dict, sums: dict[str, str | None] | None = None) -> LexicalIndex:
    """The generation's lexical index, its files checked against the manifest's checksums first (sums: those
    already computed)."""
    files = _lexical_files(path, manifest)
    for name, digest in files.items():
        actual = sums[name] if sums is not None and name in sums else _checksums(path, [name])[name]
        if actual is None:
            raise IndexCorrupt(f"Index in {path} ist nicht lesbar (die Datei {name} des lexikalischen Index fehlt)")
        if actual != digest:
            raise IndexCorrupt(f"Index in {path}: die Datei {name} des lexikalischen Index passt nicht zu ihrem "
                               "Manifest")
    try:
        return LexicalIndex.load(path / LEXICAL)
    except Exception as error:  # the right bytes that still do not make an index: written by other code
        raise IndexCorrupt(f"Index in {path}: der lexikalische Index ist nicht lesbar ({error.__class__.__name__}: "
                           f"{error})") from None


def read_passages(path: Path) -> list[Passage]:
    shared: dict[str, str] = {}
    # Millions of new objects (passages, items, strings) set off the garbage collector again and again, each
    # time walking all of them: without it reading 200,000 passages takes half the time. Nothing read here
    # makes a reference cycle.
    collecting = gc.isenabled()
    gc.disable()
    try:
        with open(path, encoding="utf-8") as handle:
            return [_share_strings(Passage.from_json(line), shared) for line in handle if line.strip()]
    finally:
        if collecting:
            gc.enable()


_SHARED_FIELDS = ("source", "doc_title", "board_kind", "board", "section", "place", "topic")


def _share_strings(passage: Passage, shared: dict[str, str]) -> Passage:
    """One string object for each repeated value (source, titles, board, section, metadata keys and values).

    Read from JSON every passage would hold copies of its own: about half of a passage's memory, which
    counts at 200,000 passages. Item texts are left alone: they rarely repeat.
    """
    for name in _SHARED_FIELDS:
        value = getattr(passage, name)
        if isinstance(value, str):
            setattr(passage, name, shared.setdefault(value, value))
    passage.meta = {
        shared.setdefault(key, key): shared.setdefault(value, value) if isinstance(value, str) else value
        for key, value in passage.meta.items()
    }
    return passage


def sha256_file(path: Path) -> str:
    # In blocks: the files of a large index are hundreds of MB, which a whole read would hold in memory at once.
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def load_index(
    corpus_dir: Path,
    index_dir: Path,
    embedder_name: str = DEFAULT_EMBEDDER,
    progress: Callable[[int, int], None] | None = None,
    force: bool = False,
) -> IndexStore:
    """The index for this corpus and embedder: loaded as it is when current, else (re)built and swapped in.

    Unchanged files keep their passages and vectors; changed, new and removed files are handled one by one.
    """
    corpus_dir, index_dir = Path(corpus_dir), Path(index_dir)
    files = corpus_files(corpus_dir)
    # The corpus files are hashed while the index is read (a few thousand files: ~0.3 s).
    with ThreadPoolExecutor(1) as pool:
        hashing = pool.submit(lambda: {path.relative_to(corpus_dir).as_posix(): file_hash(path) for path in files})
        old = None if force else _try_current(index_dir)
        hashes = hashing.result()
    embedder = load_embedder(embedder_name)
    reason = why_stale(old, hashes, embedder.identity)
    if reason is None:
        old.embedder = embedder
        return old
    log.info("Index %s: %s; er wird neu gebaut", index_dir, reason)
    from filelock import FileLock

    index_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(str(index_dir / ".lock")):
        # Another process may have finished the same build while we waited for the lock.
        if not force:
            old = _try_current(index_dir)
            if why_stale(old, hashes, embedder.identity) is None:
                old.embedder = embedder
                return old
        store = build(corpus_dir, index_dir, files, hashes, embedder, old, progress)
    store.embedder = embedder
    return store


def _try_current(index_dir: Path) -> IndexStore | None:
    generation = current_generation(index_dir)
    if generation is None:
        return None
    try:
        return read_generation(generation)
    except IndexCorrupt as error:
        log.warning("%s; er wird neu gebaut", error)
        return None


def why_stale(store: IndexStore | None, hashes: dict[str, str], embedder_identity: str) -> str | None:
    """Why an index cannot answer for this corpus and embedder, or None when it can."""
    if store is None:
        return "kein nutzbarer Index"
    manifest = store.manifest
    if manifest.get("embedder", {}).get("identity") != embedder_identity:
        return (f"gebaut mit dem Einbettungsmodell {manifest.get('embedder', {}).get('identity')}, "
                f"nicht mit {embedder_identity}")
    if manifest.get("parser_version") != parser_version():
        return "die Parser haben sich geändert"
    indexed = {source: info.get("hash") for source, info in manifest.get("files", {}).items()}
    if indexed != hashes:
        changed = sorted(s for s in hashes if s in indexed and indexed[s] != hashes[s])
        added = sorted(set(hashes) - set(indexed))
        removed = sorted(set(indexed) - set(hashes))
        parts = [f"{label}: {', '.join(names)}" for label, names in
                 (("geändert", changed), ("neu", added), ("entfernt", removed)) if names]
        return "Korpusdateien " + "; ".join(parts)
    return None


def build(
    corpus_dir: Path,
    index_dir: Path,
    files: list[Path],
    hashes: dict[str, str],
    embedder: Embedder,
    old: IndexStore | None,
    progress: Callable[[int, int], None] | None = None,
) -> IndexStore:
    """Parse and embed what changed, reuse the rest, write a new generation and point CURRENT at it.

    Memory: at 200,000 passages the passages (~300 MB as objects), the vectors and FAISS's copy of them
    (2 × 290 MB) and analysing every text for the lexical index (~300 MB for a moment) must not be in memory
    at once. So passages go to the new generation's passages file as they are parsed and are read from it
    when needed: batch by batch for embedding, all of them only once the HNSW graph is written and let go
    of. (Freed, parsed passages would not give their memory back: the few objects that outlive each file's
    parse keep Python's memory blocks from being returned.)
    """
    started = time.monotonic()
    reusable, by_text = _reusable(old, embedder)
    vectors: list[np.ndarray | None] = []  # per passage: the reused vector, None when it is to be embedded
    units: list[np.ndarray | None] = []  # per passage: its reused unit vectors
    file_info: dict[str, dict] = {}
    originals: dict[str, str] = {}  # content digest → the file indexed with that content
    digests = {path: _content_digest(path) for path in files}
    copies = _later_copies(files, digests, corpus_dir, reusable, hashes)
    staging = _new_staging(index_dir)
    try:
        with open(staging / PASSAGES, "w", encoding="utf-8") as out:
            for path in [path for path in files if path not in copies] + [path for path in files if path in copies]:
                source = path.relative_to(corpus_dir).as_posix()
                digest = digests[path]
                if digest is not None and digest in originals:
                    # The same document under a second name: indexed once, so no answer cites the same text twice.
                    log.warning("%s: gleicher Inhalt wie %s, das schon im Index ist; nicht ein zweites Mal indexiert",
                                source, originals[digest])
                    file_info[source] = {"hash": hashes[source], "passages": 0, "duplicate_of": originals[digest]}
                    continue
                previous = reusable.get(source)
                if previous and previous["hash"] == hashes[source] and not previous["info"].get("duplicate_of"):
                    file_info[source] = previous["info"]
                    for passage, vector, unit_vectors in previous["items"]:
                        out.write(passage.to_json() + "\n")
                        vectors.append(vector)
                        units.append(unit_vectors)
                    if previous["items"] and digest is not None:
                        originals.setdefault(digest, source)
                    continue
                try:
                    document = read_document(path, corpus_dir)
                    parsed, layout, reason = parse_with_layout(document)
                except CorpusError as error:
                    log.error("%s", error)
                    file_info[source] = {"hash": hashes[source], "passages": 0, "error": str(error)}
                    continue
                if not parsed:
                    log.warning("%s: kein Text zum Indexieren", source)
                file_info[source] = {"hash": hashes[source], "passages": len(parsed), "title": document.meta.title,
                                     "date": document.meta.date, "origin": document.meta.origin,
                                     "layout": layout, "layout_reason": reason}
                if parsed and digest is not None:
                    originals.setdefault(digest, source)
                for passage in parsed:
                    out.write(passage.to_json() + "\n")
                    vector, unit_vectors = by_text.vectors(passage)
                    vectors.append(vector)
                    units.append(unit_vectors)
                del document, parsed
            out.flush()
            os.fsync(out.fileno())
        del reusable, by_text
        store = _embed_and_write(index_dir, staging, vectors, units, file_info, embedder, started, progress)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)  # a build cut short leaves nothing behind
        raise
    store.embedder = embedder
    store.built_now = True
    return store


def _embed_and_write(index_dir: Path, staging: Path, vectors: list[np.ndarray | None],
                     units: list[np.ndarray | None], file_info: dict[str, dict], embedder: Embedder,
                     started: float, progress: Callable[[int, int], None] | None) -> IndexStore:
    """Embed the passages of staging's passages file that have no vector yet, then write_generation.

    vectors and units hold what is reused (None for what is to be embedded); they are emptied on the way.
    """
    count = len(vectors)
    to_embed = [i for i, vector in enumerate(vectors) if vector is None]
    keep_units = count <= UNITS_LIMIT
    # (a passage's units may be missing while its vector is reused: the previous index was too large to keep units)
    units_to_embed = [i for i, unit_vectors in enumerate(units) if unit_vectors is None] if keep_units else []
    # Everything new is embedded in batches: passage texts, then (when kept) units.
    # Texts are made batch by batch from the passages file: all of them at once would be ~1 KB per passage.
    jobs: list[tuple[int, int | None]] = [(i, None) for i in to_embed]
    unit_texts: dict[int, list[str]] = {}
    for i, passage in _read_some(staging / PASSAGES, units_to_embed):
        unit_texts[i] = embedding_units(passage)
        jobs += [(i, n) for n in range(len(unit_texts[i]))]
    unit_parts: dict[int, list[np.ndarray]] = {i: [] for i in units_to_embed}
    # One matrix for all passage vectors, filled in place: a list of row arrays would cost as much again
    # (300 MB at 200,000 passages) and, being many small blocks, not be given back to the system when freed.
    matrix = np.empty((count, embedder.dim), dtype=np.float32)
    for i, vector in enumerate(vectors):
        if vector is not None:
            matrix[i] = vector
    vectors.clear()
    passage_texts = ((i, embedding_text(passage)) for i, passage in _read_some(staging / PASSAGES, to_embed))
    if progress:
        progress(0, len(jobs))
    for start in range(0, len(jobs), EMBED_BATCH):
        batch = jobs[start : start + EMBED_BATCH]
        texts = []
        for i, unit in batch:
            if unit is None:  # passage jobs come first, in file order
                read, text = next(passage_texts)
                assert read == i, "passages file out of step with the jobs"
                texts.append(text)
            else:
                texts.append(unit_texts[i][unit])
        embedded = embedder.embed_passages(texts)
        for (i, unit), vector in zip(batch, embedded, strict=False):
            if unit is None:
                matrix[i] = vector
            else:
                unit_parts[i].append(vector)
        if progress:
            progress(min(start + EMBED_BATCH, len(jobs)), len(jobs))
    for i in units_to_embed:
        units[i] = np.vstack(unit_parts[i]) if unit_parts[i] else np.zeros((0, embedder.dim), np.float32)
    del jobs, unit_texts, unit_parts, passage_texts
    unit_matrix = unit_owners = None
    if keep_units and all(u is not None for u in units):
        owners = [np.full(len(u), i, dtype=np.int32) for i, u in enumerate(units)]
        unit_matrix = np.vstack([np.zeros((0, embedder.dim), np.float32), *units]).astype(np.float32)
        unit_owners = np.concatenate([np.zeros(0, np.int32), *owners])
    units.clear()
    manifest = {
        "format_version": FORMAT_VERSION,
        "parser_version": parser_version(),
        "embedding_format": embedding_format(),
        "embedder": {"identity": embedder.identity, "dim": embedder.dim},
        "files": file_info,
        "passage_count": count,
        "embedded_now": len(to_embed),
        "reused": count - len(to_embed),
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "build_seconds": None,
        "search": "hnsw" if count > EXACT_SEARCH_LIMIT else "exact",
        "unit_count": None if unit_matrix is None else len(unit_matrix),
    }
    holder = [matrix]
    del matrix  # write_generation lets go of it once FAISS holds the vectors
    return write_generation(index_dir, staging, holder, manifest, started, unit_matrix, unit_owners)


def _read_some(path: Path, wanted: list[int]):
    """(index, passage) for the wanted lines (ascending indices) of a passages file, read one at a time."""
    if not wanted:
        return
    position = 0
    with open(path, encoding="utf-8") as handle:
        for i, line in enumerate(handle):
            if i == wanted[position]:
                yield i, Passage.from_json(line)
                position += 1
                if position == len(wanted):
                    return


def write_lexical(staging: Path, passages: list[Passage]) -> dict[str, str]:
    """Build the lexical index of the passages into staging/LEXICAL; returns its files and their sha256."""
    written = LexicalIndex.build(EmbeddingTexts(passages)).save(staging / LEXICAL)
    files = {}
    for path in written:
        _fsync_file(path)
        files[path.relative_to(staging).as_posix()] = sha256_file(path)
    return files


def _content_digest(path: Path) -> str | None:
    """Hash of a file's bytes alone (not its manifest): two names for one document share it."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None  # read_document reports the file


def _later_copies(files: list[Path], digests: dict[Path, str | None], corpus_dir: Path,
                  reusable: dict[str, dict], hashes: dict[str, str]) -> set[Path]:
    """Of files with the same content, all but the one to index: the one indexed before (answers keep their
    citations), else the oldest file (the original rather than its copy). They are handled last."""
    groups: dict[str, list[Path]] = {}
    for path in files:
        if digests[path] is not None:
            groups.setdefault(digests[path], []).append(path)
    copies: set[Path] = set()
    for paths in groups.values():
        if len(paths) < 2:
            continue

        def rank(path: Path) -> tuple:
            source = path.relative_to(corpus_dir).as_posix()
            previous = reusable.get(source)
            indexed = bool(previous and previous["items"] and previous["hash"] == hashes[source])
            try:
                modified = path.stat().st_mtime_ns
            except OSError:
                modified = 0
            return (not indexed, modified, source)

        keep = min(paths, key=rank)
        copies.update(path for path in paths if path != keep)
    return copies


def _reusable(old: IndexStore | None, embedder: Embedder) -> tuple[dict[str, dict], _ByText]:
    """What the previous index made with the same embedder: its passages and vectors per file when they were also
    parsed the same way (by_source), and its vectors by the text embedded (a file that changed, or a new parser,
    embeds only what reads differently)."""
    if old is None or old.manifest.get("embedder", {}).get("identity") != embedder.identity:
        return {}, _ByText({})
    manifest = old.manifest
    matrix = old.matrix()
    by_source: dict[str, dict] = {
        source: {"hash": info.get("hash"), "info": info, "items": []}
        for source, info in manifest.get("files", {}).items()
    } if manifest.get("parser_version") == parser_version() else {}
    per_passage: list[np.ndarray | None] = [None] * len(old.passages)
    if old.unit_vectors is not None:
        order = np.argsort(old.unit_owners, kind="stable")
        bounds = np.searchsorted(old.unit_owners[order], np.arange(len(old.passages) + 1))
        per_passage = [old.unit_vectors[order[bounds[i] : bounds[i + 1]]] for i in range(len(old.passages))]
    # (texts made by other code than now would be read the way this code makes them: no reuse by text then)
    same_format = manifest.get("embedding_format") == embedding_format()
    old_items: dict[str, list[tuple]] = defaultdict(list)
    for passage, vector, unit_vectors in zip(old.passages, matrix, per_passage, strict=False):
        if passage.source in by_source:
            by_source[passage.source]["items"].append((passage, vector, unit_vectors))
        if same_format:
            old_items[passage.source].append((passage, vector, unit_vectors))
    return by_source, _ByText(old_items)


class _ByText:
    """The previous index's vectors by the text embedded, and its unit vectors by the units, per file: worked out
    for a file only when it is parsed anew (a one-file change at 186,000 passages need not digest them all)."""

    def __init__(self, old_items: dict[str, list[tuple]]) -> None:
        self._old_items = old_items
        self._maps: dict[str, tuple[dict[bytes, np.ndarray], dict[bytes, np.ndarray]]] = {}

    def vectors(self, passage: Passage) -> tuple[np.ndarray | None, np.ndarray | None]:
        """The reusable vector and unit vectors of a passage parsed anew (None for what is to be embedded)."""
        if passage.source not in self._old_items:
            return None, None
        if passage.source not in self._maps:
            texts: dict[bytes, np.ndarray] = {}
            units: dict[bytes, np.ndarray] = {}
            for old, vector, unit_vectors in self._old_items[passage.source]:
                texts.setdefault(_text_key(embedding_text(old)), vector)
                if unit_vectors is not None:
                    units.setdefault(_units_key(old), unit_vectors)
            self._maps[passage.source] = (texts, units)
        texts, units = self._maps[passage.source]
        return texts.get(_text_key(embedding_text(passage))), units.get(_units_key(passage))


def _text_key(text: str) -> bytes:
    return hashlib.blake2b(text.encode(), digest_size=16).digest()


def _units_key(passage: Passage) -> bytes:
    return _text_key("\x00".join(embedding_units(passage)))


def _new_staging(index_dir: Path) -> Path:
    """A new staging folder, .gen-….tmp: renamed to gen-… when complete; a leftover is removed later."""
    index_dir.mkdir(parents=True, exist_ok=True)
    name = f"gen-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 1_000_000}"
    staging = index_dir / f".{name}.tmp"
    staging.mkdir()
    return staging


def write_generation(index_dir: Path, staging: Path, matrix: np.ndarray | list[np.ndarray], manifest: dict,
                     started: float, unit_matrix: np.ndarray | None = None,
                     unit_owners: np.ndarray | None = None) -> IndexStore:
    """Complete a generation whose passages file is in staging, switch CURRENT to it, return it as loaded.

    The HNSW graph is built, written and let go of first (with the matrix, when it is handed over in a
    one-element list, which is emptied); only then are the passages read back and the lexical index made
    from them (see build). The vectors and the lexical index are then read memory-mapped, as
    read_generation reads them.
    """
    import faiss

    if isinstance(matrix, list):
        holder, matrix = matrix, matrix[0]
        holder.clear()
    name = staging.name[1 : -len(".tmp")]
    vectors = make_faiss(matrix, manifest["embedder"]["dim"])
    del matrix
    faiss.write_index(vectors, str(staging / VECTORS))
    del vectors
    _fsync_file(staging / VECTORS)
    if unit_matrix is not None:
        for filename, array in ((UNIT_VECTORS, unit_matrix), (UNIT_OWNERS, unit_owners)):
            with open(staging / filename, "wb") as handle:
                np.save(handle, array, allow_pickle=False)
                handle.flush()
                os.fsync(handle.fileno())
    passages = read_passages(staging / PASSAGES)
    manifest["lexical"] = {"documents": len(passages), "files": write_lexical(staging, passages)}
    manifest["passages_sha256"] = sha256_file(staging / PASSAGES)
    manifest["vectors_sha256"] = sha256_file(staging / VECTORS)
    if unit_matrix is not None:
        manifest["units_sha256"] = sha256_file(staging / UNIT_VECTORS)
    manifest["build_seconds"] = round(time.monotonic() - started, 2)
    _write_atomic(staging / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
    final = index_dir / name
    os.replace(staging, final)
    # The switch: CURRENT names the new generation; until this rename the old one stays in use.
    _write_atomic(index_dir / CURRENT, name)
    _remove_old_generations(index_dir, keep=name)
    hnsw = manifest["search"] == "hnsw"
    vectors = faiss.read_index(str(final / VECTORS), faiss.IO_FLAG_MMAP_IFC if hnsw else 0)
    return IndexStore(passages=passages, vectors=vectors, manifest=manifest, path=final,
                      unit_vectors=unit_matrix, unit_owners=unit_owners, _lexical=LexicalIndex.load(final / LEXICAL))


def _write_atomic(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    _fsync_dir(path.parent)  # the rename itself survives a power cut, not only the file's bytes


def _fsync_dir(path: Path) -> None:
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass  # some file systems cannot sync a folder
    finally:
        os.close(descriptor)


def _fsync_file(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def _remove_old_generations(index_dir: Path, keep: str) -> None:
    for entry in index_dir.iterdir():
        if entry.name.startswith(f".{CURRENT}.") and entry.name.endswith(".tmp") and entry.is_file():
            entry.unlink(missing_ok=True)  # a pointer update cut short by a crash; callers hold the lock
            continue
        if entry.name in (keep, CURRENT, ".lock") or not entry.is_dir():
            continue
        if entry.name.startswith("gen-") or (entry.name.startswith(".gen-") and entry.name.endswith(".tmp")):
            shutil.rmtree(entry, ignore_errors=True)
