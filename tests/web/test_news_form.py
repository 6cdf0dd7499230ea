"""The news page's article form: a refused article (none pasted, no file) comes back on the
news page with the problem beside the text box in the reader's language, not on a dead-end
error page naming the field ``text`` and the code E422 (both databases)."""

from __future__ import annotations

from tests.web.conftest import Browser


def test_an_empty_article_is_refused_beside_the_form(browsers: dict[str, Browser]) -> None:
    turkey = browsers["tur"]
    refused = turkey.post("/news/analyse?lang=ru", {"text": "   "})
    assert refused.status_code == 422, refused.text
    form = refused.text.split('action="/news/analyse"')[1].split("</form>")[0]
    assert 'class="error"' in form
    assert "вставьте статью или выберите файл" in form
    assert "Текст статьи: пусто" in form
    for code in ("E422", ">text<", "text:"):
        assert code not in form, code
