"""Synthetic corpora for the scale benchmark: the protocols replicated with other places, topics and line order."""

from __future__ import annotations

import hashlib
import json
import random
import re
import shutil
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index.documents import corpus_files, manifest_path

# Name pools built from parts, so a copy's names look like German place names and a mask can find them all.
DISTRICT_PARTS = (
    "Nord Süd Ost West Ober Unter Alt Neu Hoch Nieder Groß Klein Mittel Hinter Vorder Wald Berg Tal Au See".split(),
    "bach feld heim dorf hausen hagen berg brück stein wiese hof au rode holz kamp busch horst beck mark loh".split(),
)
CITY_PARTS = (
    "Lind Eich Buch Ros Wolf Fal Hir Kron Stern Burg Mühl Wein Sonn Brunn Holl Asch Birk Erl Fisch Gold "
    "Hag Kirch Lang Marl Nei Quer Rein Sand Tann Ulm Vell Zell Alb Bor Dorn Elm Gern Hain Iser Jos".split(),
    "enau ingen stedt burg heide thal ach eck wald furt hausen berg dorf feld hof rode stein born brück kirchen "
    "leben bach mar hagen stadt".split(),
)
DISTRICTS = tuple(a + b for a in DISTRICT_PARTS[0] for b in DISTRICT_PARTS[1])
CITIES = tuple(a + b for a in CITY_PARTS[0] for b in CITY_PARTS[1])
# The names the real protocols use (OCR variants included), replaced in copies and masked alike.
ORIGINAL_DISTRICTS = {
    "Altstadt": ("Altstadt", "Hiltstadt"),
    "Schalke-Nord": ("Schalke-Nord", "Schalke-\nNord"),  # a board label broken at the hyphen
    "Schalke": ("Schalke",),
    "Bismarck": ("Bismarck",),
    "Bulmke-Hüllen": ("Bulmke-Hüllen", "Bulmke-Hülken"),
    "Feldmark": ("Feldmark",),
    "Heßler": ("Heßler",),
}
ORIGINAL_CITIES = ("Gelsenkirchen", "Minden")
NAMES = (
    frozenset(DISTRICTS)
    | frozenset(CITIES)
    | frozenset(ORIGINAL_CITIES)
    | frozenset(f"{name}-Nord" for name in DISTRICTS)
    | frozenset(variant for variants in ORIGINAL_DISTRICTS.values() for variant in variants)
)

_BULLET = re.compile(r"^- ")
_CONTINUATION = re.compile(r"^(\s+\S|↳)")
_TOPIC_LINE = re.compile(r"^Thema:\s*\S")
_LONE_TOPIC = re.compile(r"^Thema\s*$")


@dataclass
class SyntheticCorpus:
    """A corpus folder written by `make_corpus`: copy 0 is the real protocols, the rest are varied copies."""

    path: Path
    factor: int
    files: list[Path] = field(default_factory=list)

    @property
    def bytes(self) -> int:
        return sum(path.stat().st_size for path in self.files)


def make_corpus(source_dir: Path, target_dir: Path, factor: int, seed: int = 0) -> SyntheticCorpus:
    """Write `factor` copies of every protocol in source_dir into target_dir/c0000, c0001, ….

    Copy 0 is the protocols as they are. Every other copy gets its own city and district names (in the
    district list, the board labels and the text), topic titles tagged with one of its districts, and the
    bullet lines of each board and the rows of each table page in another order. Line counts stay as they
    are, so every copy goes through the ordinary parsers and yields as many passages as its original.
    """
    source_dir, target_dir = Path(source_dir), Path(target_dir)
    if target_dir.exists():
        shutil.rmtree(target_dir)
    corpus = SyntheticCorpus(target_dir, factor)
    originals = corpus_files(source_dir)
    rng = random.Random(seed)
    # A city of its own for every copy (1,000 names): two copies alike would be indexed once (same content).
    cities = rng.sample(CITIES, factor) if factor <= len(CITIES) else [rng.choice(CITIES) for _ in range(factor)]
    for copy in range(factor):
        folder = target_dir / f"c{copy:04d}"
        folder.mkdir(parents=True)
        districts = dict(zip(ORIGINAL_DISTRICTS, rng.sample(DISTRICTS, len(ORIGINAL_DISTRICTS)), strict=True))
        districts["Schalke-Nord"] += "-Nord"  # a hyphenated name, as in the original
        city = cities[copy]
        for path in originals:
            target = folder / path.name
            manifest = manifest_path(path)
            meta = json.loads(manifest.read_text(encoding="utf-8")) if manifest.exists() else {}
            text = path.read_text(encoding="utf-8")
            if copy:
                text = vary_text(text, districts, city, rng)
                meta = vary_meta(meta, city)
            target.write_text(text, encoding="utf-8")
            if meta:
                manifest_path(target).write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
            corpus.files.append(target)
    return corpus


