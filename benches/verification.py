#!/usr/bin/env python3
"""Verification benchmark of issue 5 item 4 (核验比对, H21), with its anchor in the same run.

    python3 benches/verification.py [--rows N] [--batches B] [--keep DIR] [--binary PATH]

Needs what benches/data_plane.py needs (Python 3, DuckDB, a release build, which it starts)
and reuses its CSV generator, server and HTTP helpers. Steps:

1. the same deterministic CSV of N rows (default 10,000,000; reused from --keep DIR);
2. `gongshu serve --demo` with a verification limit high enough not to throttle the run;
   a conditionally shared entry of 市公安局 (api_query and verification), ingested with
   `gongshu ingest`; 市民政局 requests both modes and 市公安局 approves;
3. verification throughput: B batches of 1,000 keys (default 50), each record claiming the
   name and age — 80 % true, 10 % a wrong name, 10 % a key that is not in the data —
   answers checked; the first batch, which builds the indexes, is timed apart. Anchor: DuckDB
   (threads=2) looks the same keys up in the same stored Parquet file and compares in Python;
4. the grant check on a query: the same 100-row pages (unmasked items only, so no masking
   work differs) read as the owner (no grant lookup) and as the grantee (grant lookup),
   interleaved, p50/p99 and their difference.
"""

import argparse
import datetime
import os
import random
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data_plane as dp  # noqa: E402

say = dp.say
BATCH = 1000
PAGES = 400
GRANTEE = "mzj-staff"


def conditional_entry(rows):
    body = dp.entry_body(f"核验基准测试人员名录{rows}行")
    body.update({
        "grade": "general_3",
        "share_type": "conditional",
        "share_conditions": "仅限身份核验使用",
        "share_modes": ["api_query", "verification"],
        "legal_bases": [{"law": "中华人民共和国个人信息保护法", "article": "第十三条"}],
        "open_type": "not_open",
        "not_open_reason": "privacy",
    })
    return body


def publish(port, rows):
    owner = dp.Api(port).login(dp.OWNER)
    reviewer = dp.Api(port).login(dp.REVIEWER)
    _, entry = owner.call("POST", "/api/v1/catalog/entries", conditional_entry(rows), expect=(201,))
    code = entry["code"]
    owner.call("POST", f"/api/v1/catalog/entries/{code}/submit", {})
    _, published = reviewer.call("POST", f"/api/v1/catalog/entries/{code}/approve", {})
    if published.get("state") != "published":
        raise SystemExit(f"entry {code} not published: {published}")
    reviewer.close()
    return owner, code


def grant(port, owner, code):
    grantee = dp.Api(port).login(GRANTEE)
    _, req = grantee.call("POST", "/api/v1/share-requests", {
        "entry_code": code, "items": ["bh", "xm", "sfzh", "qx", "nl", "je", "rq", "dz"],
        "modes": ["api_query", "verification"], "scenario": "低保资格身份核验",
        "purpose": "核验申请人姓名与年龄", "using_unit": "市民政局社会救助科", "until": (datetime.date.today() + datetime.timedelta(days=365)).isoformat(),
        "commitments": {"purpose_bound": True, "no_onward_transfer": True, "security": True},
    }, expect=(201,))
    _, approved = owner.call("POST", f"/api/v1/share-requests/{req['id']}/approve", {})
    if approved.get("state") != "granted":
        raise SystemExit(f"request not granted: {approved}")
    return grantee


def batches_of(con, parquet, rows, count, seed):
    """`count` batches of (records, expected answers), from rows sampled with DuckDB."""
    rng = random.Random(seed)
    picks = rng.sample(range(1, rows + 1), min(rows, count * BATCH))
    con.execute("CREATE TEMP TABLE picks(bh BIGINT)")
    con.executemany("INSERT INTO picks VALUES (?)", [(p,) for p in picks])
    found = {bh: (sfzh, xm, nl) for bh, sfzh, xm, nl in con.execute(
        f"SELECT bh, sfzh, xm, CAST(nl AS VARCHAR) FROM read_parquet('{parquet}') JOIN picks USING (bh)"
    ).fetchall()}
    out = []
    for b in range(count):
        records, expected = [], []
        for bh in picks[b * BATCH:(b + 1) * BATCH]:
            sfzh, xm, nl = found[bh]
            kind = rng.random()
            if kind < 0.8:
                records.append({"key": sfzh, "claims": {"xm": xm, "nl": nl}})
                expected.append({"xm": True, "nl": True})
            elif kind < 0.9:
                records.append({"key": sfzh, "claims": {"xm": xm + "某", "nl": nl}})
                expected.append({"xm": False, "nl": True})
            else:
                # A well-formed citizen ID that the generator never produces (sequence 999+).
                records.append({"key": "150102" + sfzh[6:14] + "999X", "claims": {"xm": xm, "nl": nl}})
                expected.append({"xm": False, "nl": False})
        out.append((records, expected))
    return out


