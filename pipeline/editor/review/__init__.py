"""The review app (``daen review``): :mod:`~pipeline.editor.review.app` serves,
:mod:`~pipeline.editor.review.page` renders; the decisions themselves are
:mod:`pipeline.run.decisions`."""
