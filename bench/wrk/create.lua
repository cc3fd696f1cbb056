-- (e) POST /api/v1/artifact_versions: single creates with an auto version,
-- a random artifact of the seeded ones, 2 random tags, 4 metadata keys.
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")
local project = os.getenv("BENCH_PROJECT")
local n_artifacts = tonumber(os.getenv("BENCH_ARTIFACTS") or "100")
local n_tags = tonumber(os.getenv("BENCH_TAGS") or "20")
wrk.headers["Content-Type"] = "application/json"
local seq = 0
function init(args)
   bench_seed()
end
function request()
   seq = seq + 1
   local a = math.random(n_artifacts) - 1
   local t1 = math.random(n_tags) - 1
   local t2 = (t1 + math.random(n_tags - 1)) % n_tags -- distinct from t1
   local body = string.format(
      '{"project":"%s","artifact_name":"a%d","type":"DataArtifact","uri":"/data/a%d/bench-%d-%d",' ..
      '"save_type":"manual","materializer":"zenml.materializers.built_in_materializer.BuiltInMaterializer",' ..
      '"data_type":"builtins.int","tags":["t%d","t%d"],"metadata":{"k1":%d,"k2":"x","k3":0.5,"k4":true}}',
      project, a, a, thread_no or 0, seq, t1, t2, seq)
   return wrk.format("POST", "/api/v1/artifact_versions", nil, body)
end
