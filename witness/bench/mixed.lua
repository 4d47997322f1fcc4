-- wrk script for `flask loadtest`: a liaison officer's mixed workload, or the floor route.
-- `flask loadtest` writes a `config` table in front of this file (see witness/bench/loadtest.py).

local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

local function pick(list)
  return list[math.random(#list)]
end

local function urlencode(s)
  return (string.gsub(s, "[^%w%-%._~]", function(c)
    return string.format("%%%02X", string.byte(c))
  end))
end

function init(args)
  math.randomseed(id * 7919 + os.time())
  statuses = {}
  login_redirects = 0
  page_headers = { ["Cookie"] = config.cookie, ["User-Agent"] = config.user_agent }
  form_headers = {
    ["Cookie"] = config.cookie,
    ["User-Agent"] = config.user_agent,
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }
  api_headers = { ["Authorization"] = "Bearer " .. (config.token or ""), ["User-Agent"] = config.user_agent }
  -- Each thread toggles its own share of participations between trial and post-trial (both
  -- moves are allowed), so two threads never race on one participation.
  mine = {}
  for i, p in ipairs(config.participations) do
    if (i - 1) % config.threads == id - 1 then
      table.insert(mine, { w = p[1], p = p[2], phase = p[3] })
    end
  end
  next_participation = 1
  csrf = urlencode(config.csrf)
end

local make = {}

function make.floor()
  return wrk.format("GET", "/_bench/floor/" .. pick(config.witnesses), page_headers)
end

function make.dashboard()
  return wrk.format("GET", "/", page_headers)
end

function make.list()
  return wrk.format("GET", "/witnesses/", page_headers)
end

function make.search()
  return wrk.format("GET", "/witnesses/?q=" .. pick(config.terms), page_headers)
end

function make.detail()
  return wrk.format("GET", "/witnesses/" .. pick(config.witnesses), page_headers)
end

function make.week()
  return wrk.format("GET", pick(config.weeks), page_headers)
end

function make.court_day()
  return wrk.format("GET", pick(config.court_days), page_headers)
end

function make.api()
  return wrk.format("GET", config.api, api_headers)
end

function make.need()
  local body = "csrf_token=" .. csrf .. "&area=transport&review_date=" .. config.review_date
    .. "&notes=" .. urlencode("Load test: book a car from the safe address for the next hearing.")
  return wrk.format("POST", "/witnesses/" .. pick(config.witnesses) .. "/needs", form_headers, body)
end

-- A participation is moved again only after REUSE_SECONDS, so that its previous move has been
-- answered: a move based on a phase that is still changing would be refused, rightly, with 400.
local REUSE_SECONDS = 15

function make.phase()
  local now = os.time()
  for _ = 1, #mine do
    local p = mine[next_participation]
    next_participation = next_participation % #mine + 1
    if now - (p.used or 0) >= REUSE_SECONDS then
      p.used = now
      local target = (p.phase == "trial") and "post_trial" or "trial"
      p.phase = target
      local body = "csrf_token=" .. csrf .. "&phase=" .. target .. "&reason="
        .. urlencode("Load test: hearing re-listed")
      local path = "/witnesses/" .. p.w .. "/participations/" .. p.p .. "/phase"
      return wrk.format("POST", path, form_headers, body)
    end
  end
  return make.need()
end

function request()
  local r = math.random()
  for _, entry in ipairs(config.mix) do
    if r <= entry[1] then
      return make[entry[2]]()
    end
  end
  return make[config.mix[#config.mix][2]]()
end

function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
  if status == 302 then
    local location = headers["Location"] or headers["location"] or ""
    if string.find(location, "/login", 1, true) then
      login_redirects = login_redirects + 1
    end
  end
end

function done(summary, latency, requests)
  local total = {}
  local redirects = 0
  for _, thread in ipairs(threads) do
    for k, v in pairs(thread:get("statuses")) do
      total[k] = (total[k] or 0) + v
    end
    redirects = redirects + thread:get("login_redirects")
  end
  local parts = {}
  for k, v in pairs(total) do
    table.insert(parts, string.format('"%s": %d', k, v))
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, '
      .. '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, '
      .. '"latency_us": {"p50": %d, "p95": %d, "p99": %d, "max": %d, "mean": %.1f}, '
      .. '"login_redirects": %d, "statuses": {%s}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, latency.mean,
    redirects, table.concat(parts, ", ")
  ))
end
