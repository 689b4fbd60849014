"""``policymatch push`` from the command line: files in, lists, summary and errors out."""

from __future__ import annotations

import csv
import json

import pytest
import typer
from test_api_support import AS_OF, build_service_dir
from typer.testing import CliRunner

from policymatch.cli import push_cmd
from policymatch.settings import get_settings
from policymatch.store import PolicyStore


@pytest.fixture()
def app(tmp_path_factory, monkeypatch):
    service = build_service_dir(tmp_path_factory.getbasetemp() / "policymatch-service")
    monkeypatch.setenv("POLICYMATCH_DATA_DIR", str(service))
    get_settings.cache_clear()
    application = typer.Typer()

    @application.callback()
    def main() -> None:
        """policymatch (test shell)."""

    push_cmd.register(application)
    yield application
    get_settings.cache_clear()


def test_push_from_a_csv_with_bad_rows_writes_lists_summary_and_errors(app, tmp_path):
    members = tmp_path / "会员企业.csv"
    members.write_text(
        "企业编号,企业名称,所属地区,所属行业,营业收入(万元),从业人数,企业资质,需求,联系人,联系电话\n"
        "q1,青岛海拓精工机械有限公司,山东省青岛市黄岛区,通用设备制造业,5200,120,专精特新中小企业,"
        "扩大生产线需要设备贷款,刘海,0532-86112233\n"
        ",无编号贸易有限公司,山东省青岛市市南区,批发业,300,8,,缓解流动资金周转压力,,\n"
        "q3,青岛蓝湾电子科技有限公司,山东省青岛市崂山区,计算机制造,很多,60,高新技术企业,"
        "申请贷款贴息,王蓝,0532-88990011\n"
        "q4,青岛北岸食品有限公司,青岛市城阳区,食品制造业,1800,75,,拓展电商直播销售渠道,赵北,0532-87001122\n"
        "q5,某某星际科技有限公司,火星市,软件和信息技术服务业,900,30,,引进高层次技术人才,孙星,010-1\n",
        encoding="gb18030",
    )
    out = tmp_path / "push"
    result = CliRunner().invoke(
        app,
        [
            "push",
            "sb-007#2",
            "sa-001",
            "--enterprises",
            str(members),
            "--out",
            str(out),
            "--as-of",
            AS_OF.isoformat(),
            "--top",
            "5",
            "--chunk-size",
            "2",
        ],
    )
    assert result.exit_code == 0, result.output
    with (out / "sb-007#2.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert {r["企业编号"] for r in rows} == {"q1", "q4", "q5"}  # q5's region unknown: kept
    assert all(r["判断"] in ("推荐", "可能符合") and r["推荐理由"] for r in rows)
    listed = {r["企业编号"]: r for r in rows}
    assert listed["q5"]["判断"] == "可能符合"
    assert listed["q1"]["联系电话"] == "0532-86112233" and listed["q1"]["联系人"] == "刘海"
    with (out / "errors.csv").open(encoding="utf-8-sig", newline="") as f:
        errors = {(int(e["row"]), e["field"], e["skipped"]) for e in csv.DictReader(f)}
    assert (3, "企业编号", "yes") in errors  # blank id, header is row 1
    assert (4, "营业收入(万元)", "yes") in errors  # 很多 is no number
    assert (6, "所属地区", "no") in errors  # 火星市: kept, region unknown
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["enterprises"]["read"] == 5 and summary["enterprises"]["skipped"] == 2
    assert set(summary["policies"]) == {"sb-007#2", "sa-001"}
    assert summary["options"]["as_of"] == AS_OF.isoformat()


def test_push_reads_the_stored_enterprises_without_a_file(app, tmp_path):
    out = tmp_path / "lists.xlsx"
    result = CliRunner().invoke(
        app, ["push", "--doc", "sa-001", "--out", str(out), "--as-of", AS_OF.isoformat()]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "lists.summary.json").read_text(encoding="utf-8"))
    # the twelve sample enterprises, plus any that API tests sharing the service store added
    store = PolicyStore(get_settings().resolved_database_url)
    try:
        stored = sum(1 for _ in store.iter_enterprises())
    finally:
        store.close()
    assert stored >= 12
    assert summary["enterprises"]["read"] == stored
    assert summary["policies"]["sa-001"]["listed"] >= 1


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["push", "no-such-policy"], "no-such-policy"),
        (["push", "sa-001", "--verdicts", "推荐,也许"], "也许"),
        (["push", "sa-001", "--as-of", "2026-13-40"], "--as-of"),
        (["push", "sa-001", "--engine", "spark"], "spark"),
    ],
)
def test_bad_arguments_are_named(app, tmp_path, arguments, message):
    result = CliRunner().invoke(app, [*arguments, "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert message in result.output
