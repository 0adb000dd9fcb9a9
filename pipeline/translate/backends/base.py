"""What every translation engine shares: the interface, its output, the tokenizer and limits.

The backends (:mod:`~pipeline.translate.backends.torch_backend`,
:mod:`~pipeline.translate.backends.ct2_backend`) and :mod:`pipeline.translate.translator` import
from here; nothing here imports them back. The registries
of ``--backend`` and ``--precision`` values live here so that the command line's choices and
the validation in :class:`~pipeline.translate.translator.TranslatorSettings` cannot drift apart.
Importing this module is cheap: transformers loads only in :func:`load_tokenizer`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from pipeline.errors import ModelUnavailableError

# --backend: auto picks ct2 when CTranslate2 is installed, else torch.
BACKENDS = ("auto", "torch", "ct2")
# --precision: auto means fp32 on torch, int8 on ct2; fp16 needs a GPU.
PRECISIONS = ("auto", "fp32", "int8", "fp16")
# The ct2 backend also takes CTranslate2's own compute type names as --precision.
CT2_COMPUTE_TYPES = (
    "int8",
    "int8_float32",
    "int8_float16",
    "int8_bfloat16",
    "int16",
    "float16",
    "bfloat16",
    "float32",
)
DEFAULT_MAX_POSITIONS = 512  # opus-mt; used when a model's config does not say


@dataclass
class BackendOutput:
    """One translated text and its mean token log-probability (None when unknown)."""

    text: str
    score: float | None
    complete: bool = True  # False when the decoder hit its length limit before eos


class Backend(Protocol):
    """One engine that translates a batch of texts (already batched by token budget)."""

    name: str  # "torch" | "ct2"
    compute_type: str  # "float32", "int8", "int8_float16", ...

    def translate(self, texts: list[str], beams: int) -> list[BackendOutput]: ...


def output_length_limit(longest_input: int, max_positions: int) -> int:
    """Tokens the decoder may produce: about twice the input, within the model's positions.

    >>> output_length_limit(10, 512), output_length_limit(400, 512)
    (36, 511)
    """
    return max(1, min(max_positions - 1, 2 * longest_input + 16))


def load_tokenizer(folder: Path) -> Any:
    """The model's Marian tokenizer (both backends use it); raises ModelUnavailableError."""
    with warnings.catch_warnings():
        # "Recommended: pip install sacremoses": only used for languages other than Danish.
        warnings.filterwarnings("ignore", message=".*sacremoses.*")
        from transformers import MarianTokenizer

        try:
            return MarianTokenizer.from_pretrained(str(folder), local_files_only=True)
        except (OSError, ValueError) as exc:
            raise ModelUnavailableError(
                f"cannot load the tokenizer in {folder}: {exc}"
            ) from None
