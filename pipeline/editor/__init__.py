"""The editor's side of a finished run folder: the review app, exports and run diffs.

Owns the review app (:mod:`~pipeline.editor.review`), XLIFF/TMX export
(:mod:`~pipeline.editor.export`) and the diff of two runs (:mod:`~pipeline.editor.rundiff`).
They read a run folder; they never run a stage.

May import: :mod:`pipeline.run`, :mod:`pipeline.render`, the stages and the core. Not the
command line.
"""
