-- (c) GET /api/v1/artifact_versions?size=20&artifact=NAME&tags=TAG, with a
-- random seeded artifact (a0..a{BENCH_ARTIFACTS-1}) and tag (t0..t{BENCH_TAGS-1}).
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")
local n_artifacts = tonumber(os.getenv("BENCH_ARTIFACTS") or "100")
local n_tags = tonumber(os.getenv("BENCH_TAGS") or "20")
local requests = {}
function init(args)
   bench_seed()
   for a = 0, n_artifacts - 1 do
      for t = 0, n_tags - 1 do
         requests[#requests + 1] =
            wrk.format("GET", string.format("/api/v1/artifact_versions?size=20&artifact=a%d&tags=t%d", a, t))
      end
   end
end
function request()
   return bench_pick(requests)
end
