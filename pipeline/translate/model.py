"""Where the translation model comes from: a Hugging Face hub id or a local folder.

Translating never downloads. A hub model is read from the local Hugging Face cache only
(``local_files_only``); when it is not there the user gets one :class:`ModelUnavailableError`
naming ``daen model download``. Downloading is its own step (:func:`download_model`) and refuses
to run when offline (``--offline`` or ``HF_HUB_OFFLINE=1``), so the Hub is never contacted then.

Every record names the exact weights: the hub commit for a hub model, the SHA-256 of the weight
file for a local folder (:attr:`ResolvedModel.revision`).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import ModelUnavailableError
from pipeline.translate.backends.base import DEFAULT_MAX_POSITIONS

DEFAULT_MODEL = "Helsinki-NLP/opus-mt-da-en"

# What a Marian folder needs; the weights come in one of these files.
REQUIRED_FILES = ("config.json", "source.spm", "target.spm", "vocab.json")
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
DOWNLOAD_PATTERNS = [
    "config.json",
    "generation_config.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "vocab.json",
    "*.spm",
]


@dataclass(frozen=True)
class ResolvedModel:
    """A model found on disk, with the identity that goes into every record."""

    name: str  # the hub id, or the folder as given
    path: Path  # the local folder holding config, weights and tokenizer files
    revision: str  # hub commit hash, or "sha256:<weights hash>" for a local folder
    source: str  # "hub" or "local"

    @property
    def short(self) -> str:
        """A short identity for records: ``name@revision`` with the revision cut to 12."""
        revision = self.revision.removeprefix("sha256:")[:12]
        return f"{self.name}@{revision}"


def offline_requested(offline: bool = False) -> bool:
    """True when ``--offline`` was given or ``HF_HUB_OFFLINE`` is set (read at call time)."""
    value = os.environ.get("HF_HUB_OFFLINE", "").strip().lower()
    return offline or value in ("1", "on", "yes", "true")


def hub_cache_dir() -> Path:
    """The Hugging Face hub cache, read from the environment at call time."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"]).expanduser()
    if os.environ.get("HF_HOME"):
        return Path(os.environ["HF_HOME"]).expanduser() / "hub"
    cache_home = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache_home).expanduser() / "huggingface" / "hub"


def looks_like_path(model: str) -> bool:
    """A model given as a folder (``./m``, ``/x/m``, ``~/m``, an existing folder), not a hub id."""
    return (
        Path(model).expanduser().exists()
        or model.startswith((".", "/", "~"))
        or "\\" in model
        or model.count("/") > 1
    )


def missing_model_message(model: str) -> str:
    return (
        f"model {model} is not downloaded (translating never downloads); run "
        f"`daen model download {model}` once while online, or pass --model with a local "
        "model folder"
    )


def local_model_folder(model: str) -> Path:
    """The folder a path-like ``--model`` names, checked to hold a model (nothing read but
    file names); raises :class:`ModelUnavailableError` saying what is wrong."""
    folder = Path(model).expanduser()
    if folder.exists() and not folder.is_dir():
        raise ModelUnavailableError(
            f"--model {model} is a file; give the model's folder (config.json, tokenizer "
            "and weights), or a Hub id"
        )
    if not folder.is_dir():
        raise ModelUnavailableError(f"model folder {model} does not exist")
    check_model_folder(folder, model)
    return folder


def check_model_option(model: str | None) -> None:
    """Refuse, before any work, a ``--model`` that names a local folder which is no model
    folder (a typo, a file, a folder without the model's files): a ValueError, which the
    command line shows as a usage error. A hub id is left to :func:`resolve_model`: not being
    downloaded is a missing model (the cleanup still runs), not a mistake in the command.

    >>> check_model_option(None), check_model_option("Helsinki-NLP/opus-mt-da-en")
    (None, None)
    >>> check_model_option("./no-such-model")
    Traceback (most recent call last):
    ValueError: model folder ./no-such-model does not exist
    """
    if model is None or not looks_like_path(model):
        return
    try:
        local_model_folder(model)
    except ModelUnavailableError as exc:
        raise ValueError(str(exc)) from None


def resolve_model(model: str = DEFAULT_MODEL) -> ResolvedModel:
    """Find ``model`` on disk without contacting the Hub; raises :class:`ModelUnavailableError`."""
    if looks_like_path(model):
        folder = local_model_folder(model)
        return ResolvedModel(model, folder, "sha256:" + weights_sha256(folder), "local")
    snapshot = cached_snapshot(model)
    if snapshot is None:
        raise ModelUnavailableError(missing_model_message(model))
    check_model_folder(snapshot, model, downloaded=True)
    return ResolvedModel(model, snapshot, snapshot.name, "hub")


def cached_snapshot(repo_id: str, revision: str | None = None) -> Path | None:
    """The local snapshot folder of a downloaded hub model, or None; never contacts the Hub."""
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HFValidationError, LocalEntryNotFoundError

    try:
        folder = snapshot_download(
            repo_id,
            revision=revision,
            cache_dir=hub_cache_dir(),
            local_files_only=True,
            allow_patterns=DOWNLOAD_PATTERNS,
        )
    except (LocalEntryNotFoundError, HFValidationError, OSError, ValueError):
        return None
    return Path(folder)


