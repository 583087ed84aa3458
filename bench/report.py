#!/usr/bin/env python3
"""Summarises a bench/run.sh run: medians per case and side, the Keel/peer table, JSON, a plot.

Usage: report.py RESULTS_DIR
Reads RESULTS_DIR/raw.jsonl (one line per loadgen run: case, side, rep, exit, result) and
RESULTS_DIR/meta.json; writes summary.json, table.md, table.txt and (with gnuplot) plot.png.
Python standard library only.
"""

import json
import os
import shutil
import statistics
import subprocess
import sys

SIDES = ("keel", "peer")


def kind_of(case):
    if case.startswith("E2E"):
        return "e2e"
    if case.startswith("L"):
        return "latency"
    if case.startswith("C"):
        return "consume"
    return "produce"


def is_latency(case):
    return kind_of(case) in ("e2e", "latency")


def peer_case(case):
    """The peer case a Keel case is compared with (the peer cannot long-poll: -w500 runs on
    Keel only and is compared with the peer's 1 ms poll)."""
    return case[: -len("-w500")] if case.endswith("-w500") else case


def stats(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "n": len(values)}


def dig(obj, *path):
    for key in path:
        if obj is None:
            return None
        obj = obj.get(key)
    return obj


def summarise(runs):
    """runs: the raw lines of one case and side."""
    ok = [r["result"] for r in runs if r.get("result") and not r["result"].get("error")]
    errors = [(r.get("result") or {}).get("error") or f"exit {r.get('exit')}, no result"
              for r in runs if not r.get("result") or r["result"].get("error")]
    out = {"runs": len(runs), "ok_runs": len(ok), "errors": errors}
    out["msgs_per_s"] = stats([r["msgs_per_s"] for r in ok])
    out["mb_per_s"] = stats([r["mb_per_s"] for r in ok])
    for q in ("p50", "p99", "p999", "max"):
        out[f"lat_{q}_ms"] = stats([dig(r, "lat_ms", q) for r in ok])
    out["broker_ns_per_msg"] = stats([dig(r, "cpu", "broker_ns_per_msg") for r in ok])
    out["broker_pct"] = stats([dig(r, "cpu", "broker_pct") for r in ok])
    out["client_pct"] = stats([dig(r, "cpu", "client_pct") for r in ok])
    out["client_ns_per_msg"] = stats([dig(r, "cpu", "client_ns_per_msg") for r in ok])
    cores = [dig(r, "cpu", "cores_busy_pct") for r in ok]
    cores = [c for c in cores if c]
    if cores:
        out["cores_busy_pct"] = [statistics.median(c[i] for c in cores)
                                 for i in range(min(len(c) for c in cores))]
    else:
        out["cores_busy_pct"] = None
    return out


def med(s):
    return None if s is None else s["median"]


def fmt_rate(v):
    if v is None:
        return "–"
    if v >= 1e6:
        return f"{v / 1e6:.2f} M"
    if v >= 1e3:
        return f"{v / 1e3:.1f} k"
    return f"{v:.0f}"


def fmt_num(v, digits=0):
    return "–" if v is None else f"{v:,.{digits}f}"


def fmt_ms(v):
    if v is None:
        return "–"
    return f"{v:.2f}" if v < 10 else f"{v:.1f}" if v < 100 else f"{v:.0f}"


def cell_main(case, s):
    """The Keel or peer cell of a case: median (min–max) of msgs/s, or latency percentiles."""
    if s is None or s["ok_runs"] == 0:
        return "failed" if s and s["runs"] else "–"
    if is_latency(case):
        p99 = s["lat_p99_ms"]
        return (f"p99 {fmt_ms(p99['median'])} ms ({fmt_ms(p99['min'])}–{fmt_ms(p99['max'])}); "
                f"p50 {fmt_ms(med(s['lat_p50_ms']))}, p99.9 {fmt_ms(med(s['lat_p999_ms']))}")
    m = s["msgs_per_s"]
    return (f"{fmt_rate(m['median'])}/s ({fmt_rate(m['min'])}–{fmt_rate(m['max'])}), "
            f"{fmt_num(med(s['mb_per_s']))} MB/s")