def duckdb_lookup(con, parquet, records):
    """The anchor: the same keys looked up in the same Parquet file, compared in Python."""
    con.execute("CREATE OR REPLACE TEMP TABLE keys(sfzh VARCHAR)")
    con.executemany("INSERT INTO keys VALUES (?)", [(r["key"],) for r in records])
    stored = {k: (xm, nl) for k, xm, nl in con.execute(
        f"SELECT sfzh, xm, CAST(nl AS VARCHAR) FROM read_parquet('{parquet}') WHERE sfzh IN (SELECT sfzh FROM keys)"
    ).fetchall()}
    out = []
    for r in records:
        row = stored.get(r["key"])
        out.append({"xm": row is not None and row[0] == r["claims"]["xm"],
                    "nl": row is not None and row[1] == r["claims"]["nl"]})
    return out


def pages(owner, grantee, code, rows, count, seed):
    """Interleaved page reads as owner and grantee: (owner ms, grantee ms) lists."""
    rng = random.Random(seed)
    times = {"owner": [], "grantee": []}
    hi = max(1, rows - 100)
    for i in range(count + 1):
        x = rng.randint(1, hi)
        path = (f"/api/v1/entries/{code}/data?select=bh,qx,nl,je&limit=100"
                f"&bh=gte.{x}&bh=lt.{x + 100}&order=bh")
        order = [("owner", owner), ("grantee", grantee)]
        if i % 2:
            order.reverse()
        for who, api in order:
            started = time.perf_counter()
            res, body = api.call("GET", path)
            elapsed = (time.perf_counter() - started) * 1000
            if len(body) != min(100, rows - x + 1):
                raise SystemExit(f"{who} page at bh={x} returned {len(body)} rows")
            if who == "grantee" and res.getheader("x-gongshu-policy") != "grant":
                raise SystemExit("the grantee read without its grant")
            if i:
                times[who].append(elapsed)
    return times["owner"], times["grantee"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--batches", type=int, default=50, help="timed batches of 1,000 keys")
    parser.add_argument("--pages", type=int, default=PAGES, help="pages read as each reader")
    parser.add_argument("--keep", metavar="DIR", help="work in DIR and keep it (CSV reused when present)")
    parser.add_argument("--binary", metavar="PATH", help="this gongshu binary instead of a release build "
                        "(to try the script; figures need release)")
    args = parser.parse_args()
    rows = args.rows
    import duckdb

    binary = args.binary or dp.build_release()
    work = os.path.abspath(args.keep) if args.keep else tempfile.mkdtemp(prefix="gongshu-verify-")
    os.makedirs(work, exist_ok=True)
    say(f"工作目录 work dir {work}  (DuckDB {duckdb.__version__}, {os.cpu_count()} CPUs, load average "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())})")
    # No throttling in a throughput run: the limit is a policy, not a cost.
    os.environ["GONGSHU_VERIFY_KEYS_PER_MINUTE"] = "4000000000"
    server = None
    summary = []
    try:
        csv_path = os.path.join(work, f"people-{rows}.csv")
        if not os.path.exists(csv_path):
            started = time.monotonic()
            dp.generate_csv(csv_path + ".part", rows)
            os.replace(csv_path + ".part", csv_path)
            say(f"[1] CSV: {rows:,} rows generated in {time.monotonic() - started:.1f} s")
        else:
            say(f"[1] CSV: reusing {csv_path}")
        dp.check_first_ids(csv_path)

        data_dir = os.path.join(work, "data-verify")
        shutil.rmtree(data_dir, ignore_errors=True)
        server = dp.Server(binary, data_dir, os.path.join(work, "serve-verify.log"))
        server.start()
        owner, code = publish(server.port, rows)
        ingest = [binary, "ingest", "--entry", code, "--data-dir", data_dir, csv_path]
        rc, wall, _, _ = dp.run_measured(ingest, os.path.join(work, "ingest-verify.out"),
                                         os.path.join(work, "ingest-verify.log"))
        if rc != 0:
            raise SystemExit(f"ingest failed:\n{dp.tail(os.path.join(work, 'ingest-verify.log'))}")
        _, versions = owner.call("GET", f"/api/v1/catalog/entries/{code}/versions")
        if versions[0]["rows"] != rows:
            raise SystemExit(f"version holds {versions[0]['rows']} rows, not {rows}")
        parquet = os.path.join(data_dir, "lake", *versions[0]["data_file"].split("/"))
        grantee = grant(server.port, owner, code)
        say(f"[2] entry {code} published, {rows:,} rows ingested in {wall:.1f} s, verification grant to 市民政局")

        con = duckdb.connect()
        dp.duckdb_threads(con)
        work_batches = batches_of(con, parquet, rows, args.batches + 1, seed=21)
        url = f"/api/v1/verify/{code}"

        def check(records, expected):
            _, answer = grantee.call("POST", url, {"key": "sfzh", "records": records})
            got = [r["fields"] for r in answer["results"]]
            if got != expected:
                bad = next(i for i, (g, e) in enumerate(zip(got, expected)) if g != e)
                raise SystemExit(f"record {bad}: answered {got[bad]}, expected {expected[bad]}")

        started = time.perf_counter()
        check(*work_batches[0])
        cold = time.perf_counter() - started
        started = time.perf_counter()
        for records, expected in work_batches[1:]:
            check(records, expected)
        took = time.perf_counter() - started
        keys = args.batches * BATCH
        ours = keys / took
        anchor_batches = work_batches[1:1 + min(5, args.batches)]
        started = time.perf_counter()
        for records, expected in anchor_batches:
            if duckdb_lookup(con, parquet, records) != expected:
                raise SystemExit("DuckDB disagrees with the expected answers")
        duck = len(anchor_batches) * BATCH / (time.perf_counter() - started)
        con.close()
        say(f"[3] verification, batches of {BATCH}: {keys:,} keys (2 claims each) in {took:.2f} s → "
            f"{ours:,.0f} keys/s ({took / args.batches * 1000:.1f} ms a batch); first batch incl. "
            f"building the two indexes {cold:.1f} s | DuckDB lookup of the same keys in the same "
            f"Parquet: {duck:,.0f} keys/s | ratio {ours / duck:.1f}×")
        summary.append(("verification (keys/s)", f"{ours:,.0f}", f"{duck:,.0f}", f"{ours / duck:.1f}×",
                        "≥ 20,000", ours >= 20_000))

        own, granted = pages(owner, grantee, code, rows, args.pages, seed=5)
        o50, o99 = dp.percentile(own, 50), dp.percentile(own, 99)
        g50, g99 = dp.percentile(granted, 50), dp.percentile(granted, 99)
        say(f"[4] page of 100 rows (bh, qx, nl, je), {args.pages} each, interleaved: owner p50 {o50:.2f} ms "
            f"p99 {o99:.2f} ms | grantee p50 {g50:.2f} ms p99 {g99:.2f} ms | grant check adds "
            f"p50 {g50 - o50:+.2f} ms, p99 {g99 - o99:+.2f} ms")
        summary.append(("grant check added, p50 (ms)", f"{g50 - o50:+.2f}", f"{o50:.2f} owner", "—",
                        "< 1 ms", g50 - o50 < 1))
        summary.append(("grant check added, p99 (ms)", f"{g99 - o99:+.2f}", f"{o99:.2f} owner", "—",
                        "< 1 ms", g99 - o99 < 1))
        rss = server.peak_rss_kib()
        if rss:
            say(f"    server peak RSS over the run: {rss / 1024:.0f} MiB")

        say()
        say(f"核验基准 verification benchmark — {rows:,} rows (DuckDB {duckdb.__version__}, threads=2; "
            f"load average now {' '.join(f'{x:.2f}' for x in os.getloadavg())})")
        header = ("measure", "ours", "anchor", "ratio", "goal", "met")
        table = [header] + [(m, o, a, r, g, "yes" if ok else "NO") for m, o, a, r, g, ok in summary]
        widths = [max(len(row[i]) for row in table) for i in range(len(header))]
        for n, row in enumerate(table):
            say("  " + "  ".join(c.ljust(w) for c, w in zip(row, widths)))
            if n == 0:
                say("  " + "  ".join("-" * w for w in widths))
    finally:
        if server:
            server.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
