-- Shared by every bench workload script (loaded with dofile from BENCH_WRK_DIR).
-- Environment (set by bench.py):
--   BENCH_TOKEN     bearer token (optional; /health, /info and login need none)
--   BENCH_IDS_FILE  file with one artifact-version id per line (random-id workloads)
-- Each wrk thread runs its own Lua state; `setup` numbers them so that every
-- thread gets its own random sequence.

local counter = 0
function setup(thread)
   counter = counter + 1
   thread:set("thread_no", counter)
end

function bench_seed()
   math.randomseed((thread_no or 0) * 7919 + os.time())
   -- LuaJIT's first values after seeding are poorly mixed.
   for _ = 1, 10 do math.random() end
end

local token = os.getenv("BENCH_TOKEN")
if token and token ~= "" then
   wrk.headers["Authorization"] = "Bearer " .. token
end

function bench_load_ids()
   local path = os.getenv("BENCH_IDS_FILE")
   local ids = {}
   if path then
      for line in io.lines(path) do
         if line ~= "" then ids[#ids + 1] = line end
      end
   end
   if #ids == 0 then error("BENCH_IDS_FILE is empty or unset") end
   return ids
end

-- Random-request workloads build every distinct request once, in `init`, and
-- `request()` only picks one: formatting a request per call cost wrk ~8 us
-- of CPU per request, on the same two cores as the server.
function bench_pick(requests)
   return requests[math.random(#requests)]
end

-- One machine-readable line for bench.py; latencies in microseconds.
function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
      '"err_connect":%d,"err_read":%d,"err_write":%d,"err_status":%d,"err_timeout":%d,' ..
      '"lat_mean":%.1f,"lat_max":%d,"p50":%d,"p90":%d,"p99":%d,"p999":%d}\n',
      summary.requests, summary.duration, summary.bytes,
      e.connect, e.read, e.write, e.status, e.timeout,
      latency.mean, latency.max,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9)))
end
