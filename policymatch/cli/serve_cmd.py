"""``policymatch serve`` (HTTP API + web console) and ``policymatch enterprises load FILE``."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

logger = logging.getLogger(__name__)

enterprises_app = typer.Typer(help="Member enterprises: bulk-load profiles into the store.")


def serve(
    host: Annotated[
        str, typer.Option(help="Interface to listen on (0.0.0.0 for all).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, help="Worker processes; each loads the index.")
    ] = 1,
    log_level: Annotated[str, typer.Option(help="debug, info, warning or error.")] = "info",
) -> None:
    """Serve the JSON API under /v1 and the web console at / (JSON log lines on stderr)."""
    import uvicorn

    from api.logs import configure_json_logging

    configure_json_logging(getattr(logging, log_level.upper(), logging.INFO))
    uvicorn.run(
        "api.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=None,
        access_log=False,
    )


@enterprises_app.command("load")
def load_enterprises(
    path: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="CSV, XLSX or JSONL file.")
    ],
) -> None:
    """Bulk-load enterprise profiles; bad rows are listed with their row number, good rows stored."""
    from api.bulk import load_enterprise_rows
    from policymatch.settings import get_settings
    from policymatch.store import PolicyStore

    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = PolicyStore(settings.resolved_database_url)
    report = load_enterprise_rows(store, path, shown_as=str(path))
    for error in report.errors:
        place = f"{path}:{error.row}" if error.row is not None else str(path)
        field = f" [{error.field}]" if error.field else ""
        typer.echo(f"{place}{field}: {error.message}", err=True)
    typer.echo(f"stored {report.stored} enterprises, {len(report.errors)} rows skipped")
    if report.stored == 0 and report.errors:
        raise typer.Exit(code=1)


def register(app: typer.Typer) -> None:
    """Add ``serve`` and the ``enterprises`` group to the ``policymatch`` command."""
    app.command("serve")(serve)
    app.add_typer(enterprises_app, name="enterprises")
