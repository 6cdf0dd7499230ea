"""Canonical bytes: payloads through rfc8785; headers through the faster encoder, which
must write exactly what RFC 8785 writes."""

from __future__ import annotations

from collections import OrderedDict
from types import MappingProxyType
from typing import Any

import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from ceasefire.errors import InvalidInput
from ceasefire.ledger.canonical import canonical_header_json, canonical_json

header_values = st.one_of(
    st.none(),
    st.integers(-(2**53) + 1, 2**53 - 1),
    st.text(),
    st.text(alphabet=st.characters(max_codepoint=0x3F)),  # control characters and escapes
)


@given(st.dictionaries(st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1), header_values))
def test_header_encoder_writes_exactly_rfc_8785(fields: dict[str, str | int | None]) -> None:
    assert canonical_header_json(fields) == rfc8785.dumps(fields)


json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**60), 2**60),  # beyond 2**53 too: those must go to rfc8785
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(),
        st.text(alphabet=st.characters(max_codepoint=0x3F)),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)


@given(st.dictionaries(st.text(max_size=8), json_values, max_size=6))
def test_payloads_are_exactly_rfc_8785_whichever_encoder_writes_them(
    payload: dict[str, Any],
) -> None:
    try:
        expected = rfc8785.dumps(payload)
    except (rfc8785.CanonicalizationError, UnicodeError):
        with pytest.raises(InvalidInput):
            canonical_json(payload)
        return
    assert canonical_json(payload) == expected


def test_header_encoder_refuses_what_rfc_8785_refuses() -> None:
    with pytest.raises(InvalidInput):
        canonical_header_json({"seq": 2**60})
    with pytest.raises(InvalidInput):
        canonical_header_json({"subject": "\ud800"})  # a lone surrogate is not UTF-8


def test_payloads_are_canonical_whatever_their_mapping_type() -> None:
    expected = b'{"a":[1,true,null],"b":{"c":"\xc3\xa9"}}'
    assert canonical_json({"b": {"c": "é"}, "a": [1, True, None]}) == expected
    nested = OrderedDict([("b", MappingProxyType({"c": "é"})), ("a", (1, True, None))])
    assert canonical_json(MappingProxyType(nested)) == expected


@pytest.mark.parametrize(
    "bad",
    [{"x": float("nan")}, {"x": 2**60}, {1: "x"}, {"x": object()}, {"x": ["\ud800"]}],
)
def test_values_json_cannot_hold_name_the_field(bad: dict[object, object]) -> None:
    with pytest.raises(InvalidInput) as caught:
        canonical_json(bad, field="payload")
    assert caught.value.details[0]["loc"] == "payload"
