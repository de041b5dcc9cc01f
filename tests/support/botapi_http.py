"""The HTTP side of the fake Bot API: decoding requests as python-telegram-bot sends them
(form fields, JSON-encoded values, multipart uploads) and answering in Telegram's shape."""

from __future__ import annotations

import contextlib
import json
import socket
import urllib.parse
from email.parser import BytesParser
from email.policy import HTTP
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any

from tests.support.api_faults import DroppedConnection
from tests.support.telegram_rules import ApiError

if TYPE_CHECKING:
    from tests.support.botapi import FakeBotApi

# Form-encoded values that are plain strings; every other field is JSON (as PTB sends it).
_STRING_FIELDS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "url",
        "language_code",
        "action",
        "secret_token",
    }
)


def _decode_form(fields: dict[str, str]) -> dict[str, Any]:
    """PTB sends every non-string value JSON-encoded inside form fields."""
    params: dict[str, Any] = {}
    for name, raw in fields.items():
        if name in _STRING_FIELDS:
            params[name] = raw
            continue
        try:
            params[name] = json.loads(raw)
        except ValueError:
            params[name] = raw
    return params


def parse_body(content_type: str, body: bytes) -> tuple[dict[str, Any], dict[str, bytes]]:
    """Decode a JSON, url-encoded or multipart request body into (params, files)."""
    kind = content_type.split(";", 1)[0].strip().lower()
    if not body:
        return {}, {}
    if kind == "application/json":
        return json.loads(body), {}
    if kind == "multipart/form-data":
        head = f"Content-Type: {content_type}\r\n\r\n".encode()
        fields: dict[str, str] = {}
        files: dict[str, bytes] = {}
        for part in BytesParser(policy=HTTP).parsebytes(head + body).iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True) or b""
            # A part of multipart/form-data is named and holds bytes (not nested parts).
            assert isinstance(name, str) and isinstance(payload, bytes), (name, payload)
            if part.get_filename() is not None:
                files[name] = payload
            else:
                fields[name] = payload.decode()
        return _decode_form(fields), files
    pairs = urllib.parse.parse_qsl(body.decode(), keep_blank_values=True)
    return _decode_form(dict(pairs)), {}


def response_bytes(status: int, payload: dict[str, Any], date: str = "") -> bytes:
    """A whole HTTP/1.1 response (status line, headers, JSON body) as one piece."""
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = "Error"
    body = json.dumps(payload).encode()
    head = f"HTTP/1.1 {status} {reason}\r\n"
    if date:
        head += f"Date: {date}\r\n"
    head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    return head.encode("latin-1") + body


def handler_for(api: FakeBotApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        """Keep-alive HTTP/1.1, as httpx expects. Each answer goes out in one write on a
        TCP_NODELAY socket: headers and body written separately, with Nagle's algorithm on,
        wait for the client's delayed ACK (~40 ms) and cap a connection at ~20 calls/s."""

        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            prefix = f"/bot{api.token}/"
            if not self.path.startswith(prefix):
                self._reply(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
                return
            method = self.path[len(prefix) :].split("?", 1)[0]
            try:
                params, files = parse_body(self.headers.get("Content-Type", ""), body)
                result = api.handle(method, params, files)
            except DroppedConnection:
                self.close_connection = True  # closed without a word, as the fault asks
                return
            except ApiError as error:
                self._reply(error.code, error.payload())
                return
            except (ValueError, KeyError, TypeError) as error:
                self._reply(
                    400, {"ok": False, "error_code": 400, "description": f"Bad Request: {error}"}
                )
                return
            self._reply(200, {"ok": True, "result": result})

        do_GET = do_POST

        def _reply(self, status: int, payload: dict[str, Any]) -> None:
            data = response_bytes(status, payload, self.date_time_string())
            # A bot that gave up on a long poll (shutdown) is not told anything.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(data)  # one write: status line, headers and body together

        def log_message(self, format: str, *args: Any) -> None:
            pass  # request lines carry the token: never print them

    return Handler
