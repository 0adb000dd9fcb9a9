"""A run: from a folder (or files) of articles to a run folder of outputs.

Owns finding and reading inputs (:mod:`~pipeline.run.discover`), running the declared stages
(:mod:`~pipeline.run.stages`), the incremental batch (:mod:`~pipeline.run.batch`: its plan in
:mod:`~pipeline.run.plan`, its article writer in :mod:`~pipeline.run.writer`), workers on
local cores and on Ray (:mod:`~pipeline.run.parallel`, :mod:`~pipeline.run.cluster`), the
manifest and the records of a run folder and the one reader of a finished one
(:mod:`~pipeline.run.folder`), the lock that keeps one run per folder, the
file-by-file commands (:mod:`~pipeline.run.workflow`), the editors' decisions that a run folder
keeps, and the list of every rule (``daen rules``).

May import: every stage (:mod:`pipeline.text`, :mod:`pipeline.fix`, :mod:`pipeline.translate`,
:mod:`pipeline.qa`), :mod:`pipeline.settings`, :mod:`pipeline.stagespec`,
:mod:`pipeline.render` and the core. Not :mod:`pipeline.editor` nor the command line.
"""
