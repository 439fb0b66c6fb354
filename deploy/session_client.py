"""A Streamlit session over the app's own websocket protocol, without a browser.

Why it exists: the production launcher warms each worker's caches with one session before
users arrive, the two-worker tests read what a new session on a given worker sees, and the
load test measures the *server* (time to a finished first run, bytes per session) without
20 Chromium renderers sharing the same two cores. It speaks what Streamlit's front end speaks
on ``/_stcore/stream``: protobuf ``BackMsg`` up (``rerun_script``), ``ForwardMsg`` down, until
the script run ends with ``script_finished``.

Only Streamlit's public protobuf messages and the ``websockets`` package (a Streamlit
dependency) are used. Loopback or the operator's own server only: it is a test tool.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import websockets
from google.protobuf.message import Message
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

__all__ = ["RunResult", "Session", "first_run"]

_SUCCESS = ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY
_RERUN = ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN


@dataclass
class RunResult:
    """One script run as the server sent it."""

    seconds: float  # from sending the request to the run's end
    bytes_received: int
    messages: int
    texts: list[str] = field(default_factory=list)  # every string in the elements drawn
    exceptions: list[str] = field(default_factory=list)  # st.exception elements
    worker: str | None = None  # the upstream that answered (nginx's X-Mapa-Worker header)

    @property
    def text(self) -> str:
        return "\n".join(self.texts)


def _strings(message: Message, out: list[str]) -> None:
    """Every string field of ``message``, depth first (the text an element shows)."""
    for descriptor, value in message.ListFields():
        items = value if isinstance(value, Sequence) and not isinstance(value, str) else [value]
        for item in items:
            if isinstance(item, Message):
                _strings(item, out)
            elif isinstance(item, str) and item and descriptor.type == descriptor.TYPE_STRING:
                out.append(item)


class Session:
    """One websocket session with a Streamlit server (``async with Session(url) as s``)."""

    def __init__(self, base_url: str, *, cookie: str | None = None, timeout: float = 120):
        parts = urlsplit(base_url)
        scheme = "wss" if parts.scheme == "https" else "ws"
        self.base_url = base_url.rstrip("/")
        self.stream_url = f"{scheme}://{parts.netloc}{parts.path.rstrip('/')}/_stcore/stream"
        self.cookie = cookie
        self.timeout = timeout
        self.worker: str | None = None
        self._ws: websockets.ClientConnection | None = None

    async def __aenter__(self) -> Session:
        headers = {"Cookie": self.cookie} if self.cookie else None
        self._ws = await websockets.connect(
            self.stream_url,
            subprotocols=[websockets.Subprotocol("streamlit")],
            origin=websockets.Origin(self.base_url),
            additional_headers=headers,
            max_size=None,
            open_timeout=self.timeout,
        )
        response = self._ws.response
        if response is not None:
            self.worker = response.headers.get("X-Mapa-Worker")
        return self

    async def __aexit__(self, *_exc: object) -> None:
        if self._ws is not None:
            await self._ws.close()

    async def run(self, page: str = "", query: str = "") -> RunResult:
        """Ask for a run of ``page`` (its URL path) and wait until it has finished.

        Runs that end early for a rerun (``st.rerun``, the navigation adapter) are followed
        to the run that finishes.
        """
        assert self._ws is not None, "use the session in an 'async with' block"
        request = BackMsg()
        request.rerun_script.query_string = query
        request.rerun_script.page_name = page
        started = time.perf_counter()
        await self._ws.send(request.SerializeToString())
        result = RunResult(seconds=0.0, bytes_received=0, messages=0, worker=self.worker)
        async with asyncio.timeout(self.timeout):
            async for raw in self._ws:
                data = raw if isinstance(raw, bytes) else raw.encode()
                result.bytes_received += len(data)
                result.messages += 1
                message = ForwardMsg()
                message.ParseFromString(data)
                kind = message.WhichOneof("type")
                if kind == "delta" and message.delta.HasField("new_element"):
                    element = message.delta.new_element
                    if element.WhichOneof("type") == "exception":
                        result.exceptions.append(element.exception.message)
                    _strings(element, result.texts)
                elif kind == "script_finished" and message.script_finished != _RERUN:
                    if message.script_finished != _SUCCESS:
                        result.exceptions.append(f"script_finished={message.script_finished}")
                    break
        result.seconds = time.perf_counter() - started
        return result


async def first_run(
    base_url: str, page: str = "", query: str = "", *, cookie: str | None = None
) -> RunResult:
    """Open a new session, run ``page`` once, close it (what a new visitor costs)."""
    async with Session(base_url, cookie=cookie) as session:
        return await session.run(page, query)
