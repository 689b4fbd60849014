"""PolicyStore: idempotent upserts, replaced items, cards, enterprises, feedback."""

from __future__ import annotations

import datetime as dt

from policymatch.corpus.metadata import build_document
from policymatch.corpus.models import RawRecord
from policymatch.corpus.split import split_document
from policymatch.profile.models import EnterpriseProfile
from policymatch.store import PolicyStore
from policymatch.translate.models import PolicyCard

MEASURES = (
    "济南市关于支持中小企业发展的若干措施\n"
    "一、对首次认定的国家级专精特新“小巨人”企业，给予一次性奖励50万元，省级专精特新企业奖励10万元。\n"
    "二、对小微企业流动资金贷款按贷款市场报价利率的50%给予贴息，单户每年最高20万元。\n"
    "三、对新认定的高新技术企业给予一次性奖励20万元，复审通过的企业奖励10万元。"
)


def _doc(text: str = MEASURES, doc_id: str = "jn-measures"):
    doc = build_document(RawRecord(id=doc_id, text=text, publish_date="2024-03-01", source="test"))
    return doc, split_document(doc)


def _card(item_id: str, doc_id: str) -> PolicyCard:
    return PolicyCard(item_id=item_id, doc_id=doc_id, summary="专精特新奖励", max_amount_wan=50)


def test_upsert_is_idempotent_and_round_trips(policy_store: PolicyStore) -> None:
    doc, items = _doc()
    assert len(items) == 3
    assert policy_store.upsert_document(doc, items) == "new"
    assert policy_store.upsert_document(doc, items) == "unchanged"
    stored = policy_store.get_document(doc.id)
    assert stored == doc
    assert policy_store.items_for(doc.id) == items
    assert policy_store.get_item(items[1].id) == items[1]
    assert (
        policy_store.get_item("missing#1") is None and policy_store.get_document("missing") is None
    )


def test_changed_document_replaces_items_and_drops_old_cards(policy_store: PolicyStore) -> None:
    doc, items = _doc()
    policy_store.upsert_document(doc, items, [_card(item.id, doc.id) for item in items])
    assert policy_store.get_card(items[2].id) is not None
    shorter = MEASURES.rsplit("\n", 1)[0]
    doc2, items2 = _doc(shorter)
    assert policy_store.upsert_document(doc2, items2) == "changed"
    assert [i.id for i in policy_store.items_for(doc.id)] == [f"{doc.id}#1", f"{doc.id}#2"]
    assert policy_store.get_item(f"{doc.id}#3") is None
    assert policy_store.get_card(items[0].id) is None  # cards of replaced items are gone
    assert policy_store.count_items() == 2


def test_list_search_and_delete(policy_store: PolicyStore) -> None:
    for n, city in enumerate(("济南市", "青岛市", "烟台市")):
        doc, items = _doc(MEASURES.replace("济南市", city), doc_id=f"d{n}")
        policy_store.upsert_document(doc, items)
    assert [d.id for d in policy_store.list_documents(search="青岛")] == ["d1"]
    assert len(policy_store.list_documents(limit=2)) == 2
    assert [d.id for d in policy_store.list_documents(offset=2)] == ["d2"]
    assert policy_store.list_documents()[0].item_count == 3
    assert [i.id for i in policy_store.iter_items(batch_size=2)] == [
        f"d{n}#{s}" for n in range(3) for s in (1, 2, 3)
    ]
    assert policy_store.delete_document("d1") is True
    assert policy_store.delete_document("d1") is False
    assert policy_store.get_item("d1#1") is None and policy_store.count_documents() == 2


def test_cards_enterprises_feedback(policy_store: PolicyStore) -> None:
    assert policy_store.save_cards([_card("a#1", "a"), _card("a#2", "a")]) == 2
    policy_store.save_cards([_card("a#1", "a").model_copy(update={"summary": "新"})])
    assert policy_store.get_card("a#1").summary == "新"
    profiles = [
        EnterpriseProfile(
            id="e1",
            name="济南某智能科技有限公司",
            employees=80,
            revenue=3000.0,
            founded=dt.date(2015, 5, 1),
            qualifications=["高新技术企业"],
        ),
        EnterpriseProfile(id="e2", name="青岛某食品有限公司"),
    ]
    assert policy_store.upsert_enterprises(profiles) == 2
    assert policy_store.get_enterprise("e1") == profiles[0]
    policy_store.upsert_enterprises([profiles[1].model_copy(update={"employees": 12})])
    assert [p.employees for p in policy_store.iter_enterprises()] == [80, 12]
    first = policy_store.add_feedback("e1", "a#1", "relevant", note="正好需要贴息")
    policy_store.add_feedback("e2", "a#2", "irrelevant")
    feedback = list(policy_store.iter_feedback())
    assert [(f.enterprise_id, f.item_id, f.label) for f in feedback] == [
        ("e1", "a#1", "relevant"),
        ("e2", "a#2", "irrelevant"),
    ]
    assert feedback[0] == first and first.note == "正好需要贴息"


def test_schema_uses_portable_types(policy_store: PolicyStore) -> None:
    from sqlalchemy.dialects import postgresql
    from sqlalchemy.schema import CreateTable

    from policymatch.store import Base

    for table in Base.metadata.sorted_tables:
        ddl = str(CreateTable(table).compile(dialect=postgresql.dialect()))
        assert "JSON" in ddl or table.name == "feedback"
    assert {t.name for t in Base.metadata.sorted_tables} == {
        "documents",
        "items",
        "cards",
        "enterprises",
        "feedback",
    }
