"""PyTorch reference row for bench/sweep.ts (optional: used only when `import torch` works).

    python3 bench/torch_ref.py '<Job as JSON>'

Speaks the same protocol as bench/worker.ts: one `@@bench {json}` line per message on stdout.
One thread (torch.set_num_threads(1)), float32, nn.LSTM / nn.GRU / nn.RNN on time-major
[T, B, I] input; inference under torch.no_grad(); a training step is forward, sum of the
outputs as the loss (dL/dy = 1), backward, SGD step, zero_grad. Timing follows
bench/lib/measure.ts: a first run (skipped when too slow), warm-up, then samples that repeat
fast steps until they last minSampleMs.
"""
import json
import math
import resource
import sys
import time

PREFIX = "@@bench "
SLOW_STEP_MS = 500.0  # as in bench/lib/measure.ts


def send(msg):
    sys.stdout.write(PREFIX + json.dumps(msg) + "\n")
    sys.stdout.flush()


def quantile(sorted_xs, q):
    n = len(sorted_xs)
    pos = (n - 1) * q
    lo = int(math.floor(pos))
    hi = min(n - 1, lo + 1)
    return sorted_xs[lo] + (sorted_xs[hi] - sorted_xs[lo]) * (pos - lo)


def summarize(xs):
    s = sorted(xs)
    return {"median": quantile(s, 0.5), "p25": quantile(s, 0.25), "p75": quantile(s, 0.75), "min": s[0], "max": s[-1]}


def main():
    job = json.loads(sys.argv[1])
    try:
        import torch
    except Exception as e:  # noqa: BLE001 - any import failure is a note
        send({"kind": "unavailable", "impl": "torch", "note": "torch could not be imported: %s" % e})
        return
    torch.set_num_threads(1)
    send({"kind": "info", "impl": "torch", "version": torch.__version__,
          "detail": "PyTorch nn.LSTM/GRU/RNN, CPU, torch.set_num_threads(1), time-major [T, B, I]; "
                    "training: loss = output.sum(), backward(), SGD step, zero_grad()."})
    timing = job["timing"]
    use_cpu = timing["clock"] == "cpu"

    def time_steps(fn, n):
        w0, c0 = time.perf_counter(), time.process_time()
        for _ in range(n):
            fn()
        c1, w1 = time.process_time(), time.perf_counter()
        return {"wallMs": (w1 - w0) * 1000.0 / n, "cpuMs": (c1 - c0) * 1000.0 / n}

    def pick(s):
        return s["cpuMs"] if use_cpu else s["wallMs"]

    for s in job["series"]:
        prev = None
        too_slow = False
        for T in s["Ts"]:
            send({"kind": "start", "impl": "torch", "seriesId": s["id"], "T": T})
            base = {"impl": "torch", "seriesId": s["id"], "T": T}
            predicted = prev[1] * T / prev[0] if prev else 0.0
            if too_slow or predicted > timing["maxRunMs"]:
                too_slow = True
                send({"kind": "result", "result": dict(base, status="skipped", note="skipped (too slow): predicted %.0f s per step" % (predicted / 1000.0))})
                continue
            try:
                torch.manual_seed(1)
                cls = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}[s["cell"]]
                layer = cls(s["I"], s["H"])
                x = torch.rand(T, s["B"], s["I"]) * 2 - 1
                if s["mode"] == "infer":
                    def step():
                        with torch.no_grad():
                            layer(x)
                else:
                    opt = torch.optim.SGD(layer.parameters(), lr=0.01)

                    def step():
                        out, _ = layer(x)
                        out.sum().backward()
                        opt.step()
                        opt.zero_grad()
                first = time_steps(step, 1)
                if pick(first) > timing["maxRunMs"]:
                    too_slow = True
                    send({"kind": "result", "result": dict(base, status="skipped", samples=[first], note="skipped (too slow): one step took %.1f s" % (pick(first) / 1000.0))})
                    continue
                est = pick(first)
                warmup_runs = 1
                w0 = time.perf_counter()
                while (time.perf_counter() - w0) * 1000.0 < timing["warmupMs"] and warmup_runs < 1000:
                    est = pick(time_steps(step, 1))
                    warmup_runs += 1
                inner = max(1, int(math.ceil(timing["minSampleMs"] / max(est, 1e-3))))
                min_reps = min(3, timing["minReps"]) if est > SLOW_STEP_MS else timing["minReps"]
                reps = min(timing["maxReps"], max(min_reps, int(math.ceil(timing["targetMs"] / (est * inner)))))
                samples = [time_steps(step, inner) for _ in range(reps)]
                stats = summarize([pick(x_) for x_ in samples])
                peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux
                send({"kind": "result", "result": dict(base, status="ok", inner=inner, warmupRuns=warmup_runs, samples=samples, stats=stats,
                                                       mem={"retainedMB": 0.0, "rssMB": peak, "peakRssMB": peak})})
                prev = (T, stats["median"])
            except Exception as e:  # noqa: BLE001 - a failure is a note, not a crash
                send({"kind": "result", "result": dict(base, status="failed", note="failed: %s" % str(e).split("\n")[0])})


if __name__ == "__main__":
    main()
