-- wrk script of the benchmark, configured by the environment:
--   BENCH_AUTH  an API key, sent as "Authorization: Bearer <key>" (optional)
--   BENCH_IDS   a file of station ids, one a line; when set, every request is
--               GET <BENCH_PATH><random id>, otherwise GET <the URL's path> (static request)
--   BENCH_PATH  the path prefix of the by-id requests, e.g. /v1/stations/
-- done() prints one line "BENCH_RESULT {json}" with throughput, latency percentiles (µs) and errors.

local auth = os.getenv("BENCH_AUTH")
local ids_file = os.getenv("BENCH_IDS")
local prefix = os.getenv("BENCH_PATH") or "/"

if auth and auth ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. auth
end

local threads_created = 0

function setup(thread)
  threads_created = threads_created + 1
  thread:set("thread_id", threads_created)
end

if ids_file and ids_file ~= "" then
  local ids = {}
  for line in io.lines(ids_file) do
    if line ~= "" then
      ids[#ids + 1] = line
    end
  end
  assert(#ids > 0, "no ids in " .. ids_file)

  function init(args)
    math.randomseed(os.time() * 100 + (thread_id or 0))
  end

  function request()
    return wrk.format("GET", prefix .. ids[math.random(#ids)])
  end
end

function done(summary, latency, requests)
  local errors = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"duration_s":%.3f,"bytes":%d,"rps":%.2f,' ..
    '"latency_us":{"mean":%.1f,"stdev":%.1f,"max":%d,"p50":%d,"p75":%d,"p90":%d,"p99":%d,"p999":%d},' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}}\n',
    summary.requests, seconds, summary.bytes, summary.requests / seconds,
    latency.mean, latency.stdev, latency.max,
    latency:percentile(50), latency:percentile(75), latency:percentile(90),
    latency:percentile(99), latency:percentile(99.9),
    errors.connect, errors.read, errors.write, errors.status, errors.timeout))
end
