-- Builds the globals scripts see, the way Redis 7.0 sets up its Lua 5.1 interpreter, on top of
-- Lua 5.4. Runs once per Lua state, before any script, with the unrestricted standard library.
--
-- What it provides:
--   * read-only tables: every table reachable from the globals is replaced by an empty proxy
--     whose metatable reads through to the real table and refuses writes with Redis's
--     "Attempt to modify a readonly table"; rawset/rawget/next/getmetatable/setmetatable see
--     through proxies the same way;
--   * the globals' error metatable ("Script attempted to access nonexistent global variable");
--   * exactly the globals, and library members, of Redis 7.0's Lua 5.1 (5.4-only ones are left
--     out, 5.1-only ones such as unpack, loadstring, table.getn, math.pow are provided);
--   * numbers that print as 5.1 prints them where library functions produce them.
--
-- The chunk returns build(host), called by the engine with the Rust-side pieces.

local error, type, select, next, pairs, ipairs = error, type, select, next, pairs, ipairs
local rawget, rawset, rawequal, rawlen = rawget, rawset, rawequal, rawlen
local setmetatable, getmetatable = setmetatable, getmetatable
local tostring, tonumber, pcall, xpcall, load = tostring, tonumber, pcall, xpcall, load
local assert, collectgarbage = assert, collectgarbage
local string, table, math, coroutine = string, table, math, coroutine
local format, strbyte, strsub, strfind = string.format, string.byte, string.sub, string.find
local tointeger, mathtype, floor, huge = math.tointeger, math.type, math.floor, math.huge
local tunpack, tconcat = table.unpack, table.concat

local INTERNAL_SOURCE = '=[redis]'

-- ----- numbers as Lua 5.1 prints them -----

-- An integral float below 1e14 becomes an integer: Lua 5.4 then prints it as 5.1 would.
local function tidy(n)
  if mathtype(n) == 'float' and n == floor(n) and n < 1e14 and n > -1e14
      and not (n == 0 and 1 / n < 0) then
    return tointeger(n)
  end
  if mathtype(n) == 'integer' and (n >= 1e14 or n <= -1e14) then
    return n + 0.0
  end
  return n
end

local function tidy_all(...)
  local n = select('#', ...)
  if n == 1 then return tidy((...)) end
  local out = { ... }
  for i = 1, n do
    if type(out[i]) == 'number' then out[i] = tidy(out[i]) end
  end
  return tunpack(out, 1, n)
end

local function number_text(n)
  return format('%.14g', n)
end

-- ----- functions that behave like C functions -----

-- Functions implemented here are wrapped by the engine's C trampoline (host.trampoline) so
-- that, like Redis's C functions, they keep their caller's stack frame even in tail calls and
-- raise errors positioned at the caller. An implementation raises with error(msg) (level 1:
-- positioned here, then repositioned at the caller) or error(msg, 0) (no position).
local trampoline -- set by build

local function internal_message(msg)
  return msg:match('^%[redis%]:%d+: (.*)$')
end

local function settle(ok, ...)
  if ok then return true, ... end
  local e = ...
  if type(e) == 'string' then
    local rest = internal_message(e)
    if rest ~= nil then return false, rest, 1 end
  end
  return false, e, 0
end

local function native(impl)
  return trampoline(function(...) return settle(pcall(impl, ...)) end)
end

-- ----- read-only tables -----

local target_of = setmetatable({}, { __mode = 'k' }) -- proxy -> real table
local proxy_of = setmetatable({}, { __mode = 'k' })  -- real table -> proxy

local function readonly_error()
  error('Attempt to modify a readonly table', 2)
end

local function sandbox_next(t, k)
  local real = target_of[t]
  if real ~= nil then t = real end
  return next(t, k)
end

local function protect(t)
  if target_of[t] ~= nil then return t end
  local p = proxy_of[t]
  if p ~= nil then return p end
  p = {}
  proxy_of[t] = p
  target_of[p] = t
  for k, v in next, t do
    if type(v) == 'table' then rawset(t, k, protect(v)) end
  end
  setmetatable(p, {
    __index = t,
    __newindex = readonly_error,
    __pairs = function(self) return sandbox_next, self, nil end,
    __len = function() return rawlen(t) end,
  })
  return p
end

local function nonexistent_global(_, name)
  local kind = type(name)
  if kind == 'number' then
    name = number_text(name)
  elseif kind ~= 'string' then
    error('Second argument to luaProtectedTableError must be a string or number', 2)
  end
  error("Script attempted to access nonexistent global variable '" .. name .. "'", 2)
end

