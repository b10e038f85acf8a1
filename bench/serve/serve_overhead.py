#!/usr/bin/env python3
"""What `rotary serve` costs against `rotary run` on the same model and prompt, in one run.

For each repetition, `rotary run --json` and a streamed /v1/completions request through
`rotary serve` generate the same number of tokens (ignore_eos) from the same raw prompt (a
different one per repetition, so that the server evaluates the whole prompt every time). Reported,
as medians and as server/run ratios:
  - time to first token: run's prompt seconds (its statistics) against the client's time from
    sending the request to the first streamed text;
  - decode tok/s: run's statistics against the server's `timings` and the client's own clock
    (tokens after the first over the time between the first and the last event).
Goal (issue 16): the server costs under 5% of decode speed.

  python3 bench/serve/serve_overhead.py --rotary build/cli/rotary [--model M.gguf] [-n 64] [-r 3]
Without --model, a tiny-qwen3moe synth model is written to a temporary folder.
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

PROMPT = "Repetition {k}: the quick brown fox jumps over the lazy dog and keeps running through the forest"


def run_once(a, prompt):
    out = subprocess.run([a.rotary, "run", "-m", a.model, "--no-progress", "--temp", "0", "--ignore-eos",
                          "-n", str(a.n), "--json", "-p", prompt] + a.extra, check=True, capture_output=True, text=True)
    s = json.loads(out.stdout)["stats"]
    return {"ttft": s["prompt_seconds"], "decode_tps": s["generate_tps"], "tokens": s["generated_tokens"]}


def serve_once(port, a, prompt):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    body = json.dumps({"prompt": prompt, "max_tokens": a.n, "temperature": 0, "ignore_eos": True, "stream": True})
    t0 = time.perf_counter()
    conn.request("POST", "/v1/completions", body, {"Content-Type": "application/json"})
    resp = conn.getresponse()
    assert resp.status == 200, resp.read()
    first = last = None
    texts = 0
    timings = None
    for line in resp:
        line = line.strip()
        if not line.startswith(b"data: ") or line == b"data: [DONE]":
            continue
        event = json.loads(line[6:])
        now = time.perf_counter()
        if event["choices"] and event["choices"][0]["text"]:
            texts += 1
            first = first or now
            last = now
        if "timings" in event:
            timings = event["timings"]
    conn.close()
    n = timings["predicted_n"]
    client_tps = (n - 1) / (last - first) if last and first and last > first else 0.0
    return {"ttft": first - t0, "decode_tps": timings["predicted_per_second"], "client_tps": client_tps, "tokens": n}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rotary", default="build/cli/rotary")
    p.add_argument("--model")
    p.add_argument("-n", type=int, default=64, help="tokens generated per request")
    p.add_argument("-r", type=int, default=3, help="repetitions")
    p.add_argument("extra", nargs="*", help="model flags for both (after --)")
    a = p.parse_args()
    tmp = tempfile.TemporaryDirectory()
    if not a.model:
        a.model = os.path.join(tmp.name, "tiny.gguf")
        subprocess.run([a.rotary, "synth", "--preset", "tiny-qwen3moe", "--quant", "Q4_K_M", "-o", a.model],
                       check=True, capture_output=True)
    server = subprocess.Popen([a.rotary, "serve", "-m", a.model, "--port", "0", "--no-progress"] + a.extra,
                              stderr=subprocess.PIPE, text=True)
    port = None
    for line in server.stderr:
        m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
        port = port or (int(m.group(1)) if m else None)
        if "rotary serve: ready" in line:
            break
    assert port, "rotary serve did not start"
    runs, served = [], []
    try:
        serve_once(port, a, "warm up")
        for k in range(a.r):
            runs.append(run_once(a, PROMPT.format(k=k)))
            served.append(serve_once(port, a, PROMPT.format(k=k + 1000)))
    finally:
        server.terminate()
        server.wait(timeout=60)
    med = lambda xs, f: statistics.median(x[f] for x in xs)
    rows = [("time to first token (s)", med(runs, "ttft"), med(served, "ttft")),
            ("decode tok/s (server timings)", med(runs, "decode_tps"), med(served, "decode_tps")),
            ("decode tok/s (client clock)", med(runs, "decode_tps"), med(served, "client_tps"))]
    print(f"model {a.model}, {a.n} tokens, {a.r} repetitions (medians)")
    print(f"{'':32} {'rotary run':>12} {'rotary serve':>13} {'serve/run':>10}")
    for name, r, s in rows:
        print(f"{name:32} {r:12.4g} {s:13.4g} {s / r:10.3f}")
    cost = 1 - med(served, "client_tps") / med(runs, "decode_tps")
    print(f"the server costs {100 * cost:.1f}% of decode speed (client clock; goal: under 5%)")


if __name__ == "__main__":
    sys.exit(main())
