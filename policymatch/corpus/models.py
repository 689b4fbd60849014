"""What the corpus pipeline produces: documents and the support items split from them."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field


class RawRecord(BaseModel):
    """One record as a reader found it, before normalisation.

    ``source`` and ``line`` locate it for error messages (file path, 1-based line or row).
    """

    id: str | None = None
    title: str | None = None
    text: str
    issuer: str | None = None
    region: str | None = None
    publish_date: str | None = None
    written_date: str | None = None  # 成文日期
    valid_from: str | None = None
    valid_until: str | None = None
    doc_number: str | None = None
    url: str | None = None
    source: str | None = None
    line: int | None = None
    format: str = "text"  # text | html | docx | pdf | md
    extra: dict[str, str] = Field(default_factory=dict)  # other scalar fields, e.g. title_en


class PolicyDocument(BaseModel):
    """A normalised policy document (simplified Chinese, half-width digits)."""

    id: str
    title: str
    text: str
    issuer: str | None = None
    region: str | None = None  # as stated or inferred, free text such as 山东省济南市
    region_code: str | None = None  # 6-digit 区划 code; None = nationwide/unknown
    publish_date: dt.date | None = None
    written_date: dt.date | None = None
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    doc_number: str | None = None  # 发文字号, e.g. 国办发〔2019〕6号
    url: str | None = None
    source: str | None = None
    content_hash: str = ""
    general_text: str = ""  # 适用范围 / 支持对象 / 申报条件 sections that apply to every item
    attachment_text: str = ""  # 附件 after the body that hold no items: forms, lists, the index


class PolicyItem(BaseModel):
    """One support item (条款 / 申报事项) of a document; the unit that is indexed and matched.

    ``context`` joins the document's general sections (who may apply, conditions) that
    the item inherits; ``heading_path`` is the chain of headings above the item.
    """

    id: str  # f"{doc_id}#{seq}"; a document with no structure has the single item f"{doc_id}#0"
    doc_id: str
    seq: int
    heading_path: list[str] = Field(default_factory=list)
    title: str = ""
    text: str
    context: str = ""
    tokens: list[str] = Field(default_factory=list)  # jieba tokens, stopwords removed

    def full_text(self) -> str:
        """Heading path, item text and inherited context: what retrieval and extraction read."""
        parts = [" ".join(self.heading_path), self.text, self.context]
        return "\n".join(p for p in parts if p)
