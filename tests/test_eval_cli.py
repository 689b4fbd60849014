"""``policymatch eval`` end to end on a tiny labelled set: real corpus stage, matcher and embedder."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from policymatch.cli import eval_cmd
from policymatch.evaluation.metrics import MATCH_METRICS, PUSH_METRICS
from policymatch.evaluation.runner import METHODS, ranker_identity
from policymatch.match.learned import shipped_ranker
from policymatch.match.ranking import HandWeightedRanker

POLICIES = [
    {
        "id": "jn-tech",
        "title": "济南市历城区支持科技创新若干政策",
        "region": "山东省济南市历城区",
        "text": "一、适用范围\n本政策适用于注册地在历城区的企业。\n二、支持内容\n（一）对首次通过国家高新技术企业认定的企业，"
        "一次性奖励20万元。\n（二）对上年度研发费用达到200万元以上的规上工业企业，按研发费用增长部分的10%给予补助，最高100万元。",
    },
    {
        "id": "jn-trade",
        "title": "济南市支持跨境电商发展的若干措施",
        "region": "山东省济南市",
        "text": "一、支持对象\n在济南市注册、有进出口实绩的企业。\n二、支持措施\n（一）对上年度跨境电商出口额首次超过500万美元的企业，"
        "奖励20万元。\n（二）对参加境外重点展会的企业，按展位费的50%给予补助，最高20万元。",
        "valid_until": "2024-12-31",
        "source_page": "ignored extra field",
    },
    {
        "id": "hz-digital",
        "title": "杭州市推进中小企业数字化改造的实施意见",
        "region": "浙江省杭州市",
        "text": "对年营业收入5000万元至4亿元、完成数字化改造的规上工业中小企业，按软硬件投入的20%给予补助，最高100万元。",
    },
    {
        "id": "sd-jobs",
        "title": "山东省失业保险稳岗返还通知",
        "region": "山东省",
        "text": "上年度未裁员或裁员率不高于5.5%的参保单位可享受稳岗返还，中小微企业按实际缴纳失业保险费的60%返还。",
    },
    {
        "id": "cn-plan",
        "title": "制造业数字化转型行动方案",
        "region": "全国",
        "text": "到2027年，规上工业中小企业基本完成一轮数字化改造。各地结合实际统筹现有资金渠道，具体支持政策由地方另行制定。",
    },
]
ENTERPRISES = [
    {
        "id": "e-soft",
        "name": "济南智联软件有限公司",
        "region": "山东省济南市历城区",
        "industry": "软件和信息技术服务业",
        "description": "工业视觉软件企业，今年首次申报国家高新技术企业，研发投入持续增长。",
        "employees": 35,
        "revenue": 980,
        "needs": ["高新技术企业认定奖励", "研发费用补助"],
    },
    {
        "id": "e-trade",
        "name": "济南齐鲁跨境电商有限公司",
        "region": "山东省济南市",
        "industry": "批发业",
        "description": "跨境电商卖家，去年出口额800万美元，计划参加德国展会。",
        "employees": 40,
        "revenue": 9800,
        "needs": ["境外展会补贴", "跨境电商奖励", "稳岗返还"],
    },
]
QRELS = [
    "e-soft 0 jn-tech 2",
    "e-soft 0 sd-jobs 1",
    "e-soft 0 hz-digital 0",
    "e-trade 0 jn-trade 2",
    "e-trade 0 sd-jobs 1",
    "e-trade 0 cn-plan 0",
]


@pytest.fixture
def tiny_set(tmp_path, monkeypatch):
    from policymatch.settings import get_settings

    monkeypatch.setenv("POLICYMATCH_DATA_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    policies = tmp_path / "policies.jsonl"
    policies.write_text(
        "\n".join(json.dumps(p, ensure_ascii=False) for p in POLICIES) + "\n", encoding="utf-8"
    )
    enterprises = tmp_path / "enterprises.jsonl"
    enterprises.write_text(
        "\n".join(json.dumps(e, ensure_ascii=False) for e in ENTERPRISES) + "\n", encoding="utf-8"
    )
    qrels = tmp_path / "qrels.txt"
    qrels.write_text("\n".join(QRELS) + "\n", encoding="utf-8")
    yield tmp_path, policies, enterprises, qrels
    get_settings.cache_clear()


def run_eval(*args: str):
    app = typer.Typer()
    eval_cmd.register(app)

    @app.callback()
    def _root() -> None:  # keeps "eval" a subcommand, as in the real CLI
        pass

    return CliRunner().invoke(app, ["eval", *args], catch_exceptions=False)


@pytest.mark.slow
def test_eval_command_end_to_end(tiny_set):
    tmp, policies, enterprises, qrels = tiny_set
    out = tmp / "out"
    args = [
        "--policies",
        str(policies),
        "--enterprises",
        str(enterprises),
        "--qrels",
        str(qrels),
        "--out",
        str(out),
        "--as-of",
        "2025-06-30",
    ]
    result = run_eval(*args)
    assert result.exit_code == 0, result.output
    assert "ndcg@10" in result.output and "push" in result.output

    data = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    for method in METHODS:
        assert set(data[method]) == set(MATCH_METRICS)
        assert set(data["push"][method]) == set(PUSH_METRICS)
        assert set(MATCH_METRICS) <= set(data["push"][method])  # one reader for both directions
        values = [*data[method].values(), *data["push"][method].values()]
        assert all(isinstance(v, float) and 0.0 <= v <= 1.0 for v in values)
    meta = data["_meta"]
    assert meta["records"] == 5 and meta["enterprises"] == 2 and meta["queries_judged"] == 2
    assert meta["as_of"] == "2025-06-30" and meta["push_queries_judged"] == 3
    # the figures name the model that ranked full: the shipped trees, by hash and recipe
    shipped = ranker_identity(shipped_ranker())
    assert meta["ranker"] == shipped and shipped["dataset"] == "items" and shipped["thin"] == 0.3
    assert len(shipped["sha256"]) == 16 and shipped["c"] > 0
    assert ranker_identity(HandWeightedRanker()) == {"name": "hand-weighted"}
    # Runs rank the record ids given, never item ids.
    for method in METHODS:
        lines = (out / "runs" / f"{method}.trec").read_text(encoding="utf-8").splitlines()
        assert lines and {line.split()[2] for line in lines} <= {p["id"] for p in POLICIES}
    # The throwaway index is cached by content: a second run reuses it and gives the same numbers.
    cached = {p.resolve() for p in (tmp / "var" / "cache" / "eval").glob("*/READY")}
    assert len(cached) == 1
    again = run_eval(*[str(tmp / "out2") if a == str(out) else a for a in args])
    assert again.exit_code == 0, again.output
    data2 = json.loads((tmp / "out2" / "metrics.json").read_text(encoding="utf-8"))
    assert {m: data2[m] for m in METHODS} == {m: data[m] for m in METHODS}
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<svg" in html and "济南市历城区支持科技创新若干政策" in html
    assert f"5 policy records ({meta['items']} items)" in html


def test_bad_qrels_line_is_reported_with_file_and_line(tiny_set):
    tmp, policies, enterprises, qrels = tiny_set
    qrels.write_text("e-soft 0 jn-tech 2\ne-trade 0 jn-trade two\n", encoding="utf-8")
    result = run_eval(
        "--policies",
        str(policies),
        "--enterprises",
        str(enterprises),
        "--qrels",
        str(qrels),
        "--out",
        str(tmp / "out"),
    )
    assert result.exit_code == 2
    assert f"{qrels}:2" in result.output and "grade" in result.output


def test_validity_options_are_exclusive(tiny_set):
    tmp, policies, enterprises, qrels = tiny_set
    result = run_eval(
        "--policies",
        str(policies),
        "--enterprises",
        str(enterprises),
        "--qrels",
        str(qrels),
        "--out",
        str(tmp / "out"),
        "--ignore-validity",
        "--as-of",
        "2025-01-01",
    )
    assert result.exit_code == 2 and "not both" in result.output


@pytest.mark.slow
def test_ranker_train_fits_cut_down_profiles_with_thin(tiny_set):
    """``ranker train --thin W`` adds each profile cut down (no needs; structured fields and
    scope only) to the training pairs and records the weight in the model file."""
    from policymatch.cli import app
    from policymatch.match.learned import TreeRanker, load_ranker

    tmp, policies, enterprises, qrels = tiny_set
    inputs = ["--policies", str(policies), "--enterprises", str(enterprises)]
    models = {}
    for thin in ("0", "0.5"):
        out = tmp / f"ranker-{thin}.json"
        result = CliRunner().invoke(
            app,
            ["ranker", "train", *inputs, "--qrels", str(qrels), "--folds", "2"]
            + ["--thin", thin, "--out", str(out)],
            catch_exceptions=False,
        )
        assert result.exit_code == 0, result.output
        models[thin] = load_ranker(out)
        # too few relevant documents to hold half out: C is chosen by enterprise, and said so
        assert "too few relevant documents" in result.output and "n/a" in result.output
        assert models[thin].meta["cv"]["documents"]["trees"]["ndcg@10"] is None
    plain, thin = models["0"], models["0.5"]
    assert isinstance(thin, TreeRanker) and thin.meta["thin"] == 0.5
    # every eligible pair comes back once per cut (cutting needs changes no verdict here)
    assert thin.meta["pairs"] == 3 * plain.meta["pairs"]

    bad = CliRunner().invoke(
        app, ["ranker", "train", *inputs, "--qrels", str(qrels), "--thin", "-1"]
    )
    assert bad.exit_code == 2 and "--thin" in bad.output


def test_thin_profiles_empty_the_named_fields_and_keep_ids_and_labels(tiny_set):
    from policymatch.evaluation.ablation import THIN_CUTS, thin_profiles
    from policymatch.evaluation.datasets import resolve_dataset

    _, policies, enterprises, qrels = tiny_set
    data = resolve_dataset(None, policies, enterprises, qrels)
    cut = thin_profiles(data, THIN_CUTS["structured fields and scope"])
    assert [p.id for p in cut.profiles] == [p.id for p in data.profiles]
    assert cut.qrels == data.qrels
    for before, after in zip(data.profiles, cut.profiles, strict=True):
        assert before.needs and before.description  # the cut had something to remove
        assert (after.needs, after.description, after.tags) == ([], "", [])
        assert (after.region, after.employees, after.industry_code) == (
            before.region,
            before.employees,
            before.industry_code,
        )
    assert all(p.description for p in thin_profiles(data, THIN_CUTS["without needs"]).profiles)
