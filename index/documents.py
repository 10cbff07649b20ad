"""Finding corpus files and reading them as numbered lines with their manifest."""

from __future__ import annotations

import errno
import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from .pdf_clean import clean_pages
from .titles import Described, describe, front_matter_blanked, short_title, split_front_matter

log = logging.getLogger(__name__)

SUFFIXES = (".txt", ".md", ".pdf", ".docx")
MANIFEST_SUFFIX = ".meta.json"
MAX_FILE_BYTES = 50 * 1024 * 1024  # PDF and DOCX may carry large images; their text is limited below
# Text per document. Our protocols are 20-30 KB; 2 MB is ~1000 pages and takes minutes to embed on a small
# CPU machine (every passage and line is embedded), while a 20 MB dump would hold the index lock and the
# app's start for more than an hour. Over the limit a file is refused by name; the rest is still indexed.
MAX_TEXT_BYTES = 2 * 1024 * 1024


class CorpusError(Exception):
    """A corpus file or folder that cannot be used; the message (German) names it and the fix."""


# Why a file or folder could not be used, in words for the people who run the index or the app (the system's
# own text, strerror, is English); unusual causes keep the system's text.
_OS_REASONS = {
    errno.ENOENT: "nicht vorhanden",
    errno.EACCES: "keine Berechtigung",
    errno.EPERM: "keine Berechtigung",
    errno.EISDIR: "ist ein Ordner, keine Datei",
    errno.ENOTDIR: "ein Teil des Pfads ist eine Datei, kein Ordner",
    errno.EEXIST: "existiert schon (etwa als Datei, wo ein Ordner hin soll)",
    errno.ENOSPC: "kein Platz mehr auf dem Datenträger",
    errno.EDQUOT: "Speicherkontingent erschöpft",
    errno.EROFS: "Datenträger ist schreibgeschützt",
    errno.ENAMETOOLONG: "Name zu lang",
    errno.ELOOP: "zu viele verkettete symbolische Links",
    errno.EIO: "Ein-/Ausgabefehler des Datenträgers",
    errno.EMFILE: "zu viele offene Dateien",
    errno.EBUSY: "wird gerade benutzt",
    errno.EADDRINUSE: "Port ist schon belegt",
    errno.EADDRNOTAVAIL: "Adresse ist auf diesem Rechner nicht verfügbar",
}


def os_error_reason(error: OSError) -> str:
    """Why the system refused a file, folder or port, in German where the cause is a common one."""
    return _OS_REASONS.get(error.errno) or error.strerror or str(error) or error.__class__.__name__


def unusable_path_message(error: OSError) -> str:
    """The message for a file or folder that cannot be used (index folder not writable, disk full …)."""
    where = f" ({error.filename})" if error.filename else ""
    return (f"Datei oder Ordner nicht nutzbar{where}: {os_error_reason(error)}. "
            "Bitte Pfad, Berechtigungen und freien Speicherplatz prüfen.")


def megabytes(size: float) -> str:
    """A size in MB the German way: "20,0 MB"."""
    return f"{size / 2**20:.1f} MB".replace(".", ",")


@dataclass
class DocumentMeta:
    """What the per-document manifest says; everything optional."""

    title: str
    short_title: str | None = None
    city: str | None = None
    date: str | None = None
    kind: str | None = None  # selects a layout parser; None lets the parsers sniff
    extra: dict = field(default_factory=dict)
    number: int | None = None  # the meeting's number ("Protokoll Nr. 61"), when the document states it
    # Where title, date and city came from when no manifest stated them ("PDF-Metadaten", "Front Matter" …)
    origin: dict = field(default_factory=dict)


@dataclass
class Document:
    """One corpus file as 1-based numbered lines of text."""

    source: str  # path relative to the corpus folder, forward slashes
    lines: list[str]  # lines[0] is line 1
    meta: DocumentMeta
    pages: list[int] | None = None  # page number of each line, for PDFs

    def line(self, number: int) -> str:
        return self.lines[number - 1]


def corpus_files(corpus_dir: Path) -> list[Path]:
    """The document files of a corpus folder, sorted, hidden files and manifests left out."""
    corpus_dir = Path(corpus_dir)
    if not corpus_dir.exists():
        raise CorpusError(f"Den Protokoll-Ordner {corpus_dir} gibt es nicht. Legen Sie ihn an oder nennen Sie "
                          "den richtigen Ordner mit --corpus (oder PROTOKOLL_CORPUS).")
    if not corpus_dir.is_dir():
        raise CorpusError(f"{corpus_dir} ist kein Ordner. Nennen Sie den Ordner mit den Protokollen mit --corpus "
                          "(oder PROTOKOLL_CORPUS).")
    files = []
    for path in sorted(corpus_dir.rglob("*")):
        relative = path.relative_to(corpus_dir)
        if any(part.startswith(".") for part in relative.parts):
            continue
        if path.is_file() and path.suffix.lower() in SUFFIXES:
            files.append(path)
    return files


