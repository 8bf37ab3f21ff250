"""The second-stage experiments' list builders do what docs/recommenders.md says they do."""

import numpy as np

from benchmarks.recommenders_second_stage import capped_assignment, reserved_in_shown, reserved_slots


def _everyone_likes_the_same():
    # Three customers rank products 0-5 the same way; products 6-8 suit one customer each.
    scores = np.full((3, 9), -np.inf, dtype=np.float32)
    scores[:, :6] = np.linspace(0.9, 0.4, 6)
    scores[0, 6], scores[1, 7], scores[2, 8] = 0.30, 0.20, 0.10
    return scores


def test_without_reserved_slots_every_list_is_its_own_top():
    scores = _everyone_likes_the_same()

    ranked = reserved_slots(scores, 4, 0)

    assert [list(row) for row in ranked] == [[0, 1, 2, 3]] * 3


def test_a_reserved_slot_goes_to_a_product_no_other_list_holds():
    scores = _everyone_likes_the_same()

    ranked = reserved_slots(scores, 4, 1)

    assert [list(row[:3]) for row in ranked] == [[0, 1, 2]] * 3  # the head is untouched
    last = [row[3] for row in ranked]
    assert len(set(last)) == 3 and not set(last) & {0, 1, 2}
    # Product 3, the best one nobody's head holds, goes to the first of the customers who
    # score it equally; the others get their next best unused product.
    assert last == [3, 4, 5]


def test_a_reserved_product_goes_to_whoever_it_suits_best():
    scores = np.array([[1.0, 0.9, 0.2, 0.1], [1.0, 0.9, 0.8, 0.1]], dtype=np.float32)

    ranked = reserved_slots(scores, 2, 1)

    assert list(ranked[1]) == [0, 2]  # product 2 suits customer 1 (0.8) better than customer 0 (0.2)
    assert list(ranked[0]) == [0, 1]


def test_the_extra_share_gives_up_one_more_slot_for_the_weakest_lists_only():
    scores = np.array([[1.0, 0.9, 0.8, 0.3, 0.2, 0.1, -np.inf, -np.inf],
                       [1.0, 0.45, 0.1, -np.inf, -np.inf, -np.inf, 0.5, 0.4]], dtype=np.float32)

    ranked = reserved_slots(scores, 3, 1, extra=0.5)

    assert list(ranked[0]) == [0, 1, 2]  # its second product (0.9) is the stronger one: one slot
    assert list(ranked[1]) == [0, 6, 7]  # the weakest list: two slots, both products nobody else holds


def test_reserved_slots_within_the_shown_length_come_before_the_rest():
    scores = _everyone_likes_the_same()

    ranked = reserved_in_shown(scores, 4, 3, 1)

    assert [list(row[:2]) for row in ranked] == [[0, 1]] * 3
    assert len({row[2] for row in ranked}) == 3  # the third shown product differs for everyone
    assert all(row[3] not in row[:3] for row in ranked)


def test_a_cap_limits_how_many_lists_name_one_product():
    scores = _everyone_likes_the_same()

    ranked = capped_assignment(scores, 2, 1)

    assert sorted(ranked.ravel().tolist()) == list(range(6))


def test_a_reserved_slot_never_repeats_a_product_another_list_keeps():
    scores = np.array([[0.8, 1.0, -np.inf, 0.3],    # keeps product 1
                       [1.0, 0.9, 0.5, -np.inf]],   # keeps product 0; would like product 1 next
                      dtype=np.float32)

    ranked = reserved_slots(scores, 2, 1)

    assert list(ranked[0]) == [1, 3]
    assert list(ranked[1]) == [0, 2]