def ratio_of(case, keel, peer):
    if not keel or not peer or keel["ok_runs"] == 0 or peer["ok_runs"] == 0:
        return None
    if is_latency(case):
        k, p = med(keel["lat_p99_ms"]), med(peer["lat_p99_ms"])
    else:
        k, p = med(keel["msgs_per_s"]), med(peer["msgs_per_s"])
    return None if not k or not p else k / p


def cores_cell(s):
    if not s or not s.get("cores_busy_pct"):
        return "–"
    return "/".join(f"{c:.0f}" for c in s["cores_busy_pct"])


def pair(a, b, digits=0):
    return f"{fmt_num(a, digits)} / {fmt_num(b, digits)}"


def build_rows(summary):
    rows = []
    for entry in summary["cases"]:
        case, keel, peer = entry["case"], entry["keel"], entry["peer"]
        ratio = entry["ratio"]
        rows.append([
            case,
            cell_main(case, keel),
            cell_main(peer_case(case), peer)
            + (" (1 ms poll)" if case.endswith("-w500") and peer else ""),
            "–" if ratio is None else f"{ratio:.2f}" + (" (p99)" if is_latency(case) else ""),
            pair(med((keel or {}).get("broker_ns_per_msg")), med((peer or {}).get("broker_ns_per_msg"))),
            pair(med((keel or {}).get("broker_pct")), med((peer or {}).get("broker_pct"))),
            pair(med((keel or {}).get("client_pct")), med((peer or {}).get("client_pct"))),
            f"{cores_cell(keel)} / {cores_cell(peer)}",
        ])
    return rows


HEADER = ["case", "Keel", "peer", "ratio", "broker ns/msg K / P", "broker CPU% K / P",
          "loadgen CPU% K / P", "cores busy% K / P"]


def text_table(rows):
    widths = [max(len(str(r[i])) for r in rows + [HEADER]) for i in range(len(HEADER))]
    line = lambda r: "  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip()
    out = [line(HEADER), line(["-" * w for w in widths])]
    out += [line(r) for r in rows]
    return "\n".join(out)