local function error_metatable()
  return { __index = nonexistent_global }
end

local string_metatable = getmetatable('')

local function sandbox_getmetatable(v)
  local real = target_of[v]
  if real ~= nil then
    local mt = getmetatable(real)
    if mt == nil then return nil end
    return protect(mt)
  end
  local mt = getmetatable(v)
  if mt == string_metatable then return protect(mt) end
  return mt
end

local function sandbox_setmetatable(t, mt)
  if target_of[t] ~= nil then error('Attempt to modify a readonly table', 0) end
  return setmetatable(t, mt)
end

local function sandbox_rawset(t, k, v)
  if target_of[t] ~= nil then error('Attempt to modify a readonly table', 0) end
  return rawset(t, k, v)
end

local function sandbox_rawget(t, k)
  local real = target_of[t]
  if real ~= nil then t = real end
  return rawget(t, k)
end

-- ----- base functions with 5.1 behaviour -----

local function sandbox_tostring(...)
  local v = ...
  if type(v) == 'number' then return number_text(v) end
  return tostring(...)
end

local function sandbox_tonumber(...)
  return tidy_all(tonumber(...))
end

-- The environment chunks loaded by scripts get (set by build).
local script_env

-- Lua 5.1 reads a binary chunk as text and fails on its first byte.
local function binary_chunk_error(chunkname)
  local _, msg = load('+', chunkname, 't', {})
  return (msg:gsub("unexpected symbol near '%+'$", "unexpected symbol near 'char(27)'"))
end

-- 5.1 quotes <eof> in syntax errors and writes control characters as char(N).
local function lua51_syntax_message(msg)
  msg = msg:gsub(' near <eof>$', " near '<eof>'")
  msg = msg:gsub("([^'])<(%a+)> expected", function(before, class)
    if class == 'integer' then class = 'number' end
    return before .. "'<" .. class .. ">' expected"
  end)
  return (msg:gsub("'<\\(%d+)>'", "'char(%1)'"))
end

local function load_text(s, chunkname)
  if strbyte(s, 1) == 27 then return nil, binary_chunk_error(chunkname) end
  local f, msg = load(s, chunkname, 't', script_env)
  if f == nil then return nil, lua51_syntax_message(msg) end
  return f
end

local function sandbox_loadstring(...)
  local s, chunkname = ...
  if type(s) == 'number' then s = number_text(s) end
  if type(s) ~= 'string' then
    error("bad argument #1 to 'loadstring' (string expected, got " ..
      (select('#', ...) == 0 and 'no value' or type(s)) .. ')')
  end
  if chunkname == nil then chunkname = s end
  return load_text(s, chunkname)
end

