-- (f) PUT /api/v1/artifact_versions/{id} {"add_tags": ["bench-x"]} on random seeded ids.
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")
wrk.headers["Content-Type"] = "application/json"
local requests = {}
function init(args)
   bench_seed()
   for _, id in ipairs(bench_load_ids()) do
      requests[#requests + 1] =
         wrk.format("PUT", "/api/v1/artifact_versions/" .. id, nil, '{"add_tags": ["bench-x"]}')
   end
end
function request()
   return bench_pick(requests)
end
