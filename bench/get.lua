-- wrk script for GETs: an optional If-None-Match (BENCH_ETAG), and one
-- "BENCH {json}" line with the figures measure.py reads.
local etag = os.getenv("BENCH_ETAG") or ""
if etag ~= "" then wrk.headers["If-None-Match"] = etag end

function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      'BENCH {"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, ' ..
      '"p99_us": %d, "max_us": %d, "socket_errors": %d, "status_errors": %d}\n',
      summary.requests, summary.duration, summary.bytes,
      latency:percentile(50), latency:percentile(99), latency.max,
      e.connect + e.read + e.write + e.timeout, e.status))
end
