"""The fix stage: casing, garbled phrases, and flags for what no rule can safely change.

Owns the stage entry (:mod:`~pipeline.fix.stage`: ``load_fix_rules``, ``fix_article``), the
casing rules, the phrase tables, the Apertium analyser chain, the grammar checks, and the
declarations of the stage's rules (kinds from :mod:`pipeline.rules`).

May import: :mod:`pipeline.text` and the core (:mod:`pipeline.document`,
:mod:`pipeline.errors`, :mod:`pipeline.rules`, :mod:`pipeline.fsutil`).
"""
