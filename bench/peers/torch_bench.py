"""The standard workloads (bench/workloads.ts) in PyTorch, float32, written the way a PyTorch user
writes them, with torch's own thread pools at one thread: single-threaded unless OpenBLAS is given
more threads (OPENBLAS_NUM_THREADS=2 is PyTorch's best setting on 2 cores with Debian's build;
torch.set_num_threads(2) fights OpenBLAS's threads there). Run by bench/peers/run.mjs; also runs
on its own:

    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 /usr/bin/python3 bench/peers/torch_bench.py [NAME...]

Prints one JSON object {name: {medianMs, minMs, maxMs, runs, warmup, firstMs}} on the last line
of stdout (progress goes to stderr). --out FILE also writes it (with torch's version and thread
count) to FILE after every workload. --policy JSON overrides the timing constants; run.mjs passes
the ones in timing.mjs so every column is timed by the same rule:

    one untimed call; warm-up until >= minWarmup calls and >= warmupMs; N = round(budgetMs /
    median warm-up call after the first), clamped to [minRuns (minRunsSlow when a call takes
    > slowMs), maxRuns]; each of the N calls timed on its own with time.perf_counter; median,
    min, max reported.
"""

import json
import os
import sys

# Single-threaded before torch (and its BLAS) loads.
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import time  # noqa: E402

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_num_threads(1)
try:
    torch.set_num_interop_threads(1)
except RuntimeError:
    pass
torch.set_default_dtype(torch.float32)

POLICY = {
    "budgetMs": 2000,
    "warmupMs": 1500,
    "minWarmup": 2,
    "minRuns": 5,
    "minRunsSlow": 3,
    "slowMs": 1000,
    "maxRuns": 10000,
}


def median(values):
    s = sorted(values)
    m = len(s) // 2
    return s[m] if len(s) % 2 else (s[m - 1] + s[m]) / 2


def choose_runs(estimate_ms, policy):
    floor = policy["minRunsSlow"] if estimate_ms > policy["slowMs"] else policy["minRuns"]
    n = round(policy["budgetMs"] / max(estimate_ms, 1e-6))
    return min(policy["maxRuns"], max(floor, n))


def rounded(ms):
    return round(ms, 4 if ms < 1 else 3)


def measure(fn, policy):
    clock = time.perf_counter
    t = clock()
    fn()
    first_ms = (clock() - t) * 1e3
    warm = [first_ms]
    total = first_ms
    while len(warm) < policy["minWarmup"] or (total < policy["warmupMs"] and len(warm) < policy["maxRuns"]):
        t = clock()
        fn()
        dt = (clock() - t) * 1e3
        warm.append(dt)
        total += dt
    runs = choose_runs(median(warm[1:]), policy)
    times = []
    for _ in range(runs):
        t = clock()
        fn()
        times.append((clock() - t) * 1e3)
    return {
        "medianMs": rounded(median(times)),
        "minMs": rounded(min(times)),
        "maxMs": rounded(max(times)),
        "runs": runs,
        "warmup": len(warm),
        "firstMs": rounded(first_ms),
    }


# --- workloads: each setup returns the function to time -------------------------------------


def matmul(n, variant):
    def setup():
        g = torch.Generator().manual_seed(1)
        a = torch.randn(n, n, generator=g)
        b = torch.randn(n, n, generator=g)
        if variant == "NN":
            return lambda: a @ b
        if variant == "NT":
            return lambda: a @ b.T
        return lambda: a.T @ b

    return setup


SMALL = (32, 64, 32, 128)  # B, T, I, H of L1 / G1 / R1
LARGE = (64, 128, 128, 512)  # L4, C4


def train_step(cls, sizes=SMALL):
    def setup():
        torch.manual_seed(2)
        B, T, I, H = sizes
        rnn = cls(I, H, batch_first=True)
        head = nn.Linear(H, I)
        x = torch.randn(B, T, I)
        y = torch.randn(B, T, I)
        opt = torch.optim.Adam([*rnn.parameters(), *head.parameters()], lr=1e-3)

        def step():
            out, _ = rnn(x)
            loss = F.mse_loss(head(out), y)
            opt.zero_grad()
            loss.backward()
            opt.step()

        return step

    return setup


