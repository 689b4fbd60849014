"""``policymatch ranker``: retrain the learned ranker and measure what each feature group adds."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from policymatch.errors import InputError

if TYPE_CHECKING:
    from policymatch.evaluation.datasets import EvalDataset
    from policymatch.match.learned import PairTable

ranker_app = typer.Typer(help="Learned ranker of the full method: train, ablation.")


def register(app: typer.Typer) -> None:
    """Add the ``ranker`` command group to ``app``."""
    app.add_typer(ranker_app, name="ranker")


DatasetOption = Annotated[
    str | None, typer.Option("--dataset", help="A built-in labelled set: items, dev or dev_items.")
]
PoliciesOption = Annotated[
    Path | None, typer.Option("--policies", help="Policies JSONL (id, title, text, ...).")
]
EnterprisesOption = Annotated[
    Path | None, typer.Option("--enterprises", help="Enterprise profiles, JSONL or CSV.")
]
QrelsOption = Annotated[
    Path | None,
    typer.Option("--qrels", help="TREC qrels (e.g. exported feedback: GET /v1/feedback/qrels)."),
]
AlsoOption = Annotated[
    list[str] | None,
    typer.Option(
        "--also",
        help="NAME:WEIGHT, repeatable: fit the model on a built-in set's pairs of the "
        "tune split as well, each weighing WEIGHT times a pair of the main set; of a "
        "document-level set only the pairs whose label holds for the item count (items of "
        "documents graded 0, single-item documents). E.g. --also dev:0.1.",
    ),
]
ThinOption = Annotated[
    float,
    typer.Option(
        "--thin",
        min=0.0,
        help="Also fit on every training profile cut down (without its needs; with only its "
        "structured fields and scope), each cut pair weighing WEIGHT times its source pair; "
        "0 (default) turns it off. E.g. --thin 0.3.",
    ),
]
ModelOption = Annotated[
    str,
    typer.Option(
        "--model",
        help="trees (monotone gradient boosting with a linear first stage; shipped) or "
        "linear (the sign-constrained logistic regression alone). Both are JSON with exact "
        "per-feature reasons.",
    ),
]
SplitOption = Annotated[
    str,
    typer.Option("--split", help="Enterprises trained on: tune (default), report or all."),
]


@ranker_app.command("train")
def train_command(
    dataset: DatasetOption = None,
    policies: PoliciesOption = None,
    enterprises: EnterprisesOption = None,
    qrels: QrelsOption = None,
    split: SplitOption = "tune",
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Model file to write (default DATA_DIR/ranker.json); point "
            "POLICYMATCH_RANKER at it to use it.",
        ),
    ] = None,
    folds: Annotated[int, typer.Option("--folds", min=2, help="GroupKFold folds.")] = 5,
    kind: ModelOption = "trees",
    also: AlsoOption = None,
    thin: ThinOption = 0.0,
) -> None:
    """Fit the ranker; print cross-validated figures of the trees, the linear model and the
    hand-weighted score."""
    from policymatch.evaluation.ablation import choose_c, compare_models
    from policymatch.match.learned import fit_linear, fit_trees
    from policymatch.settings import get_settings

    console = Console()
    _check_kind(kind)
    try:
        data, table = _table(dataset, policies, enterprises, qrels, split)
        extra = _extra_tables(also, split, thin, data)
    except InputError as exc:
        Console(stderr=True).print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(2) from exc
    c, by_c = choose_c(table, folds, extra, new_documents=True)
    basis = "new enterprises and documents"
    if all(math.isnan(v) for v in by_c.values()):
        c, by_c = choose_c(table, folds, extra)
        basis = "new enterprises: too few relevant documents to hold half of them out"
    console.print(
        f"CV nDCG@10 of the linear model by C ({basis}): "
        + ", ".join(f"{k:g}: {v:.4f}" for k, v in by_c.items())
        + f"; C = {c:g}"
    )
    figures = {
        "enterprises": compare_models(table, folds, c=c, extra=extra),
        "documents": compare_models(table, folds, c=c, extra=extra, new_documents=True),
    }
    grid = Table(title=f"cross-validated ({folds} folds by enterprise) · {data.name}")
    grid.add_column("model")
    for column in ("new enterprises: nDCG@10", "P@5", "and new documents: nDCG@10", "P@5"):
        grid.add_column(column, justify="right")
    for name, values in figures["enterprises"].items():
        held_out = figures["documents"][name]
        grid.add_row(
            name,
            *(_figure(v[m]) for v in (values, held_out) for m in ("ndcg@10", "precision@5")),
        )
    console.print(grid)
    meta = {
        "dataset": data.name,
        "split": split,
        "also": list(also or ()),
        "thin": thin,
        "cv": {
            basis: {
                model: {k: None if v != v else v for k, v in values.items()}  # NaN: not JSON
                for model, values in by_model.items()
            }
            for basis, by_model in figures.items()
        },
    }
    fit = fit_trees if kind == "trees" else fit_linear
    model = fit(table, c=c, extra=extra, meta=meta)
    target = out or get_settings().data_dir / "ranker.json"
    model.save(target)
    linear = getattr(model, "first_stage", model)
    console.print("largest standardised coefficients of the linear (first-stage) model:")
    for name, weight in list(linear.standardised_weights().items())[:8]:
        console.print(f"  {name:<24} {weight:+.3f}")
    console.print(f"wrote {target}")


@ranker_app.command("ablation")
def ablation_command(
    out: Annotated[Path, typer.Option("--out", help="Folder for ablation.json, ablation.md.")],
    dataset: DatasetOption = None,
    policies: PoliciesOption = None,
    enterprises: EnterprisesOption = None,
    qrels: QrelsOption = None,
    also: AlsoOption = None,
    thin: ThinOption = 0.0,
    kind: ModelOption = "trees",
) -> None:
    """Retrain without each feature group on the tune split; score the report split."""
    from policymatch.evaluation.ablation import ablation, choose_c, markdown_table, split_table

    console = Console()
    _check_kind(kind)
    try:
        data, table = _table(dataset, policies, enterprises, qrels, "all")
        if not data.split:
            raise InputError("ablation needs a tune/report split (split.tsv)", field="split")
        extra = _extra_tables(also, "tune", thin, data)
    except InputError as exc:
        Console(stderr=True).print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(2) from exc
    tune = split_table(table, data.split, "tune")
    c, _ = choose_c(tune, extra=extra, new_documents=True)
    rows = ablation(tune, split_table(table, data.split, "report"), c=c, extra=extra, kind=kind)
    out.mkdir(parents=True, exist_ok=True)
    (out / "ablation.json").write_text(
        json.dumps(
            {"dataset": data.name, "model": kind, "c": c, "rows": rows},
            ensure_ascii=False,
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )
    text = markdown_table(rows)
    (out / "ablation.md").write_text(text + "\n", encoding="utf-8")
    console.print(text, highlight=False)
    console.print(f"wrote {out / 'ablation.json'}, {out / 'ablation.md'}")


def _figure(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.4f}"


def _check_kind(kind: str) -> None:
    if kind not in ("trees", "linear"):
        Console(stderr=True).print(f"[red]error:[/red] --model is linear or trees, not {kind!r}")
        raise typer.Exit(2)


def _extra_tables(
    also: list[str] | None, split: str, thin: float = 0.0, main: EvalDataset | None = None
) -> list[tuple[PairTable, float]]:
    """The ``--also`` sets' pair tables of ``split``, each with its weight, and with ``thin``
    the cut-down profiles (:data:`~policymatch.evaluation.ablation.THIN_CUTS`) of the main set
    and of each ``--also`` set at ``thin`` times that set's weight."""
    from policymatch.evaluation.datasets import resolve_dataset

    also_sets = [
        (resolve_dataset(name, None, None, None), weight)
        for name, weight in map(parse_also, also or ())
    ]
    extra = [(_pairs(data, split), weight) for data, weight in also_sets]
    if thin > 0:
        from policymatch.evaluation.ablation import THIN_CUTS, thin_profiles

        sources = ([(main, 1.0)] if main is not None else []) + also_sets
        extra += [
            (_pairs(thin_profiles(data, fields), split), weight * thin)
            for data, weight in sources
            for fields in THIN_CUTS.values()
        ]
    return extra


