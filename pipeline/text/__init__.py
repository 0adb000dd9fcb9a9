"""Text in, text out: the first stages and the words they rest on.

Owns reading bytes into a segmented article (:mod:`~pipeline.text.reader`), the normalize
rules (:mod:`~pipeline.text.normalize`), paragraphs and Danish sentences
(:mod:`~pipeline.text.segment`), edit spans (:mod:`~pipeline.text.spans`) and the Danish
casing lexicon (:mod:`~pipeline.text.lexicon`, Hunspell), which normalize and fix both read.

May import: :mod:`pipeline.document`, :mod:`pipeline.errors`, :mod:`pipeline.rules`,
:mod:`pipeline.fsutil`.
"""
