"""Translation engines behind :class:`pipeline.translate.translator.Backend`.

``torch_backend`` runs MarianMT with transformers (the reference); ``ct2_backend`` runs the same
model converted to CTranslate2 (int8 on the CPU), which ``--backend auto`` picks when the
``ctranslate2`` package is installed (``pip install 'daen[fast]'``). Neither is imported until a
translator is loaded.
"""
