"""``flask`` commands for generating data at scale, benchmarking and load testing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from witness.db import db_session

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from witness.bench.base import Generated, Scale


def register_bench_cli(app: Flask) -> None:
    """Add the scale commands to ``app.cli``."""
    app.cli.add_command(generate_data)
    app.cli.add_command(benchmark)
    app.cli.add_command(loadtest)


def _write_json(path: Path | None, data: dict) -> None:
    if path is not None:
        path.write_text(json.dumps(data, indent=2, default=str) + "\n")
        click.echo(f"\nWrote {path}")


@click.command("generate-data")
@click.option("--witnesses", default=100_000, show_default=True, type=click.IntRange(1))
@click.option("--cases", default=50_000, show_default=True, type=click.IntRange(1))
@click.option("--courts", default=40, show_default=True, type=click.IntRange(1, 60_000))
@click.option("--offices", default=8, show_default=True, type=click.IntRange(1, 12))
@click.option("--ngos", default=30, show_default=True, type=click.IntRange(1))
@click.option("--hearings", default=200_000, show_default=True, type=click.IntRange(0))
@click.option("--appointments", default=1_000_000, show_default=True, type=click.IntRange(0))
@click.option(
    "--rooms",
    default="4,2,1,2",
    show_default=True,
    metavar="C,V,R,W",
    help="Rooms per court: courtrooms, video-link suites, remote sites, waiting rooms.",
)
@click.option(
    "--interpreters",
    default=20,
    show_default=True,
    type=click.IntRange(0),
    help="Interpreters per prosecution office.",
)
@click.option(
    "--ledger-entries",
    default=2_000_000,
    show_default=True,
    type=click.IntRange(0),
    help="Support ledger entries (reversals included), hash-chained per case; 0 for none.",
)
@click.option(
    "--disclosure-case-entries",
    default=10_000,
    show_default=True,
    type=click.IntRange(0),
    help="Entries of the one case with the most (its id is printed); at most --ledger-entries.",
)
@click.option(
    "--risk/--no-risk",
    default=True,
    show_default=True,
    help="Every witness's risk history: assessments, reviews due and overdue, incidents.",
)
@click.option("--seed", default=2026, show_default=True, type=int)
@click.option("--chunk", default=5_000, show_default=True, type=click.IntRange(100))
@click.option("--force", is_flag=True, help="Add to a database that already has witnesses.")
@click.option(
    "--analyze/--no-analyze",
    default=True,
    show_default=True,
    help="Gather planner statistics (ANALYZE) after loading, as autovacuum would.",
)
@with_appcontext
def generate_data(
    witnesses: int,
    cases: int,
    courts: int,
    offices: int,
    ngos: int,
    hearings: int,
    appointments: int,
    rooms: str,
    interpreters: int,
    ledger_entries: int,
    disclosure_case_entries: int,
    risk: bool,
    seed: int,
    chunk: int,
    force: bool,
    analyze: bool,
) -> None:
    """Fill an empty database with a national-scale service for benchmarking.

    Offices, NGOs, courts with their rooms, staff, interpreters, cases and their hearings,
    witnesses with phase histories, consents, assignments and needs, appointments that never
    double-book anyone, special measures, a support ledger with valid hash chains (and one big
    case for the disclosure report), verdicts with their tasks, and risk histories; every
    user's password is printed at the end.
    """
    from witness.bench.generate import NotEmpty, Scale, SchemaMissing, check_database, generate

    courtrooms, video_suites, remote_sites, waiting_rooms = _room_counts(rooms)
    db = db_session()
    try:
        check_database(db, force=force)
    except (SchemaMissing, NotEmpty) as exc:
        db.rollback()
        raise click.ClickException(str(exc)) from exc
    scale = Scale(
        witnesses=witnesses,
        cases=cases,
        courts=courts,
        offices=min(offices, courts),
        ngos=ngos,
        hearings=hearings,
        appointments=appointments,
        courtrooms=courtrooms,
        video_suites=video_suites,
        remote_sites=remote_sites,
        waiting_rooms=waiting_rooms,
        interpreters=interpreters,
        ledger_entries=ledger_entries,
        disclosure_case_entries=min(disclosure_case_entries, ledger_entries),
        risk=risk,
        seed=seed,
        chunk=chunk,
    )
    click.echo(
        f"Generating {witnesses:,} witnesses in {cases:,} cases at {courts} courts "
        f"({scale.offices} offices, {ngos} NGOs, seed {seed}), {hearings:,} hearings, "
        f"{appointments:,} appointments and {ledger_entries:,} support ledger entries"
    )
    with click.progressbar(
        length=cases + hearings + witnesses + appointments + ledger_entries,
        label="cases, hearings, witnesses, appointments, ledger",
    ) as bar:
        result = generate(db, scale, progress=bar.update, analyze=analyze)
    _print_generated(db, scale, result)


def _room_counts(rooms: str) -> tuple[int, ...]:
    """``--rooms`` as four counts: courtrooms, video-link suites, remote sites, waiting rooms."""
    try:
        courtrooms, video_suites, remote_sites, waiting_rooms = (int(n) for n in rooms.split(","))
    except ValueError:
        raise click.BadParameter("give four numbers, e.g. 4,2,1,2", param_hint="--rooms") from None
    if min(courtrooms, video_suites, remote_sites, waiting_rooms) < 0:
        raise click.BadParameter("room counts cannot be negative", param_hint="--rooms")
    return courtrooms, video_suites, remote_sites, waiting_rooms


def _print_generated(db: Session, scale: Scale, result: Generated) -> None:
    """What generate-data wrote: rows per table, the disclosure case, the caseloads, the
    sign-ins, and whom the benchmark and the load test sign in as."""
    from witness.bench.generate import caseloads, summarise_caseloads, typical_users

    total = sum(result.counts.values())
    click.echo(
        f"\nWrote {total:,} rows in {result.seconds:.1f} s ({total / result.seconds:,.0f}/s):"
    )
    for table, n in sorted(result.counts.items()):
        click.echo(f"  {table:<22} {n:>10,}")
    if result.unplaced_appointments:
        click.echo(
            f"{result.unplaced_appointments:,} appointments found no time when everyone was "
            "free and were left out."
        )
    if result.disclosure_case_id is not None:
        click.echo(
            f"Support ledger written in {result.ledger_seconds:.1f} s; the case with the most "
            f"entries ({scale.disclosure_case_entries:,} if asked for), for the disclosure "
            f"report: case id {result.disclosure_case_id}"
        )
    if result.risk_seconds:
        click.echo(f"Risk histories written in {result.risk_seconds:.1f} s")
    click.echo(summarise_caseloads(caseloads(db)))
    click.echo("\nSign-ins (generated data only; every user has the same password):")
    for role, email, password in result.sign_ins:
        click.echo(f"  {role:<16} {email:<48} {password}")
    typical = typical_users(db)
    if typical:
        click.echo("\n`flask benchmark` and `flask loadtest` sign in as:")
        for label, user in typical.items():
            click.echo(f"  {label:<16} {user.email}")


@click.command("benchmark")
@click.option("--requests", "count", default=200, show_default=True, type=click.IntRange(1))
@click.option("--warmup", default=20, show_default=True, type=click.IntRange(0))
@click.option(
    "--max-seconds",
    default=300.0,
    show_default=True,
    type=click.FloatRange(1),
    help="Stop measuring after this long, whatever --requests says.",
)
@click.option("--email", help="Sign in as this user instead of the typical officer.")
@click.option("--password", help="Their password (default: the generated data's).")
@click.option("--no-supervisor", is_flag=True, help="Skip the supervisor's row set.")
@click.option(
    "--json",
    "json_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the figures here.",
)
@click.option(
    "--profile",
    metavar="ENDPOINT",
    help="Also run ENDPOINT (e.g. 'witness list') under cProfile and print the top functions.",
)
@click.option("--show-sql", is_flag=True, help="Print the costliest statements of each page.")
@click.option(
    "--chart",
    "chart_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Draw each row's time over the floor, beside its target, as an SVG here.",
)
@click.option(
    "--disclosure-rounds",
    default=1,
    show_default=True,
    type=click.IntRange(0, 20),
    help="Times to build the biggest case's disclosure PDF and its floor (0: skip; each "
    "takes about a minute at 10,000 entries).",
)
@with_appcontext
def benchmark(
    count: int,
    warmup: int,
    max_seconds: float,
    email: str | None,
    password: str | None,
    no_supervisor: bool,
    json_path: Path | None,
    profile: str | None,
    show_sql: bool,
    chart_path: Path | None,
    disclosure_rounds: int,
) -> None:
    """Time the main pages in-process against a floor (one row by primary key).

    Signs in as a typical liaison officer and a supervisor of generated data, and prints
    median and p95 per page, the ratio to the floor and the peak memory.
    """
    from witness.bench.benchmark import BenchmarkError, measure_disclosure, run_benchmark
    from witness.bench.report import disclosure_markdown, markdown, ratio_chart, sql_report
    from witness.core.charts import svg

    try:
        report = run_benchmark(
            current_app,
            requests=count,
            warmup=warmup,
            max_seconds=max_seconds,
            email=email,
            password=password,
            supervisor=not no_supervisor,
            profile=profile,
            echo=click.echo,
        )
        click.echo(markdown(report))
        if show_sql:
            click.echo(sql_report(report))
        if disclosure_rounds:
            report["disclosure"] = measure_disclosure(
                current_app, rounds=disclosure_rounds, echo=click.echo
            )
            click.echo(disclosure_markdown(report["disclosure"]))
    except BenchmarkError as exc:
        raise click.ClickException(str(exc)) from exc
    _write_json(json_path, report)
    if chart_path is not None:
        chart_path.write_text(svg(ratio_chart(report)) + "\n", encoding="utf-8")
        click.echo(f"Wrote {chart_path}")


@click.command("loadtest")
@click.option(
    "--duration",
    default=30,
    show_default=True,
    type=click.IntRange(1, 600),
    help="Seconds for each run (both runs reuse one sign-in, which idles out after 30 minutes).",
)
@click.option("--workers", default=4, show_default=True, type=click.IntRange(1, 64))
@click.option("--connections", default=16, show_default=True, type=click.IntRange(1, 1000))
@click.option("--threads", default=2, show_default=True, type=click.IntRange(1, 64))
@click.option("--warmup", default=5, show_default=True, type=click.IntRange(0, 120))
@click.option("--email", help="Sign in as this user instead of the typical officer.")
@click.option("--password", help="Their password (default: the generated data's).")
@click.option("--allow-sqlite", is_flag=True, help="Run on SQLite anyway (not representative).")
@click.option(
    "--json",
    "json_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the figures here.",
)
@with_appcontext
def loadtest(
    duration: int,
    workers: int,
    connections: int,
    threads: int,
    warmup: int,
    email: str | None,
    password: str | None,
    allow_sqlite: bool,
    json_path: Path | None,
) -> None:
    """Serve the app with gunicorn on loopback and drive it with wrk: a liaison officer's
    mixed workload, then the floor route, each for --duration seconds."""
    from witness.bench.loadtest import LoadTestError, markdown, run_loadtest

    try:
        report = run_loadtest(
            current_app,
            duration=duration,
            workers=workers,
            connections=connections,
            threads=threads,
            warmup=warmup,
            email=email,
            password=password,
            allow_sqlite=allow_sqlite,
            echo=click.echo,
        )
    except LoadTestError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(markdown(report))
    _write_json(json_path, report)
