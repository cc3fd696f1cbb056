-- (c) GET /api/v1/artifact_versions?size=20&artifact=NAME&tags=TAG, with a
-- random seeded artifact (a0..a{BENCH_ARTIFACTS-1}) and tag (t0..t{BENCH_TAGS-1}).
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")
local n_artifacts = tonumber(os.getenv("BENCH_ARTIFACTS") or "100")
local n_tags = tonumber(os.getenv("BENCH_TAGS") or "20")
function init(args)
   bench_seed()
end
function request()
   local path = string.format("/api/v1/artifact_versions?size=20&artifact=a%d&tags=t%d",
      math.random(n_artifacts) - 1, math.random(n_tags) - 1)
   return wrk.format("GET", path)
end
