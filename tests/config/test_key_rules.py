"""The rules a key must pass, at their boundaries (production applies them: test_production_settings)."""

import pytest

from privacy.checks import (
    MINIMUM_DISTINCT_CHARACTERS,
    key_variety_problem,
    keys_are_related,
    old_field_keys,
    related_key_problems,
    shortest_period,
)

TEN_DISTINCT = "q7Wz-Lm2_K" + "zKm7-_W2qL" + "L_qW2m-7Kz" + "2W7"  # 33 characters, no repeated part


def test_ten_distinct_characters_are_enough_and_nine_are_not():
    nine_distinct = TEN_DISTINCT.replace("K", "z")

    assert MINIMUM_DISTINCT_CHARACTERS == 10
    assert len(set(TEN_DISTINCT)) == 10 and shortest_period(TEN_DISTINCT) == len(TEN_DISTINCT)
    assert key_variety_problem(TEN_DISTINCT) is None
    assert key_variety_problem(nine_distinct) == "it has 9 distinct characters (at least 10 are needed)"


@pytest.mark.parametrize("value,period", [
    ("password" * 5, 8),
    ("abcde" * 12, 5),
    ("Kq7-Zx2_Mn9!Wr4" * 2 + "Kq7", 15),  # cut short: still one part over and over
])
def test_a_repeated_part_is_found_even_when_the_last_repetition_is_cut_short(value, period):
    assert shortest_period(value) == period


def test_a_part_repeated_twice_is_refused_and_a_part_longer_than_half_the_key_is_not():
    half = "Kq7-Zx2_Mn9!Wr4Tb8Y"  # 19 distinct characters
    twice = half + half
    longer_than_half = half + "#" + half

    assert key_variety_problem(twice) == "it repeats a part of 19 characters"
    assert shortest_period(longer_than_half) == 20
    assert key_variety_problem(longer_than_half) is None


@pytest.mark.parametrize("one,other,related", [
    ("Ab3-Cd4_Ef5-Gh6", "Ab3-Cd4_Ef5-Gh6", True),
    ("Ab3-Cd4_Ef5-Gh6", "Ab3-Cd4_Ef5-Gh6x", True),
    ("Ab3-Cd4_Ef5-Gh6", "ab3-cd4_ef5-gh6", True),
    ("Ab3-Cd4_Ef5-Gh6", "prefix-AB3-CD4_EF5-GH6", True),
    ("Ab3-Cd4_Ef5-Gh6", "Ab3-Cd4_Ef5-Gh7", False),
    ("Ab3-Cd4_Ef5-Gh6", "", False),
])
def test_keys_are_related_when_either_contains_the_other_in_any_case(one, other, related):
    assert keys_are_related(one, other) is related
    assert keys_are_related(other, one) is related


def test_old_keys_are_compared_with_the_current_keys_of_other_purposes_only():
    current = {"FIELD_ENCRYPTION_KEY": "eNc-Kq7_Zx2-Mn9", "BLIND_INDEX_KEY": "bLi-Wr4_Tb8-Yp3"}
    old = old_field_keys(["eNc-Kq7_Zx2-Mn9", "bli-wr4_tb8-yp3|oLd-SiGn-4Kz8"])

    assert old == [("FIELD_ENCRYPTION_KEY", "eNc-Kq7_Zx2-Mn9"), ("FIELD_ENCRYPTION_KEY", "bli-wr4_tb8-yp3"),
                   ("FIELD_SIGNING_KEY", "oLd-SiGn-4Kz8")]
    assert related_key_problems(current=current, old=old) == [
        "An old key of FIELD_ENCRYPTION_KEY in FIELD_ENCRYPTION_OLD_KEYS must be different from "
        "BLIND_INDEX_KEY (neither may contain the other, in any case)."]
