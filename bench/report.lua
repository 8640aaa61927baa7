-- wrk script of bench/run.py: at the end of a run, one line with its figures as JSON.
-- Latencies are in microseconds; "status" counts answers of 400 or more, the
-- others are socket errors (wrk counts a 3xx as a success: run.py checks for 200
-- before it loads a page).
done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'BENCH-WRK {"requests": %d, "duration_us": %d, "bytes": %d, '
      .. '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d, '
      .. '"mean_us": %.1f, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, summary.bytes,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max))
end
