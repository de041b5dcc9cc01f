"""download(): a zip built here, served from 127.0.0.1, fetched into a cache and verified."""

from __future__ import annotations

import hashlib
import http.server
import io
import os
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from recsys.cli import main
from recsys.download import ML_LATEST_SMALL_FILES, DownloadError, download

FILES = {
    "ratings.csv": b"userId,movieId,rating,timestamp\r\n1,1,4.0,964982703\r\n",
    "movies.csv": b"movieId,title,genres\r\n1,Toy Story (1995),Animation|Children\r\n",
}
SUMS = {name: hashlib.sha256(data).hexdigest() for name, data in FILES.items()}


def make_zip(files: dict[str, bytes], folder: str = "ml-latest-small") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in files.items():
            zf.writestr(f"{folder}/{name}", data)
    return buf.getvalue()


class Server:
    """Serves ``payload`` at any path and counts the requests it answered."""

    def __init__(self) -> None:
        self.payload = make_zip(FILES)
        self.status = 200
        self.requests = 0
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.requests += 1
                self.send_response(outer.status)
                self.send_header("Content-Length", str(len(outer.payload)))
                self.end_headers()
                self.wfile.write(outer.payload)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/movielens/ml-latest-small.zip"


@pytest.fixture
def server() -> Iterator[Server]:
    srv = Server()
    thread = threading.Thread(target=srv.httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield srv
    srv.httpd.shutdown()
    srv.httpd.server_close()


def test_download_extracts_verified_files(server: Server, tmp_path: Path) -> None:
    sha = hashlib.sha256(server.payload).hexdigest()

    folder = download(tmp_path, server.url, sha, files=SUMS, progress=False)

    assert folder == tmp_path / "ml-latest-small"
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == FILES
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ml-latest-small"]


def test_zip_checksum_mismatch_leaves_nothing(server: Server, tmp_path: Path) -> None:
    cache = tmp_path / "cache"

    with pytest.raises(DownloadError, match="SHA-256 mismatch"):
        download(cache, server.url, "0" * 64, files=SUMS, progress=False)

    assert list(cache.iterdir()) == []


def test_file_checksum_mismatch_names_the_file(server: Server, tmp_path: Path) -> None:
    server.payload = make_zip({**FILES, "ratings.csv": b"tampered\r\n"})

    with pytest.raises(DownloadError, match=r"ratings\.csv: SHA-256 mismatch"):
        download(tmp_path, server.url, None, files=SUMS, progress=False)

    assert list(tmp_path.iterdir()) == []


def test_missing_file_in_zip_is_refused(server: Server, tmp_path: Path) -> None:
    server.payload = make_zip({"movies.csv": FILES["movies.csv"]})

    with pytest.raises(DownloadError, match=r"ratings\.csv is missing"):
        download(tmp_path, server.url, None, files=SUMS, progress=False)


def test_second_call_uses_the_cache(server: Server, tmp_path: Path) -> None:
    first = download(tmp_path, server.url, None, files=SUMS, progress=False)
    second = download(tmp_path, server.url, None, files=SUMS, progress=False)

    assert (first, server.requests) == (second, 1)


def test_damaged_cache_is_replaced(server: Server, tmp_path: Path) -> None:
    folder = download(tmp_path, server.url, None, files=SUMS, progress=False)
    (folder / "ratings.csv").write_bytes(b"damaged")

    download(tmp_path, server.url, None, files=SUMS, progress=False)

    assert (folder / "ratings.csv").read_bytes() == FILES["ratings.csv"]
    assert (server.requests, sorted(p.name for p in tmp_path.iterdir())) == (
        2,
        ["ml-latest-small"],
    )


def test_leftovers_of_a_killed_download_are_cleared(server: Server, tmp_path: Path) -> None:
    old = tmp_path / ".ml-latest-small-x.zip.part"
    old.write_bytes(b"partial")
    os.utime(old, (0, 0))

    download(tmp_path, server.url, files=SUMS, progress=False)

    assert sorted(p.name for p in tmp_path.iterdir()) == ["ml-latest-small"]


def test_not_a_zip_is_a_download_error(server: Server, tmp_path: Path) -> None:
    server.payload = b"<html>not found</html>"

    with pytest.raises(DownloadError, match="not a valid zip"):
        download(tmp_path, server.url, None, files=SUMS, progress=False)


def test_http_error_is_a_download_error(server: Server, tmp_path: Path) -> None:
    server.status = 404

    with pytest.raises(DownloadError, match="404"):
        download(tmp_path, server.url, files=SUMS, progress=False)

    assert list(tmp_path.iterdir()) == []


def test_unreachable_server_is_a_download_error(tmp_path: Path) -> None:
    with pytest.raises(DownloadError, match="download failed"):
        download(tmp_path, "http://127.0.0.1:9/ml-latest-small.zip", files=SUMS, progress=False)


def test_file_check_cannot_be_switched_off(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="mandatory"):
        download(tmp_path, "http://127.0.0.1:9/ml-latest-small.zip", files={}, progress=False)


def shared_movielens() -> Path:
    default = Path(__file__).resolve().parents[3] / "shared/datasets/ml-latest-small"
    return Path(os.environ.get("MOVIELENS_DIR", default))


@pytest.mark.realdata
def test_cli_download_verifies_the_real_files(
    server: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The real five files, zipped as GroupLens ships them, pass the embedded checksums."""
    source = shared_movielens()
    server.payload = make_zip(
        {name: (source / name).read_bytes() for name in ML_LATEST_SMALL_FILES}
    )

    code = main(["download", "--cache", str(tmp_path), "--url", server.url])

    assert (code, capsys.readouterr().out.strip()) == (0, str(tmp_path / "ml-latest-small"))


@pytest.mark.realdata
def test_embedded_checksums_match_the_shared_copy() -> None:
    """The constants in code are the ones the shared dataset was verified with."""
    sums_file = shared_movielens().parent / "SHA256SUMS"
    listed = dict(
        (path.removeprefix("ml-latest-small/"), digest)
        for digest, path in (line.split() for line in sums_file.read_text().splitlines())
        if path.startswith("ml-latest-small/")
    )
    assert listed == dict(ML_LATEST_SMALL_FILES)
