"""``ledger verify``'s findings on the database's chain in the CLI's language: why a key may
not sign an entry and why a pre-signed entry may not name its user (the bundle's findings
were worded so before); ``--json`` and the API keep the English."""

from __future__ import annotations

from ceasefire.errors import WordedText
from ceasefire.i18n import translations
from ceasefire.ledger.check import _differs
from ceasefire.ledger.keys import KeyRecord, KeyRing
from ceasefire.ledger.verify import compare_projection, presigned_user_problem


def _shown(message: str | None, lang: str) -> str:
    assert isinstance(message, WordedText), message
    return message.shown(translations(lang).gettext)


def test_a_key_that_may_not_sign_is_named_in_the_readers_language() -> None:
    ring = KeyRing()
    unknown = ring.validity_problem("k-1", "aze")
    assert unknown == "key k-1 was never added before this entry"
    assert "k-1" in _shown(unknown, "ru")
    assert "never added" not in _shown(unknown, "ru")
    assert "never added" not in _shown(unknown, "tr")
    ring.add(KeyRecord("k-1", "arm", "00" * 32, "server", "2020-11-10T00:00:00Z", 2))
    other = ring.validity_problem("k-1", "aze")
    assert other == "key k-1 belongs to member 'arm', not 'aze'"
    assert "'arm'" in _shown(other, "ru")
    assert "belongs to" not in _shown(other, "ru") + _shown(other, "tr")
    ring.end("k-1", seq=5, ts="2020-11-12T00:00:00Z", reason="revoked")
    ended = ring.validity_problem("k-1", "arm")
    assert ended is not None
    assert ended.startswith("key k-1 was revoked at seq 5")
    assert "revoked" not in _shown(ended, "ru")
    assert "revoked" not in _shown(ended, "tr")


def test_a_presigned_entrys_user_is_named_in_the_readers_language() -> None:
    nobody = presigned_user_problem({}, "usr-1", "aze")
    assert nobody == "user 'usr-1' is not a user of any member before this entry"
    assert "'usr-1'" in _shown(nobody, "ru")
    assert "is not a user" not in _shown(nobody, "ru") + _shown(nobody, "tr")
    other = presigned_user_problem({"usr-1": "arm"}, "usr-1", "aze")
    assert other == "user 'usr-1' is a user of 'arm', not of the signing member 'aze'"
    assert "signing member" not in _shown(other, "ru") + _shown(other, "tr")


def test_a_row_the_ledger_does_not_describe_is_named_in_the_readers_language() -> None:
    """The state checks' findings (every area's rows against its entries)."""
    expected = {"incidents": {"inc-1": (4, {"title": "a"}), "inc-2": (5, {"title": "b"})}}
    actual = {"incidents": {"inc-1": {"title": "changed"}, "inc-3": {"title": "c"}}}
    found = [f.message for f in compare_projection(expected, actual, differ_message=_differs)]
    assert found == [
        "incidents row inc-1 differs from ledger entry 4 in title",
        "ledger entry 5 describes incidents row inc-2, which is missing",
        "incidents row inc-3 has no ledger entry: written without the ledger",
    ]
    russian = [_shown(message, "ru") for message in found]
    assert "строка inc-1 таблицы incidents расходится с записью журнала 4" in russian[0]
    assert all("ledger" not in said.replace("ledger_", "") for said in russian), russian
    assert all("row" not in _shown(message, "tr") for message in found)
