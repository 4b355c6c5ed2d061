#!/usr/bin/python3
"""Combine the outputs of scripts/bench-all.sh into report.md, throughput.png and latency.png.

    /usr/bin/python3 bench/report.py bench/results

Inputs in that directory: machine.txt, targets.md (the Targets section scripts/bench-all.sh
collected, placed first), c-bench.md (hftipc_bench --markdown), c-wait.md
(hftipc_wait_bench), go-bench.txt (go test -bench, several -count runs), java-bench.tsv
(bench/java). Medians of the Go runs are computed here (benchstat is not installed).
Needs matplotlib (scripts/install-deps.sh --bench installs python3-matplotlib for /usr/bin/python3).
"""
import os
import re
import statistics
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

SIZES = [8, 64, 512]


def fmt_rate(r):
    if r is None:
        return ""
    if r >= 1e9:
        return f"{r / 1e9:.2f} G"
    if r >= 1e6:
        return f"{r / 1e6:.1f} M"
    return f"{r / 1e3:.0f} k"


def fmt_ns(ns):
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 10000:
        return f"{ns / 1000:.1f} µs"
    return f"{ns:.0f} ns"


def parse_value(text):
    """'23.04 M msgs/s' -> 23.04e6; '955.5 k' -> 955500; 'p50 14.7 us' -> 14700 (ns)."""
    m = re.search(r"([\d.]+)\s*([kMG]?)\s*(?:msgs/s)?", text)
    mult = {"": 1, "k": 1e3, "M": 1e6, "G": 1e9}[m.group(2)]
    return float(m.group(1)) * mult


def parse_ns(text):
    m = re.search(r"([\d.]+)\s*(ns|us|µs|ms)", text)
    return float(m.group(1)) * {"ns": 1, "us": 1e3, "µs": 1e3, "ms": 1e6}[m.group(2)]


def read_c(path):
    thr, lat, notes, header = [], [], [], ""
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith("hftipc_bench"):
            header = line
        if line.startswith("- [") or line.startswith("other programs"):
            notes.append(line)
        if not line.startswith("| throughput") and not line.startswith("| round trip"):
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        test, transport, msg, median, rng = cells[:5]
        ratio = cells[6] if len(cells) > 6 else ""
        size = int(msg.split()[0])
        if test == "throughput":
            lo, hi = (parse_value(x) for x in rng.split(".."))
            thr.append(dict(transport=transport, size=size, median=parse_value(median), lo=lo, hi=hi, ratio=ratio))
        else:
            p99, p999 = (parse_ns(x) for x in rng.split(","))
            # The hftipc round trips run at 64 B and at the one-line size (56 B): name the size
            # of any but the 64-byte one.
            if transport.startswith("hftipc") and size != 64:
                transport = f"{transport}, {size} B"
            lat.append(dict(transport=transport, p50=parse_ns(median), p99=p99, p999=p999, ratio=ratio))
    return header, thr, lat, notes


GO_DESCR = {
    "Throughput64": ("hftipc Send / Receive, two goroutines", "OldRingThroughput64"),
    "ThroughputBatch64": ("hftipc SendBatch / ReceiveBatch (64 per call), two goroutines", "OldRingThroughput64"),
    "OldRingThroughput64": ("old pure-Go ring, two goroutines", None),
    "Send64": ("hftipc Send, one goroutine", "OldRingSend64"),
    "SendBatch64": ("hftipc SendBatch (64 per call), one goroutine", "OldRingSend64"),
    "ClaimCommit": ("hftipc TryClaim + copy + Commit, one goroutine", "OldRingSend64"),
    "OldRingSend64": ("old pure-Go ring Send, one goroutine", None),
    "Receive64": ("hftipc Receive, one goroutine", "OldRingReceive64"),
    "ReceiveBatch64": ("hftipc ReceiveBatch (64 per call), one goroutine", "OldRingReceive64"),
    "PeekAck": ("hftipc Peek + Ack, one goroutine", "OldRingReceive64"),
    "OldRingReceive64": ("old pure-Go ring Receive, one goroutine", None),
    "SendReceive64": ("hftipc Send + Receive back to back, one goroutine", "OldRingSendReceive64"),
    "OldRingSendReceive64": ("old pure-Go ring Send + Receive, one goroutine", None),
    "CgoCrossing": ("cgo call to an empty C function (noescape/nocallback)", None),
    "CgoCrossingPlain": ("cgo call to an empty C function, plain", None),
}


