"""Segmentation with the own jieba tokenizer and the domain dictionary."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import jieba

from policymatch.corpus.tokenize import domain_terms, get_tokenizer, stopwords, tokenize


def test_domain_terms_stay_whole_in_sentences() -> None:
    cases = {
        "企业享受研发费用加计扣除政策": "研发费用加计扣除",
        "对规上工业企业实施技术改造给予补贴": "规上工业企业",
        "申请稳岗返还和以工代训补贴": "稳岗返还",
        "认定为瞪羚企业和独角兽企业": "瞪羚企业",
        "推进上云用云和数字化转型": "上云用云",
        "培育农业产业化龙头企业": "农业产业化龙头企业",
        "支持科技型中小企业和高新技术企业": "科技型中小企业",
        "提供一次性吸纳就业补贴": "一次性吸纳就业补贴",
        "支持个体工商户和小微企业发展": "个体工商户",
        "对首台（套）装备的用户给予奖励": "首台套",
        "获得制造业单项冠军称号": "制造业单项冠军",
    }
    for sentence, term in cases.items():
        assert term in tokenize(sentence), sentence


def test_every_dictionary_term_is_one_token() -> None:
    tokenizer = get_tokenizer()
    split = [t for t in domain_terms() if "(" not in t and tokenizer.lcut(t) != [t]]
    assert len(domain_terms()) >= 250
    assert split == []


def test_lowercase_no_punctuation_no_stopwords() -> None:
    tokens = tokenize("对首次认定的ＡＩ企业、ERP项目，给予50万元的奖励！")
    assert "ai" in tokens
    assert "erp" in tokens
    assert not {"的", "对", "，", "、", "！", " "} & set(tokens)
    assert "50" in tokens and "奖励" in tokens
    assert "的" in stopwords()


def test_own_tokenizer_leaves_the_global_one_alone() -> None:
    tokenizer = get_tokenizer()
    assert tokenizer is not jieba.dt and tokenizer is get_tokenizer()
    assert "研发费用加计扣除" not in jieba.dt.FREQ


def test_tokenize_is_thread_safe() -> None:
    sentence = "对新认定的专精特新小巨人企业给予贷款贴息和融资担保支持"
    expected = tokenize(sentence)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(tokenize, [sentence] * 32))
    assert all(result == expected for result in results)
