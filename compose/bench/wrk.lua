-- Requests for compose/bench.sh. wrk -s compose/bench/wrk.lua URL -- MODE [NONCE]
--   get           GET URL
--   post-form     POST URL with the form body msg=bench (POST /facade; the facade makes the uuid)
--   post-logging  POST URL with {"uuid": <unique>, "msg": "bench"} (POST /logging directly); the
--                 uuid is NONCE (8 hex digits, one per wrk run) - thread - counter, never reused
--   mix           GET and POST (form) in turn
-- When wrk is done it prints one machine-readable line:
--   WRK requests=N duration_us=N status_errors=N connect=N read=N write=N timeout=N p50_us=N p99_us=N
-- (status_errors: answers with a status >= 400; the others are socket errors).

local threads = 0
local mode = "get"
local nonce = "00000000"
local counter = 0
local get_request, form_request

function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

function init(args)
  mode = args[1] or "get"
  nonce = args[2] or "00000000"
  get_request = wrk.format("GET")
  form_request = wrk.format("POST", nil, { ["Content-Type"] = "application/x-www-form-urlencoded" }, "msg=bench")
end

function request()
  counter = counter + 1
  if mode == "get" then
    return get_request
  elseif mode == "post-form" then
    return form_request
  elseif mode == "post-logging" then
    -- tid is the global that setup() gave this thread
    local body = string.format('{"uuid":"%s-%04x-4000-8000-%012x","msg":"bench"}', nonce, tid, counter)
    return wrk.format("POST", nil, { ["Content-Type"] = "application/json" }, body)
  elseif mode == "mix" then
    if counter % 2 == 0 then
      return get_request
    end
    return form_request
  end
  error("unknown mode " .. tostring(mode))
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK requests=%d duration_us=%d status_errors=%d connect=%d read=%d write=%d timeout=%d p50_us=%d p99_us=%d\n",
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
