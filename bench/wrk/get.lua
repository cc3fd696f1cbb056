-- Plain GET of the URL given to wrk (list workloads, /health); adds the token.
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")
