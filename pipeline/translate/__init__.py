"""The translate stage: back-translation of every sentence to English.

Owns the :class:`~pipeline.translate.translator.Translator` (batches, long sentences, the
cache), model resolution and download (:mod:`~pipeline.translate.model`), the backends (torch,
CTranslate2) behind one interface, the translation cache and the doubt flags
(:mod:`~pipeline.translate.quality`). torch, transformers and ctranslate2 are imported only
inside the functions that need them.

May import: :mod:`pipeline.text`, :mod:`pipeline.fix` and the core. Not :mod:`pipeline.qa`.
"""
