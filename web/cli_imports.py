"""``ideaflow import-minutes``: one file, several files or a folder of minutes."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from flask.cli import with_appcontext

from web.database import unit_of_work
from workflow.contracts.imports import ImportResult as ImportAnswer
from workflow.importer.bounded import read_bounded
from workflow.importer.errors import MinutesRejected, NoIdeasFound
from workflow.importer.readers import MAX_BYTES, Progress
from workflow.services import imports, users
from workflow.services.imports import ImportResult

MINUTES_SUFFIXES = (".txt", ".docx", ".odt", ".pdf", ".doc", ".rtf")
UNRECOGNISED_SHOWN = 10


@dataclass(frozen=True)
class Outcome:
    """What happened to one file."""

    path: Path
    result: ImportResult | None = None
    refused: str | None = None
    unrecognised: tuple[str, ...] = ()  # what a file without ideas held, for the reader


def minutes_files(paths: tuple[Path, ...]) -> list[Path]:
    """The files named, and the minutes files (by suffix) inside the folders named, sorted."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.is_file()
                    and p.suffix.lower() in MINUTES_SUFFIXES
                    and not p.name.startswith((".", "~$"))
                )
            )
        else:
            files.append(path)
    return files


def import_file(
    path: Path, as_email: str | None, dry_run: bool, progress: Progress | None = None
) -> Outcome:
    """Import one file in its own transaction (read first, under the reader's limits; a scan
    is read by text recognition, ``progress`` hearing of each page)."""
    try:
        if path.stat().st_size > MAX_BYTES:
            raise MinutesRejected("The file is larger than 20 MB, which is more than minutes need.")
        content = path.read_bytes()
        parsed = read_bounded(path.name, content, ocr=True, progress=progress)
        with unit_of_work() as uow:
            actor = users.find_actor(uow, as_email) if as_email else None
            result = imports.import_minutes(
                uow, actor, path.name, content, dry_run=dry_run, parsed=parsed
            )
        return Outcome(path, imports.refuse_empty_preview(result))
    except NoIdeasFound as error:
        return Outcome(path, refused=error.message, unrecognised=error.unrecognised)
    except MinutesRejected as error:
        return Outcome(path, refused=error.message)
    except OSError as error:
        return Outcome(path, refused=f"The file cannot be read ({error.strerror}).")


def describe(outcome: Outcome, detailed: bool) -> list[str]:
    """Readable lines about one outcome."""
    if outcome.result is None:
        shown = outcome.unrecognised[:UNRECOGNISED_SHOWN]
        lines = [f"Refused {outcome.path}: {outcome.refused}"]
        lines += [f"  not understood: {text[:100]}" for text in shown]
        if len(outcome.unrecognised) > len(shown):
            lines.append(f"  … and {len(outcome.unrecognised) - len(shown)} more lines")
        return lines
    result = outcome.result
    meeting = result.meeting
    when = f" ({meeting['date']:%d.%m.%Y})" if meeting["date"] else ""
    counts = (
        f"{len(result.themes)} themes, {len(result.ideas)} ideas, "
        f"{len(result.participants)} participants"
    )
    named = f"“{meeting['title']}”{when}"
    if result.dry_run:
        head = f"Would import {outcome.path}: {named}: {counts} (dry run)."
    elif result.created:
        head = f"Imported {outcome.path} as meeting {meeting['id']} {named}: {counts}."
    else:
        head = f"Already imported: {outcome.path} is meeting {meeting['id']} {named}."
    lines = [head]
    if detailed and (result.created or result.dry_run):
        lines += [f"  theme: {theme['text']}" for theme in result.themes]
        lines += [
            f"  idea {'-' if idea.id is None else idea.id}: {idea.title}  [{idea.section or '-'}]"
            for idea in result.ideas
        ]
        lines += [
            "  participant: " + ", ".join(filter(None, (p["name"], p["organisation"], p["email"])))
            for p in result.participants
        ]
    for pair in result.similar:
        other = (
            f"idea {pair.existing_position} of this document"
            if pair.existing_position
            else f"existing idea {pair.existing_id}"
        )
        lines.append(f"  similar: idea {pair.idea_position} resembles {other} (score {pair.score})")
    if detailed and (result.created or result.dry_run):
        lines += [f"  not understood: {text[:100]}" for text in result.unrecognised]
    return lines


