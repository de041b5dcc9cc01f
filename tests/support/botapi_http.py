"""The HTTP side of the fake Bot API: decoding requests as python-telegram-bot sends them
(form fields, JSON-encoded values, multipart uploads) and answering in Telegram's shape."""

from __future__ import annotations

import json
import urllib.parse
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any

from tests.support.telegram_rules import ApiError

if TYPE_CHECKING:
    from tests.support.botapi import FakeBotApi

# Form-encoded values that are plain strings; every other field is JSON (as PTB sends it).
_STRING_FIELDS = frozenset(
    {"text", "caption", "parse_mode", "callback_query_id", "url", "language_code", "action"}
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
            if part.get_filename() is not None:
                files[name] = payload
            else:
                fields[name] = payload.decode()
        return _decode_form(fields), files
    pairs = urllib.parse.parse_qsl(body.decode(), keep_blank_values=True)
    return _decode_form(dict(pairs)), {}


def handler_for(api: FakeBotApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as httpx expects

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
            data = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the bot gave up on a long poll (shutdown): nothing to tell

        def log_message(self, format: str, *args: Any) -> None:
            pass  # request lines carry the token: never print them

    return Handler
