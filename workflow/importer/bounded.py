"""Reading a document in a child process under a memory limit and a time limit.

A pathological file (hundreds of thousands of bullets, thousands of pages) must not hold a web
request, a worker or a database transaction for minutes, nor take gigabytes: the child reads it
with its address space limited (RLIMIT_AS) and is killed when it runs past its time. The bytes
go in on stdin after a JSON header line; the child writes JSON lines: ``{"progress": [d, t]}``
for each scanned page, then one of ``{"parsed": ...}``, ``{"scan": pages}`` (a scan, with
``ocr`` False) or ``{"rejected": "sentence"}``.

``python -m workflow.importer.bounded MEMORY_BYTES CPU_SECONDS`` is the child.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from typing import IO, Any

from workflow import tuning
from workflow.importer.document import (
    ParsedDocument,
    document_from_json,
    document_json,
    parse_document,
)
from workflow.importer.errors import MinutesRejected
from workflow.importer.readers import Progress, ScanFound
from workflow.importer.readers.scan import MAX_PAGES, PAGE_TIMEOUT_S

logger = logging.getLogger(__name__)
MEMORY_BYTES = 1024 * 1024 * 1024
TOO_SLOW = (
    "The file took too long to read, so it was refused: minutes that long should be split "
    "into several files."
)
TOO_LARGE = (
    "The file needs too much memory to read, so it was refused: minutes that large should be "
    "split into several files."
)
READER_FAILED = "The file could not be read: the reader stopped on it."


def read_seconds() -> float:
    """The time limit for reading one document (IDEAFLOW_READ_SECONDS, 20 by default)."""
    return tuning.current().read_seconds


def read_bounded(
    filename: str,
    content: bytes,
    *,
    ocr: bool = False,
    progress: Progress | None = None,
    seconds: float | None = None,
    memory_bytes: int = MEMORY_BYTES,
) -> ParsedDocument:
    """``parse_document`` in a child process with limits; ``MinutesRejected`` when over them.

    Without ``ocr`` a scan raises ``ScanFound`` (its text is read elsewhere, in the background);
    with it, each page may take ``seconds`` more on top of the recognition's own page limit.
    """
    seconds = read_seconds() if seconds is None else seconds
    cpu_seconds = int(seconds + 1) if not ocr else int((seconds + PAGE_TIMEOUT_S) * MAX_PAGES)
    limits = [str(memory_bytes), str(cpu_seconds)]
    command = [sys.executable, "-m", "workflow.importer.bounded", *limits]
    with tempfile.TemporaryFile() as errors:
        child = subprocess.Popen(  # noqa: S603 (this module, with numbers)
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors,
            start_new_session=True,  # so that Tesseract, its child, is stopped with it
        )  # fmt: skip
        try:
            return _talk(child, filename, content, ocr, progress, seconds)
        finally:
            _stop(child)
            if child.returncode not in (0, None):
                errors.seek(0)
                logger.info("reader exited with %s: %s", child.returncode, errors.read()[-2000:])


def _talk(
    child: subprocess.Popen[bytes],
    filename: str,
    content: bytes,
    ocr: bool,
    progress: Progress | None,
    seconds: float,
) -> ParsedDocument:
    header = (
        json.dumps(
            {"filename": filename, "ocr": ocr, "tesseract": tuning.current().tesseract}
        ).encode()
        + b"\n"
    )
    threading.Thread(target=_feed, args=(child.stdin, header + content), daemon=True).start()
    lines: queue.Queue[bytes] = queue.Queue()
    threading.Thread(target=_collect, args=(child.stdout, lines), daemon=True).start()
    page_allowance = seconds + PAGE_TIMEOUT_S
    deadline = time.monotonic() + seconds + (PAGE_TIMEOUT_S if ocr else 0.0)
    while True:
        try:
            line = lines.get(timeout=max(deadline - time.monotonic(), 0.0))
        except queue.Empty:
            raise MinutesRejected(TOO_SLOW) from None
        if not line:  # the child ended without an answer: killed by its limits, or crashed
            child.wait()
            if child.returncode in (-signal.SIGXCPU, -signal.SIGKILL):
                raise MinutesRejected(TOO_SLOW)
            raise MinutesRejected(TOO_LARGE if child.returncode == 3 else READER_FAILED)
        message: dict[str, Any] = json.loads(line)
        if "progress" in message:
            deadline = time.monotonic() + page_allowance
            if progress:
                progress(*message["progress"])
        elif "scan" in message:
            raise ScanFound(int(message["scan"]))
        elif "rejected" in message:
            params = {str(k): str(v) for k, v in (message.get("params") or {}).items()}
            raise MinutesRejected(str(message["rejected"]), **params)
        else:
            return document_from_json(message["parsed"])


def _feed(pipe: IO[bytes], data: bytes) -> None:
    try:
        pipe.write(data)
        pipe.close()
    except OSError:  # the child stopped reading (it was refused or killed)
        pass


def _collect(pipe: IO[bytes], lines: queue.Queue[bytes]) -> None:
    for line in pipe:
        lines.put(line)
    lines.put(b"")


def _stop(child: subprocess.Popen[bytes]) -> None:
    if child.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)
    child.wait()
    for pipe in (child.stdin, child.stdout):
        if pipe:
            with contextlib.suppress(OSError):
                pipe.close()


def main(argv: list[str]) -> int:
    """The child: limit itself, read stdin, write the answer as JSON lines on stdout."""
    import resource

    memory, cpu = int(argv[0]), int(argv[1])
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    out = sys.stdout

    def say(message: dict[str, Any]) -> None:
        out.write(json.dumps(message, ensure_ascii=False) + "\n")
        out.flush()

    header = json.loads(sys.stdin.buffer.readline())
    tuning.configure(tuning.Tuning(tesseract=header["tesseract"]))  # the parent's program
    content = sys.stdin.buffer.read()
    try:
        document = parse_document(
            header["filename"],
            content,
            lambda done, total: say({"progress": [done, total]}),
            ocr=header["ocr"],
        )
    except ScanFound as scan:
        say({"scan": scan.pages})
    except MinutesRejected as error:  # the message id and its fields, for the page to translate
        say({"rejected": error.template, "params": error.params})
    except MemoryError:
        return 3
    else:
        say({"parsed": document_json(document)})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
