"""MarianMT on transformers + torch: the reference backend.

Scores are the mean log-probability of the generated tokens (eos included, padding excluded),
taken from ``compute_transition_scores`` over the chosen beam: no extra forward pass.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline.errors import ModelUnavailableError
from pipeline.translate.backends.base import (
    BackendOutput,
    load_tokenizer,
    output_length_limit,
)
from pipeline.translate.model import model_defaults

PRECISIONS = {"fp32": "float32", "int8": "int8", "fp16": "float16"}
DEFAULT_PRECISION = "fp32"  # what "auto" means here


def pick_device(device: str = "auto") -> str:
    """``auto`` picks CUDA, then Apple MPS, then CPU; anything else is passed through."""
    import torch

    if device != "auto":
        if device.startswith("cuda") and not torch.cuda.is_available():
            raise ModelUnavailableError(f"--device {device}: no CUDA GPU is available here")
        return device
    if torch.cuda.is_available():
        return "cuda"
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return "mps"
    return "cpu"


def quietly(load: Any, *args: Any, **kwargs: Any) -> Any:
    """Call a transformers loader without its per-tensor progress bar."""
    from transformers.utils import logging as hf_logging

    was_enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        return load(*args, **kwargs)
    finally:
        if was_enabled:
            hf_logging.enable_progress_bar()


class TorchBackend:
    """Translates pre-batched sentences with ``MarianMTModel.generate``."""

    name = "torch"

    def __init__(
        self,
        folder: Path,
        tokenizer: Any = None,
        device: str = "auto",
        precision: str = "fp32",
        threads: int | None = None,
    ) -> None:
        import torch
        from transformers import MarianMTModel

        if precision == "auto":
            precision = DEFAULT_PRECISION
        if precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, not {precision}")
        if threads:
            torch.set_num_threads(threads)
        self.device = pick_device(device)
        if precision == "int8" and self.device != "cpu":
            raise ValueError("int8 dynamic quantization runs on the CPU only; use --device cpu")
        if precision == "fp16" and self.device == "cpu":
            raise ValueError("fp16 needs a GPU; use fp32 or int8 on the CPU")
        self.compute_type = PRECISIONS[precision]
        self.tokenizer = tokenizer if tokenizer is not None else load_tokenizer(folder)
        try:
            model = quietly(
                MarianMTModel.from_pretrained,
                str(folder),
                trust_remote_code=False,
                local_files_only=True,
            )
        except Exception as exc:  # damaged weights raise the loader's own error types
            raise ModelUnavailableError(
                f"cannot load the model in {folder} (damaged or incomplete weights?): "
                f"{type(exc).__name__}: {exc}"
            ) from None
        model.eval()
        if precision == "int8":
            model = torch.ao.quantization.quantize_dynamic(
                model, {torch.nn.Linear}, dtype=torch.qint8
            )
        elif precision == "fp16":
            model = model.half()
        self.model = model.to(self.device)
        self.pad_id = int(self.tokenizer.pad_token_id)
        self.eos_id = int(self.tokenizer.eos_token_id)
        self.max_positions = model_defaults(folder)[1]
        self.calls = 0  # model calls, for tests and benchmarks

    def max_new_tokens(self, longest_input: int) -> int:
        """Room for a translation about twice the input, within the decoder's positions."""
        return output_length_limit(longest_input, self.max_positions)

    def translate(self, texts: list[str], beams: int) -> list[BackendOutput]:
        import torch

        if not texts:
            return []
        self.calls += 1
        batch = self.tokenizer(texts, return_tensors="pt", padding=True)
        batch = {key: value.to(self.device) for key, value in batch.items()}
        limit = self.max_new_tokens(int(batch["input_ids"].shape[1]))
        with torch.inference_mode():
            out = self.model.generate(
                **batch,
                num_beams=beams,
                num_return_sequences=1,
                max_new_tokens=limit,
                max_length=None,
                do_sample=False,
                output_scores=True,
                return_dict_in_generate=True,
            )
            transition = self.model.compute_transition_scores(
                out.sequences,
                out.scores,
                getattr(out, "beam_indices", None) if beams > 1 else None,
                normalize_logits=beams == 1,
            )
        sequences = out.sequences[:, 1:]  # drop the decoder start token
        steps = min(sequences.shape[1], transition.shape[1])
        sequences, transition = sequences[:, :steps], transition[:, :steps].float()
        keep = (sequences != self.pad_id) & torch.isfinite(transition)
        totals = torch.where(keep, transition, torch.zeros_like(transition)).sum(dim=1)
        counts = keep.sum(dim=1).clamp(min=1)
        means = (totals / counts).tolist()
        finished = (sequences == self.eos_id).any(dim=1).tolist()
        texts_out = self.tokenizer.batch_decode(out.sequences, skip_special_tokens=True)
        return [
            BackendOutput(text, float(score), complete=bool(done))
            for text, score, done in zip(texts_out, means, finished, strict=True)
        ]
