"""Editor outputs: word diffs, text files, the review page (escaping above all) and the index."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.document import Article, Flag, Paragraph, Sentence, Translation
from pipeline.render import TranslationNote, counts, is_low_confidence, translation_state
from pipeline.render.html import review_page, trace_edits
from pipeline.render.index import index_page
from pipeline.render.text import english_text, word_diff_text
from pipeline.render.worddiff import side_html, to_html, to_markers, word_diff
from pipeline.text.normalize import normalize_article
from pipeline.text.reader import read_article

SAMPLES = sorted((Path(__file__).parent.parent / "data" / "articles").glob("*.txt"))
HOSTILE = "<script>document.title='pwned'</script> &amp; \"citat\" 'x' <b>fed</b> &lt;i&gt;"


# -- word diffs -------------------------------------------------------------------------------


@given(st.text(alphabet="ab æ.,«»<&\n", max_size=40), st.text(alphabet="ab æ.,«»<&\n", max_size=40))
@settings(max_examples=200, deadline=None)
def test_word_diff_reproduces_both_sides(before: str, after: str) -> None:
    chunks = word_diff(before, after)
    assert "".join(c.before for c in chunks) == before
    assert "".join(c.after for c in chunks) == after
    assert all(c.tag != "equal" or c.before == c.after for c in chunks)


def test_word_diff_marks_whole_words() -> None:
    chunks = word_diff("vi ved alle, at Dominos er god", "Vi ved alle, at Domino's er god")
    assert to_markers(chunks) == "[-vi-]{+Vi+} ved alle, at [-Dominos-]{+Domino's+} er god"


def test_word_diff_of_huge_change_is_one_replacement() -> None:
    before, after = "a " * 30_000, "b " * 30_000
    chunks = word_diff(before, after)
    assert [c.tag for c in chunks] == ["replace", "equal"]


def test_html_diff_escapes_text() -> None:
    chunks = word_diff("før <b>", "efter <script>&")
    rendered = to_html(chunks) + side_html(chunks, "before") + side_html(chunks, "after")
    assert "<script>" not in rendered and "<b>" not in rendered
    assert "&lt;" in rendered and "&gt;" in rendered and "&amp;" in rendered


# -- tracing edits -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_traced_pieces_rebuild_every_sample_sentence(path: Path) -> None:
    article = normalize_article(read_article(path, path.name))
    for sentence in article.sentences():
        pieces = trace_edits(sentence.original, sentence.edits)
        assert "".join(p.text for p in pieces) == sentence.text
        for piece in pieces:
            assert all(0 <= i < len(sentence.edits) for i in piece.edits)


@given(st.text(alphabet="abc ", min_size=1, max_size=20), st.data())
@settings(max_examples=200, deadline=None)
def test_traced_pieces_rebuild_random_edits(original: str, data: st.DataObject) -> None:
    sentence = Sentence(original)
    for _ in range(data.draw(st.integers(0, 5))):
        start = data.draw(st.integers(0, len(sentence.text)))
        end = data.draw(st.integers(start, len(sentence.text)))
        after = data.draw(st.text(alphabet="xyz", max_size=3))
        sentence.apply_edit("t", f"r{len(sentence.edits)}", start, end, after)
    pieces = trace_edits(sentence.original, sentence.edits)
    assert "".join(p.text for p in pieces) == sentence.text
    edited = {i for p in pieces for i in p.edits}
    # every edit that left text behind is attributed somewhere
    for i, edit in enumerate(sentence.edits):
        if edit.after and i not in edited:
            later = sentence.edits[i + 1 :]
            assert later, "only a later edit can hide an earlier one"


# -- a hand-made article ---------------------------------------------------------------------


def _article(text: str = HOSTILE, translated: bool = True) -> Article:
    first = Sentence("vi ved, at " + text)
    first.apply_edit("fix", "casing.sentence_start", 0, 1, "V", "Capitalised <the> \"start\".")
    first.add_flag("fix", "fix.english_fragment", 11, 19, "English <left> & 'kept'.",
                   suggestion="<dansk>")
    second = Sentence("Over 80% – gruppen.")
    second.apply_edit("normalize", "join_compound_dashes", 8, 11, "-", "Joined.")
    third = Sentence("Helt uændret.")
    heading = Sentence("overskrift <i>")
    if translated:
        heading.translation = Translation("heading <i>", "m", score=-0.2)
        first.translation = Translation("We know that " + text, "m", score=-0.3)
        second.translation = Translation("Over 80% group.", "m", score=-2.5)
        third.translation = Translation(
            "Quite unchanged.", "m", score=-0.1,
            flags=[Flag("qa.numbers", 0, 5, "warning", "Number <1> differs.", None, "translate")],
        )
    paragraph = Paragraph([first, second, third])
    for s in paragraph.sentences[:-1]:
        s.space_after = " "
    return Article(
        path="sub/<evil> & \"name\".txt",
        paragraphs=[Paragraph([heading], kind="heading"), paragraph],
        flags=[Flag("decoded_cp1252", 0, 0, "warning", "Read as <cp1252>.", stage="read")],
    )


def _text_outside_tags(page: str) -> str:
    return re.sub(r"<[^>]*>", "", page)


def test_review_page_escapes_every_piece_of_article_text() -> None:
    page = review_page(_article())
    assert page.count("<script>") == 1  # the page's own navigation script
    assert "document.title='pwned'" not in page.split("<script>")[1].split("</script>")[0]
    assert "&lt;script&gt;document.title=&#x27;pwned&#x27;&lt;/script&gt;" in page
    assert "<b>" not in page and "<i>" not in page and "<evil>" not in page
    assert "&amp;amp;" in page  # a literal "&amp;" in the article shows as text
    assert "&lt;dansk&gt;" in page and "&lt;left&gt;" in page and "&lt;the&gt;" in page
    # attributes never break out of their quotes
    for value in re.findall(r'data-tip="([^"]*)"', page):
        assert "<" not in value and ">" not in value


def test_review_page_only_runs_its_own_script() -> None:
    page = review_page(_article())
    script = page.split("<script>")[1].split("</script>")[0]
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in page
    assert "default-src 'none'" in page
    assert "http://" not in page and "https://" not in page  # nothing to fetch


def test_review_page_marks_edits_flags_and_low_confidence() -> None:
    page = review_page(_article())
    assert 'data-rule="casing.sentence_start"' in page
    tip = "casing.sentence_start (fix): Capitalised &lt;the&gt; &quot;start&quot;."
    assert f'data-tip="{tip}' in page
    assert 'class="flag sev-warning tip"' in page
    # file flag, sentence flag, two low-confidence translations (score and translator flag)
    targets = re.findall(r'class="[^"]*flag-target[^"]*" id="(flag-\d+)"', page)
    assert targets == ["flag-1", "flag-2", "flag-3", "flag-4"]
    for target in targets:
        assert f'href="#{target}"' in page  # the flag list links to each (works without JS)
    assert 'id="next-flag" hidden' in page and 'id="prev-flag" hidden' in page
    assert "lowconf-row" in page and "Number &lt;1&gt; differs." in page
    assert "@media print" in page


def test_review_page_without_translation_says_so() -> None:
    article = _article(translated=False)
    note = TranslationNote("missing", "Model X is not installed; run `daen model download`.")
    page = review_page(article, note)
    assert "Back-translation missing" in page and "daen model download" in page
    assert page.count("back-translation missing</span>") == 4
    partial = _article()
    partial.paragraphs[0].sentences[0].translation = None
    assert translation_state(partial) == "partial"
    assert "Back-translation missing for some sentences." in review_page(partial)
    assert translation_state(article, note) == "missing"


def test_english_text_keeps_paragraphs_and_says_when_missing() -> None:
    article = _article()
    assert english_text(article).split("\n\n")[1].startswith("We know that <script>")
    assert english_text(article).count("\n\n") == 1
    missing = english_text(_article(translated=False), TranslationNote("missing", "no model"))
    assert missing.startswith("Back-translation missing: the model was not available. no model")
    assert missing.count("\n") == 1  # just the line that says so
    partial = _article()
    partial.paragraphs[1].sentences[1].translation = None
    text = english_text(partial)
    assert text.startswith("Back-translation missing for some sentences.")
    assert "We know that <script>" in text and "[back-translation missing]" in text
    disabled = english_text(_article(translated=False), TranslationNote("disabled"))
    assert disabled.startswith("Back-translation missing: not requested (--no-translate).")


def test_word_diff_text_lists_changed_sentences_with_rules() -> None:
    text = word_diff_text(_article())
    assert "@@ 2.1 (paragraph 2, sentence 1) @@" in text
    assert "[-vi-]{+Vi+}" in text
    assert "= fix/casing.sentence_start: Capitalised" in text
    assert "@@ 2.3" not in text  # unchanged sentence left out
    assert "# flag decoded_cp1252" in text


def test_counts_and_low_confidence() -> None:
    article = _article()
    c = counts(article)
    assert c["sentences"] == 4 and c["edits"] == 2 and c["flags"] == 2
    assert c["low_confidence"] == 2
    assert not is_low_confidence(None)


def test_index_page_escapes_names_and_links_outputs() -> None:
    manifest = {
        "input": "/x/<in>",
        "version": "0.1.0",
        "translation": {"status": "missing", "error": "get <the> model"},
        "articles": {
            "a <b>": {
                "source": "a <b>.txt",
                "outputs": {"html": "a <b>.html", "da": "a <b>.da.txt"},
                "counts": {"sentences": 3, "edits": 2, "flags": 1},
                "translation": "missing",
            }
        },
        "failed": {"bad": {"source": "bad.txt", "message": "bad.txt: binary <file>"}},
        "skipped": [{"path": "x<y>.pdf", "reason": "not a .txt or .md file"}],
    }
    page = index_page(manifest, {"a <b>": "done"})
    text = _text_outside_tags(page)
    assert "<b>" not in page and "<file>" not in page and "<y>" not in page
    assert 'href="a%20%3Cb%3E.html"' in page
    assert "a &lt;b&gt;.txt" in text and "binary &lt;file&gt;" in text
    assert "get &lt;the&gt; model" in text and "updated" in text
    assert "<script" not in page


def _record_article(paragraphs: int) -> Article:
    sentences = [
        Sentence("Vi ved , at “han” kom.", space_after=" "),
        Sentence("Line\u2028break og \"citat\\\" her."),
    ]
    sentences[0].apply_edit("normalize", "normalize_spaces", 6, 8, ",", "Spaces.")
    sentences[0].add_flag("fix", "phrase.x", 0, 2, "Check.", suggestion="Vi")
    sentences[1].translation = Translation("Line break.", "m", -0.5, [Flag("t", 0, 1, "info", "r")])
    article = Article("dir/æ.txt", [Paragraph(list(sentences)) for _ in range(paragraphs)],
                      flags=[Flag("decoded_cp1252", 0, 0, "info", "Not UTF-8.")])
    article.qa = {"original": "æ.en.txt", "pairs": [{"en": [0], "da": [0], "chrf": 50.0,
                                                     "flag": None}]}
    return article


@pytest.mark.parametrize("paragraphs", [0, 1, 3])
def test_record_written_by_paragraph_equals_the_whole_record_encoded(paragraphs: int) -> None:
    import json

    from pipeline.run.records import record_pieces, record_text, text_digest

    article = _record_article(paragraphs)
    entry = {"source": "dir/æ.txt", "counts": {"edits": 1}, "qa": None}
    whole = article.to_dict()
    assert record_text(article) == json.dumps(whole, ensure_ascii=False, indent=1) + "\n"
    whole["run"] = entry
    expected = json.dumps(whole, ensure_ascii=False, indent=1) + "\n"
    assert record_text(article, entry) == expected
    assert text_digest(record_pieces(article, entry)) == text_digest(expected)


def test_review_page_pieces_join_to_the_page(tmp_path: Path) -> None:
    from pipeline.fsutil import write_atomic
    from pipeline.render.html import review_page_pieces

    article = _record_article(2)
    article.qa = None  # (a partial qa record: enough for the JSON form, not for the page)
    pieces = review_page_pieces(article)
    assert len(pieces) > 3
    write_atomic(tmp_path / "a.html", pieces)
    assert (tmp_path / "a.html").read_text("utf-8") == review_page(article)