def markdown_table(rows):
    out = ["| " + " | ".join(HEADER) + " |", "|" + " --- |" * len(HEADER)]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def plot(results, summary):
    """Throughput (msgs/s) and latency percentiles, Keel beside the peer, via gnuplot."""
    gnuplot = shutil.which("gnuplot")
    if not gnuplot:
        print("report: gnuplot not found, no plot (scripts/install-deps.sh installs gnuplot-nox)",
              file=sys.stderr)
        return None
    tput = [e for e in summary["cases"] if not is_latency(e["case"])]
    lat = [e for e in summary["cases"] if is_latency(e["case"])]
    tput_path = os.path.join(results, "plot-throughput.dat")
    lat_path = os.path.join(results, "plot-latency.dat")
    with open(tput_path, "w") as f:
        f.write("# case keel_msgs_per_s peer_msgs_per_s\n")
        for e in tput:
            k = med((e["keel"] or {}).get("msgs_per_s")) or 0
            p = med((e["peer"] or {}).get("msgs_per_s")) or 0
            f.write(f"{e['case']} {k / 1e6:.6f} {p / 1e6:.6f}\n")
    with open(lat_path, "w") as f:
        f.write("# case keel_p50 keel_p99 keel_p999 peer_p50 peer_p99 peer_p999 (ms)\n")
        for e in lat:
            vals = []
            for side in ("keel", "peer"):
                s = e[side] or {}
                vals += [med(s.get(f"lat_{q}_ms")) or 0 for q in ("p50", "p99", "p999")]
            f.write(e["case"] + " " + " ".join(f"{v:.4f}" for v in vals) + "\n")
    png = os.path.join(results, "plot.png")
    meta = summary["meta"]
    title = (f"Keel vs librdkafka mock peer — {meta.get('date', '')}, "
             f"{meta.get('reps', '?')} rep(s), load {meta.get('load_before', '?')}")
    script = f"""
set terminal pngcairo size 1400,560 font 'DejaVu Sans,10'
set output '{png}'
set multiplot layout 1,2 title "{title}"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics
set xtics rotate by -35 left
set key top right
set title 'Throughput (median, M msgs/s)'
set ylabel 'M msgs/s'
set yrange [0:*]
plot '{tput_path}' using 2:xtic(1) title 'Keel' lc rgb '#1f77b4', '' using 3 title 'peer' lc rgb '#aaaaaa'
set title 'Latency percentiles (median of reps, ms, log scale)'
set ylabel 'ms'
set logscale y
set yrange [*:*]
plot '{lat_path}' using 2:xtic(1) title 'Keel p50' lc rgb '#9ecae1', \\
     '' using 3 title 'Keel p99' lc rgb '#3182bd', '' using 4 title 'Keel p99.9' lc rgb '#08519c', \\
     '' using 5 title 'peer p50' lc rgb '#dddddd', '' using 6 title 'peer p99' lc rgb '#aaaaaa', \\
     '' using 7 title 'peer p99.9' lc rgb '#666666'
unset multiplot
"""
    if not lat:
        script = script.replace("set multiplot layout 1,2", "set multiplot layout 1,1")
        script = script[: script.index("set title 'Latency")] + "unset multiplot\n"
    if not tput:
        start = script.index("set title 'Throughput")
        script = script[:start] + script[script.index("set title 'Latency"):]
        script = script.replace("set multiplot layout 1,2", "set multiplot layout 1,1")
    with open(os.path.join(results, "plot.gp"), "w") as f:
        f.write(script)
    proc = subprocess.run([gnuplot, os.path.join(results, "plot.gp")], capture_output=True,
                          text=True, timeout=60)
    if proc.returncode != 0:
        print(f"report: gnuplot failed: {proc.stderr.strip()}", file=sys.stderr)
        return None
    return png


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    results = sys.argv[1]
    with open(os.path.join(results, "meta.json")) as f:
        meta = json.load(f)
    raw = []
    with open(os.path.join(results, "raw.jsonl")) as f:
        for line in f:
            if line.strip():
                raw.append(json.loads(line))
    order = []
    for r in raw:
        if r["case"] not in order:
            order.append(r["case"])
    summary = {"meta": meta, "cases": []}
    by_key = {}
    for r in raw:
        by_key.setdefault((r["case"], r["side"]), []).append(r)
    for case in order:
        keel = summarise(by_key[(case, "keel")]) if (case, "keel") in by_key else None
        pc = peer_case(case)
        peer = summarise(by_key[(pc, "peer")]) if (pc, "peer") in by_key else None
        summary["cases"].append({"case": case, "kind": kind_of(case), "keel": keel,
                                 "peer": peer, "peer_case": pc,
                                 "ratio": ratio_of(case, keel, peer)})
    rows = build_rows(summary)
    with open(os.path.join(results, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1)
    text = text_table(rows)
    with open(os.path.join(results, "table.txt"), "w") as f:
        f.write(text + "\n")
    with open(os.path.join(results, "table.md"), "w") as f:
        f.write(markdown_table(rows) + "\n")
    print(text)
    png = plot(results, summary)
    failures = [(e["case"], side, err) for e in summary["cases"] for side in SIDES
                if e[side] for err in e[side]["errors"]]
    for case, side, err in failures:
        print(f"FAILED {case} {side}: {err}")
    print(f"\nload average before {meta.get('load_before')}, after {meta.get('load_after')}; "
          f"page cache growth (dd to a new file) {meta.get('page_cache_write_mb_per_s')} MB/s "
          f"before the cases, {meta.get('page_cache_write_mb_per_s_end', '?')} MB/s after")
    print(f"results: {results}/summary.json, table.md" + (", plot.png" if png else ""))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