def check_model_folder(folder: Path, name: str, downloaded: bool = False) -> None:
    missing = [f for f in REQUIRED_FILES if not (folder / f).is_file()]
    if not any((folder / f).is_file() for f in WEIGHT_FILES):
        missing.append(" or ".join(WEIGHT_FILES))
    if missing:
        fix = f"; run `daen model download {name}` again" if downloaded else ""
        raise ModelUnavailableError(
            f"model {name} at {folder} is incomplete (missing {', '.join(missing)}){fix}"
        )


def weight_file(folder: Path) -> Path:
    for name in WEIGHT_FILES:
        if (folder / name).is_file():
            return folder / name
    raise ModelUnavailableError(f"no weights ({' or '.join(WEIGHT_FILES)}) in {folder}")


def weights_sha256(folder: Path) -> str:
    """SHA-256 of the weight file (about a second for opus-mt's 300 MB)."""
    digest = hashlib.sha256()
    with weight_file(folder).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def model_defaults(folder: Path) -> tuple[int, int]:
    """The model's own beam count (generation config, 4 for opus-mt; 1 when unset) and its
    maximum positions (512 for opus-mt), read from its JSON files."""
    import json

    def read(name: str) -> dict[str, Any]:
        try:
            data = json.loads((folder / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    config = read("config.json")
    generation = read("generation_config.json")
    beams = generation.get("num_beams") or config.get("num_beams") or 1
    positions = config.get("max_position_embeddings") or DEFAULT_MAX_POSITIONS
    return int(beams), int(positions)


def download_model(
    repo_id: str = DEFAULT_MODEL, revision: str | None = None, offline: bool = False
) -> ResolvedModel:
    """Fetch a hub model into the Hugging Face cache, with progress bars; returns it resolved."""
    if offline_requested(offline):
        raise ModelUnavailableError(
            f"cannot download {repo_id} while offline (--offline or HF_HUB_OFFLINE is set); "
            "unset it and run `daen model download` again"
        )
    from huggingface_hub import HfApi, snapshot_download
    from huggingface_hub.errors import HfHubHTTPError, HFValidationError

    _probe_hub(repo_id)
    try:
        files = set(HfApi().list_repo_files(repo_id, revision=revision))
        weights = next((w for w in WEIGHT_FILES if w in files), WEIGHT_FILES[1])
        folder = snapshot_download(
            repo_id,
            revision=revision,
            cache_dir=hub_cache_dir(),
            allow_patterns=[*DOWNLOAD_PATTERNS, weights],
        )
    except (HfHubHTTPError, HFValidationError, OSError, ValueError) as exc:
        raise ModelUnavailableError(f"could not download {repo_id}: {exc}") from None
    except Exception as exc:  # the HTTP client's own errors (no network, TLS)
        raise ModelUnavailableError(
            f"could not download {repo_id}: {type(exc).__name__}: {exc}; "
            "check the network connection (or copy the model folder and pass --model PATH)"
        ) from None
    folder_path = Path(folder)
    check_model_folder(folder_path, repo_id, downloaded=True)
    return ResolvedModel(repo_id, folder_path, folder_path.name, "hub")


HUB_PROBE_TIMEOUT_S = 15


def _probe_hub(repo_id: str) -> None:
    """One request to the Hub before downloading: without a network the Hub's client retries
    every request five times with back-off (25 s of "Retrying in 8s" lines) before failing, so
    an unreachable Hub is said at once, in one line. Any answer, even an error status, means it
    can be reached (the download then says what is wrong)."""
    from huggingface_hub import constants
    from huggingface_hub.utils import get_session

    url = f"{constants.ENDPOINT.rstrip('/')}/api/models/{repo_id}"
    try:
        get_session().request("HEAD", url, timeout=HUB_PROBE_TIMEOUT_S)
    except Exception as exc:  # the HTTP client's own errors: no network, DNS, TLS, timeout
        raise ModelUnavailableError(
            f"could not download {repo_id}: cannot reach {constants.ENDPOINT} "
            f"({type(exc).__name__}: {exc}); check the network connection (or copy the model "
            "folder and pass --model PATH)"
        ) from None


def installed_models() -> list[dict[str, Any]]:
    """Every Marian-looking model in the hub cache: id, revision, folder, size."""
    cache = hub_cache_dir()
    rows: list[dict[str, Any]] = []
    if not cache.is_dir():
        return rows
    for repo in sorted(cache.glob("models--*")):
        repo_id = repo.name.removeprefix("models--").replace("--", "/")
        for snapshot in sorted((repo / "snapshots").glob("*")):
            if not (snapshot / "source.spm").exists():
                continue
            size = sum(p.stat().st_size for p in snapshot.iterdir() if p.is_file())
            rows.append(
                {"model": repo_id, "revision": snapshot.name, "path": str(snapshot), "bytes": size}
            )
    return rows


def model_info(model: str = DEFAULT_MODEL) -> dict[str, Any]:
    """What ``daen model info`` shows: the cache folder, what is installed, the model's state."""
    info: dict[str, Any] = {"hub_cache": str(hub_cache_dir()), "installed": installed_models()}
    try:
        resolved = resolve_model(model)
    except ModelUnavailableError as exc:
        info["model"] = {"name": model, "available": False, "problem": str(exc)}
    else:
        info["model"] = {
            "name": resolved.name,
            "available": True,
            "source": resolved.source,
            "revision": resolved.revision,
            "path": str(resolved.path),
        }
    return info
