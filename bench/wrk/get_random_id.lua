-- (a) GET /api/v1/artifact_versions/{id} with a random seeded id per request.
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")
local ids
function init(args)
   bench_seed()
   ids = bench_load_ids()
end
function request()
   return wrk.format("GET", "/api/v1/artifact_versions/" .. ids[math.random(#ids)])
end