def tiny():
    torch.manual_seed(5)
    lstm = nn.LSTM(8, 32, batch_first=True)
    head = nn.Linear(32, 1)
    x = torch.randn(1, 32, 8)
    y = torch.randn(1, 1)
    opt = torch.optim.Adam([*lstm.parameters(), *head.parameters()], lr=1e-3)

    def step():
        _, (h, _) = lstm(x)
        loss = F.mse_loss(head(h[-1]), y)
        opt.zero_grad()
        loss.backward()
        opt.step()

    return step


def cell_latency():
    torch.manual_seed(8)
    cell = nn.LSTMCell(32, 128)
    x = torch.randn(1, 32)
    state = [torch.zeros(1, 128), torch.zeros(1, 128)]

    def step():
        with torch.no_grad():
            state[0], state[1] = cell(x, (state[0], state[1]))

    return step


def inference():
    torch.manual_seed(10)
    lstm = nn.LSTM(32, 128, batch_first=True)
    x = torch.randn(1, 256, 32)

    def run():
        with torch.no_grad():
            lstm(x)

    return run


def char_model(sizes):
    def setup():
        torch.manual_seed(12)
        B, T, E, H = sizes
        V = 65
        embed = nn.Embedding(V, E)
        lstm = nn.LSTM(E, H, num_layers=2, batch_first=True)
        head = nn.Linear(H, V)
        x = torch.randint(0, V, (B, T))
        y = torch.randint(0, V, (B * T,))
        opt = torch.optim.Adam([*embed.parameters(), *lstm.parameters(), *head.parameters()], lr=1e-3)

        def step():
            out, _ = lstm(embed(x))
            loss = F.cross_entropy(head(out).reshape(B * T, V), y)
            opt.zero_grad()
            loss.backward()
            opt.step()

        return step

    return setup


WORKLOADS = {
    "M64-NN": matmul(64, "NN"),
    "M128-NN": matmul(128, "NN"),
    "M256-NN": matmul(256, "NN"),
    "M512-NN": matmul(512, "NN"),
    "M256-NT": matmul(256, "NT"),
    "M256-TN": matmul(256, "TN"),
    "L1": train_step(nn.LSTM),
    "G1": train_step(nn.GRU),
    "R1": train_step(nn.RNN),
    "L2": tiny,
    "L3": cell_latency,
    "I1": inference,
    "C1": char_model((32, 64, 64, 256)),
    "L4": train_step(nn.LSTM, LARGE),
    "C4": char_model(LARGE),
}


def main(argv):
    policy = dict(POLICY)
    out = None
    names = []
    i = 0
    while i < len(argv):
        if argv[i] == "--policy":
            policy.update(json.loads(argv[i + 1]))
            i += 2
        elif argv[i] == "--out":
            out = argv[i + 1]
            i += 2
        else:
            names.append(argv[i])
            i += 1
    unknown = [n for n in names if n not in WORKLOADS]
    if unknown:
        sys.exit(f"unknown workload(s): {', '.join(unknown)}; known: {', '.join(WORKLOADS)}")
    info = {
        "torch": torch.__version__,
        "python": sys.version.split()[0],
        "executable": sys.executable,
        "threads": torch.get_num_threads(),
        "interopThreads": torch.get_num_interop_threads(),
        "openblasThreads": os.environ.get("OPENBLAS_NUM_THREADS"),
    }
    blas_threads = os.environ.get("OPENBLAS_NUM_THREADS", "1")
    label = "torch" if blas_threads == "1" else f"torch-{blas_threads}t"
    results = {}
    for name in names or list(WORKLOADS):
        fn = WORKLOADS[name]()
        results[name] = measure(fn, policy)
        r = results[name]
        print(f"  {label:<10} {name:<8} {r['medianMs']:>10} ms  [{r['minMs']} .. {r['maxMs']}] x{r['runs']}", file=sys.stderr, flush=True)
        if out:
            with open(out, "w") as f:
                json.dump({"info": info, "results": results}, f)
    print(json.dumps(results))


if __name__ == "__main__":
    main(sys.argv[1:])
