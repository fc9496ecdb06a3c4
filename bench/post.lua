-- wrk script of bench/throughput.py: POST the JSON body in BENCH_BODY with the bearer token
-- in BENCH_TOKEN (if any), count the answers by status, and print what the runner reads.

wrk.method = "POST"
wrk.body = os.getenv("BENCH_BODY")
wrk.headers["Content-Type"] = "application/json"
local token = os.getenv("BENCH_TOKEN")
if token and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      total[status] = (total[status] or 0) + n
    end
  end
  for status, n in pairs(total) do
    io.write(string.format("bench-status %d %d\n", status, n))
  end
  local errors = summary.errors
  io.write(string.format("bench-summary %d %d %d\n", summary.requests, summary.duration,
    errors.connect + errors.read + errors.write + errors.timeout))
  io.write(string.format("bench-latency %d %d %d\n", latency:percentile(50),
    latency:percentile(99), latency.max))
  -- The distribution, for the runner to pool the rounds of one path: the latency at each
  -- thousandth (microseconds).
  local quantiles = {}
  for i = 1, 999 do
    quantiles[i] = string.format("%d", latency:percentile(i / 10))
  end
  io.write("bench-quantiles " .. table.concat(quantiles, " ") .. "\n")
end
