"""Staff: add and remove protocols in the running app (only with a login). A file is checked (name, type, size,
readable), stored only inside the corpus folder, indexed, and every session is switched to the new index
generation; an answer in flight finishes on the generation it started with. Every change is logged with user
and time."""

from __future__ import annotations

import json
import re
import shutil
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

from assistant import Assistant
from index import CorpusError
from index.documents import SUFFIXES, read_document

from .handlers import Handlers, UserMessage

MAX_UPLOAD_BYTES = 20 * 2**20
MAX_FIELD_CHARS = 200
KINDS = ("", "fotoprotokoll", "workshop-tabellen", "generic")
MANIFEST_FIELDS = ("title", "short_title", "city", "date", "kind")
SAFE_NAME = re.compile(r"^[^\W_][\w .,()\-–]{0,150}$")  # letters, digits, space and a little punctuation
LOG_FILE = "aenderungen.jsonl"


def checked_name(name: str) -> str:
    """The file name a document is stored under: its own base name, of an allowed type, without path parts."""
    base = str(name or "").strip()
    if not base or any(part in base for part in ("/", "\\", "..")) or base != Path(base).name:
        raise UserMessage("Der Dateiname ist ungültig.")
    if Path(base).suffix.lower() not in SUFFIXES:
        raise UserMessage(f"Erlaubt sind nur Dateien mit der Endung {', '.join(SUFFIXES)}.")
    if not SAFE_NAME.match(base) or base.endswith(".meta.json"):
        raise UserMessage("Der Dateiname darf nur Buchstaben, Ziffern, Leerzeichen und . , ( ) - enthalten.")
    return base


def checked_manifest(fields: dict) -> dict:
    manifest = {}
    for key in MANIFEST_FIELDS:
        value = " ".join(str(fields.get(key) or "").split())
        if len(value) > MAX_FIELD_CHARS:
            raise UserMessage(f"Das Feld „{key}“ ist zu lang (höchstens {MAX_FIELD_CHARS} Zeichen).")
        if value:
            manifest[key] = value
    if "date" in manifest:
        try:
            date.fromisoformat(manifest["date"])
        except ValueError:
            raise UserMessage("Das Datum muss die Form JJJJ-MM-TT haben (z. B. 2019-02-13).") from None
    if manifest.get("kind", "") not in KINDS:
        raise UserMessage(f"Unbekannte Art: {manifest['kind']}.")
    return manifest


class Staff:
    """Changes to the corpus of a running app, one at a time."""

    def __init__(self, handlers: Handlers, log_file: Path | None = None) -> None:
        self.handlers = handlers
        settings = handlers.assistant.settings
        self.corpus_dir = Path(settings.corpus_dir)
        self.log_file = Path(log_file) if log_file else Path(settings.data_dir) / LOG_FILE
        self._lock = threading.Lock()

    def documents(self) -> list[str]:
        return sorted(path.name for path in self.corpus_dir.iterdir()
                      if path.is_file() and path.suffix.lower() in SUFFIXES)

    def upload(self, file_path, name: str, user: str, fields: dict | None = None,
               progress: Callable[[float, str], None] | None = None) -> dict:
        progress = progress or (lambda share, text: None)
        if not file_path:
            raise UserMessage("Bitte wählen Sie eine Datei aus.")
        name = checked_name(name)
        manifest = checked_manifest(fields or {})
        size = Path(file_path).stat().st_size
        if size > MAX_UPLOAD_BYTES:
            raise UserMessage(f"Die Datei ist zu groß (höchstens {MAX_UPLOAD_BYTES // 2**20} MB).")
        with self._lock:
            target = self.corpus_dir / name
            if target.exists():
                raise UserMessage(f"„{name}“ gibt es schon; entfernen Sie es zuerst, um es zu ersetzen.")
            progress(0.1, "Datei wird geprüft …")
            shutil.copyfile(file_path, target)
            meta = self.corpus_dir / f"{name}.meta.json"
            try:
                if manifest:
                    meta.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
                read_document(target, self.corpus_dir)  # unreadable (binary, broken PDF, too much text): refused
            except CorpusError as error:
                target.unlink(missing_ok=True)
                meta.unlink(missing_ok=True)
                raise UserMessage(f"Die Datei kann nicht gelesen werden: {error}") from None
            progress(0.3, "Index wird aktualisiert …")
            self._reload()
            self._log(user, "hinzugefügt", name, manifest)
        progress(1.0, "Fertig.")
        # (the page adds what it shows of the corpus now: filters, document list, intro)
        return {"staff_status": f"„{name}“ wurde hinzugefügt und ist ab sofort durchsuchbar."}

    def remove(self, name: str, user: str, progress: Callable[[float, str], None] | None = None) -> dict:
        progress = progress or (lambda share, text: None)
        if name not in self.documents():
            raise UserMessage("Dieses Dokument gibt es nicht.")
        with self._lock:
            (self.corpus_dir / name).unlink()
            (self.corpus_dir / f"{name}.meta.json").unlink(missing_ok=True)
            progress(0.3, "Index wird aktualisiert …")
            self._reload()
            self._log(user, "entfernt", name, {})
        progress(1.0, "Fertig.")
        return {"staff_status": f"„{name}“ wurde entfernt."}

    def _reload(self) -> None:
        assistant = Assistant.load(settings=self.handlers.assistant.settings)
        self.handlers.switch(assistant)

    def _log(self, user: str, action: str, name: str, manifest: dict) -> None:
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        record = {"time": datetime.now(UTC).isoformat(timespec="seconds"), "user": user or "", "action": action,
                  "file": name, "manifest": manifest}
        with open(self.log_file, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