def parse_also(value: str) -> tuple[str, float]:
    """``"dev:0.1"`` -> ``("dev", 0.1)``.

    Raises:
        InputError: Not NAME:WEIGHT with a positive number (naming the option and the value).
    """
    name, sep, weight = value.rpartition(":")
    try:
        number = float(weight)
    except ValueError:
        number = float("nan")
    if not sep or not name or not number > 0:
        raise InputError(
            f"expected NAME:WEIGHT with a positive weight (e.g. dev:0.1), not {value!r}",
            field="--also",
        )
    return name, number


def _table(dataset, policies, enterprises, qrels, split):
    from policymatch.evaluation.datasets import resolve_dataset

    data = resolve_dataset(dataset, policies, enterprises, qrels)
    if split != "all" and not data.split:
        split = "all"  # feedback qrels come without a split: train on everything
    table = _pairs(data, split)
    if not table.qrels:
        raise InputError("no labelled enterprise in the chosen split", field="split")
    return data, table


def _pairs(data: EvalDataset, split: str) -> PairTable:
    """The pair table of ``data``'s enterprises in ``split`` (all without a split)."""
    from policymatch.evaluation.ablation import collect_pairs, split_table
    from policymatch.settings import get_settings

    table = collect_pairs(data, get_settings(), ignore_validity=True)
    return split_table(table, data.split, split) if split != "all" and data.split else table
