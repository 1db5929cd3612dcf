"""SIP message parsing (RFC 3261 §7, §20): start line, headers (compact forms, folding), body; a TCP framer.

Everything here is pure and bounded; the only exception that leaves this module is `SipParseError`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal, get_args

MAX_MESSAGE = 64 * 1024  # header block and body together
MAX_HEADERS = 128
MAX_BODY = 32 * 1024

Reason = Literal["empty", "too_large", "bad_start_line", "bad_header", "too_many_headers", "bad_content_length",
                 "truncated_body", "missing_header", "bad_cseq", "bad_via", "bad_address", "bad_version"]
REASONS: tuple[Reason, ...] = get_args(Reason)

COMPACT = {"i": "call-id", "m": "contact", "e": "content-encoding", "l": "content-length", "c": "content-type",
           "f": "from", "s": "subject", "k": "supported", "t": "to", "v": "via", "o": "event", "u": "allow-events",
           "r": "refer-to", "b": "referred-by", "x": "session-expires", "a": "accept-contact", "j": "reject-contact",
           "d": "request-disposition", "y": "identity", "n": "identity-info"}
# Headers whose comma-separated values are separate entries (RFC 3261 §7.3.1); others keep commas as text.
LIST_HEADERS = frozenset({"via", "contact", "route", "record-route", "allow", "supported", "require",
                          "proxy-require", "unsupported", "accept", "accept-encoding", "accept-language"})
CANONICAL = {"call-id": "Call-ID", "cseq": "CSeq", "www-authenticate": "WWW-Authenticate", "mime-version":
             "MIME-Version"}
TOKEN = re.compile(r"^[A-Za-z0-9.!%*_+`'~-]+$")
_STATUS = re.compile(r"^SIP/(\d+\.\d+) ([1-6]\d\d)(?: (.*))?$")
_REQUEST = re.compile(r"^([A-Za-z0-9.!%*_+`'~-]+) (\S+) SIP/(\d+\.\d+)$")
_VIA = re.compile(r"^SIP\s*/\s*2\.0\s*/\s*([A-Za-z]+)\s+([^;\s]+)\s*(.*)$", re.DOTALL)


class SipParseError(ValueError):
    """Input that is not a SIP message we accept; `partial` holds what was parsed, enough for a 400 or not."""

    def __init__(self, reason: Reason, detail: str = "", partial: SipMessage | None = None) -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason: Reason = reason
        self.detail = detail
        self.partial = partial


def canonical(name: str) -> str:
    """The printed form of a lower-case header name: Call-ID, CSeq, Content-Length…"""
    return CANONICAL.get(name) or "-".join(part.capitalize() for part in name.split("-"))


@dataclass(slots=True)
class SipMessage:
    """One request (method set) or response (status set); header names kept lower-case and in order."""

    method: str | None = None
    uri: str | None = None
    status: int | None = None
    reason: str | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    @property
    def is_request(self) -> bool:
        return self.method is not None

    def get(self, name: str) -> str | None:
        for key, value in self.headers:
            if key == name:
                return value
        return None

    def get_all(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key == name]


@dataclass(frozen=True, slots=True)
class Via:
    transport: str
    host: str
    port: int | None
    params: dict[str, str | None]

    @property
    def branch(self) -> str | None:
        return self.params.get("branch")


@dataclass(frozen=True, slots=True)
class NameAddr:
    """From, To or Contact: display name, URI, the URI's user part, header parameters (tag…)."""

    display: str | None
    uri: str
    user: str | None
    host: str
    params: dict[str, str | None]

    @property
    def tag(self) -> str | None:
        return self.params.get("tag")


def split_list(value: str) -> list[str]:
    """Split a header value at commas outside quotes and angle brackets."""
    parts: list[str] = []
    depth, quoted, start, i = 0, False, 0, 0
    while i < len(value):
        ch = value[i]
        if quoted:
            if ch == "\\":
                i += 1
            elif ch == '"':
                quoted = False
        elif ch == '"':
            quoted = True
        elif ch == "<":
            depth += 1
        elif ch == ">":
            depth = max(0, depth - 1)
        elif ch == "," and depth == 0:
            parts.append(value[start:i].strip())
            start = i + 1
        i += 1
    parts.append(value[start:].strip())
    return [part for part in parts if part]


