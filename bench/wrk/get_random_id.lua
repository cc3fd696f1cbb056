-- (a) GET /api/v1/artifact_versions/{id} with a random seeded id per request.
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")
local requests = {}
function init(args)
   bench_seed()
   for _, id in ipairs(bench_load_ids()) do
      requests[#requests + 1] = wrk.format("GET", "/api/v1/artifact_versions/" .. id)
   end
end
function request()
   return bench_pick(requests)
end
