#!/usr/bin/env python3
"""Load benchmark of issue 11 item 10: the platform under a realistic mix of many clients.

    python3 benches/load.py [--clients 50] [--seconds 60] [--think-ms 1000] [--keep DIR]

Needs Python 3 (standard library) only. Builds `gongshu` and the load client
`gongshu-loadgen` in release (the first release build takes about 20 minutes on a 2-core
machine), starts `gongshu serve --demo` with the demo city's datasets (the million-row
household register included) on a fresh data directory, waits until the datasets are in, then
runs two phases of --seconds each:

1. the mix: --clients clients, each signed in as a demo user (the sign-ins spread over a
   5-second warm-up that is not measured), each repeating with a think time of 0.5–1.5 ×
   --think-ms: login 5 %, catalog search 25 %, an entry's catalog page 25 %, a page of 100
   rows of an open entry 20 %, a small aggregate of it 15 %, one SQL query (a group-by with
   ORDER BY and LIMIT) 10 %;
2. the same mix with one more reader beside it keeping the SQL executor saturated: self-joins
   on a low-cardinality column (billions of row pairs counted, each stopped by the 30 s
   deadline), as many at once as one reader may have.

For each phase it reports p50/p99 per request kind, answers by status, throughput and the
server's peak RSS (VmHWM, reset between phases), and ends with the goals of the issue: no 5xx,
no error but the saturating reader's deliberate 429s, p99 < 100 ms for reads outside the SQL
executor (search, entry page, data page, aggregate), memory bounded. The anchor is the same
mix without the saturating reader, in the same run.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from data_plane import Api, Server, build_release, say  # noqa: E402

# Demo users (see the README): agency staff and admins of every agency, the county agencies,
# the authority, the operator, the regulator and the public.
AGENCIES = ["gaj", "mzj", "wjw", "rsj", "scjgj", "zrzyj", "jyj", "gjjzx", "cl", "sfj",
            "xcq-gaj", "xcq-mzj", "tzq-gaj", "tzq-wjw"]
USERS = ([f"{a}-{r}" for a in AGENCIES for r in ("staff", "admin")]
         + ["reviewer", "sjj-admin", "xcq-reviewer", "tzq-reviewer", "operator", "appunit",
            "regulator", "public-person", "public-company", "auditor"])
SATURATING_USER = "secadmin"
# Reads that do not go through the SQL executor.
READS = ["search", "entry", "data_page", "aggregate"]


def open_entries(api):
    """Open entries of the demo catalog: (code, rows) of those with data, and every code."""
    _, page = api.call("GET", "/api/v1/catalog/entries?open_type=unconditional&per_page=100")
    codes = [e["code"] for e in page["entries"]]
    with_data = []
    for code in codes:
        res, body = api.call("GET", f"/api/v1/entries/{code}/data/stats",
                             expect=(200, 403, 404, 409))
        if res.status == 200:
            with_data.append((code, body["rows"], body["columns"]))
    return codes, with_data


def wait_for_datasets(api, deadline_s=900):
    """The demo seeds its datasets in the background: wait until the register, seeded last,
    is readable by its owner."""
    started = time.monotonic()
    while time.monotonic() - started < deadline_s:
        query = urllib.parse.urlencode({"q": "户籍人口基本信息", "per_page": 5})
        _, page = api.call("GET", f"/api/v1/catalog/entries?{query}")
        codes = [e["code"] for e in page["entries"] if e["name"] == "户籍人口基本信息"]
        if codes:
            res, _ = api.call("GET", f"/api/v1/entries/{codes[0]}/data?limit=1", expect=(200, 409))
            if res.status == 200:
                return time.monotonic() - started
        time.sleep(2)
    raise SystemExit("the demo datasets were not in after 15 minutes")


def pick_target(with_data):
    """The open entry for data pages, aggregates and SQL: the largest under 200,000 rows, and
    its column with the fewest (but several) distinct values."""
    candidates = sorted((c for c in with_data if c[1] <= 200_000), key=lambda c: c[1])
    if not candidates:
        raise SystemExit("no open entry with data")
    code, rows, columns = candidates[-1]
    grouped = [c for c in columns if 2 <= c["distinct_approx"] <= 50 and c["non_null"] > 0]
    if not grouped:
        raise SystemExit(f"{code}: no column to group by")
    group = min(grouped, key=lambda c: c["distinct_approx"])["name"]
    return code, rows, group


def reset_peak_rss(pid):
    """Clears the process's peak RSS (writing 5 to clear_refs), so each phase reports its own."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def run_phase(loadgen, server, args, target, pages, saturate):
    code, _, group = target
    argv = [loadgen, "--base", f"http://127.0.0.1:{server.port}", "--clients", str(args.clients),
            "--seconds", str(args.seconds), "--think-ms", str(args.think_ms),
            "--users", ",".join(USERS), "--entry", code, "--group-by", group,
            "--pages", ",".join(pages)]
    if saturate:
        argv += ["--saturate-as", SATURATING_USER]
    reset_peak_rss(server.proc.pid)
    proc = subprocess.run(argv, stdout=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"the load client failed (exit {proc.returncode})")
    result = json.loads(proc.stdout)
    result["server_peak_rss_mib"] = (server.peak_rss_kib() or 0) / 1024
    return result