def parse_params(text: str) -> dict[str, str | None]:
    """`;a=1;b;c="x"` → {"a": "1", "b": None, "c": "x"} (names lower-cased)."""
    params: dict[str, str | None] = {}
    for item in text.split(";"):
        item = item.strip()
        if not item:
            continue
        name, eq, value = item.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        params[name.strip().lower()] = value if eq else None
    return params


def parse_via(value: str) -> Via:
    match = _VIA.match(value.strip())
    if match is None:
        raise SipParseError("bad_via")
    transport, sent_by, rest = match.groups()
    host, port = _host_port(sent_by)
    if not host:
        raise SipParseError("bad_via")
    return Via(transport.upper(), host, port, parse_params(rest))


def _host_port(text: str) -> tuple[str, int | None]:
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port_text = rest[1:] if rest.startswith(":") else ""
    else:
        host, _, port_text = text.partition(":")
    if port_text:
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise SipParseError("bad_address", "port")
        return host, int(port_text)
    return host, None


def parse_name_addr(value: str) -> NameAddr:
    value = value.strip()
    display: str | None = None
    if "<" in value:
        head, _, rest = value.partition("<")
        uri, closed, params_text = rest.partition(">")
        if not closed:
            raise SipParseError("bad_address", "unclosed <")
        display = head.strip().strip('"') or None
    else:
        # Without angle brackets every ';' parameter belongs to the header, not the URI (RFC 3261 §20.10).
        uri, _, params_text = value.partition(";")
    uri = uri.strip()
    scheme, colon, rest = uri.partition(":")
    if not colon or scheme.lower() not in ("sip", "sips", "tel"):
        raise SipParseError("bad_address", "scheme")
    rest = rest.split(";", 1)[0].split("?", 1)[0]
    user: str | None
    if scheme.lower() == "tel":
        user, host = rest, ""
    elif "@" in rest:
        user, _, hostport = rest.rpartition("@")
        user = user.split(":", 1)[0] or None  # drop a password in the URI
        host = hostport
    else:
        user, host = None, rest
    return NameAddr(display, uri, user, host, parse_params(params_text))


def parse_cseq(value: str) -> tuple[int, str]:
    number, _, method = value.strip().partition(" ")
    method = method.strip()
    if not number.isdigit() or len(number) > 10 or int(number) >= 2**31 or not TOKEN.match(method):
        raise SipParseError("bad_cseq")
    return int(number), method.upper()


def _decode(data: bytes) -> str:
    # SIP is UTF-8; a stray byte should not make the message unreadable.
    return data.decode("utf-8", errors="replace")


def _content_length(message: SipMessage) -> int | None:
    value = message.get("content-length")
    if value is None:
        return None
    value = value.strip()
    if not value.isdigit() or len(value) > 9:
        raise SipParseError("bad_content_length", partial=message)
    return int(value)


def parse_head(head: bytes) -> SipMessage:
    """Start line and headers (without the blank line)."""
    lines = _decode(head).split("\r\n") if b"\r\n" in head else _decode(head).split("\n")
    start = lines[0].strip()
    message = SipMessage()
    if start.startswith("SIP/"):
        status = _STATUS.match(start)
        if status is None:
            raise SipParseError("bad_start_line")
        message.status, message.reason = int(status.group(2)), status.group(3) or ""
        version = status.group(1)
    else:
        request = _REQUEST.match(start)
        if request is None:
            raise SipParseError("bad_start_line")
        message.method, message.uri, version = request.group(1).upper(), request.group(2), request.group(3)
    raw: list[str] = []
    for line in lines[1:]:
        if line[:1] in (" ", "\t") and raw:
            raw[-1] += " " + line.strip()  # folded continuation (RFC 3261 §7.3.1)
        elif line.strip():
            raw.append(line)
    if len(raw) > MAX_HEADERS:
        raise SipParseError("too_many_headers", partial=message)
    bad: SipParseError | None = None
    for line in raw:
        name, colon, value = line.partition(":")
        name = name.strip().lower()
        if not colon or not TOKEN.match(name):
            bad = bad or SipParseError("bad_header", partial=message)
            continue
        name = COMPACT.get(name, name)
        value = value.strip()
        if name in LIST_HEADERS:
            message.headers.extend((name, part) for part in split_list(value))
        else:
            message.headers.append((name, value))
    if bad is not None:
        raise bad
    if version != "2.0":
        raise SipParseError("bad_version", partial=message)
    return message