def summary_table(outcomes: list[Outcome]) -> list[str]:
    """One row per file: what became of it and what was taken from it, aligned in columns."""
    header = ("File", "Result", "Meeting", "Themes", "Ideas", "People", "Not understood")
    rows = [header]
    for outcome in outcomes:
        result = outcome.result
        if result is None:
            rows.append((outcome.path.name, "refused", "-", "-", "-", "-",
                         str(len(outcome.unrecognised))))  # fmt: skip
            continue
        status = "dry run" if result.dry_run else "imported" if result.created else "known"
        meeting = str(result.meeting["id"] or "-")
        rows.append((outcome.path.name, status, meeting, str(len(result.themes)),
                     str(len(result.ideas)), str(len(result.participants)),
                     str(len(result.unrecognised))))  # fmt: skip
    widths = [max(len(row[column]) for row in rows) for column in range(len(header))]
    lines = [
        "  ".join(
            cell.ljust(width) if column < 2 else cell.rjust(width)
            for column, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return lines


def summary(outcomes: list[Outcome]) -> str:
    """One line counting what happened to the files."""
    results = [o.result for o in outcomes if o.result]
    created = sum(1 for r in results if r.created)
    previewed = sum(1 for r in results if r.dry_run)
    already = len(results) - created - previewed
    parts = [f"{created} imported", f"{already} already imported"]
    if previewed:
        parts.append(f"{previewed} checked (dry run)")
    parts.append(f"{len(outcomes) - len(results)} refused")
    return f"{len(outcomes)} files: " + ", ".join(parts) + "."


class PageProgress:
    """Text recognition's progress on stderr: a bar on a terminal, else a line per page."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.stream: Any = sys.stderr
        self.terminal = self.stream.isatty()
        self.bar: Any = None

    def __enter__(self) -> PageProgress:
        return self

    def __exit__(self, *_: object) -> None:
        if self.bar is not None:
            self.bar.render_finish()

    def __call__(self, done: int, total: int) -> None:
        """Told after each page (and with 0 before the first)."""
        if not self.terminal:
            if done:
                click.echo(f"{self.name}: page {done} of {total} read", file=self.stream)
            return
        if self.bar is None:
            self.bar = click.progressbar(
                length=total, label=f"Reading {self.name}", file=self.stream, show_pos=True
            )
        self.bar.update(done - self.bar.pos)


@click.command("import-minutes")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what would be imported; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (an array for several files).")
@click.option("--as", "as_email", help="Record the import as done by this user.")
@click.option("--if-empty", is_flag=True, help="Do nothing unless the database has no ideas yet.")
@with_appcontext
def import_minutes_command(
    paths: tuple[Path, ...], dry_run: bool, as_json: bool, as_email: str | None, if_empty: bool
) -> None:
    """Import meeting minutes (.txt, .docx, .pdf): files, or folders of them."""
    if if_empty:
        with unit_of_work() as uow:
            if uow.meetings.count() or uow.ideas.count():
                click.echo("The database already holds ideas; nothing imported.", err=True)
                return
    files = minutes_files(paths)
    several = len(files) != 1 or any(path.is_dir() for path in paths)
    if several:
        with click.progressbar(
            files, label="Importing minutes", file=sys.stderr, show_pos=True,
            item_show_func=lambda p: p.name if p else "",
        ) as progress:  # fmt: skip
            outcomes = [import_file(path, as_email, dry_run) for path in progress]
    else:
        with PageProgress(files[0].name) as progress:
            outcomes = [import_file(files[0], as_email, dry_run, progress)]
    refused = [o for o in outcomes if o.refused]
    if as_json:
        bodies = [
            ImportAnswer.of(o.result).dump()
            if o.result
            else {"file": str(o.path), "error": o.refused, "unrecognised": list(o.unrecognised)}
            for o in outcomes
        ]
        if several or not refused:
            click.echo(json.dumps(bodies if several else bodies[0], ensure_ascii=False, indent=2))
        for outcome in refused:
            click.echo(describe(outcome, detailed=False)[0], err=True)
    else:
        for outcome in outcomes:
            for line in describe(outcome, detailed=not several):
                click.echo(line, err=outcome.refused is not None)
        if several:
            click.echo("")
            for line in summary_table(outcomes):
                click.echo(line)
            click.echo(summary(outcomes))
    if refused:
        sys.exit(1)
