"""How a citation names its lines, the same in the app, the export and the command line."""

from __future__ import annotations


def line_span(lines: tuple[int, int]) -> str:
    """Lines as every citation names them: "Zeile 4" or "Zeilen 4–9"."""
    first, last = lines
    return f"Zeile {first}" if first == last else f"Zeilen {first}–{last}"
