"""The need taxonomy: enterprise wording -> need categories -> items that serve them."""

from __future__ import annotations

import json

from policymatch.match.needs import load_need_taxonomy


def test_enterprise_wording_maps_to_need_categories():
    taxonomy = load_need_taxonomy()
    needs = taxonomy.enterprise_needs("扩大生产线需要设备贷款；明年招聘应届毕业生")
    assert needs == {"技改设备", "融资", "用工"}
    assert taxonomy.enterprise_needs("主营液压件") == set()


def test_a_need_written_in_the_policies_own_terms_is_understood():
    # Firms often name the measure they want (首贷, 创新券, 六税两费): the enterprise side knows
    # the item side's words for the same need.
    taxonomy = load_need_taxonomy()
    assert taxonomy.enterprise_needs("首贷") == {"融资"}
    assert "用工" in taxonomy.enterprise_needs("一次性吸纳就业补贴")
    assert taxonomy.enterprise_needs("科技创新券") == {"研发"}
    assert taxonomy.enterprise_needs("六税两费减半") == {"税费"}
    assert taxonomy.enterprise_needs("冷库建设补助") == {"农业"}
    # a rent cut is a place need, not a tax one
    assert "税费" not in taxonomy.enterprise_needs("房租减免")


def test_items_serve_needs_by_wording_or_support_type():
    taxonomy = load_need_taxonomy()
    assert "用工" in taxonomy.item_offers("对吸纳高校毕业生的小微企业给予社会保险补贴")
    assert "融资" in taxonomy.item_offers("按贷款实际利息的50%给予贴息")
    # a support type from the card counts even when the wording does not say it
    assert "融资" in taxonomy.item_offers("给予支持", ["融资担保"])
    assert "外贸" not in taxonomy.item_offers("对新认定的高新技术企业给予奖励")


def test_a_translators_own_table_replaces_the_packaged_one(tmp_path, monkeypatch):
    table = tmp_path / "needs.json"
    table.write_text(
        json.dumps(
            {"needs": [{"need": "直播", "enterprise": ["带货"], "item": ["直播电商"]}]},
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    monkeypatch.setenv("POLICYMATCH_NEED_TAXONOMY", str(table))
    load_need_taxonomy.cache_clear()
    try:
        taxonomy = load_need_taxonomy()
        assert taxonomy.enterprise_needs("想做带货") == {"直播"}
        assert taxonomy.item_offers("支持直播电商基地") == {"直播"}
        assert taxonomy.enterprise_needs("设备贷款") == set()
    finally:
        load_need_taxonomy.cache_clear()
