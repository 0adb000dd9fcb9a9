"""The qa stage: the back-translation against the English original, when one is given.

Owns sentence alignment and chrF (:mod:`~pipeline.qa.align`) and the divergence flags and
summary (:mod:`~pipeline.qa.check`).

May import: :mod:`pipeline.text`, :mod:`pipeline.fix` and the core. Not
:mod:`pipeline.translate`.
"""
