"""``ideaflow import-minutes`` as staff run it: files, folders, JSON, refusals."""

from __future__ import annotations

import json
import os
import select
import shutil
from pathlib import Path

import pytest

from tests.e2e.conftest import Deployment
from tests.importer import documents, scans

pytestmark = pytest.mark.e2e
SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "interessentmoede-2025-06-12.txt"


@pytest.mark.backends("sqlite")
def test_one_file_then_again(deployment: Deployment) -> None:
    first = deployment.cli("import-minutes", "--json", str(SAMPLE))
    body = json.loads(first.stdout)
    assert body["created"] is True
    assert (len(body["themes"]), len(body["ideas"]), body["meeting"]["date"]) == (
        9,
        21,
        "2025-06-12",
    )
    again = deployment.cli("import-minutes", str(SAMPLE))
    assert again.returncode == 0
    assert f"Already imported: {SAMPLE} is meeting {body['meeting']['id']}" in again.stdout
    assert deployment.idea_count() == 21


@pytest.mark.backends("postgres")
def test_a_folder_with_good_duplicate_and_bad_files(deployment: Deployment, tmp_path: Path) -> None:
    folder = tmp_path / "referater-2026"
    folder.mkdir()
    shutil.copy(SAMPLE, folder / "01-interessentmoede.txt")
    shutil.copy(SAMPLE, folder / "02-kopi.txt")
    (folder / "03-trafik.docx").write_bytes(documents.as_docx())
    (folder / "04-scan.pdf").write_bytes(documents.scanned_pdf())
    (folder / "notes.png").write_bytes(b"\x89PNG not minutes")  # not a minutes file: not picked

    run = deployment.cli("import-minutes", str(folder), check=False)
    assert run.returncode == 1
    assert "4 files: 2 imported, 1 already imported, 1 refused." in run.stdout
    assert "Refused" in run.stderr and "04-scan.pdf" in run.stderr
    assert "Text recognition found no text in the scan" in run.stderr
    assert "Traceback" not in run.stderr
    assert deployment.idea_count() == 21 + 5

    as_json = deployment.cli("import-minutes", "--json", str(folder), check=False)
    bodies = json.loads(as_json.stdout)
    assert [b.get("created") for b in bodies] == [False, False, False, None]
    assert bodies[3]["error"].startswith("Text recognition found no text")


@pytest.mark.backends("sqlite")
@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("random.bin", bytes(range(256)) * 40, "not text, Word or PDF"),
        ("empty.txt", b"", "empty"),
        ("prose.txt", "Mødet gik godt.\nVi talte længe.\n".encode(), "No ideas were found"),
        ("huge.txt", b"\xe2\x80\xa2 idea\n" * (21 * 1024 * 1024 // 9), "larger than 20 MB"),
    ],
    ids=["binary", "empty", "prose", "huge"],
)
def test_a_file_that_is_not_minutes_is_refused_in_one_sentence(
    deployment: Deployment, tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    run = deployment.cli("import-minutes", str(path), check=False)
    assert run.returncode != 0
    first, *rest = run.stderr.strip().splitlines()
    assert reason in first and "Traceback" not in run.stderr
    # Minutes without ideas also show what was not understood, so the user can see why.
    assert all(line.startswith("  not understood: ") for line in rest)
    assert ("Vi talte længe." in run.stderr) == (name == "prose.txt")
    assert run.stdout == ""
    assert deployment.idea_count() == 0


@pytest.mark.backends("sqlite")
def test_dry_run_and_if_empty(deployment: Deployment) -> None:
    preview = json.loads(
        deployment.cli("import-minutes", "--dry-run", "--json", str(SAMPLE)).stdout
    )
    assert preview["dry_run"] is True and preview["ideas"][0]["id"] is None
    assert deployment.idea_count() == 0
    folder = str(SAMPLE.parent)
    deployment.cli("import-minutes", "--if-empty", folder)
    assert deployment.idea_count() == 21
    second = deployment.cli("import-minutes", "--if-empty", folder)
    assert "nothing imported" in second.stderr
    assert deployment.idea_count() == 21


@pytest.mark.backends("postgres")
def test_the_corpus_folder_imports_with_a_summary_table(deployment: Deployment) -> None:
    """Every layout in tests/corpus/minutes imports, and the table says what each file gave."""
    from tests.corpus.build import ENTRIES, FOLDER

    run = deployment.cli("import-minutes", str(FOLDER))
    lines = run.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("File "))
    assert lines[header].split() == [
        "File", "Result", "Meeting", "Themes", "Ideas", "People", "Not", "understood"
    ]  # fmt: skip
    rows = {line.split()[0]: line.split() for line in lines[header + 2 : header + 2 + len(ENTRIES)]}
    assert set(rows) == {entry.filename for entry in ENTRIES}
    for entry in ENTRIES:
        row = rows[entry.filename]
        expected = entry.expected
        assert row[1] == "imported", row
        assert [int(cell) for cell in row[3:]] == [
            len(expected["themes"]), len(expected["ideas"]), len(expected["participants"]),
            len(expected["unrecognised"]),
        ], row  # fmt: skip
    assert f"{len(ENTRIES)} files: {len(ENTRIES)} imported, 0 already imported" in run.stdout
    assert deployment.idea_count() == sum(len(entry.expected["ideas"]) for entry in ENTRIES)


@pytest.mark.backends("sqlite")
def test_a_scan_is_read_with_progress_per_page(deployment: Deployment, tmp_path: Path) -> None:
    lines = documents.as_plain_text().splitlines()
    scan = tmp_path / "underskrevet.pdf"
    scan.write_bytes(scans.scanned_pdf(lines, points=11, spacing=3.0))  # two pages
    run = deployment.cli("import-minutes", "--json", str(scan))
    # Not a terminal: a plain line per page on stderr, the JSON alone on stdout.
    assert run.stderr.splitlines() == [
        "underskrevet.pdf: page 1 of 2 read",
        "underskrevet.pdf: page 2 of 2 read",
    ]
    body = json.loads(run.stdout)
    assert body["created"] is True and len(body["ideas"]) == len(documents.Expected().ideas)
    assert deployment.idea_count() == len(documents.Expected().ideas)


def test_a_scan_on_a_terminal_shows_a_progress_bar() -> None:
    from web.cli_imports import PageProgress

    leader, follower = os.openpty()  # a terminal, as stderr is when staff run the command
    with os.fdopen(follower, "w") as terminal:
        progress = PageProgress("scan.pdf")
        progress.stream, progress.terminal = terminal, terminal.isatty()
        with progress:
            for done in range(4):
                progress(done, 3)
        terminal.flush()
        shown = ""
        while select.select([leader], [], [], 0.5)[0]:
            shown += os.read(leader, 65536).decode()
    os.close(leader)
    assert progress.terminal and "Reading scan.pdf" in shown and "3/3" in shown
    assert "page 1 of 3" not in shown
