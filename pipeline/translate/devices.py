"""The devices this machine has, as the translation engines see them (for ``--device``)."""

from __future__ import annotations


def check_device(device: str, backend: str = "auto") -> None:
    """Refuse a ``cuda``, ``cuda:N`` or ``mps`` device this machine does not have."""
    kind, _, index = device.partition(":")
    if kind == "cuda":
        count = _cuda_devices(backend)
        if count == 0:
            raise ValueError(f"device {device}: this machine has no CUDA device; "
                             "use --device cpu (or auto)")
        if int(index or 0) >= count:
            raise ValueError(f"device {device}: this machine has {count} CUDA device(s), "
                             f"cuda:0 to cuda:{count - 1}")
    elif kind == "mps":
        try:
            import torch
        except ImportError:
            return  # the backend says what it lacks when it loads
        mps = getattr(torch.backends, "mps", None)
        if mps is None or not mps.is_available():
            raise ValueError("device mps: this machine has no Apple GPU (MPS); "
                             "use --device cpu (or auto)")


def _cuda_devices(backend: str) -> int:
    """CUDA devices the chosen engine sees (auto: CTranslate2 when installed, as it loads)."""
    from pipeline.translate.backends import ct2_backend

    if backend == "ct2" or (backend == "auto" and ct2_backend.is_available()):
        import ctranslate2

        return int(ctranslate2.get_cuda_device_count())
    try:
        import torch
    except ImportError:
        return 0
    return int(torch.cuda.device_count()) if torch.cuda.is_available() else 0
