"""Parse files into `ParsedDocument`s in a killable subprocess with a wall-clock and a memory limit.

`DocumentParser` keeps one worker process alive across files (importing unstructured and spaCy costs
seconds), restarts it after a timeout or crash, and turns every expected failure into an
`IngestionError` naming the file and the reason.
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


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


class WorkerDied(Exception):
    """The worker process exited or stopped answering."""


class DocumentParser:
    """A reusable parser process; use as a context manager, or call `close()` when done."""

    def __init__(self, settings: Settings, *, env: dict[str, str] | None = None) -> None:
        self._settings = settings
        self._env = env
        self._proc: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None
        self._buffer = b""
        self.last_diagnostics: dict[str, Any] = {}
        self.ready_info: dict[str, Any] = {}

    # ------------------------------------------------------------------------------------ lifecycle
    def __enter__(self) -> DocumentParser:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @property
    def pid(self) -> int | None:
        """Process id of the live worker, if one is running."""
        return self._proc.pid if self._proc is not None and self._proc.poll() is None else None

    def _start(self) -> None:
        env = dict(os.environ)
        env.update(self._env or {})
        env.setdefault("PYTHONUNBUFFERED", "1")
        # Kept open for the life of the worker (closed in _kill); read back to explain a crash.
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115
        self._buffer = b""
        self._proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "ingestion.parse_worker",
                "--memory-mb",
                str(self._settings.parse_memory_mb),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env=env,
            cwd=str(Path(__file__).resolve().parent.parent),
            start_new_session=True,  # its own process group, so a kill takes any children with it
        )
        self.ready_info = self._read_message(STARTUP_TIMEOUT_S)
        if not self.ready_info.get("ready"):
            raise WorkerDied(f"unexpected start-up message {self.ready_info!r}")

    def _kill(self) -> None:
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

    def close(self) -> None:
        """Stop the worker (politely: closing its stdin ends its loop), then make sure it is gone."""
        proc = self._proc
        if proc is not None and proc.poll() is None and proc.stdin is not None:
            try:
                proc.stdin.close()
                proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self._kill()

    # ------------------------------------------------------------------------------------- protocol
    def _stderr_tail(self) -> str:
        if self._stderr is None:
            return ""
        self._stderr.seek(0, os.SEEK_END)
        size = self._stderr.tell()
        self._stderr.seek(max(0, size - 2000))
        lines = [ln for ln in self._stderr.read().decode("utf-8", "replace").splitlines() if ln.strip()]
        return lines[-1][:200] if lines else ""

    def _read_message(self, timeout_s: float) -> dict[str, Any]:
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
                    code = proc.wait()
                    raise WorkerDied(self._death_reason(code))
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

    def _request(self, path: Path, media_type: str) -> dict[str, Any]:
        if self._proc is None or self._proc.poll() is not None:
            self._kill()
            try:
                self._start()
            except TimeoutError as exc:
                self._kill()
                raise IngestionError(
                    str(path), f"parser did not start within {STARTUP_TIMEOUT_S:.0f}s"
                ) from exc
            except WorkerDied as exc:
                self._kill()
                limit = self._settings.parse_memory_mb
                raise IngestionError(
                    str(path), f"parser could not start with its memory limit of {limit} MiB ({exc})"
                ) from exc
        proc = self._proc
        assert proc is not None and proc.stdin is not None
        request = json.dumps({"path": str(path.resolve()), "media_type": media_type}) + "\n"
        try:
            proc.stdin.write(request.encode("utf-8"))
            proc.stdin.flush()
            return self._read_message(self._settings.parse_timeout_s)
        except TimeoutError as exc:
            self._kill()
            raise IngestionError(
                str(path), f"parser timed out after {self._settings.parse_timeout_s:g}s"
            ) from exc
        except (WorkerDied, BrokenPipeError) as exc:
            reason = str(exc) if isinstance(exc, WorkerDied) else "parser process went away"
            self._kill()
            raise IngestionError(str(path), reason) from exc

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
        answer = self._request(path, media_type)
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
    """Parse one file in a fresh worker process (use `DocumentParser` to parse many files with one worker)."""
    with DocumentParser(settings) as parser:
        return parser.parse(path, kind=kind, filename=filename)
