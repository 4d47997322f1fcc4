"""The benchmark's figures: medians and percentiles per row against the floor and the
targets, as JSON, a markdown table and the costliest statements."""

from __future__ import annotations

import statistics

from witness.core.charts import Chart, Series

#: the issue's targets at 100,000 witnesses: pages and feeds, the double-booking check
TARGET_RATIO = 3.0
#: None: measured, no target (the chain check's cost grows with the case's ledger)
TARGET_RATIOS: dict[str, float | None] = {
    "conflict check": 2.0,
    "record item": 2.0,
    "chain check": None,
}
#: rows measured against another floor than the read floor: a recording form against the
#: write floor (CSRF, one row and one audit row, one commit), measured in the same run
FLOOR_OF = {"record item": "write floor"}
FLOORS = {"floor", "write floor"}
TARGET_MEMORY_MB = 200.0
#: the disclosure PDF against reportlab's own layout of the same table (issue 5)
DISCLOSURE_TARGET = 2.0


def percentile(values: list[float], pct: int) -> float:
    """The ``pct``-th percentile of ``values`` (the value itself when there is one)."""
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


def build_report(
    engine, targets, witnesses, cases, rounds, seconds, memory_before, memory_peak, profiles
) -> dict:
    """The figures of every row against its floor and target, and the memory, as a dict."""
    floors = {
        (t.user, t.endpoint): statistics.median(t.times)
        for t in targets
        if t.endpoint in FLOORS and t.times
    }
    floors_p95 = {
        (t.user, t.endpoint): percentile(t.times, 95)
        for t in targets
        if t.endpoint in FLOORS and t.times
    }
    rows = []
    for t in targets:
        row = {"user": t.user, "endpoint": t.endpoint, "path": t.paths[0] if t.paths else None}
        if not t.times:
            row.update(requests=0, note=t.note or "not measured")
            rows.append(row)
            continue
        median, p95 = statistics.median(t.times), percentile(t.times, 95)
        top = sorted(t.statements.items(), key=lambda kv: kv[1][1], reverse=True)[:5]
        target = None if t.endpoint in FLOORS else TARGET_RATIOS.get(t.endpoint, TARGET_RATIO)
        floor = (t.user, FLOOR_OF.get(t.endpoint, "floor"))
        note = t.note
        if t.found:
            note = f"{statistics.median(t.found):g} clashes found per check (median)"
        row.update(
            requests=len(t.times),
            median_ms=round(median * 1000, 2),
            p95_ms=round(p95 * 1000, 2),
            ratio_median=round(median / floors[floor], 2),
            ratio_p95=round(p95 / floors_p95[floor], 2),
            floor=floor[1],
            queries=statistics.median(t.queries),
            sql_ms_median=round(statistics.median(t.sql_times) * 1000, 2),
            errors=dict(t.errors),
            target_ratio=target,
            meets_target=target is None or median / floors[floor] <= target,
            note=note,
            top_statements=[
                {
                    "sql": " ".join(sql.split()),
                    "per_request": round(n / len(t.times), 2),
                    "ms_per_request": round(total * 1000 / len(t.times), 3),
                }
                for sql, (n, total) in top
            ],
        )
        rows.append(row)
    measured = [r for r in rows if r.get("requests")]
    return {
        "database": engine.url.render_as_string(hide_password=True),
        "dialect": engine.dialect.name,
        "witnesses": witnesses,
        "cases": cases,
        "rounds": rounds,
        "seconds": round(seconds, 1),
        "rows": rows,
        "memory": {
            "peak_mb": round(memory_peak, 1),
            "before_measuring_mb": round(memory_before, 1),
            "target_mb": TARGET_MEMORY_MB,
            "meets_target": memory_peak <= TARGET_MEMORY_MB,
        },
        "target_ratio": TARGET_RATIO,
        "all_pages_meet_target": all(r["meets_target"] for r in measured),
        "errors": sum(sum(r["errors"].values()) for r in measured),
        "profiles": profiles,
    }