def read_go(path):
    runs = {}
    for line in open(path, encoding="utf-8"):
        m = re.match(r"^Benchmark(\S+?)(?:-\d+)?\s+\d+\s+([\d.]+) ns/op", line)
        if m:
            runs.setdefault(m.group(1), []).append(float(m.group(2)))
    return {k: dict(median=statistics.median(v), lo=min(v), hi=max(v), n=len(v)) for k, v in runs.items()}


def read_java(path):
    thr, lat = [], []
    for line in open(path, encoding="utf-8"):
        f = line.rstrip("\n").split("\t")
        if f[0] == "throughput":
            thr.append(dict(transport=f[1], size=int(f[2]), median=float(f[3]), lo=float(f[4]), hi=float(f[5])))
        elif f[0] == "latency":
            lat.append(dict(transport=f[1], p50=float(f[3]), p99=float(f[4]), p999=float(f[5])))
    return thr, lat


def read_go_xproc(path):
    """go-xproc.tsv (xbench_test.go, two processes): throughput rows with every round's rate,
    round-trip rows with p50 and p99. Absent file (an older run): nothing."""
    thr, lat = [], []
    if not os.path.exists(path):
        return thr, lat
    for line in open(path, encoding="utf-8"):
        f = line.rstrip("\n").split("\t")
        if f[0] == "throughput" and len(f) >= 5:
            rounds = [float(x) for x in f[4].split(",") if x]
            thr.append(dict(transport=f[1], size=int(f[2].split()[0]), median=float(f[3]),
                            lo=min(rounds), hi=max(rounds)))
        elif f[0] == "roundtrip" and len(f) >= 5:
            lat.append(dict(transport=f[1], p50=float(f[3]), p99=float(f[4]), p999=None))
    return thr, lat


def find(rows, transport, size=None):
    for r in rows:
        if r["transport"] == transport and (size is None or r["size"] == size):
            return r
    return None


