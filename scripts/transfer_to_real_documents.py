"""How a ranker trained on the project's own sample corpus ranks real documents it never saw.

    PYTHONPATH=. .venv/bin/python scripts/transfer_to_real_documents.py [--thin 0.3] [--c 0.01]

The held-out benchmark's policies are not ours, so the figure to trust is on documents the ranker
never trained on. The dev set holds 44 real documents (origin ``shared`` in its corpus.tsv) next
to the 48 documents of the sample corpus that the item set splits into items. This fits the
trees and the linear model on the shipped recipe minus those real documents (the item set's tune
split, its cut-down profiles at ``--thin``, the dev set's sample-corpus documents at 0.1; not
``dev_items``, whose real part is those documents' items), and
ranks only the real documents for each dev enterprise, with full and cut-down profiles, against
the hand-weighted score, which was never fitted. nDCG@10 / P@5 per column.
"""

from __future__ import annotations

import argparse
import logging

from policymatch.evaluation.ablation import (
    THIN_CUTS,
    collect_pairs,
    split_table,
    thin_profiles,
)
from policymatch.evaluation.devset import DATASETS_DIR, load_builtin_dataset, read_corpus_list
from policymatch.match.learned import evaluate_scores, fit_linear, fit_trees
from policymatch.match.ranking import HandWeightedRanker
from policymatch.settings import get_settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--thin", type=float, default=0.3, help="weight of cut-down profiles")
    parser.add_argument("--c", type=float, default=0.01, help="C of the linear model")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    settings = get_settings()
    items, dev = load_builtin_dataset("items"), load_builtin_dataset("dev")
    real = {
        r
        for r, origin, _ in read_corpus_list(DATASETS_DIR / "dev" / "corpus.tsv")
        if origin == "shared"
    }
    cuts = {"full": ()} | THIN_CUTS
    short = dict(zip(cuts, ("full", "no needs", "structured"), strict=True))

    def pairs(data, fields):
        return collect_pairs(thin_profiles(data, fields) if fields else data, settings)

    item_tables = {
        cut: split_table(pairs(items, f), items.split, "tune") for cut, f in cuts.items()
    }
    dev_tables = {cut: pairs(dev, f) for cut, f in cuts.items()}
    dev_tune = split_table(dev_tables["full"], dev.split, "tune")
    extra = [(dev_tune.for_documents(set(dev_tune.records) - real), 0.1)]
    if args.thin > 0:
        extra += [(item_tables[cut], args.thin) for cut in THIN_CUTS]
    models = {
        "trees": fit_trees(item_tables["full"], c=args.c, extra=extra),
        "linear": fit_linear(item_tables["full"], c=args.c, extra=extra),
        "hand-weighted": HandWeightedRanker(),
    }
    columns = {
        f"{part}: {short[cut]}": split_table(dev_tables[cut], dev.split, part).for_documents(real)
        for part in ("tune", "report")
        for cut in cuts
    }
    print(f"{'':15s}" + "".join(f"{name:>20s}" for name in columns))
    for name, model in models.items():
        cells = []
        for table in columns.values():
            figures = evaluate_scores(table, model.score(table.features, table.names))
            cells.append(f"{figures['ndcg@10']:.3f}/{figures['precision@5']:.3f}")
        print(f"{name:15s}" + "".join(f"{cell:>20s}" for cell in cells))


if __name__ == "__main__":
    main()