def file_hash(path: Path) -> str:
    """Content hash of a document together with its manifest, so editing either re-indexes it."""
    digest = hashlib.sha256(path.read_bytes())
    manifest = manifest_path(path)
    if manifest.exists():
        digest.update(b"\x00manifest\x00")
        digest.update(manifest.read_bytes())
    return digest.hexdigest()


def manifest_path(path: Path) -> Path:
    return path.with_name(path.name + MANIFEST_SUFFIX)


def read_document(path: Path, corpus_dir: Path) -> Document:
    """Read one corpus file; raises CorpusError with a message naming the file.

    Title, date, number and city come from the manifest where it states them, else from the document itself
    (index/titles.py), the file name being the last resort for the title. A Markdown front matter is read for
    them and blanked in the lines but for where the meeting was (titles.FRONT_MATTER_TEXT; the line numbers stay
    the file's). A PDF's lines are cleaned (index/pdf_clean.py): these cleaned lines are the document's lines, for
    the citations and the source view alike.
    """
    source = path.relative_to(corpus_dir).as_posix()
    suffix = path.suffix.lower()
    found: dict = {}
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise CorpusError(f"{source}: Die Datei ist {megabytes(size)} groß, erlaubt sind höchstens "
                              f"{MAX_FILE_BYTES // 2**20} MB. Teilen Sie sie auf: eine Datei je Protokoll.")
        if suffix in (".txt", ".md"):
            check_text_size(size, source)
        manifest = read_manifest_data(path, source)
        pages = None
        if suffix in (".txt", ".md"):
            lines = split_lines(decode_text(path.read_bytes(), source))
            front, length = split_front_matter(lines)
            if front:
                lines = front_matter_blanked(lines, length)
                found["front"] = front
        elif suffix == ".pdf":
            lines, pages, found = read_pdf_cleaned(path, source)
        elif suffix == ".docx":
            lines = read_docx(path, source)
        else:
            raise CorpusError(f"{source}: Den Dateityp {suffix} kann der Assistent nicht lesen; möglich sind "
                              f"{', '.join(SUFFIXES)}.")
    except OSError as error:  # removed while indexing, no permission, a folder named .txt …
        raise CorpusError(f"{source}: Die Datei kann nicht gelesen werden ({os_error_reason(error)}).") from None
    if suffix in (".pdf", ".docx"):
        check_text_size(sum(len(line.encode("utf-8")) + 1 for line in lines), source)
    described = describe(lines, suffix=suffix, stem=path.stem, **found)
    meta = document_meta_of(manifest or {}, described, fallback_title(path))
    return Document(source=source, lines=lines, meta=meta, pages=pages)


def fallback_title(path: Path) -> str:
    return path.stem.replace("_", " ").replace("-", " ").strip() or path.name


def document_meta_of(manifest: dict, described: Described, fallback: str) -> DocumentMeta:
    """The manifest's fields where it states them, else what the document states, else the file name."""
    origin = {}

    def pick(key: str, value):
        if key in manifest:
            origin[key] = "Manifest"
            return manifest[key]
        if value is not None and key in described.origin:
            origin[key] = described.origin[key]
        return value

    title = pick("title", described.title)
    if not title:
        title, origin["title"] = fallback, "Dateiname"
    when = pick("date", described.date)
    short = manifest.get("short_title")
    if short is None and "title" not in manifest and when and described.date == when:
        short = short_title(str(title), when)
        if short == title:
            short = None
    known = {"title", "short_title", "city", "date", "kind", "number"}
    return DocumentMeta(
        title=str(title),
        short_title=short,
        city=pick("city", described.city),
        date=when,
        kind=manifest.get("kind"),
        extra={key: value for key, value in manifest.items() if key not in known},
        number=manifest.get("number", described.number),
        origin=origin,
    )


def check_text_size(size: int, source: str) -> None:
    if size > MAX_TEXT_BYTES:
        raise CorpusError(f"{source}: {megabytes(size)} Text, erlaubt sind höchstens {MAX_TEXT_BYTES // 2**20} MB je "
                          "Dokument (das Einbetten dauert Minuten je MB). Teilen Sie die Datei auf: eine Datei je "
                          "Protokoll.")


def decode_text(data: bytes, source: str) -> str:
    if b"\x00" in data[:8192]:
        raise CorpusError(f"{source}: Das ist keine Textdatei (Binärdaten). Entfernen Sie sie oder speichern Sie "
                          "sie als Text.")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CorpusError(
            f"{source}: Der Text ist nicht als UTF-8 gespeichert (Byte {error.start}). Speichern Sie die Datei "
            "mit der Kodierung UTF-8 neu."
        ) from None
    return text.removeprefix("\ufeff")


