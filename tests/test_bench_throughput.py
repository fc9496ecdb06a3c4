"""The booking benchmark's rounds pooled into one figure per path (``bench.throughput``)."""

from bench.throughput import _pooled


def _run(requests: int, seconds: float, latency_ms: float, worst_ms: float, status=201) -> dict:
    return {
        "requests": requests,
        "seconds": seconds,
        "quantiles": [int(latency_ms * 1000)] * 999,
        "max": worst_ms,
        "statuses": {status: requests},
        "errors": 0,
    }


def test_rounds_are_pooled_by_their_requests():
    """Rate over the whole time; percentiles of the pooled distributions, a round weighing
    as many requests as it ran: 900 fast ones and 100 slow make the slow ones the top 10 %."""
    pooled = _pooled([_run(900, 3, 10, 30), _run(100, 2, 200, 250, status=500)])
    assert pooled["rate"] == 1000 / 5
    assert pooled["p50"] == 10
    assert pooled["p99"] == 200
    assert pooled["max"] == 250
    assert pooled["statuses"] == {201: 900, 500: 100}
    assert pooled["requests"] == 1000
