-- (g) POST /api/v1/login with the admin form (no token).
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")
wrk.headers["Authorization"] = nil
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
local function urlencode(s)
   return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end
wrk.body = "username=" .. urlencode(os.getenv("BENCH_USER") or "admin") ..
           "&password=" .. urlencode(os.getenv("BENCH_PASSWORD") or "")
