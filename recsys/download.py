"""Fetch MovieLens ``ml-latest-small`` from GroupLens into a local cache, verified.

Two checks guard what lands in the cache:

* the zip's own SHA-256 (``sha256=``) is **optional**: GroupLens publishes no checksum for
  the zip and we have not pinned one, so the default is ``None`` (skip). Pass one to pin a
  known archive.
* every extracted file's SHA-256 is **mandatory**: ``ML_LATEST_SMALL_FILES`` holds the
  checksums of the five files (the same bytes as several independent public copies), so a
  download is verified file by file even though the zip itself is not pinned. A mapping
  with no files is refused rather than treated as "skip".

Nothing half-written is ever visible: the zip is streamed to a temporary file, extracted
into a temporary folder inside the cache, checked, then renamed into place. On any failure
the temporaries are removed and the cache is left as it was.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from tqdm import tqdm

ML_LATEST_SMALL_URL = "https://files.grouplens.org/datasets/movielens/ml-latest-small.zip"
#: SHA-256 of the zip itself: unknown here, so not checked unless a caller pins one.
ML_LATEST_SMALL_SHA256: str | None = None
#: SHA-256 of each extracted file (from ../shared/datasets/SHA256SUMS).
ML_LATEST_SMALL_FILES: Mapping[str, str] = {
    "README.txt": "63d22ac138e80fae37021797ed8e1b9424b5239dc576a137422adf783ae3f404",
    "links.csv": "97ad18e4e56a09363c65676b6cb3482ce3e2cea2372a24620c1599c843325f31",
    "movies.csv": "5a5f32dd9bb3797b8e728a1b98958789d2b13f294a69fdfbc5727f8a9611aa07",
    "ratings.csv": "aa289ca83157595d0df6aea1be6a4ded676ddc4385472e8313a8ed9805352646",
    "tags.csv": "92a9f8bb7916dceef6151209845788c3643f794dfa79d1feaec7121b5960399d",
}

_CHUNK = 1 << 16


class DownloadError(RuntimeError):
    """The dataset could not be fetched or did not match its checksums."""


def download(
    cache_dir: str | Path,
    url: str = ML_LATEST_SMALL_URL,
    sha256: str | None = ML_LATEST_SMALL_SHA256,
    *,
    files: Mapping[str, str] = ML_LATEST_SMALL_FILES,
    progress: bool = True,
    timeout: float = 60.0,
) -> Path:
    """Return ``cache_dir/<zip name>``, downloading and extracting it first if needed.

    ``url``'s basename without ``.zip`` names the folder (``ml-latest-small``), which is also
    the folder the zip must contain. ``sha256`` pins the zip (optional, see the module
    docstring); ``files`` maps each file name inside that folder to its SHA-256 and is always
    checked. Idempotent: a cached folder whose files all match is returned without network
    access; a folder that does not match is replaced. ``progress`` draws a byte counter on
    stderr. Raises ``DownloadError`` naming the URL or file at fault.
    """
    if not files:
        raise ValueError("download() needs the per-file SHA-256s: the file check is mandatory")
    cache = Path(cache_dir)
    name = PurePosixPath(url.split("?", 1)[0]).name.removesuffix(".zip")
    if not name:
        raise ValueError(f"cannot name a folder after {url!r}")
    target = cache / name
    if target.is_dir() and not _mismatches(target, files):
        return target

    cache.mkdir(parents=True, exist_ok=True)
    _remove_stale(cache, name)
    fd, zip_tmp = tempfile.mkstemp(prefix=f".{name}-", suffix=".zip.part", dir=cache)
    os.close(fd)
    extract_tmp = Path(tempfile.mkdtemp(prefix=f".{name}-", suffix=".extract", dir=cache))
    try:
        got = _fetch(url, Path(zip_tmp), progress=progress, timeout=timeout)
        if sha256 is not None and got != sha256.lower():
            raise DownloadError(f"{url}: SHA-256 mismatch (expected {sha256}, got {got})")
        _extract(Path(zip_tmp), extract_tmp, url)
        extracted = extract_tmp / name
        bad = _mismatches(extracted, files)
        if bad:
            raise DownloadError(f"{url}: " + "; ".join(bad))
        _move_into_place(extracted, target)
    finally:
        Path(zip_tmp).unlink(missing_ok=True)
        shutil.rmtree(extract_tmp, ignore_errors=True)
    return target


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file, read in chunks so large files never sit in memory whole."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _remove_stale(cache: Path, name: str, older_than: float = 3600.0) -> None:
    """Remove temporaries of a killed earlier download (not young ones: another process
    may be downloading right now)."""
    cutoff = time.time() - older_than
    for leftover in cache.glob(f".{name}-*"):
        if leftover.lstat().st_mtime < cutoff:
            if leftover.is_dir() and not leftover.is_symlink():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)


def _mismatches(folder: Path, files: Mapping[str, str]) -> list[str]:
    """Describe every expected file that is missing or differs; empty when all match."""
    problems = []
    for rel, expected in files.items():
        path = folder / rel
        if not path.is_file():
            problems.append(f"{rel} is missing")
        elif sha256_file(path) != expected.lower():
            problems.append(f"{rel}: SHA-256 mismatch (expected {expected})")
    return problems


def _fetch(url: str, dest: Path, *, progress: bool, timeout: float) -> str:
    """Stream ``url`` into ``dest`` and return the hex SHA-256 of what was written."""
    digest = hashlib.sha256()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response, dest.open("wb") as out:
            total = int(response.headers.get("Content-Length") or 0) or None
            with tqdm(
                total=total,
                unit="B",
                unit_scale=True,
                desc=f"download {PurePosixPath(url).name}",
                file=sys.stderr,
                disable=not progress,
            ) as bar:
                while chunk := response.read(_CHUNK):
                    out.write(chunk)
                    digest.update(chunk)
                    bar.update(len(chunk))
            received = out.tell()
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise DownloadError(f"{url}: download failed ({exc})") from exc
    if total is not None and received != total:
        raise DownloadError(f"{url}: truncated download ({received} of {total} bytes)")
    return digest.hexdigest()


def _extract(archive: Path, dest: Path, url: str) -> None:
    """Unzip into ``dest``, refusing members that would land outside it (zip-slip)."""
    try:
        with zipfile.ZipFile(archive) as zf:
            for member in zf.namelist():
                parts = PurePosixPath(member).parts
                if member.startswith("/") or ".." in parts or "\\" in member:
                    raise DownloadError(f"{url}: unsafe path in archive: {member!r}")
            zf.extractall(dest)
    except zipfile.BadZipFile as exc:
        raise DownloadError(f"{url}: not a valid zip archive ({exc})") from exc


def _move_into_place(new: Path, target: Path) -> None:
    """Rename ``new`` to ``target``; a stale ``target`` is moved aside first, then removed."""
    stale = None
    if target.exists():
        stale = Path(
            tempfile.mkdtemp(prefix=f".{target.name}-", suffix=".stale", dir=target.parent)
        )
        os.replace(target, stale / target.name)
    os.rename(new, target)
    if stale is not None:
        shutil.rmtree(stale, ignore_errors=True)