def vary_text(text: str, districts: dict[str, str], city: str, rng: random.Random) -> str:
    """One protocol with other names and another order of bullets and table rows."""
    replacements = {
        variant: districts[name].replace("-", "-\n") if "\n" in variant else districts[name]
        for name, variants in ORIGINAL_DISTRICTS.items()
        for variant in variants
    }
    replacements.update({original: city for original in ORIGINAL_CITIES})
    pattern = re.compile(
        r"(?<![\w-])(" + "|".join(map(re.escape, sorted(replacements, key=len, reverse=True))) + r")(?![\w-])"
    )
    lines = pattern.sub(lambda m: replacements[m.group(1)], text).split("\n")
    tags = list(districts.values())
    lines = [*_tag_topics(lines, tags, rng)]
    headers = Counter(line for line in lines if "\t" in line).most_common(1)  # a table's repeated header row
    return "\n".join(_shuffle_groups(lines, rng, headers[0][0] if headers else None))


def vary_meta(meta: dict, city: str) -> dict:
    meta = dict(meta)
    for key in ("title", "short_title"):
        if meta.get(key):
            meta[key] = re.sub(r"\b(" + "|".join(ORIGINAL_CITIES) + r")\b", city, meta[key])
    if meta.get("city"):
        meta["city"] = city
    return meta


def _tag_topics(lines: list[str], tags: list[str], rng: random.Random):
    """Topic titles ("Thema: X", or the first line after a lone "Thema") get a district: "X (Nordbach)"."""
    expecting = False
    for line in lines:
        if _TOPIC_LINE.match(line):
            yield f"{line.rstrip()} ({rng.choice(tags)})"
        elif expecting and line.strip():
            expecting = False
            yield f"{line.rstrip()} ({rng.choice(tags)})"
        else:
            if _LONE_TOPIC.match(line):
                expecting = True
            yield line


def _shuffle_groups(lines: list[str], rng: random.Random, header: str | None) -> list[str]:
    """Shuffle runs of bullets (with their indented/arrow continuations) and runs of table rows (with the
    continuation rows that belong to them); anything else, and a run's leading continuations, stay put."""
    out: list[str] = []
    run: list[list[str]] = []
    kind = None

    def flush():
        nonlocal run, kind
        head = run[:1] if run and not _starts_group(run[0][0], kind) else []
        body = run[len(head) :]
        rng.shuffle(body)
        out.extend(line for group in head + body for line in group)
        run, kind = [], None

    for line in lines:
        line_kind = "row" if "\t" in line and line != header else ("bullet" if _BULLET.match(line) else None)
        if line_kind and line_kind == kind:
            if _starts_group(line, kind):
                run.append([line])
            else:
                run[-1].append(line)
        elif line_kind:
            flush()
            kind = line_kind
            run = [[line]]
        elif kind == "bullet" and _CONTINUATION.match(line):
            run[-1].append(line)
        else:
            flush()
            out.append(line)
    flush()
    return out


def _starts_group(line: str, kind: str | None) -> bool:
    if kind == "row":
        return bool(line.split("\t", 1)[0].strip())
    return bool(_BULLET.match(line))


def mask_names(text: str) -> str:
    """The text with every place and city name of the pools masked, and the topic tags removed."""

    def mask(match: re.Match) -> str:
        word = match.group()
        if word in NAMES:
            return "§"
        return "-".join("§" if part in NAMES else part for part in word.split("-"))  # "Gelsenkirchen-Mitte"

    return re.sub(r"[^\W\d_]+(?:-[^\W\d_]+)*", mask, text).replace(" (§)", "")


class StandInEmbedder:
    """Passage vectors for synthetic copies without running the model for each of them.

    A text is reduced to a key (names masked, topic tags removed, lines sorted): a copy's text has the
    key of the original text it was made from. The first text with a key is embedded by the real model;
    every other text with that key gets that vector plus Gaussian noise (seeded by the text), normalised.
    Questions are embedded by the real model. Parsing, storage, FAISS and ranking see realistic vectors
    (clusters of near-duplicates around real ones), but the cost of embedding is not measured by it.
    """

    # Gaussian noise per dimension: 0.015 puts a copy at cosine ~0.96 from its original, as close as the real
    # model puts a copy with other names and another line order (measured on 40 passages: 0.962 on average).
    def __init__(self, real, noise: float = 0.015) -> None:
        self.real = real
        self.dim = real.dim
        self.noise = noise
        self.identity = f"stand-in(noise={noise})/{real.identity}"
        self._vectors: dict[str, tuple[str, np.ndarray]] = {}
        self.model_calls = 0  # texts the real model embedded
        self.model_seconds = 0.0  # and the time it took, which a build time without the model leaves out

    @staticmethod
    def key(text: str) -> str:
        return "\n".join(sorted(mask_names(text).split("\n")))

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        keys = [self.key(text) for text in texts]
        missing = list(dict.fromkeys(key for key in keys if key not in self._vectors))
        if missing:
            first: dict[str, str] = {}
            for key, text in zip(keys, texts, strict=True):
                first.setdefault(key, text)
            started = time.perf_counter()
            vectors = self.real.embed_passages([first[key] for key in missing])
            self.model_seconds += time.perf_counter() - started
            self.model_calls += len(missing)
            for key, vector in zip(missing, vectors, strict=True):
                self._vectors[key] = (first[key], vector)
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for row, (key, text) in enumerate(zip(keys, texts, strict=True)):
            original, vector = self._vectors[key]
            if text != original:
                seed = int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")
                vector = vector + np.random.default_rng(seed).normal(0.0, self.noise, self.dim).astype(np.float32)
                vector /= np.linalg.norm(vector)
            out[row] = vector
        return out

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self.real.embed_queries(texts)
