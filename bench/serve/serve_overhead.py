#!/usr/bin/env python3
"""What `rotary serve` costs against `rotary run` on the same model and prompt, in one run.

Trials alternate (run, serve, serve, run, run, serve, ...: each pair in the other order than the
one before, so neither side always goes first) and each pair is compared within itself, so that a
machine whose load drifts during the run (other jobs) moves both sides of a pair alike. Each trial
generates the same number of tokens (ignore_eos, greedy) from the same kind of raw prompt (a
different one per trial, so that the server evaluates the whole prompt every time, as a fresh
`rotary run` does): `rotary run --json`, or a streamed /v1/completions request to one
`rotary serve` started once (and warmed up by one request). Reported, as the median and the spread
(25th-75th percentile):
  - decode ms/token: run's statistics (generate_seconds / generated_tokens) against the server's
    `timings` (predicted_ms / predicted_n, the same clock on the generating thread), and their
    ratio per pair: what serving costs the generation itself;
  - per request, the client's time from sending it to the last event over the server's own
    prompt + decode time for it: what the HTTP side adds (parsing, queueing, the events);
  - time to first token: run's prompt seconds against the client's time from sending the request
    to the first streamed text, per pair; and that against the server's own prompt time.
Each `rotary run` is a fresh process whose first steps also build lavapipe's pipelines, which the
warm server has built: a long answer (-n) keeps that a small part of decode.
Goal (issue 16): the server costs under 5% of decode speed.

  python3 bench/serve/serve_overhead.py --rotary build/cli/rotary [--model M.gguf] [-n 256] [-r 15]
Without --model, a tiny-qwen3moe synth model (Q4_K_M) is written to a temporary folder.
"""
import argparse
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

PROMPT = "Trial {k}: the quick brown fox jumps over the lazy dog and keeps running through the forest"


def run_once(a, prompt):
    out = subprocess.run([a.rotary, "run", "-m", a.model, "--no-progress", "--temp", "0", "--ignore-eos",
                          "-n", str(a.n), "--json", "-p", prompt] + a.extra, check=True, capture_output=True, text=True)
    s = json.loads(out.stdout)["stats"]
    ms = 1e3 * s["generate_seconds"] / s["generated_tokens"]
    return {"ttft": s["prompt_seconds"], "ms_per_token": ms}


def serve_once(port, a, prompt):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    body = json.dumps({"prompt": prompt, "max_tokens": a.n, "temperature": 0, "ignore_eos": True, "stream": True})
    t0 = time.perf_counter()
    conn.request("POST", "/v1/completions", body, {"Content-Type": "application/json"})
    resp = conn.getresponse()
    assert resp.status == 200, resp.read()
    first = None
    timings = None
    for line in resp:
        line = line.strip()
        if not line.startswith(b"data: ") or line == b"data: [DONE]":
            continue
        event = json.loads(line[6:])
        now = time.perf_counter()
        if event["choices"] and event["choices"][0]["text"]:
            first = first or now
        if "timings" in event:
            timings = event["timings"]
    done = time.perf_counter()  # after [DONE]
    conn.close()
    assert timings and timings["predicted_n"] == a.n and first, "a short answer"
    inside = 1e-3 * (timings["prompt_ms"] + timings["predicted_ms"])
    return {"ttft": first - t0, "ms_per_token": timings["predicted_ms"] / timings["predicted_n"],
            "wall_over_inside": (done - t0) / inside, "ttft_over_prompt": (first - t0) / (1e-3 * timings["prompt_ms"])}


def spread(xs):
    q = statistics.quantiles(xs, n=4, method="inclusive")
    return statistics.median(xs), q[0], q[2]


def start_server(a):
    server = subprocess.Popen([a.rotary, "serve", "-m", a.model, "--port", "0", "--no-progress"] + a.extra,
                              stderr=subprocess.PIPE, text=True)
    port = None
    for line in server.stderr:
        m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
        port = port or (int(m.group(1)) if m else None)
        if "rotary serve: ready" in line:
            break
    assert port, "rotary serve did not start"
    return server, port


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rotary", default="build/cli/rotary")
    p.add_argument("--model")
    p.add_argument("-n", type=int, default=256, help="tokens generated per trial")
    p.add_argument("-r", type=int, default=15, help="pairs of trials (one run, one request)")
    p.add_argument("extra", nargs="*", help="model flags for both (after --)")
    a = p.parse_args()
    tmp = tempfile.TemporaryDirectory()
    if not a.model:
        a.model = os.path.join(tmp.name, "tiny.gguf")
        subprocess.run([a.rotary, "synth", "--preset", "tiny-qwen3moe", "--quant", "Q4_K_M", "-o", a.model],
                       check=True, capture_output=True)
    server, port = start_server(a)
    runs, served = [], []
    try:
        serve_once(port, a, "warm up")
        for k in range(a.r):
            steps = [lambda: runs.append(run_once(a, PROMPT.format(k=2 * k))),
                     lambda: served.append(serve_once(port, a, PROMPT.format(k=2 * k + 1)))]
            for step in (steps if k % 2 == 0 else steps[::-1]):
                step()
            print(f"pair {k + 1}/{a.r}: decode ms/token run {runs[-1]['ms_per_token']:.2f}, "
                  f"serve {served[-1]['ms_per_token']:.2f}", file=sys.stderr)
    finally:
        server.terminate()
        server.wait(timeout=60)
    print(f"model {a.model}, {a.n} tokens per trial, {a.r} pairs of trials, alternating")
    print("median [25th-75th percentile]")
    fmt = lambda t: f"{t[0]:.4g} [{t[1]:.4g}-{t[2]:.4g}]"
    fmt_ratio = lambda t: f"{t[0]:.3f} [{t[1]:.3f}-{t[2]:.3f}]"
    print(f"{'':28} {'rotary run':>22} {'rotary serve':>22} {'serve/run per pair':>24}")
    for name, f in [("decode ms/token", "ms_per_token"), ("time to first token (s)", "ttft")]:
        r = [x[f] for x in runs]
        s = [x[f] for x in served]
        ratio = spread([si / ri for si, ri in zip(s, r)])
        print(f"{name:28} {fmt(spread(r)):>22} {fmt(spread(s)):>22} {fmt_ratio(ratio):>24}")
        if f == "ms_per_token":
            decode = ratio
    inside = spread([x["wall_over_inside"] for x in served])
    ttft = spread([x["ttft_over_prompt"] for x in served])
    print(f"server, per request: client wall time / the server's prompt + decode time {fmt_ratio(inside)}")
    print(f"server, per request: client time to first token / the server's prompt time {fmt_ratio(ttft)}")
    m, lo, hi = decode
    print(f"decode speed, serve/run per pair: {1 / m:.3f} [{1 / hi:.3f}-{1 / lo:.3f}] "
          f"(goal: at least 0.95)")

if __name__ == "__main__":
    sys.exit(main())
