"""Scale-out: `daen run` with --jobs 1, --jobs 2 and on a local 2-CPU Ray cluster, one run.

Usage: ``python bench/scale.py [--quick] [--articles N] [--rounds R]``  (last line: JSON)

1. **Cleanup-bound** (fake translator): one generated folder of N articles
   (``run_overhead.generate``), then ``daen run --force`` as a child process with
   ``--jobs 1``, ``--jobs 2`` and ``--ray local`` (a new one-machine cluster: 2 CPUs here),
   interleaved, R rounds; the best round of each counts (the machine is shared; the load
   average is printed). A cluster is normally started once and used by many runs, so the Ray
   rate leaves out starting and stopping the cluster (the manifest's ``cluster_join_s`` and
   ``cluster_close_s``, printed apart); its workers' start-up stays in. Every mode's outputs
   are checked to be the same bytes. Before each round and after the last, the machine's
   *parallel capacity* is measured (two CPU-bound processes at once against one alone: 2.0 on
   two free cores, lower when the host's cores are shared), so the ratios can be judged.
2. **Driver memory**: peak RSS of the driver process alone (``RUSAGE_SELF`` at its exit) for
   N/4, N/2, N and 2N articles with ``--jobs 1`` (the same mode at every size: with ``--jobs 2``
   a small run is cleaned in the driver, a large one in workers).
3. **Translation-bound**: the random-weight opus-mt-da-en architecture (``_marian_random``,
   CTranslate2, forced decode lengths as in ``bench/translate.py``), S sentences through
   daen's ``Translator`` here, then through the same ``Translator`` whose model calls go to
   the Ray actor pool (``pipeline.run.cluster``).
4. **An estimate for 10^6 articles** of 20 sentences, from the measured per-sentence costs.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / "out" / "scale"
MODES = ("jobs1", "jobs2", "ray")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a run of under 3 minutes")
    parser.add_argument("--articles", type=int, default=None, help="N [1200; quick 300]")
    parser.add_argument("--rounds", type=int, default=None, help="R [2; quick 1]")
    parser.add_argument("--sentences", type=int, default=None, help="S [192; quick 64]")
    parser.add_argument("--child", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.articles = args.articles or (300 if args.quick else 1200)
    args.rounds = args.rounds or (1 if args.quick else 2)
    args.sentences = args.sentences or (64 if args.quick else 192)
    return args


def child(arguments: list[str]) -> None:
    """``daen`` in this process; RESULT.json gets this process's (the driver's) peak RSS."""
    result, daen_arguments = Path(arguments[0]), arguments[1:]
    from pipeline.cli import main as daen

    sys.argv = ["daen", *daen_arguments]
    code: Any = 0
    try:
        daen()
    except SystemExit as exc:
        code = exc.code
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)  # the --jobs workers (reaped)
    result.write_text(json.dumps({
        "exit_code": code or 0, "peak_rss_mib": round(own.ru_maxrss / 1024, 1),
        "driver_cpu_s": own.ru_utime + own.ru_stime,
        "workers_cpu_s": workers.ru_utime + workers.ru_stime,
    }))


def daen_run(folder: Path, out: Path, mode: str) -> dict[str, Any]:
    """One ``daen run --force`` in a child process: wall seconds, driver peak RSS, timings."""
    where = {"jobs1": ["--jobs", "1"], "jobs2": ["--jobs", "2"], "ray": ["--ray", "local"]}
    result = out.with_suffix(".result.json")
    command = [
        sys.executable, str(Path(__file__).resolve()), "--child", str(result),
        "run", str(folder), "-o", str(out), "--force", "--translator", "fake", "--quiet",
        *where[mode],
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    report = json.loads(result.read_text()) if result.exists() else {"exit_code": -1}
    if done.returncode != 0 or report["exit_code"] != 0:
        sys.stderr.write(done.stderr[-3000:])
        raise SystemExit(f"daen run ({mode}) failed")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    timings = manifest["timings"]
    cluster_s = timings.get("cluster_join_s", 0.0) + timings.get("cluster_close_s", 0.0)
    return {
        "wall_s": wall - cluster_s, "end_to_end_s": wall, "cluster_start_stop_s": cluster_s,
        "peak_rss_mib": report["peak_rss_mib"],
        "driver_cpu_s": report["driver_cpu_s"], "workers_cpu_s": report["workers_cpu_s"],
        "cleanup_s": manifest["timings"]["cleanup_s"],
        "sentences": sum(e["counts"]["sentences"] for e in manifest["articles"].values()),
        "done": manifest["totals"]["done"],
    }


def same_outputs(first: Path, second: Path) -> bool:
    """The cleaned text, English, diff and review page of every article: the same bytes."""
    def files(folder: Path) -> dict[str, bytes]:
        return {
            p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
            if p.is_file() and p.name.endswith((".da.txt", ".en.txt", ".diff", ".html"))
            and p.name != "index.html"
        }
    return files(first) == files(second)


_BUSY = "sum(i * i for i in range(2 * 10**7))"


def parallel_capacity() -> float:
    """How much more CPU-bound work two processes get done than one, on this machine now:
    2 × (one process alone) / (two at once). 2.0 on two idle cores; on a host shared with
    other machines it can be near 1.0, and no --jobs 2 can then be 2x --jobs 1."""
    def timed(count: int) -> float:
        started = time.perf_counter()
        procs = [subprocess.Popen([sys.executable, "-c", _BUSY]) for _ in range(count)]
        for proc in procs:
            proc.wait()
        return time.perf_counter() - started

    return 2 * timed(1) / timed(2)


def cleanup_bound(args: argparse.Namespace) -> dict[str, Any]:
    sys.path.insert(0, str(HERE))
    from run_overhead import generate

    folder = WORK / f"in-{args.articles}"
    if not folder.exists():
        generate(folder, args.articles, seed=1)
    runs: dict[str, list[dict[str, Any]]] = {mode: [] for mode in MODES}
    capacity = []
    for _ in range(args.rounds):
        capacity.append(parallel_capacity())
        for mode in MODES:
            runs[mode].append(daen_run(folder, WORK / f"out-{mode}", mode))
    capacity.append(parallel_capacity())
    best = {mode: min(rows, key=lambda r: r["wall_s"]) for mode, rows in runs.items()}
    identical = all(same_outputs(WORK / "out-jobs1", WORK / f"out-{m}") for m in MODES[1:])
    return {"articles": args.articles, "best": best, "runs": runs, "identical": identical,
            "capacity": capacity}


def memory_growth(args: argparse.Namespace) -> list[dict[str, Any]]:
    sys.path.insert(0, str(HERE))
    from run_overhead import generate

    rows = []
    for count in (args.articles // 4, args.articles // 2, args.articles, args.articles * 2):
        folder = WORK / f"in-{count}"
        if not folder.exists():
            generate(folder, count, seed=1)
        run = daen_run(folder, WORK / "out-memory", "jobs1")
        rows.append({"articles": count, "peak_rss_mib": run["peak_rss_mib"],
                     "wall_s": round(run["wall_s"], 2)})
    return rows


def translation_bound(args: argparse.Namespace) -> dict[str, Any]:
    """Sentences/s of daen's Translator here and with its model calls on the Ray actors."""
    sys.path.insert(0, str(HERE))
    import ray
    from _daen_child import force_ct2_lengths
    from _marian_random import build_random_marian, make_sentences

    from pipeline.run import cluster
    from pipeline.translate.translator import TranslatorSettings, load_translator

    os.environ["DAEN_CACHE_DIR"] = str(HERE / "out" / "daen-cache")  # ct2 conversions persist
    model = build_random_marian(HERE / "out" / "random-opus-mt-da-en")
    force_ct2_lengths()
    local = load_translator(str(model), backend="ct2", cache=False)
    sentences = make_sentences(local_tokenizer(model), args.sentences, seed=3)
    local.translate_texts(sentences[:4])  # warm up
    started = time.perf_counter()
    local.translate_texts(sentences)
    local_s = time.perf_counter() - started
    backend = local.backend  # cores it keeps busy: inter_threads × intra_threads (ct2)
    threads = getattr(backend, "inter_threads", 1) * max(1, getattr(backend, "intra_threads", 1))
    local.close()

    ray.init(num_cpus=2, include_dashboard=False, logging_level="ERROR", log_to_driver=False,
             runtime_env={
        "worker_process_setup_hook": "_daen_child.force_ct2_lengths",
        "env_vars": {"PYTHONPATH": f"{ROOT}{os.pathsep}{HERE}",
                     "DAEN_CACHE_DIR": os.environ["DAEN_CACHE_DIR"]},
    })
    session = cluster.connect("auto")
    started = time.perf_counter()
    remote = cluster.load_ray_translator(
        session, TranslatorSettings(model=str(model), backend="ct2", cache=False)
    )
    actors_s = time.perf_counter() - started
    remote.translate_texts(sentences[:4])
    started = time.perf_counter()
    remote.translate_texts(sentences)
    ray_s = time.perf_counter() - started
    pool = remote.backend
    plan = {"actors": len(pool.actors), "resources": cluster.actor_plan(session, None)[1]}
    remote.close()
    ray.shutdown()
    return {
        "sentences": len(sentences),
        "local_sentences_per_s": len(sentences) / local_s, "local_threads": threads,
        "ray_sentences_per_s": len(sentences) / ray_s, "ray_actor_start_s": actors_s,
        "ray_plan": plan,
    }