-- 5.1's load takes only a reader function (strings go to loadstring).
local function sandbox_load(...)
  local reader, chunkname = ...
  if type(reader) ~= 'function' then
    error("bad argument #1 to 'load' (function expected, got " ..
      (select('#', ...) == 0 and 'no value' or type(reader)) .. ')')
  end
  local pieces = {}
  while true do
    local ok, piece = pcall(reader)
    if not ok then return nil, piece end
    if piece == nil or piece == '' then break end
    if type(piece) ~= 'string' then return nil, 'reader function must return a string' end
    pieces[#pieces + 1] = piece
  end
  return load_text(tconcat(pieces), chunkname or '=(load)')
end

local function sandbox_gcinfo()
  return floor(collectgarbage('count'))
end

-- Scripts run in a thread of the server's (so that a long one can be paused), which they must
-- see as Redis's main thread: not a coroutine of theirs, and not one they can yield.
local is_run_thread

local function sandbox_coroutine_running()
  local co, main = coroutine.running()
  if main or is_run_thread(co) then return nil end
  return co
end

local coroutine_yield = coroutine.yield
local function sandbox_coroutine_yield(...)
  if is_run_thread((coroutine.running())) then
    error('attempt to yield across metamethod/C-call boundary', 0)
  end
  return coroutine_yield(...)
end

-- ----- string.format with 5.1's number handling -----

local INTEGER_CONVERSIONS = { d = true, i = true, c = true, o = true, u = true, x = true, X = true }

local function truncate(n)
  if n ~= n or n >= 2^63 or n < -2^63 then return math.mininteger end
  if n >= 0 then return floor(n) end
  return -floor(-n)
end

-- 5.1 casts floats for %d and friends, and prints numbers for %s as tostring does.
local function sandbox_format(fmt, ...)
  if type(fmt) ~= 'string' then return format(fmt, ...) end
  local args = { ... }
  local n = select('#', ...)
  local arg, pos = 0, 1
  while true do
    local at = strfind(fmt, '%', pos, true)
    if at == nil then break end
    if strsub(fmt, at + 1, at + 1) == '%' then
      pos = at + 2
    else
      local _, spec_end, conversion = strfind(fmt, '^[-+ #0]*%d*%.?%d*(%a)', at + 1)
      if spec_end == nil then break end
      arg = arg + 1
      local v = args[arg]
      if type(v) == 'number' then
        if INTEGER_CONVERSIONS[conversion] and mathtype(v) == 'float' then
          args[arg] = truncate(v)
        elseif conversion == 's' then
          args[arg] = number_text(v)
        end
      end
      pos = spec_end + 1
    end
  end
  return format(fmt, tunpack(args, 1, n))
end

-- ----- library tables -----

local function pick(source, names)
  local t = {}
  for _, name in ipairs(names) do t[name] = source[name] end
  return t
end

local function make_string()
  local t = pick(string, { 'byte', 'char', 'dump', 'find', 'gmatch', 'gsub', 'len', 'lower',
    'match', 'rep', 'reverse', 'sub', 'upper' })
  t.format = native(sandbox_format)
  t.gfind = string.gmatch
  return t
end

local function make_math(random, randomseed)
  local t = {}
  local plain = { 'abs', 'acos', 'asin', 'atan', 'ceil', 'cos', 'deg', 'exp', 'floor', 'fmod',
    'log', 'max', 'min', 'modf', 'rad', 'sin', 'sqrt', 'tan' }
  for _, name in ipairs(plain) do
    -- The wrapper calls the library function through a local of the same name, so that a
    -- bad argument is reported against 'floor', not against the wrapper's variable.
    local code = format('local %s, tidy_all = ... return function(...) return tidy_all(%s(...)) end',
      name, name)
    t[name] = load(code, INTERNAL_SOURCE, 't')(math[name], tidy_all)
  end
  local exp, log, atan, abs, fmod = math.exp, math.log, math.atan, math.abs, math.fmod
  -- luaL_checknumber as 5.1 reports it (numeric strings are numbers).
  local function num(x, n, name)
    local v = tonumber(x)
    if v == nil then
      error(format("bad argument #%d to '%s' (number expected, got %s)", n, name, type(x)))
    end
    return v + 0.0
  end
  t.log = function(x) return tidy(log(num(x, 1, 'log'))) end
  t.fmod = function(a, b) return tidy(fmod(num(a, 1, 'fmod'), num(b, 2, 'fmod'))) end
  t.mod = function(a, b) return tidy(fmod(num(a, 1, 'mod'), num(b, 2, 'mod'))) end
  t.atan = function(x) return tidy(atan(num(x, 1, 'atan'))) end
  t.atan2 = function(y, x) return tidy(atan(num(y, 1, 'atan2'), num(x, 2, 'atan2'))) end
  t.pow = function(x, y) return tidy(num(x, 1, 'pow') ^ num(y, 2, 'pow')) end
  t.log10 = function(x) return tidy(log(num(x, 1, 'log10'), 10)) end
  t.ldexp = function(m, e) return tidy(num(m, 1, 'ldexp') * 2.0 ^ floor(num(e, 2, 'ldexp'))) end
  t.cosh = function(x) x = num(x, 1, 'cosh') return tidy((exp(x) + exp(-x)) / 2) end
  t.sinh = function(x) x = num(x, 1, 'sinh') return tidy((exp(x) - exp(-x)) / 2) end
  t.tanh = function(x)
    x = num(x, 1, 'tanh')
    if x > 20 then return 1 elseif x < -20 then return -1 end
    local a, b = exp(x), exp(-x)
    return tidy((a - b) / (a + b))
  end
  t.frexp = function(x)
    x = num(x, 1, 'frexp')
    if x == 0 or x ~= x or x == huge or x == -huge then return tidy(x), 0 end
    local e = 0
    local m = abs(x)
    while m >= 1 do m = m / 2; e = e + 1 end
    while m < 0.5 do m = m * 2; e = e - 1 end
    if x < 0 then m = -m end
    return tidy(m), e
  end
  for name, f in pairs(t) do t[name] = native(f) end
  t.pi = math.pi
  t.huge = huge
  t.random = random
  t.randomseed = randomseed
  return t
end

local function make_table()
  local t = pick(table, { 'concat', 'insert', 'remove', 'sort' })
  t.getn = function(list) return #list end
  t.setn = function() error("'setn' is obsolete") end
  t.maxn = function(list)
    local max = 0
    for k in next, list do
      if type(k) == 'number' and k > max then max = k end
    end
    return tidy(max)
  end
  t.foreach = function(list, f)
    for k, v in next, list do
      local r = f(k, v)
      if r ~= nil then return r end
    end
  end
  t.foreachi = function(list, f)
    for i = 1, #list do
      local r = f(i, list[i])
      if r ~= nil then return r end
    end
  end
  for _, name in ipairs({ 'getn', 'setn', 'maxn', 'foreach', 'foreachi' }) do
    t[name] = native(t[name])
  end
  return t
end

local function make_coroutine()
  local t = pick(coroutine, { 'create', 'resume', 'status', 'wrap' })
  t.running = native(sandbox_coroutine_running)
  t.yield = sandbox_coroutine_yield
  return t
end

-- ----- pcall and xpcall -----

-- Redis's pcall hands scripts the message of an error table, not the table.
local function build_pcall(error_text, is_killed)
  local function settle(ok, ...)
    if ok then return true, ... end
    if is_killed() then error((...), 0) end
    local e = error_text((...))
    if type(e) == 'table' then
      local msg = e.err
      if type(msg) == 'string' or type(msg) == 'number' then e = msg end
    end
    return false, e
  end
  local sandbox_pcall = function(f, ...)
    return settle(pcall(f, ...))
  end
  local sandbox_xpcall = function(f, handler)
    local function handle(e) return handler(error_text(e)) end
    local function relay(ok, ...)
      if not ok and is_killed() then error((...), 0) end
      return ok, ...
    end
    return relay(xpcall(f, handle))
  end
  return sandbox_pcall, sandbox_xpcall
end

-- ----- assembling the globals -----

-- host fields: mode ('eval' or 'function'), libs {cjson, cmsgpack, bit, struct},
-- redis (the script API table), load_redis (function mode: the FUNCTION LOAD API table),
-- random, randomseed, error_text, is_killed, is_run_thread, error_handler (eval mode).
local function build(host)
  trampoline = host.trampoline
  is_run_thread = host.is_run_thread
  local globals = {}
  local sandbox_pcall, sandbox_xpcall = build_pcall(host.error_text, host.is_killed)
  local wrapped_next = native(sandbox_next)
  local base = {
    xpcall = sandbox_xpcall, tostring = native(sandbox_tostring),
    setmetatable = native(sandbox_setmetatable), next = wrapped_next, assert = host.assert,
    tonumber = native(sandbox_tonumber), rawequal = rawequal, collectgarbage = collectgarbage,
    getmetatable = native(sandbox_getmetatable), rawset = native(sandbox_rawset),
    pcall = sandbox_pcall, type = type, select = select, unpack = tunpack,
    gcinfo = native(sandbox_gcinfo), pairs = pairs, rawget = native(sandbox_rawget),
    loadstring = native(sandbox_loadstring), ipairs = ipairs, load = native(sandbox_load),
    error = host.error,
  }
  for k, v in pairs(base) do globals[k] = v end
  globals._VERSION = 'Lua 5.1'
  globals.string = make_string()
  globals.math = make_math(host.random, host.randomseed)
  globals.table = make_table()
  globals.coroutine = make_coroutine()
  for name, lib in pairs(host.libs) do globals[name] = lib end
  globals.redis = host.redis
  if host.mode == 'eval' then globals.__redis__err__handler = host.error_handler end

  setmetatable(globals, error_metatable())
  local proxy = protect(globals)
  rawset(globals, '_G', proxy)
  -- String methods ("x"):upper() resolve through the sandbox's string table.
  rawset(string_metatable, '__index', rawget(globals, 'string'))
  protect(string_metatable)

  if host.mode == 'eval' then
    script_env = proxy
    return { env = proxy, globals = globals }
  end

  -- Functions: the environment is an empty read-only table that reads from the load API while
  -- FUNCTION LOAD runs the library code, and from the full globals when functions are called.
  local load_redis = host.load_redis
  setmetatable(load_redis, error_metatable())
  local load_api = setmetatable({ redis = protect(load_redis) }, error_metatable())
  load_api = protect(load_api)

  local env = {}
  local env_meta = {
    __index = proxy,
    __newindex = readonly_error,
    __pairs = function(self) return sandbox_next, self, nil end,
    __len = function() return 0 end,
  }
  setmetatable(env, env_meta)
  target_of[env] = {}
  script_env = env
  -- The engine switches env_meta.__index between load_api and runtime_api.
  return { env = env, globals = globals, env_meta = env_meta, load_api = load_api,
    runtime_api = proxy }
end

return build
