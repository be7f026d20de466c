"""Parse files into `ParsedDocument`s in killable subprocesses with a wall-clock and a memory limit.

`DocumentParser` keeps its worker processes alive across files (importing unstructured and spaCy costs
seconds), splits a long PDF into page ranges parsed by all workers at once, restarts a worker after a
timeout or crash, and turns every expected failure into an `IngestionError` naming the file and reason.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from analyzer.errors import IngestionError
from analyzer.models import DocumentKind
from analyzer.settings import Settings
from ingestion import filetypes
from ingestion.elements import Element, ParsedDocument

# Importing unstructured + loading spaCy takes seconds; on a busy machine allow this much for start-up,
# independently of the per-file parse timeout.
STARTUP_TIMEOUT_S = 120.0
# Below this many pages a second process costs more (its start-up) than it saves.
SPLIT_MIN_PAGES = 24
# A text PDF takes roughly 2 KB a page; from this size on, helper processes are started before the
# page count is known (a smaller PDF starts them only if it turns out to be long).
PRESPAWN_MIN_BYTES = 40_000
NO_TEXT_LAYER = "no text layer: scanned PDFs need OCR, which is not enabled"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


class WorkerDied(Exception):
    """The worker process exited or stopped answering."""


class _Worker:
    """One parser process speaking the JSON-lines protocol of `ingestion.parse_worker`."""

    def __init__(self, settings: Settings, env: dict[str, str] | None) -> None:
        self._settings = settings
        self._env = env
        self._proc: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None
        self._buffer = b""
        self.ready_info: dict[str, Any] = {}

    @property
    def pid(self) -> int | None:
        """Process id while the worker is alive."""
        return self._proc.pid if self._proc is not None and self._proc.poll() is None else None

    def spawn(self) -> None:
        """Start the process (without waiting for it to be ready)."""
        env = dict(os.environ)
        env.update(self._env or {})
        env.setdefault("PYTHONUNBUFFERED", "1")
        # Kept open for the life of the worker (closed in kill); read back to explain a crash.
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115
        self._buffer = b""
        self.ready_info = {}
        command = [
            sys.executable,
            "-m",
            "ingestion.parse_worker",
            "--memory-mb",
            str(self._settings.parse_memory_mb),
        ]
        self._proc = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env=env,
            cwd=str(Path(__file__).resolve().parent.parent),
            start_new_session=True,  # its own process group, so a kill takes any children with it
        )

    def wait_ready(self) -> None:
        """Block until the worker has imported everything; raises TimeoutError or WorkerDied."""
        if self.ready_info:
            return
        message = self.read(STARTUP_TIMEOUT_S)
        if not message.get("ready"):
            raise WorkerDied(f"unexpected start-up message {message!r}")
        self.ready_info = message

    def kill(self) -> None:
        """Kill the process group at once and reap it."""
        proc, self._proc = self._proc, None
        if proc is not None:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            for stream in (proc.stdin, proc.stdout):
                if stream is not None:
                    stream.close()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None
        self.ready_info = {}

    def close(self) -> None:
        """Stop politely (closing stdin ends the worker's loop), then make sure it is gone."""
        proc = self._proc
        if proc is not None and proc.poll() is None and proc.stdin is not None:
            try:
                proc.stdin.close()
                proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self.kill()

    def send(self, request: dict[str, Any]) -> None:
        """Write one request line."""
        proc = self._proc
        assert proc is not None and proc.stdin is not None
        proc.stdin.write((json.dumps(request) + "\n").encode("utf-8"))
        proc.stdin.flush()

    def read(self, timeout_s: float) -> dict[str, Any]:
        """Read one answer line; raises TimeoutError after timeout_s, WorkerDied if the process ends."""
        proc = self._proc
        assert proc is not None and proc.stdout is not None
        deadline = time.monotonic() + timeout_s
        fd = proc.stdout.fileno()
        with selectors.DefaultSelector() as selector:
            selector.register(fd, selectors.EVENT_READ)
            while b"\n" not in self._buffer:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError
                if not selector.select(remaining):
                    continue
                chunk = os.read(fd, 1 << 20)
                if not chunk:
                    raise WorkerDied(self._death_reason(proc.wait()))
                self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        message: dict[str, Any] = json.loads(line)
        return message

    def _death_reason(self, code: int) -> str:
        if code == -signal.SIGKILL:
            why = "parser process was killed (out of memory?)"
        elif code < 0:
            why = f"parser process died from signal {-code}"
        else:
            why = f"parser process exited with status {code}"
        tail = self._stderr_tail()
        return f"{why}: {tail}" if tail else why

    def _stderr_tail(self) -> str:
        if self._stderr is None:
            return ""
        self._stderr.seek(0, os.SEEK_END)
        size = self._stderr.tell()
        self._stderr.seek(max(0, size - 2000))
        lines = [ln for ln in self._stderr.read().decode("utf-8", "replace").splitlines() if ln.strip()]
        return lines[-1][:200] if lines else ""


class DocumentParser:
    """Reusable parser processes; use as a context manager, or call `close()` when done."""

    def __init__(self, settings: Settings, *, env: dict[str, str] | None = None) -> None:
        self._settings = settings
        self._workers = [_Worker(settings, env) for _ in range(settings.parse_workers)]
        self.last_diagnostics: dict[str, Any] = {}

    # ------------------------------------------------------------------------------------ lifecycle
    def __enter__(self) -> DocumentParser:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @property
    def pid(self) -> int | None:
        """Process id of the first (always used) worker, if it is running."""
        return self._workers[0].pid

    @property
    def ready_info(self) -> dict[str, Any]:
        """What the first worker reported when it became ready (memory limit, start-up time)."""
        return self._workers[0].ready_info

    def close(self) -> None:
        """Stop every worker."""
        for worker in self._workers:
            worker.close()

    def _kill_all(self, workers: list[_Worker]) -> None:
        for worker in workers:
            worker.kill()

    def _ensure_started(self, path: Path, workers: list[_Worker]) -> None:
        for worker in workers:
            if worker.pid is None:
                worker.kill()  # reap a dead one and drop its buffers
                worker.spawn()
        try:
            for worker in workers:  # started together, so their imports overlap
                worker.wait_ready()
        except TimeoutError as exc:
            self._kill_all(workers)
            raise IngestionError(str(path), f"parser did not start within {STARTUP_TIMEOUT_S:.0f}s") from exc
        except WorkerDied as exc:
            self._kill_all(workers)
            limit = self._settings.parse_memory_mb
            raise IngestionError(
                str(path), f"parser could not start with its memory limit of {limit} MiB ({exc})"
            ) from exc

    def _exchange(self, path: Path, work: list[tuple[_Worker, dict[str, Any]]]) -> list[dict[str, Any]]:
        """Send one request to each worker, then collect the answers under one shared deadline."""
        workers = [w for w, _ in work]
        self._ensure_started(path, workers)
        deadline = time.monotonic() + self._settings.parse_timeout_s
        try:
            for worker, request in work:
                worker.send(request)
            return [worker.read(max(deadline - time.monotonic(), 0.0)) for worker in workers]
        except TimeoutError as exc:
            self._kill_all(workers)
            raise IngestionError(
                str(path), f"parser timed out after {self._settings.parse_timeout_s:g}s"
            ) from exc
        except (WorkerDied, BrokenPipeError) as exc:
            reason = str(exc) if isinstance(exc, WorkerDied) else "parser process went away"
            self._kill_all(workers)
            raise IngestionError(str(path), reason) from exc

    def _parse_pdf_in_ranges(self, path: Path, request: dict[str, Any]) -> dict[str, Any]:
        """Split a long PDF into page ranges, one per worker, and stitch the answers back together."""
        if path.stat().st_size >= PRESPAWN_MIN_BYTES:
            for worker in self._workers[1:]:
                if worker.pid is None:
                    # Likely long: start the helpers now so their imports overlap with the page count.
                    worker.kill()
                    worker.spawn()
        (info,) = self._exchange(path, [(self._workers[0], {"op": "pdf_pages", "path": request["path"]})])
        if not info.get("ok"):
            return info
        pages = int(info["pages"])
        workers = self._workers if pages >= SPLIT_MIN_PAGES else self._workers[:1]
        if len(workers) == 1:
            return self._exchange(path, [(workers[0], request)])[0]
        step = -(-pages // len(workers))
        ranges = [(start, min(start + step, pages)) for start in range(0, pages, step)]
        answers = self._exchange(
            path, [(w, request | {"page_range": list(r)}) for w, r in zip(workers, ranges, strict=False)]
        )
        for answer in answers:
            if not answer.get("ok"):
                return answer
        elements: list[dict[str, Any]] = []
        last_title: str | None = None
        for answer in answers:
            part = answer["elements"]
            # A range starts without the heading that was open at its first page: inherit it, as one
            # process reading the whole document would have.
            for item in part:
                if item["category"] == "Title":
                    break
                if item["parent_id"] is None and last_title is not None:
                    item["parent_id"] = last_title
            titles = [item["id"] for item in part if item["category"] == "Title"]
            last_title = titles[-1] if titles else last_title
            elements.extend(part)
        if not elements:
            return {"ok": False, "reason": NO_TEXT_LAYER}
        diagnostics = dict(answers[0].get("diagnostics") or {})
        diagnostics["seconds"] = max(float((a.get("diagnostics") or {}).get("seconds", 0)) for a in answers)
        diagnostics["blocked_connections"] = [
            c for a in answers for c in (a.get("diagnostics") or {}).get("blocked_connections", [])
        ]
        diagnostics["workers"] = len(answers)
        return {"ok": True, "pages": pages, "elements": elements, "diagnostics": diagnostics}

    # ------------------------------------------------------------------------------------------ API
    def parse(
        self,
        path: str | Path,
        *,
        kind: DocumentKind = DocumentKind.REPORT,
        filename: str | None = None,
        media_type: str | None = None,
    ) -> ParsedDocument:
        """Check and parse one file; raises IngestionError with a one-line reason on any expected failure."""
        path = Path(path)
        label = filename or path.name
        media_type = media_type or filetypes.detect_media_type(path, settings=self._settings)
        if media_type == filetypes.JSON:
            raise IngestionError(
                str(path), "JSON is read as a structured list of findings, not parsed as a document"
            )
        content_hash = _sha256(path)
        request = {"path": str(path.resolve()), "media_type": media_type}
        if media_type == filetypes.PDF and len(self._workers) > 1:
            answer = self._parse_pdf_in_ranges(path, request)
        else:
            answer = self._exchange(path, [(self._workers[0], request)])[0]
        if not answer.get("ok"):
            raise IngestionError(str(path), str(answer.get("reason", "parser failed")))
        self.last_diagnostics = dict(answer.get("diagnostics") or {})
        elements = [Element.model_validate(item) for item in answer["elements"]]
        return ParsedDocument(
            filename=label,
            content_hash=content_hash,
            media_type=media_type,
            kind=kind,
            pages=int(answer.get("pages") or 0),
            elements=elements,
        )


def parse_file(
    path: str | Path,
    *,
    settings: Settings,
    kind: DocumentKind = DocumentKind.REPORT,
    filename: str | None = None,
) -> ParsedDocument:
    """Parse one file in fresh worker processes (use `DocumentParser` to parse many files with them)."""
    with DocumentParser(settings) as parser:
        return parser.parse(path, kind=kind, filename=filename)