def local_tokenizer(model: Path) -> Any:
    from pipeline.translate.backends.torch_backend import load_tokenizer

    return load_tokenizer(model)


def idle_projection(best: dict[str, dict[str, Any]]) -> dict[str, float]:
    """What the ratio jobs2/jobs1 would be with both cores to ourselves, from CPU seconds:
    jobs1 takes its CPU time; with jobs2 the driver (translating, rendering, writing) works
    while the two workers clean ahead, three processes on two cores, so it takes the longest
    of the driver's time, a worker's, and all of it shared by two cores."""
    one, two = best["jobs1"], best["jobs2"]
    jobs1 = one["driver_cpu_s"] + one["workers_cpu_s"]
    driver, workers = two["driver_cpu_s"], two["workers_cpu_s"]
    jobs2 = max(driver, workers / 2, (driver + workers) / 2)
    return {
        "jobs1_cpu_s": jobs1, "jobs2_driver_cpu_s": driver,
        "jobs2_workers_cpu_s": workers, "ratio_jobs2_vs_jobs1": jobs1 / jobs2,
    }


def estimate(cleanup_s_per_sentence: float, translate_s_per_sentence_core: float) -> dict:
    """10^6 articles × 20 sentences on 16-core CPU nodes, from per-core costs measured here."""
    sentences = 1_000_000 * 20
    core_hours = sentences * (cleanup_s_per_sentence + translate_s_per_sentence_core) / 3600
    return {
        "sentences": sentences,
        "cleanup_core_hours": round(sentences * cleanup_s_per_sentence / 3600, 1),
        "translate_core_hours": round(sentences * translate_s_per_sentence_core / 3600, 1),
        "cpu_core_hours": round(core_hours, 1),
        "days_on_one_2_core_machine": round(core_hours / 2 / 24, 1),
        "hours_on_10_nodes_of_16_cores": round(core_hours / 160, 1),
        "nodes_of_16_cores_for_one_day": max(1, round(core_hours / 16 / 24 + 0.5)),
    }


