"""Application windows, validity statements and periods that open an item."""

from __future__ import annotations

import datetime as dt

from policymatch.translate.dates import find_apply_window, find_item_period, find_validity
from policymatch.translate.text import split_sentences

D = dt.date


def window(text: str, year: int | None = None):
    span = find_apply_window(split_sentences(text, "text"), year)
    return (span.start, span.end) if span else None


def test_application_windows() -> None:
    assert window("申报时间：2024年3月1日至4月30日。") == (D(2024, 3, 1), D(2024, 4, 30))
    assert window("请于2026年6月30日前提交申报材料。") == (None, D(2026, 6, 30))
    assert window("申报截止时间为二〇二四年五月十日。") == (None, D(2024, 5, 10))
    assert window("受理时间为：2019年7月10日8:00至8月9日16:00。") == (D(2019, 7, 10), D(2019, 8, 9))
    assert window("申请报送日期为2019年12月9日至16日16时。") == (D(2019, 12, 9), D(2019, 12, 16))


def test_a_window_under_a_heading_line() -> None:
    assert window("三、申报时间\n2026年5月1日至6月30日，逾期不予受理。") == (
        D(2026, 5, 1),
        D(2026, 6, 30),
    )


def test_dates_that_are_not_about_applying_are_no_window() -> None:
    assert window("2019年3月9日，科技部正式发布支持济南建设试验区的函。") is None


def test_impossible_dates_from_a_garbled_source_are_ignored() -> None:
    assert window("申报截止时间为5355年65月06日。") is None


def validity(text: str, issued: D | None = None):
    span, _ = find_validity(split_sentences(text, "document"), issued)
    return (span.start, span.end) if span else None


def test_validity_statements() -> None:
    assert validity("本政策措施自印发之日起施行，有效期至2025年12月31日。", D(2021, 8, 29)) == (
        D(2021, 8, 29),
        D(2025, 12, 31),
    )
    assert validity("本办法自2022年4月15日起施行。") == (D(2022, 4, 15), None)
    assert validity("本细则为配套文件，自2023年2月22日施行，有效期至2026年2月21日。") == (
        D(2023, 2, 22),
        D(2026, 2, 21),
    )


def test_validity_in_years_runs_to_the_day_before_the_anniversary() -> None:
    assert validity("本政策自发布之日起施行，有效期3年。", D(2020, 6, 2)) == (
        D(2020, 6, 2),
        D(2023, 6, 1),
    )


def test_the_date_printed_next_to_yinfa_wins_over_the_record_date() -> None:
    text = "本政策自印发之日起施行。\n济南市人民政府办公厅 2019年1月3日印发"
    assert validity(text, D(2019, 1, 22)) == (D(2019, 1, 3), None)


def test_validity_of_something_else_is_not_the_policys() -> None:
    assert validity("临时行驶车号牌有效期不超过安全性自我声明载明的测试时间。") is None


def test_a_period_that_opens_an_item_governs_it() -> None:
    body = split_sentences("2019年1月1日至12月31日，困难企业可组织开展职工在岗培训。", "text")
    span = find_item_period(body)
    assert (span.start, span.end) == (D(2019, 1, 1), D(2019, 12, 31))
    since = find_item_period(
        split_sentences("从2019年1月1日起，实施三年百万青年见习计划。", "text")
    )
    assert (since.start, since.end) == (D(2019, 1, 1), None)


def test_a_period_later_in_the_item_does_not() -> None:
    body = split_sentences(
        "对不裁员的参保企业返还失业保险费的50%。2019年1月1日至12月31日，对困难企业…", "text"
    )
    assert find_item_period(body) is None


def test_a_window_stated_for_every_year_recurs() -> None:
    every_year = find_apply_window(split_sentences("每年4月1日至5月31日集中申报。", "text"), 2024)
    assert every_year and every_year.yearly
    assert (every_year.start, every_year.end) == (D(2024, 4, 1), D(2024, 5, 31))
    once = find_apply_window(split_sentences("申报时间：2024年4月1日至5月31日。", "text"), 2024)
    assert once and not once.yearly
