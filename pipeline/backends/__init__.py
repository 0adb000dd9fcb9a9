"""Translation engines behind :class:`pipeline.translate.Backend`: torch, ct2."""