def main(d):
    machine = [line.rstrip("\n") for line in open(os.path.join(d, "machine.txt"), encoding="utf-8")]
    c_header, c_thr, c_lat, c_notes = read_c(os.path.join(d, "c-bench.md"))
    go = read_go(os.path.join(d, "go-bench.txt"))
    j_thr, j_lat = read_java(os.path.join(d, "java-bench.tsv"))
    gx_thr, gx_lat = read_go_xproc(os.path.join(d, "go-xproc.tsv"))
    wait = open(os.path.join(d, "c-wait.md"), encoding="utf-8").read().strip()

    # ---- summary rows: (language, transport, {size: (median, lo, hi)}, baseline label) ----------
    summary = []

    def add(lang, label, rows, transport, base=None, base_name=None, sizes=SIZES):
        cells = {}
        for s in sizes:
            r = find(rows, transport, s)
            if r is None:
                continue
            ratio = ""
            if base:
                b = find(rows, base, s)
                if b and b["median"] > 0:
                    ratio = f"{r['median'] / b['median']:.2f}x {base_name}"
            cells[s] = (r["median"], r["lo"], r["hi"], ratio)
        summary.append((lang, label, cells))

    naive = "naive ring (old algorithm)"
    for t, label in [
        ("hftipc send/receive", "hftipc send/receive"),
        ("hftipc send/receive, line slots", "hftipc send/receive, line slots"),
        ("hftipc send/receive, payload slots", "hftipc send/receive, payload slots (max_payload)"),
        ("hftipc send_batch/receive_batch", "hftipc send_batch/receive_batch (256)"),
        ("hftipc try_claim+commit / peek+ack, line slots", "hftipc try_claim+commit / peek+ack, line slots"),
        ("hftipc try_claim+commit / drain", "hftipc try_claim+commit / drain"),
    ]:
        add("C", label, c_thr, t, naive, "naive")
    boost = "boost::lockfree::spsc_queue push/pop"
    add("C", boost + " — baseline", c_thr, boost, naive, "naive")
    add("C", "boost::lockfree::spsc_queue array push/pop (256) — baseline", c_thr,
        "boost::lockfree::spsc_queue array push/pop", naive, "naive")
    for t in [naive, "Unix socket (SEQPACKET)", "pipe"]:
        add("C", t + " — baseline", c_thr, t, None if t == naive else naive, "naive")

    def go_row(name):
        g = go.get(name)
        if not g:
            return None
        descr, base = GO_DESCR.get(name, (name, None))
        ratio = ""
        if base and base in go:
            ratio = f"{go[base]['median'] / g['median']:.2f}x old ring"
        return dict(name=name, descr=descr, ratio=ratio, **g)

    for name in ["Throughput64", "ThroughputBatch64", "OldRingThroughput64"]:
        g = go_row(name)
        if g:
            summary.append(("Go", g["descr"] + (" — baseline" if name.startswith("OldRing") else ""),
                            {64: (1e9 / g["median"], 1e9 / g["hi"], 1e9 / g["lo"], g["ratio"])}))

    origin = "go origin ring (GenshIv/hft-ipc) Push/Pop"
    for t in ["go hftipc Send/Receive", "go hftipc SendContext/ReceiveContext (Background)"]:
        add("Go", t.removeprefix("go ") + ", two processes", gx_thr, t, origin, "origin ring")
    add("Go", "origin ring (GenshIv/hft-ipc) Push/Pop, two processes — baseline", gx_thr, origin)

    agrona = "Agrona OneToOneRingBuffer write/read(1)"
    for t in ["hftipc offer/poll (direct ByteBuffer)", "hftipc offerBatch/pollBatch (64 per call)"]:
        add("Java", t, j_thr, t, agrona, "Agrona")
    for t in [agrona, "Agrona OneToOneRingBuffer write/read(64)"]:
        add("Java", t + " — baseline", j_thr, t)
    agrona2 = agrona + ", two JVMs"
    for t in ["hftipc offer/poll (direct ByteBuffer), two JVMs", "hftipc offer/poll (heap byte[]), two JVMs"]:
        add("Java", t, j_thr, t, agrona2, "Agrona")
    add("Java", agrona2 + " — baseline", j_thr, agrona2)

    # ---- report.md -------------------------------------------------------------------------------
    md = []
    md.append("<!-- written by scripts/bench-all.sh (bench/report.py); see docs/BENCHMARKS.md -->")
    md.append("# hftipc benchmark report\n")
    md.append("![throughput](throughput.png)\n")
    md.append("![latency](latency.png)\n")
    targets_md = os.path.join(d, "targets.md")
    if os.path.exists(targets_md):
        md.append(open(targets_md, encoding="utf-8").read().strip() + "\n")
    md.append("## Machine and load\n")
    md.append("| | |\n|---|---|")
    for line in machine:
        k, _, v = line.partition(": ")
        md.append(f"| {k} | {v} |")
    md.append("")
    md.append("## Throughput, messages per second (median; ratio against the same-run baseline)\n")
    md.append("C: two processes pinned to two CPUs, packed slots unless \"line slots\". "
              "Go: two goroutines in one process, 64-byte messages, 512-byte slots; \"two processes\": "
              "pinned to two CPUs, slots from Config.MaxPayload. "
              "Java: two threads in one JVM, packed slots; \"two JVMs\": pinned to two CPUs, slots from "
              "maxPayload; Agrona's ring on a file mapped from /dev/shm. "
              "Every consumer copies each message out and checks its sequence number "
              "(C's claim rows read in place).\n")
    md.append("| Lang | Transport | 8 B | 64 B | 512 B |")
    md.append("|---|---|---:|---:|---:|")
    for lang, label, cells in summary:
        out = []
        for s in SIZES:
            if s in cells:
                med, lo, hi, ratio = cells[s]
                out.append(f"**{fmt_rate(med)}**" + (f" ({ratio})" if ratio else ""))
            else:
                out.append("—")
        md.append(f"| {lang} | {label} | " + " | ".join(out) + " |")
    md.append("")
    md.append("## Round-trip latency, 64-byte ping-pong\n")
    md.append("| Lang | Transport | p50 | p99 | p99.9 | p50 vs bare ping-pong |")
    md.append("|---|---|---:|---:|---:|---:|")
    j_one = [r for r in j_lat if "two JVMs" not in r["transport"]]
    j_two = [r for r in j_lat if "two JVMs" in r["transport"]]
    for lang, rows, bare in [("C", c_lat, "bare cache-line ping-pong"),
                             ("Go", gx_lat, None),
                             ("Java", j_one, "bare ping-pong (AtomicLongArray)"),
                             ("Java", j_two, "bare ping-pong (mapped file), two JVMs")]:
        b = find(rows, bare) if bare else None
        for r in rows:
            ratio = f"{r['p50'] / b['p50']:.2f}x" if b and r is not b else ""
            p999 = fmt_ns(r["p999"]) if r["p999"] is not None else "—"
            md.append(f"| {lang} | {r['transport']} | {fmt_ns(r['p50'])} | {fmt_ns(r['p99'])} | {p999} | {ratio} |")
    md.append("")
    md.append("## C: earlier goals, as hftipc_bench judges them (issue 14's targets: above)\n")
    md.extend(c_notes)
    md.append("")
    md.append("## C: blocking waits and MPSC (hftipc_wait_bench)\n")
    md.append(wait)
    md.append("")
    md.append(f"## Go: every benchmark, median of {max(g['n'] for g in go.values()) if go else 0} runs\n")
    md.append("ns/op is per message. The ratio is the old ring's median ns/op divided by hftipc's "
              "(above 1: hftipc is faster).\n")
    md.append("| Benchmark | What | median ns/op | range | msgs/s | vs old ring |")
    md.append("|---|---|---:|---:|---:|---:|")
    for name in GO_DESCR:
        g = go_row(name)
        if g:
            md.append(f"| {name} | {g['descr']} | {g['median']:.1f} | {g['lo']:.1f} .. {g['hi']:.1f} | "
                      f"{fmt_rate(1e9 / g['median'])} | {g['ratio']} |")
    md.append("")
    md.append("## Java: every case (median, min .. max)\n")
    md.append("| Transport | Msg | median msgs/s | range |")
    md.append("|---|---:|---:|---:|")
    for r in j_thr:
        md.append(f"| {r['transport']} | {r['size']} B | {fmt_rate(r['median'])} | {fmt_rate(r['lo'])} .. {fmt_rate(r['hi'])} |")
    md.append("")
    md.append("## C: the full hftipc_bench table (c-bench.md)\n")
    md.append(c_header + "\n")
    for line in open(os.path.join(d, "c-bench.md"), encoding="utf-8"):
        if line.startswith("|"):
            md.append(line.rstrip("\n"))
    md.append("")
    with open(os.path.join(d, "report.md"), "w", encoding="utf-8") as f:
        f.write("\n".join(md) + "\n")

    # ---- throughput.png --------------------------------------------------------------------------
    when = next((line.split(": ", 1)[1] for line in machine if line.startswith("date")), "")
    cpus = next((line.split(": ", 1)[1] for line in machine if line.startswith("cpus")), "?")
    blues = ["#08306b", "#2171b5", "#4292c6", "#6baed6", "#9ecae1"]
    greys = ["#d94801", "#737373", "#bdbdbd", "#fdae6b"]
    panels = [
        ("C — two processes", [
            ("hftipc send/receive", "send/receive", c_thr, blues[0]),
            ("hftipc send/receive, line slots", "send/receive, line slots", c_thr, blues[1]),
            ("hftipc send_batch/receive_batch", "send_batch/receive_batch", c_thr, blues[2]),
            ("hftipc send/receive, payload slots", "send/receive, payload slots", c_thr, blues[4]),
            ("hftipc try_claim+commit / peek+ack, line slots", "claim/peek, line slots", c_thr, blues[3]),
            (naive, "naive ring (old)", c_thr, greys[0]),
            ("boost::lockfree::spsc_queue push/pop", "boost spsc_queue push/pop", c_thr, greys[3]),
            ("pipe", "pipe", c_thr, greys[1]),
            ("Unix socket (SEQPACKET)", "Unix socket", c_thr, greys[2]),
        ]),
        ("Java — two threads in one JVM, and two JVMs", [
            ("hftipc offer/poll (direct ByteBuffer)", "hftipc offer/poll", j_thr, blues[0]),
            ("hftipc offerBatch/pollBatch (64 per call)", "hftipc offerBatch/pollBatch", j_thr, blues[2]),
            ("hftipc offer/poll (direct ByteBuffer), two JVMs", "hftipc offer/poll, two JVMs", j_thr, blues[1]),
            (agrona, "Agrona write/read(1)", j_thr, greys[0]),
            ("Agrona OneToOneRingBuffer write/read(64)", "Agrona write/read(64)", j_thr, greys[3]),
            (agrona2, "Agrona write/read(1), two JVMs", j_thr, greys[1]),
        ]),
    ]
    go_rows = []
    for name, label, color in [("Throughput64", "hftipc Send/Receive", blues[0]),
                               ("ThroughputBatch64", "hftipc batch (64)", blues[2]),
                               ("OldRingThroughput64", "old pure-Go ring", greys[0])]:
        if name in go:
            g = go[name]
            go_rows.append(dict(transport=label, size=64, median=1e9 / g["median"], lo=1e9 / g["hi"], hi=1e9 / g["lo"], color=color))

    fig, axes = plt.subplots(1, 3, figsize=(16, 6.2), gridspec_kw={"width_ratios": [3, 2 if gx_thr else 1.1, 3]}, sharey=True)

    def bars(ax, series, sizes, title):
        n = len(series)
        width = 0.8 / n
        for i, (label, rows, color) in enumerate(series):
            xs, ys, lo, hi = [], [], [], []
            for k, s in enumerate(sizes):
                r = rows(s)
                if r is None:
                    continue
                xs.append(k - 0.4 + width * (i + 0.5))
                ys.append(r["median"])
                lo.append(r["median"] - r["lo"])
                hi.append(r["hi"] - r["median"])
            ax.bar(xs, ys, width, color=color, label=label, yerr=[lo, hi], capsize=2,
                   error_kw=dict(elinewidth=0.8, ecolor="#444"))
        ax.set_xticks(range(len(sizes)))
        ax.set_xticklabels([f"{s} B" for s in sizes])
        ax.set_xlabel("message size")
        ax.set_title(title)
        ax.set_yscale("log")
        ax.grid(axis="y", which="both", alpha=0.3)
        ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, frameon=False)

    c_series = [(label, (lambda s, t=t, rows=rows: find(rows, t, s)), color) for t, label, rows, color in panels[0][1]]
    bars(axes[0], c_series, SIZES, panels[0][0])
    go_series = [(r["transport"] + ", one process", (lambda s, r=r: r if s == 64 else None), r["color"])
                 for r in go_rows]
    for t, label, color in [("go hftipc Send/Receive", "hftipc Send/Receive, two processes", blues[1]),
                            (origin, "origin ring, two processes", greys[1])]:
        if find(gx_thr, t):
            go_series.append((label, (lambda s, t=t: find(gx_thr, t, s)), color))
    bars(axes[1], go_series, SIZES if gx_thr else [64], "Go — two goroutines, and two processes")
    j_series = [(label, (lambda s, t=t, rows=rows: find(rows, t, s)), color) for t, label, rows, color in panels[1][1]]
    bars(axes[2], j_series, SIZES, panels[1][0])
    lows = [r["lo"] for r in c_thr + j_thr + gx_thr] + [r["lo"] for r in go_rows]
    highs = [r["hi"] for r in c_thr + j_thr + gx_thr] + [r["hi"] for r in go_rows]
    axes[0].set_ylim(min(lows) / 2, max(highs) * 1.5)
    axes[0].set_ylabel("messages per second (median of runs, bars: min..max; log scale)")
    axes[0].yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: fmt_rate(v) + "/s"))
    fig.suptitle(f"hftipc throughput by message size and language ({cpus} vCPUs, {when})\n"
                 "blue: hftipc paths; orange and grey: baselines in the same run", fontsize=12)
    fig.tight_layout()
    fig.savefig(os.path.join(d, "throughput.png"), dpi=110)
    plt.close(fig)

    # ---- latency.png -----------------------------------------------------------------------------
    rows = [("C", r) for r in c_lat] + [("Go", r) for r in gx_lat] + [("Java", r) for r in j_lat]
    rows = rows[::-1]
    fig, ax = plt.subplots(figsize=(11, 0.5 * len(rows) + 1.8))
    ys = range(len(rows))
    p50 = [r["p50"] for _, r in rows]
    p99 = [r["p99"] for _, r in rows]
    p999 = [(y, r["p999"]) for y, (_, r) in zip(ys, rows) if r["p999"] is not None]
    colors = ["#2171b5" if r["transport"].startswith(("hftipc", "go hftipc")) else "#bdbdbd" if "bare" in r["transport"] else "#d94801"
              for _, r in rows]
    ax.barh(ys, p50, color=colors, label="p50 (bar)")
    ax.scatter(p99, ys, marker="|", s=250, color="black", label="p99", zorder=3)
    ax.scatter([v for _, v in p999], [y for y, _ in p999], marker="x", s=40, color="#444", label="p99.9",
               zorder=3)
    ax.set_yticks(list(ys))
    ax.set_yticklabels([f"{lang}: {r['transport']}  (p50 {fmt_ns(r['p50'])})" for lang, r in rows], fontsize=9)
    ax.set_xscale("log")
    ax.set_xlabel("round-trip time, 64-byte ping-pong (ns, log scale)")
    ax.grid(axis="x", which="both", alpha=0.3)
    ax.legend(loc="lower right", fontsize=9)
    ax.set_title(f"Round-trip latency, {cpus} vCPUs, {when}\n"
                 "blue: hftipc, grey: bare ping-pong (the floor), orange: baselines", fontsize=11)
    fig.tight_layout()
    fig.savefig(os.path.join(d, "latency.png"), dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "bench/results")
