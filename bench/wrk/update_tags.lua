-- (f) PUT /api/v1/artifact_versions/{id} {"add_tags": ["bench-x"]} on random seeded ids.
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")
wrk.headers["Content-Type"] = "application/json"
local ids
function init(args)
   bench_seed()
   ids = bench_load_ids()
end
function request()
   return wrk.format("PUT", "/api/v1/artifact_versions/" .. ids[math.random(#ids)], nil, '{"add_tags": ["bench-x"]}')
end
