"""helpers.claims: the table notebooks 01-03 end with, and the memory and rate measurements behind it."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import claims


def test_table_keeps_claims_in_order_and_shows_them():
    table = claims.ClaimsTable()
    first = table.add("yield small batches", measured="40x the rows/s", verdict="Holds.")
    table.add("use <memmap>", measured="1 MiB allocated", verdict="Holds, with a catch.")
    assert repr(first) == "Verdict: Holds."
    assert table.rows() == [
        ("yield small batches", "40x the rows/s", "Holds."),
        ("use <memmap>", "1 MiB allocated", "Holds, with a catch."),
    ]
    assert repr(table).splitlines()[0] == "1. The article says: yield small batches"
    html = table._repr_html_()
    assert "What we measured" in html and "&lt;memmap&gt;" in html
    assert html.index("yield small batches") < html.index("memmap")


@pytest.mark.parametrize("empty", ["article_says", "measured", "verdict"])
def test_a_claim_needs_all_three_parts(empty):
    parts = {"article_says": "a quote", "measured": "a figure", "verdict": "a verdict", empty: "  "}
    with pytest.raises(ValueError, match=empty):
        claims.ClaimsTable().add(parts["article_says"], measured=parts["measured"], verdict=parts["verdict"])


def test_peak_memory_sees_an_array_held_during_the_pass_and_not_a_streamed_one():
    def held(mib=32):
        everything = np.ones(mib * 2**20, dtype=np.uint8)
        for start in range(0, everything.size, 2**20):
            yield everything[start : start + 2**20]

    def streamed(mib=32):
        for _ in range(mib):
            yield np.ones(2**20, dtype=np.uint8)

    held_use, streamed_use = claims.peak_memory(held), claims.peak_memory(streamed)
    assert held_use.elements == streamed_use.elements == 32
    assert held_use.allocated_mib > 30 and held_use.resident_mib > 16
    assert streamed_use.allocated_mib < 8
