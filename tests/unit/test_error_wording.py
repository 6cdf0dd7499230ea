"""An error raised with its catalogue wording (``CeasefireError.worded``) answers the API in
the same English as before, and a page shows it in the reader's language."""

from __future__ import annotations

from ceasefire import i18n
from ceasefire.errors import Conflict, NotFound, id_taken
from ceasefire.web.common import error_text


def test_the_api_keeps_the_english_message() -> None:
    error = NotFound.worded("no incident %(id)s", id=repr("inc-1"))
    assert error.to_dict() == {
        "error": {"code": "E404", "message": "no incident 'inc-1'", "details": None}
    }
    taken = id_taken("member", "tur")
    assert taken.message == "member 'tur' already exists with other details"
    assert taken.details == [{"loc": "id", "message": "taken"}]


def test_a_page_shows_the_wording_translated() -> None:
    error = Conflict.worded("an incident keeps at least one report")
    shown = error_text(error, lambda m: i18n.gettext("ru", m))
    assert shown == i18n.gettext("ru", "an incident keeps at least one report") != error.message
    # An error raised without a wording: the known patterns, else as worded.
    assert error_text(Conflict("odd"), lambda m: i18n.gettext("tr", m)) == "odd"
    assert error_text("required", lambda m: i18n.gettext("tr", m)) == i18n.gettext("tr", "required")
