"""The ``policymatch`` command: one typer app, each group of subcommands in its own module."""

from __future__ import annotations

import logging

import typer

from policymatch.cli import (
    corpus_cmd,
    eval_cmd,
    match_cmd,
    push_cmd,
    ranker_cmd,
    serve_cmd,
    translate_cmd,
)

app = typer.Typer(
    name="policymatch",
    help="政策翻译官: ingest policies, translate them into cards, match enterprises, push, evaluate.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


@app.callback()
def main(verbose: bool = typer.Option(False, "--verbose", "-v", help="Log at INFO level.")) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


for module in (corpus_cmd, translate_cmd, match_cmd, eval_cmd, push_cmd, serve_cmd, ranker_cmd):
    module.register(app)
