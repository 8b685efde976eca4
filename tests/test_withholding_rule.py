"""The withholding rule alone (api.metrics.withholding), on answer sets worked out by hand."""

from __future__ import annotations

from api.metrics.withholding import shown_segments, withheld_by_count


def test_of_two_sets_one_answer_apart_each_way_the_smaller_is_withheld() -> None:
    # given: overall answers 1-10; healthcare 2-11 (one in, one out); acme-crm 1-5
    overall = set(range(1, 11))
    segments = {("industry", "7"): set(range(2, 12)), ("product", "3"): set(range(1, 6))}

    # when
    shown = shown_segments(overall, segments)

    # then: healthcare differs from the overall by {1} and {11}: withheld; acme-crm differs
    # by five answers (6-10) and is a subset: shown
    assert shown == {("product", "3")}


def test_segments_that_clash_keep_the_larger() -> None:
    # given: two products of 8 and 7 answers that differ by one answer (8), and an overall
    # of 20, five or more away from both
    overall = set(range(1, 21))
    segments = {("product", "1"): set(range(1, 9)), ("product", "2"): set(range(1, 8))}

    # then: the smaller, 7 answers, is withheld
    assert shown_segments(overall, segments) == {("product", "1")}


def test_overall_minus_two_disjoint_products_leaving_three_withholds_the_smaller() -> None:
    # given: 15 answers; products of 6 (1-6) and 6 (7-12), answers 13-15 in neither.
    # Each pair differs by 5 or more, but overall minus both leaves 13-15
    overall = set(range(1, 16))
    segments = {("product", "1"): set(range(1, 7)), ("product", "2"): set(range(7, 13))}

    # when
    shown = shown_segments(overall, segments)

    # then: product 1 (the smaller by key at equal size) goes; the rest is then 1-6 and 13-15
    assert shown == {("product", "2")}


def test_the_market_by_reason_leaves_no_small_rest() -> None:
    # given: the market's 9 answers, 8 of them with one reason, 1 with none
    # then: that reason is withheld (9 - 8 = 1 would be the one answer)
    assert withheld_by_count({"peer_referral": 8, "other": 0}, 9) == {"peer_referral", "other"}
