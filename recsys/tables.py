"""The CLI's tables: id CSVs read strictly, CSVs written atomically, text tables for people.

Reading is strict because a silently misparsed id file produces plausible-looking but wrong
predictions; every problem becomes a ``TableError`` whose one-line message names the file
and, where there is one, the line.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd


class TableError(ValueError):
    """An input table is missing or malformed, or an output cannot be written."""


def read_ids(path: str | Path, columns: Sequence[str]) -> pd.DataFrame:
    """``columns`` of a CSV with a header, as int64; other columns are ignored.

    Lines are numbered as an editor shows them (the header is line 1).
    """
    file = Path(path)
    if not file.is_file():
        raise TableError(f"{file}: file not found")
    try:
        frame = pd.read_csv(
            file, dtype=str, keep_default_na=False, skipinitialspace=True, encoding="utf-8-sig"
        )
    except pd.errors.EmptyDataError:
        raise TableError(f"{file}: empty file (expected a header: {','.join(columns)})") from None
    except (pd.errors.ParserError, UnicodeDecodeError, OSError) as exc:
        raise TableError(f"{file}: not a readable CSV ({str(exc).splitlines()[0]})") from None
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise TableError(
            f"{file}: missing column(s) {', '.join(missing)} (header must name {','.join(columns)})"
        )
    out = {}
    for column in columns:
        text = frame[column].str.strip()
        ok = text.str.fullmatch(r"[+-]?[0-9]{1,18}")  # \d would also take "٣" and "３"
        if not ok.all():
            row = int((~ok).to_numpy().argmax())
            raise TableError(
                f"{file}: line {row + 2}: {column} must be an integer, got {text.iloc[row]!r}"
            )
        out[column] = text.astype("int64")
    return pd.DataFrame(out)


def write_csv(path: str | Path, frame: pd.DataFrame, float_format: str = "%.4f") -> None:
    """Write ``frame`` without its index; readers never see a half-written file."""
    file = Path(path)
    if not file.parent.is_dir():
        raise TableError(f"{file}: directory {file.parent} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{file.name}-", suffix=".tmp", dir=file.parent)
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as fh:
            frame.to_csv(fh, index=False, float_format=float_format, lineterminator="\n")
        os.replace(tmp, file)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise TableError(f"{file}: cannot write ({exc.strerror or exc})") from None


def render(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A plain text table: columns padded, numbers right-aligned, fractions to 4 decimals."""
    cells = [[_cell(v) for v in row] for row in rows]
    numeric = [
        all(_is_number(row[i]) for row in cells) and bool(cells) for i in range(len(headers))
    ]
    widths = [max([len(h), *(len(row[i]) for row in cells)]) for i, h in enumerate(headers)]

    def line(values: Sequence[str]) -> str:
        parts = [
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ]
        return "  ".join(parts).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *map(line, cells)])


def render_pairs(pairs: Iterable[tuple[str, object]]) -> str:
    """``key: value`` lines with the values aligned, for summaries."""
    items = [(k, _cell(v)) for k, v in pairs]
    width = max((len(k) for k, _ in items), default=0)
    return "\n".join(f"{k + ':':<{width + 1}} {v}" for k, v in items)


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float | np.floating):
        if float(value).is_integer() and abs(float(value)) >= 1:
            return str(int(value))
        return f"{value:.4f}"
    return str(value)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return text == "-"
    return True