def main() -> None:
    args = parse_args()
    if args.child is not None:
        child(args.child)
        return
    started = time.perf_counter()
    WORK.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()
    cleanup = cleanup_bound(args)
    memory = memory_growth(args)
    translation = translation_bound(args)
    load_after = os.getloadavg()

    best = cleanup["best"]
    rate = {mode: cleanup["articles"] / best[mode]["wall_s"] for mode in MODES}
    per_sentence_cleanup = best["jobs1"]["cleanup_s"] / best["jobs1"]["sentences"]
    threads = translation["local_threads"] or 2
    per_sentence_translate = threads / translation["local_sentences_per_s"]
    worked = estimate(per_sentence_cleanup, per_sentence_translate)

    print(f"machine: {os.cpu_count()} CPUs; load average {load_before[0]:.1f} before, "
          f"{load_after[0]:.1f} after (other jobs share these cores)")
    print(f"cleanup-bound, {cleanup['articles']} articles, {best['jobs1']['sentences']} "
          f"sentences, fake translator, best of {args.rounds}:")
    for mode in MODES:
        row = best[mode]
        print(f"  {mode:<6} {row['wall_s']:7.2f} s  {rate[mode]:7.1f} articles/s  "
              f"driver peak RSS {row['peak_rss_mib']:6.1f} MiB"
              + (f"  (+{row['cluster_start_stop_s']:.1f} s starting and stopping the cluster)"
                 if mode == "ray" else ""))
    print(f"  outputs identical across modes: {cleanup['identical']}")
    print("  parallel capacity of this machine (2 x one CPU-bound process alone / two at once; "
          f"2.0 = two free cores), before each round and after: "
          f"{', '.join(f'{c:.2f}' for c in cleanup['capacity'])}")
    idle = idle_projection(best)
    print(f"  CPU seconds: jobs1 {idle['jobs1_cpu_s']:.1f} (driver); jobs2 driver "
          f"{idle['jobs2_driver_cpu_s']:.1f} + workers {idle['jobs2_workers_cpu_s']:.1f}; on an "
          f"idle 2-core machine that would make jobs2 {idle['ratio_jobs2_vs_jobs1']:.2f}x jobs1")
    print("driver peak RSS with --jobs 1 as the article count grows:")
    for row in memory:
        print(f"  {row['articles']:>6} articles  {row['peak_rss_mib']:7.1f} MiB")
    slope = (memory[-1]["peak_rss_mib"] - memory[0]["peak_rss_mib"]) / max(
        1, memory[-1]["articles"] - memory[0]["articles"]) * 1000
    print(f"  growth: {slope:.1f} MiB per 1000 articles")
    print(f"translation-bound, {translation['sentences']} sentences, random-weight opus-mt "
          f"architecture, ct2: here {translation['local_sentences_per_s']:.2f} sentences/s "
          f"({threads} threads); Ray actors {translation['ray_sentences_per_s']:.2f} "
          f"sentences/s ({translation['ray_plan']}); actors started in "
          f"{translation['ray_actor_start_s']:.1f} s")
    print(f"estimate for 10^6 articles: {json.dumps(worked)}")
    print(json.dumps({
        "articles": cleanup["articles"],
        "sentences": best["jobs1"]["sentences"],
        "articles_per_s_jobs1": round(rate["jobs1"], 2),
        "articles_per_s_jobs2": round(rate["jobs2"], 2),
        "articles_per_s_ray": round(rate["ray"], 2),
        "ratio_jobs2_vs_jobs1": round(rate["jobs2"] / rate["jobs1"], 3),
        "ratio_ray_vs_jobs2": round(rate["ray"] / rate["jobs2"], 3),
        "driver_peak_rss_mib": max(best[m]["peak_rss_mib"] for m in MODES),
        "driver_peak_rss_by_articles": {r["articles"]: r["peak_rss_mib"] for r in memory},
        "driver_rss_growth_mib_per_1000_articles": round(slope, 2),
        "outputs_identical": cleanup["identical"],
        "machine_parallel_capacity": [round(c, 2) for c in cleanup["capacity"]],
        "ray_cluster_start_stop_s": round(best["ray"]["cluster_start_stop_s"], 2),
        "cpu_s_jobs1": round(idle["jobs1_cpu_s"], 2),
        "cpu_s_jobs2_driver": round(idle["jobs2_driver_cpu_s"], 2),
        "cpu_s_jobs2_workers": round(idle["jobs2_workers_cpu_s"], 2),
        "ratio_jobs2_vs_jobs1_idle_projection": round(idle["ratio_jobs2_vs_jobs1"], 3),
        "cleanup_s_per_sentence": round(per_sentence_cleanup, 5),
        "translate_sentences_per_s_local": round(translation["local_sentences_per_s"], 3),
        "translate_sentences_per_s_ray": round(translation["ray_sentences_per_s"], 3),
        "ratio_translate_ray_vs_local": round(
            translation["ray_sentences_per_s"] / translation["local_sentences_per_s"], 3),
        "estimate_1e6_articles": worked,
        "load_average": [round(load_before[0], 2), round(load_after[0], 2)],
        "bench_s": round(time.perf_counter() - started, 1),
    }))


if __name__ == "__main__":
    main()