def _split_head(data: bytes) -> tuple[bytes, bytes] | None:
    for separator in (b"\r\n\r\n", b"\n\n"):
        index = data.find(separator)
        if index >= 0:
            return data[:index], data[index + len(separator):]
    return None


def parse(data: bytes) -> SipMessage:
    """One whole message, as a UDP datagram carries it."""
    if len(data) > MAX_MESSAGE:
        raise SipParseError("too_large")
    data = data.lstrip(b"\r\n")
    if not data:
        raise SipParseError("empty")
    parts = _split_head(data)
    head, body = parts if parts is not None else (data, b"")
    message = parse_head(head)
    length = _content_length(message)
    if length is not None:
        if length > len(body):
            raise SipParseError("truncated_body", partial=message)
        body = body[:length]
    message.body = body
    return message


class Framer:
    """Cuts a TCP byte stream into messages by Content-Length; the buffer never holds more than one message."""

    def __init__(self, max_message: int = MAX_MESSAGE) -> None:
        self._buffer = bytearray()
        self._max = max_message
        self.keepalives = 0  # CRLF pings seen (RFC 5626 §3.5.1), answered by the adapter

    @property
    def pending(self) -> int:
        return len(self._buffer)

    def feed(self, data: bytes) -> list[SipMessage]:
        """Messages completed by `data`; raises SipParseError when the stream cannot go on (close it)."""
        self._buffer += data
        messages: list[SipMessage] = []
        while True:
            stripped = self._buffer.lstrip(b"\r\n")
            if len(stripped) != len(self._buffer):
                if self._buffer.startswith(b"\r\n\r\n"):
                    self.keepalives += 1
                self._buffer = bytearray(stripped)
            if not self._buffer:
                return messages
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(self._buffer) > self._max:
                    raise SipParseError("too_large")
                return messages
            head = bytes(self._buffer[:end])
            message = parse_head(head)
            length = _content_length(message)
            if length is None:
                length = 0  # mandatory on streams (RFC 3261 §18.3); a missing one means no body
            total = end + 4 + length
            if total > self._max:
                raise SipParseError("too_large", partial=message)
            if len(self._buffer) < total:
                return messages
            message.body = bytes(self._buffer[end + 4:total])
            del self._buffer[:total]
            messages.append(message)


@dataclass(frozen=True, slots=True)
class Envelope:
    """The headers every request must carry (RFC 3261 §8.1.1), parsed."""

    vias: tuple[Via, ...]
    from_: NameAddr
    to: NameAddr
    call_id: str
    cseq: int
    cseq_method: str

    @property
    def branch(self) -> str | None:
        return self.vias[0].branch


def envelope(message: SipMessage) -> Envelope:
    """Check and parse Via, From, To, Call-ID and CSeq; SipParseError (with the message as `partial`) if unusable."""
    try:
        via_values = message.get_all("via")
        from_value, to_value = message.get("from"), message.get("to")
        call_id, cseq_value = message.get("call-id"), message.get("cseq")
        if not via_values or from_value is None or to_value is None or not call_id or cseq_value is None:
            raise SipParseError("missing_header")
        cseq, method = parse_cseq(cseq_value)
        if message.method is not None and method != message.method:
            raise SipParseError("bad_cseq", "method differs from the request line")
        return Envelope(tuple(parse_via(value) for value in via_values), parse_name_addr(from_value),
                        parse_name_addr(to_value), call_id.strip(), cseq, method)
    except SipParseError as exc:
        raise SipParseError(exc.reason, exc.detail, partial=message) from None