def split_lines(text: str) -> list[str]:
    """Lines as an editor numbers them: \\n, \\r\\n and \\r end a line, nothing else does."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def read_manifest(path: Path, source: str) -> DocumentMeta:
    """The manifest's fields alone (the file name for a missing title); read_document adds the document's own."""
    return document_meta_of(read_manifest_data(path, source) or {}, Described(), fallback_title(path))


def read_manifest_data(path: Path, source: str) -> dict | None:
    """The manifest beside the file as a dict, None when there is none; a broken one raises CorpusError."""
    manifest = manifest_path(path)
    if not manifest.exists():
        return None
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:
        raise CorpusError(f"{source}: Das Manifest {manifest.name} ist nicht als UTF-8 gespeichert (Byte "
                          f"{error.start}). Speichern Sie es mit der Kodierung UTF-8 neu.") from None
    except json.JSONDecodeError as error:
        raise CorpusError(f"{source}: Das Manifest {manifest.name} ist kein gültiges JSON (Zeile {error.lineno}, "
                          f"Spalte {error.colno}). Berichtigen oder entfernen Sie es.") from None
    if not isinstance(data, dict):
        raise CorpusError(f"{source}: Das Manifest {manifest.name} muss ein JSON-Objekt sein, etwa "
                          '{"title": "…", "city": "…"}.')
    return data


def read_pdf(path: Path, source: str) -> tuple[list[str], list[int]]:
    """Text of a PDF as cleaned lines (index/pdf_clean.py), with the page of each line; pages are separated by a
    blank line."""
    lines, pages, _ = read_pdf_cleaned(path, source)
    return lines, pages


def read_pdf_cleaned(path: Path, source: str) -> tuple[list[str], list[int], dict]:
    """read_pdf's lines and pages, and what describe() reads besides them: the PDF's title, the letterhead
    above the first page's text and the other furniture lines taken out."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        raw = [split_lines(page.extract_text() or "") for page in reader.pages]
        try:
            pdf_title = (reader.metadata or {}).get("/Title")
        except Exception:  # a broken info dictionary is no reason to refuse the text
            pdf_title = None
    except (PdfReadError, ValueError, KeyError, OSError) as error:
        log.debug("%s: %s", source, error)  # the library's own (English) words, for whoever debugs the reader
        raise CorpusError(f"{source}: Die PDF-Datei kann nicht gelesen werden ({error.__class__.__name__}). "
                          "Exportieren Sie sie neu oder speichern Sie sie als Text.") from None
    cleaned = clean_pages(raw)
    if not any(line.strip() for line in cleaned.lines):
        log.warning("%s: Die PDF-Datei enthält keinen Text (eingescannt?); nichts zu indexieren", source)
    if cleaned.removed or cleaned.joined:
        log.debug("%s: %d Zeilen Seitenkopf/-fuß entfernt, %d getrennte Wörter verbunden", source,
                  cleaned.removed, cleaned.joined)
    furniture = [line for page in sorted(cleaned.furniture) for line in cleaned.furniture[page]]
    found = {"pdf_title": str(pdf_title) if pdf_title else None, "letterhead": cleaned.letterhead,
             "furniture": list(dict.fromkeys(furniture))}
    return cleaned.lines, cleaned.pages, found


def read_docx(path: Path, source: str) -> list[str]:
    """Paragraphs of a DOCX as lines (headings as Markdown headings), tables as tab-separated rows."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
    except Exception as error:  # python-docx raises many kinds for a broken zip or XML
        log.debug("%s: %s", source, error)
        raise CorpusError(f"{source}: Die DOCX-Datei kann nicht gelesen werden ({error.__class__.__name__}). "
                          "Speichern Sie sie in Word neu oder als Text.") from None
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            text = block.text.replace("\n", " ").strip()
            level = heading_level(block.style.name if block.style is not None else "")
            if level and text:
                lines.extend(["", "#" * level + " " + text, ""])
            else:
                lines.append(text)
        elif isinstance(block, Table):
            lines.append("")
            for row in block.rows:
                lines.append("\t".join(cell.text.replace("\n", " ").strip() for cell in row.cells))
            lines.append("")
    return lines


def heading_level(style_name: str) -> int:
    """Heading level of a Word paragraph style (English or German names), 0 for body text."""
    name = style_name.lower()
    if name == "title" or name == "titel":
        return 1
    for prefix in ("heading ", "überschrift "):
        if name.startswith(prefix) and name[len(prefix):].strip().isdigit():
            return min(int(name[len(prefix):]), 6)
    return 0
