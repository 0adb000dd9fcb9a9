"""Which kind of problem a flag (or edit) is about, from its rule id.

The review page and the summary group flags by kind so that an editor can show or hide each
kind. The kind follows from the rule id's prefix, so records written before kinds existed
group the same way.

>>> flag_kind("grammar.double_definite"), flag_kind("fix.english_fragment")
('grammar', 'english')
>>> flag_kind("phrase.ad_hoc_basis"), flag_kind("quote_unpaired")
('phrase', 'punctuation')
"""

from __future__ import annotations

KINDS: dict[str, str] = {
    "grammar": "Grammar",
    "english": "English left in",
    "leakage": "Norwegian or Swedish",
    "spelling": "Spelling",
    "phrase": "Garbled phrase",
    "casing": "Casing",
    "punctuation": "Punctuation",
    "translation": "Back-translation",
    "other": "Other",
}

_BY_ID = {
    "fix.english_fragment": "english",
    "fix.unknown_word": "spelling",
    "fix.doubled_word": "grammar",
    "fix.number_compound": "punctuation",
}
_BY_PREFIX = {
    "grammar": "grammar",
    "english": "english",
    "leakage": "leakage",
    "spelling": "spelling",
    "phrase": "phrase",
    "sense": "phrase",
    "casing": "casing",
    "normalize": "punctuation",
    "translate": "translation",
    "qa": "translation",
    "quality": "translation",
}


def flag_kind(rule_id: str) -> str:
    """The kind of a rule id (one of :data:`KINDS`)."""
    if rule_id in _BY_ID:
        return _BY_ID[rule_id]
    prefix = rule_id.split(".", 1)[0]
    if prefix in _BY_PREFIX:
        return _BY_PREFIX[prefix]
    if "." not in rule_id:
        return "punctuation"  # the normalize stage's rules have bare ids (pair_quotes)
    return "other"
