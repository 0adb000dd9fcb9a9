"""Plain-text outputs: cleaned Danish, the English back-translation and the word diff."""

from __future__ import annotations

from pipeline.document import Article
from pipeline.render import TranslationNote, sentence_label, translation_state
from pipeline.render.worddiff import changed, to_markers, word_diff

MISSING_SENTENCE = "[back-translation missing]"


def danish_text(article: Article) -> str:
    """The cleaned article, paragraphs separated by a blank line."""
    return article.text


def english_text(article: Article, note: TranslationNote | None = None) -> str:
    """The back-translation with the article's paragraph structure.

    When every translation is missing the file holds just the line that says so (and why);
    when some are, that line comes first and each untranslated sentence reads
    ``[back-translation missing]``. Sentences a stage emptied are left out, as in the Danish.
    """
    state = translation_state(article, note)
    if state in ("missing", "disabled"):
        return TranslationNote(state, note.message if note else "").headline + "\n"
    body = "\n\n".join(p for p in english_paragraphs(article) if p)
    if state == "partial":
        headline = TranslationNote(state, note.message if note else "").headline
        body = f"{headline}\n\n{body}" if body else headline
    return body + "\n" if body else ""


def english_paragraphs(article: Article) -> list[str]:
    """The back-translation, one string per paragraph (``""`` for one with no text left);
    an untranslated sentence reads ``[back-translation missing]``."""
    paragraphs = []
    for paragraph in article.paragraphs:
        parts = []
        for sentence in paragraph.sentences:
            if not sentence.text:
                continue
            text = sentence.translation.text if sentence.translation else MISSING_SENTENCE
            parts.append(text + (sentence.space_after or " "))
        paragraphs.append("".join(parts).rstrip())
    return paragraphs


def word_diff_text(article: Article) -> str:
    """Original → cleaned, sentence by sentence, with the rules that made each change.

    Only changed sentences are shown, each under ``@@ paragraph P, sentence S @@``; removed
    words are ``[-like this-]`` and added words ``{+like this+}``.
    """
    lines = [
        f"# {article.path}: original → cleaned, word by word",
        "# [-removed-] {+added+}; the rules that made each change follow the sentence",
    ]
    for flag in article.flags:
        lines.append(f"# flag {flag.rule_id}: {flag.reason}")
    shown = 0
    for p_index, paragraph in enumerate(article.paragraphs):
        for s_index, sentence in enumerate(paragraph.sentences):
            chunks = word_diff(sentence.original, sentence.text)
            if not changed(chunks):
                continue
            shown += 1
            label = sentence_label(p_index, s_index)
            lines.append("")
            lines.append(f"@@ {label} (paragraph {p_index + 1}, sentence {s_index + 1}) @@")
            lines.append(to_markers(chunks))
            seen: set[str] = set()
            for edit in sentence.edits:
                if edit.rule_id in seen:
                    continue
                seen.add(edit.rule_id)
                lines.append(f"  = {edit.stage}/{edit.rule_id}: {edit.reason}")
    if not shown:
        lines.append("")
        lines.append("(no changes)")
    return "\n".join(lines) + "\n"
