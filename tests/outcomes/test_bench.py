"""``flask outcomes-bench`` runs on a scratch database and reports what it measured (no timing
is asserted: the figures go in the closing note)."""

from witness.outcomes.bench import measure, table


def test_the_outcomes_benchmark_records_a_verdict_and_serves_the_due_list():
    figures = measure(victims=3, tasks=50, rounds=1)
    assert figures["verdict_tasks"] == 3  # one task per victim of the benchmarked verdict
    assert figures["due_list_ms"] > 0 and figures["floor_ms"] > 0
    assert "case of 3 victims" in table(figures)