def report(name, r):
    say(f"\n== {name}: {r['clients']} clients, {r['seconds']:.0f} s, think {r['think_ms']} ms; "
        f"{r['requests']} requests, {r['throughput_rps']:.0f} requests/s; "
        f"server peak RSS {r['server_peak_rss_mib']:.0f} MiB")
    say(f"{'kind':<16}{'count':>8}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}  statuses")
    for kind, k in sorted(r["kinds"].items()):
        statuses = ", ".join(f"{s}×{n}" for s, n in k["statuses"].items())
        say(f"{kind:<16}{k['count']:>8}{k['p50_ms']:>10.1f}{k['p99_ms']:>10.1f}{k['max_ms']:>10.1f}  {statuses}")


def goals(name, r):
    """The issue's goals for one phase: (goal, measured, met)."""
    out = []
    mix = {k: v for k, v in r["kinds"].items() if k != "saturating_sql"}
    server_errors = sum(n for k in r["kinds"].values() for s, n in k["statuses"].items()
                        if s == "0" or int(s) >= 500)
    out.append(("no 5xx (nor a request without an answer)", str(server_errors), server_errors == 0))
    errors = sum(n for k in mix.values() for s, n in k["statuses"].items()
                 if not s.startswith("2") and s != "429")
    refused = sum(k["statuses"].get("429", 0) for k in mix.values())
    out.append(("no error in the mix but deliberate 429s", f"{errors} (429: {refused})", errors == 0))
    if "saturating_sql" in r["kinds"]:
        sat = r["kinds"]["saturating_sql"]["statuses"]
        other = {s: n for s, n in sat.items() if s not in ("200", "422", "429")}
        out.append(("saturating reader: only its deadline (422) or 429",
                    json.dumps(sat), not other))
    worst = max((mix[k]["p99_ms"], k) for k in READS if k in mix)
    out.append(("p99 < 100 ms, reads outside the SQL executor",
                f"{worst[0]:.1f} ms ({worst[1]})", worst[0] < 100))
    out.append(("memory bounded (peak RSS)", f"{r['server_peak_rss_mib']:.0f} MiB",
                r["server_peak_rss_mib"] < 4096))
    say(f"\n-- goals, {name}")
    for goal, measured, met in out:
        say(f"  {'met' if met else 'MISSED':<7} {goal}: {measured}")
    return all(m for _, _, m in out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--think-ms", type=int, default=1000)
    parser.add_argument("--keep", help="keep the data directory here")
    args = parser.parse_args()

    binary = build_release("gongshu")
    loadgen = build_release("gongshu-loadgen")
    work = args.keep or tempfile.mkdtemp(prefix="gongshu-load-")
    os.makedirs(work, exist_ok=True)
    data_dir = os.path.join(work, "data")
    shutil.rmtree(data_dir, ignore_errors=True)
    server = Server(binary, data_dir, os.path.join(work, "server.log"), data_scale="1")
    try:
        say("启动 starting gongshu serve --demo (the demo city and its datasets)")
        server.start()
        owner = Api(server.port).login("gaj-admin")
        took = wait_for_datasets(owner)
        owner.close()
        say(f"  datasets in after {took:.0f} s")
        api = Api(server.port)
        pages, with_data = open_entries(api)
        target = pick_target(with_data)
        say(f"  target: entry {target[0]} ({target[1]} rows), grouped by {target[2]}; "
            f"{len(pages)} open entries for catalog pages")
        api.close()

        mix = run_phase(loadgen, server, args, target, pages, saturate=False)
        report("the mix (anchor)", mix)
        saturated = run_phase(loadgen, server, args, target, pages, saturate=True)
        report("the mix beside a saturated SQL executor", saturated)
        ok = goals("the mix", mix) & goals("beside a saturated SQL executor", saturated)
        ratio = (max(saturated["kinds"][k]["p99_ms"] for k in READS)
                 / max(mix["kinds"][k]["p99_ms"] for k in READS))
        say(f"\nworst read p99 beside the saturated executor ÷ alone: {ratio:.2f}×")
        with open(os.path.join(work, "load.json"), "w") as f:
            json.dump({"mix": mix, "saturated": saturated, "target": target}, f, indent=2)
        say(f"results in {os.path.join(work, 'load.json')}")
        return 0 if ok else 1
    finally:
        server.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
