"""The review app (``daen review``): :mod:`pipeline.review.app` serves,
:mod:`pipeline.review.page` renders; the decisions themselves are :mod:`pipeline.decisions`."""