def markdown(report: dict) -> str:
    """The report as a markdown table, with the memory and the targets below it."""
    lines = [
        f"\n{report['witnesses']:,} witnesses, {report['cases']:,} cases on "
        f"{report['dialect']}; {report['rounds']} rounds in {report['seconds']} s\n",
        "| user | endpoint | n | median ms | p95 ms | x floor (median) | x floor (p95) "
        "| queries | SQL ms | errors | meets target | note |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|---|",
    ]
    for r in report["rows"]:
        if not r.get("requests"):
            lines.append(
                f"| {r['user']} | {r['endpoint']} | - | - | - | - | - | - | - | - | - "
                f"| {r['note']} |"
            )
            continue
        if r["endpoint"] in FLOORS:
            verdict = "floor"
        elif r["target_ratio"] is None:
            verdict = "no target"
        else:
            verdict = f"{'yes' if r['meets_target'] else '**no**'} (≤ {r['target_ratio']:g}x)"
        errors = sum(r["errors"].values())
        lines.append(
            f"| {r['user']} | {r['endpoint']} | {r['requests']} | {r['median_ms']:.1f} "
            f"| {r['p95_ms']:.1f} | {r['ratio_median']:.1f} | {r['ratio_p95']:.1f} "
            f"| {r['queries']:g} | {r['sql_ms_median']:.1f} | {errors} | {verdict} "
            f"| {r.get('note', '')} |"
        )
    lines.append(
        "\nx floor: the page's time over the floor's (one row by primary key, same user); the "
        "conflict check is find_clashes() called in-process in its own app context and "
        "session, its target 2x. The write floor (a form POST: CSRF, one row and one audit "
        "row, one commit) is shown against the floor; recording an item is measured against "
        "the write floor, its target 2x. "
        "queries and SQL ms: statements per request and time inside the driver's execute "
        "(PostgreSQL fetches the rows there; SQLite fetches them later, so its SQL ms is a "
        "lower bound)."
    )
    memory = report["memory"]
    lines.append(
        f"\nPeak memory (ru_maxrss): {memory['peak_mb']:.0f} MB "
        f"(target ≤ {memory['target_mb']:.0f} MB: {'met' if memory['meets_target'] else 'NOT met'}"
        f"; {memory['before_measuring_mb']:.0f} MB before measuring)"
    )
    lines.append(
        "Every row within its target: " + ("met" if report["all_pages_meet_target"] else "NOT met")
    )
    return "\n".join(lines)


def disclosure_markdown(figures: dict | None) -> str:
    """The disclosure PDF's figures in one paragraph."""
    if figures is None:
        return "\nDisclosure PDF: the ledger is empty, nothing to measure."
    return (
        f"\nDisclosure PDF of case {figures['case']} ({figures['entries']:,} entries, as "
        f"{figures['reader']}): report {figures['report_s']:.1f} s, reportlab laying out the "
        f"same table alone {figures['floor_s']:.1f} s = {figures['ratio']:.2f}x (target ≤ "
        f"{figures['target_ratio']:g}x: {'met' if figures['meets_target'] else 'NOT met'}); "
        f"{figures['pdf_bytes'] / 1e6:.1f} MB, median of {figures['rounds']} round(s)"
    )


def sql_report(report: dict) -> str:
    """The costliest statements of each row, per request."""
    lines = []
    for r in report["rows"]:
        if not r.get("top_statements") or r["endpoint"] == "floor":
            continue
        lines.append(f"\n### {r['user']}: {r['endpoint']} ({r['sql_ms_median']:.1f} ms SQL)")
        for s in r["top_statements"]:
            sql = s["sql"] if len(s["sql"]) <= 400 else s["sql"][:400] + " …"
            lines.append(f"- {s['ms_per_request']:.2f} ms x {s['per_request']:g}/request: `{sql}`")
    return "\n".join(lines)


def ratio_chart(report: dict) -> Chart:
    """Each measured row's median over its floor, per user, beside its target: the picture
    the docs publish with the table (``flask benchmark --chart``)."""
    rows = [r for r in report["rows"] if r.get("requests") and r["endpoint"] not in FLOORS]
    endpoints = list(dict.fromkeys(r["endpoint"] for r in rows))
    users = list(dict.fromkeys(r["user"] for r in rows))
    ratio = {(r["user"], r["endpoint"]): r["ratio_median"] for r in rows}
    target = {r["endpoint"]: r["target_ratio"] for r in rows}
    series = [Series(user, tuple(ratio.get((user, e)) for e in endpoints)) for user in users] + [
        Series("target", tuple(target[e] for e in endpoints), "#5b6475")
    ]
    return Chart(
        id="benchmark-ratios",
        title=f"Time over the floor, {report['witnesses']:,} witnesses on {report['dialect']}",
        description=(
            "For each page, its median time divided by the floor's (write floor for recording "
            "an item), per user, beside the target; the table gives every figure."
        ),
        categories=tuple(endpoints),
        series=tuple(series),
        places=1,
        suffix="x",
    )
