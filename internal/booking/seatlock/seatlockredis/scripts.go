package seatlockredis

import (
	"github.com/redis/go-redis/v9"

	"github.com/marquee-cinema/marquee/internal/booking/seatlock"
)

// The per-show scripts all take the same four keys, which share the show's hash tag and so
// live in one Redis Cluster slot:
//
//	KEYS[1] <p>{show:<id>}:seats   HASH seat id → entry "<hold>|<expMs>|<n>|<owner>" (may belong to
//	                               an expired hold); n is the hold's seat count
//	KEYS[2] <p>{show:<id>}:holds   HASH hold id → record "<expMs>|<0|1 extended>|<owner>|<seat,seat…>|<payload>",
//	                               and "|<owner>" → that owner's latest hold id ('|' is not allowed in ids)
//	KEYS[3] <p>{show:<id>}:exp     ZSET hold id, scored by expiry (ms)
//	KEYS[4] <p>{show:<id>}:booked  SET of booked seat ids
//
// Times are milliseconds taken from ARGV, never from the Redis clock, so tests control them.
// TTLs are relative (PEXPIRE expiry-now+grace) and only ever raised: when a write needs more
// than the seats hash has left, seats, holds and exp are all set to that plus one more grace
// (so that a busy show refreshes them about once per grace, not on every call). Every seats
// entry points at a record in holds and exp, so while seats exists the other two exist and
// carry at least its TTL; when seats is (re)created it has no TTL, which triggers the refresh.
// Keys thus vanish by themselves at most two graces after their last member expired, and
// empty keys vanish at once.
//
// A hold is live when its expiry is after now and every one of its seats still points at it.
// A seat entry carries its hold's expiry, seat count and owner, and every script that writes
// entries keeps them in step with the record (Hold writes them, Extend rewrites them with the
// new expiry; the other scripts only delete entries). So a hold is also live exactly when its
// expiry is after now and n entries name it: Seats and Counts read the seats hash and the booked
// set in one pipeline (no script: a script's copy of a large reply costs Redis more than the
// commands) and decide in Go, without a lookup per hold. Entries that are a bare hold id (written before the entries
// carried more) are still understood; see seatsLegacyLua.
const luaCommon = `
local K_SEATS, K_HOLDS, K_EXP, K_BOOKED = KEYS[1], KEYS[2], KEYS[3], KEYS[4]

-- parse splits a record: expiry (number), expiry (string), extended flag, owner, seats
-- (string), and the index where the payload starts.
local function parse(rec)
  local a = string.find(rec, '|', 1, true)
  local b = string.find(rec, '|', a + 1, true)
  local c = string.find(rec, '|', b + 1, true)
  local d = string.find(rec, '|', c + 1, true)
  local exps = string.sub(rec, 1, a - 1)
  return tonumber(exps), exps, string.sub(rec, a + 1, b - 1), string.sub(rec, b + 1, c - 1),
    string.sub(rec, c + 1, d - 1), d + 1
end

-- holder returns the hold id and expiry (number; nil for a bare legacy entry) of a seats entry.
local function holder(v)
  if not v then return nil end
  local a = string.find(v, '|', 1, true)
  if not a then return v end
  local b = string.find(v, '|', a + 1, true)
  return string.sub(v, 1, a - 1), tonumber(string.sub(v, a + 1, b - 1))
end

-- entry is the seats entry of a seat of hold id.
local function entry(id, exps, n, owner)
  return id .. '|' .. exps .. '|' .. n .. '|' .. owner
end

local function split(s)
  local t = {}
  for x in string.gmatch(s, '[^,]+') do t[#t + 1] = x end
  return t
end

local function intact(id, seats)
  local cur = redis.call('HMGET', K_SEATS, unpack(seats))
  for i = 1, #seats do
    if holder(cur[i]) ~= id then return false end
  end
  return true
end

-- load returns the record of hold id (or nil), and its expiry, extended flag, owner, seats
-- (table), liveness at now, and the payload index.
local function load(id, now)
  local rec = redis.call('HGET', K_HOLDS, id)
  if not rec then return nil end
  local exp, _, ext, owner, ss, p = parse(rec)
  local seats = split(ss)
  return rec, exp, ext, owner, seats, exp > now and intact(id, seats), p
end

-- live_holder returns {hold id, owner, expiry} of the live hold that a seats entry names at
-- now, or nil; seen caches the answer per hold id across calls of one script run.
local function live_holder(v, now, seen)
  if not v then return nil end
  local h = holder(v)
  local l = seen[h]
  if l == nil then
    l = false
    local a = string.find(v, '|', 1, true)
    local fresh = true
    if a then
      local b = string.find(v, '|', a + 1, true)
      fresh = tonumber(string.sub(v, a + 1, b - 1)) > now
    end
    if fresh then
      local rec, exp, _, owner, _, live = load(h, now)
      if rec and live then l = {h, owner, exp} end
    end
    seen[h] = l
  end
  if l then return l end
  return nil
end

-- taken_states returns the states of those of seats that are taken, flattened as seat, kind
-- ('B' booked, 'H' held), hold id, owner, expiry (ms; 0 when booked), given the seats' booked
-- flags (SMISMEMBER) and entries (HMGET).
local function taken_states(seats, booked, cur, now, seen)
  local out = {}
  for i = 1, #seats do
    if booked[i] == 1 then
      out[#out + 1] = seats[i]; out[#out + 1] = 'B'; out[#out + 1] = ''; out[#out + 1] = ''; out[#out + 1] = 0
    else
      local lh = live_holder(cur[i], now, seen)
      if lh then
        out[#out + 1] = seats[i]; out[#out + 1] = 'H'; out[#out + 1] = lh[1]; out[#out + 1] = lh[2]; out[#out + 1] = lh[3]
      end
    end
  end
  return out
end

-- drop removes hold id; its seats and owner entries only where they still point at it
-- (known: the caller checked that all its seats do).
local function drop(id, owner, seats, known)
  local del = seats
  if not known then
    del = {}
    local cur = redis.call('HMGET', K_SEATS, unpack(seats))
    for i = 1, #seats do
      if holder(cur[i]) == id then del[#del + 1] = seats[i] end
    end
  end
  if #del > 0 then redis.call('HDEL', K_SEATS, unpack(del)) end
  if redis.call('HGET', K_HOLDS, '|' .. owner) == id then
    redis.call('HDEL', K_HOLDS, id, '|' .. owner)
  else
    redis.call('HDEL', K_HOLDS, id)
  end
  redis.call('ZREM', K_EXP, id)
end

-- keep raises key's TTL to at least ms milliseconds, then by slack more.
local function keep(key, ms, slack)
  if ms < 1 then ms = 1 end
  local cur = redis.call('PTTL', key)
  if cur ~= -2 and cur < ms then redis.call('PEXPIRE', key, ms + slack) end
end

-- keep_show makes seats, holds and exp live at least ms more milliseconds (see above).
local function keep_show(ms, grace)
  if redis.call('PTTL', K_SEATS) < ms then
    ms = ms + grace
    redis.call('PEXPIRE', K_SEATS, ms)
    redis.call('PEXPIRE', K_HOLDS, ms)
    redis.call('PEXPIRE', K_EXP, ms)
  end
end
`

// holdScript: ARGV now, id, owner, expiry, grace, reap limit, payload, due member, n, n seats
// (sorted), f, f guarded seats assumed free, guarded seats assumed taken. Returns {'OK', replaced
// id or empty, freed seat...}, {'BUSY', seat...}, {'STALE', taken_states of the guarded seats…}
// {'ID_TAKEN'} or {'CLAIMED'} (the owner's live hold is a claim, seatlock.ClaimPrefix). A seat is
// taken for the owner when it is booked or a live hold other than the owner's own names it; the
// guard is checked only once the seats themselves are free.
// With a fifth key (the due index; only where all keys are on one server) it also adds the
// due member, so the hold and its index entry are written atomically.
// It also drops up to reap-limit holds (the Locker passes a limit on every reapEvery-th call,
// 0 otherwise) of the show that expired more than grace ago (holds
// ExpireDue never came for), so a show's structures stay bounded without it.
var holdScript = redis.NewScript(holdLua)

const holdLua = luaCommon + `
local now, id, owner, exps = tonumber(ARGV[1]), ARGV[2], ARGV[3], ARGV[4]
local exp, grace, reap, payload = tonumber(exps), tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[7]
local seats, mine, guard = {}, {}, {}
local n = tonumber(ARGV[9])
for i = 10, 9 + n do
  seats[#seats + 1] = ARGV[i]
  mine[ARGV[i]] = true
end
local nfree = tonumber(ARGV[10 + n])
for i = 11 + n, #ARGV do guard[#guard + 1] = ARGV[i] end
local ownerField = '|' .. owner

local cur = redis.call('HMGET', K_HOLDS, id, ownerField)
if cur[1] then return {'ID_TAKEN'} end
local old, oldSeats = cur[2], nil
if old then
  local rec, _, _, o, oseats, live = load(old, now)
  if rec and live and o == owner then oldSeats = oseats else old = nil end
end
if old and string.sub(old, 1, #'` + seatlock.ClaimPrefix + `') == '` + seatlock.ClaimPrefix + `' then return {'CLAIMED'} end

local seen = {}
local function taken(booked, v)
  if booked == 1 then return true end
  local lh = live_holder(v, now, seen)
  return lh ~= nil and lh[1] ~= old
end

-- The seats and the guarded seats are read together.
local all = seats
if #guard > 0 then
  all = {}
  for i = 1, #seats do all[i] = seats[i] end
  for i = 1, #guard do all[#seats + i] = guard[i] end
end
local booked = redis.call('SMISMEMBER', K_BOOKED, unpack(all))
cur = redis.call('HMGET', K_SEATS, unpack(all))
local busy = {}
for i = 1, #seats do
  if taken(booked[i], cur[i]) then busy[#busy + 1] = seats[i] end
end
if #busy > 0 then
  table.insert(busy, 1, 'BUSY')
  return busy
end

-- A guarded seat is judged by its entry alone, without loading its hold: taken when booked or
-- when its entry names another hold whose expiry is after now (a bare legacy entry counts as
-- taken). Such a hold may be dead only if a seat of it was taken after it expired by a caller
-- whose clock ran ahead; the guard then fails, the caller gets the exact states and decides again.
local function quick_taken(booked, v)
  if booked == 1 then return true end
  if not v then return false end
  local h, hexp = holder(v)
  if h == old then return false end
  return hexp == nil or hexp > now
end

if #guard > 0 then
  local n = #seats
  for i = 1, #guard do
    if quick_taken(booked[n + i], cur[n + i]) ~= (i > nfree) then
      local gb, gc = {}, {}
      for j = 1, #guard do gb[j] = booked[n + j]; gc[j] = cur[n + j] end
      local out = taken_states(guard, gb, gc, now, seen)
      table.insert(out, 1, 'STALE')
      return out
    end
  end
end

local result = {'OK', ''}
if old then
  -- The old hold is live, so all its seats point at it; those the new hold takes are overwritten.
  local free = {}
  for _, s in ipairs(oldSeats) do
    if not mine[s] then free[#free + 1] = s end
  end
  if #free > 0 then redis.call('HDEL', K_SEATS, unpack(free)) end
  redis.call('HDEL', K_HOLDS, old)
  redis.call('ZREM', K_EXP, old)
  result[2] = old
  for _, s in ipairs(free) do result[#result + 1] = s end
end
local hs = {}
local e = entry(id, exps, #seats, owner)
for i = 1, #seats do hs[#hs + 1] = seats[i]; hs[#hs + 1] = e end
redis.call('HSET', K_SEATS, unpack(hs))
redis.call('HSET', K_HOLDS, id, exps .. '|0|' .. owner .. '|' .. table.concat(seats, ',') .. '|' .. payload,
  ownerField, id)
redis.call('ZADD', K_EXP, exps, id)
keep_show(exp - now + grace, grace)
if KEYS[5] then
  redis.call('ZADD', KEYS[5], 'NX', exps, ARGV[8])
  keep(KEYS[5], exp - now + grace, grace)
end

if reap > 0 then
  local ids = redis.call('ZRANGEBYSCORE', K_EXP, '-inf', now - grace, 'LIMIT', 0, reap)
  for _, x in ipairs(ids) do
    local rec = redis.call('HGET', K_HOLDS, x)
    if rec then
      local _, _, _, o, ss = parse(rec)
      drop(x, o, split(ss), false)
    else
      redis.call('ZREM', K_EXP, x)
    end
  end
end
return result
`

// peekScript: ARGV now, seat... Returns taken_states of the seats.
var peekScript = redis.NewScript(peekLua)

const peekLua = luaCommon + `
local now, seats = tonumber(ARGV[1]), {}
for i = 2, #ARGV do seats[#seats + 1] = ARGV[i] end
return taken_states(seats, redis.call('SMISMEMBER', K_BOOKED, unpack(seats)),
  redis.call('HMGET', K_SEATS, unpack(seats)), now, {})
`

// getScript: ARGV now, id. Returns the record of a live hold, or nil.
var getScript = redis.NewScript(getLua)

const getLua = luaCommon + `
local rec, _, _, _, _, live = load(ARGV[2], tonumber(ARGV[1]))
if rec and live then return rec end
return false
`

// extendScript: ARGV now, id, owner, new expiry, grace.
// Returns {'OK', record}, {'NOT_FOUND'}, {'EXPIRED'}, {'EXTENDED'} or {'NOT_LATER'}.
var extendScript = redis.NewScript(extendLua)

const extendLua = luaCommon + `
local now, id, owner, exps, grace = tonumber(ARGV[1]), ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
local rec, exp, ext, o, seats, live, p = load(id, now)
if not rec or o ~= owner then return {'NOT_FOUND'} end
if not live then return {'EXPIRED'} end
if ext == '1' then return {'EXTENDED'} end
local newexp = tonumber(exps)
if newexp <= exp then return {'NOT_LATER'} end
rec = exps .. '|1|' .. owner .. '|' .. table.concat(seats, ',') .. '|' .. string.sub(rec, p)
redis.call('HSET', K_HOLDS, id, rec)
local e, hs = entry(id, exps, #seats, owner), {}
for i = 1, #seats do hs[#hs + 1] = seats[i]; hs[#hs + 1] = e end
redis.call('HSET', K_SEATS, unpack(hs))
redis.call('ZADD', K_EXP, exps, id)
keep_show(newexp - now + grace, grace)
return {'OK', rec}
`

// releaseScript: ARGV now, id, owner. Returns {'OK', record} or {'NOT_FOUND'}.
var releaseScript = redis.NewScript(releaseLua)

const releaseLua = luaCommon + `
local now, id, owner = tonumber(ARGV[1]), ARGV[2], ARGV[3]
local rec, _, _, o, seats, live = load(id, now)
if not rec or not live or o ~= owner then return {'NOT_FOUND'} end
drop(id, o, seats, true)
return {'OK', rec}
`

// consumeScript: ARGV now, id, booked retention ms. Returns {'OK', record} or {'NOT_FOUND'}.
var consumeScript = redis.NewScript(consumeLua)

const consumeLua = luaCommon + `
local now, id, ttl = tonumber(ARGV[1]), ARGV[2], tonumber(ARGV[3])
local rec, _, _, o, seats, live = load(id, now)
if not rec or not live then return {'NOT_FOUND'} end
drop(id, o, seats, true)
redis.call('SADD', K_BOOKED, unpack(seats))
keep(K_BOOKED, ttl, 0)
return {'OK', rec}
`

// markBookedScript: ARGV now, booked TTL ms, seat.... Returns {id, record, id, record, …} of
// the live holds it released.
var markBookedScript = redis.NewScript(markBookedLua)

const markBookedLua = luaCommon + `
local now, ttl = tonumber(ARGV[1]), tonumber(ARGV[2])
local out = {}
for i = 3, #ARGV do
  local s = ARGV[i]
  local h = holder(redis.call('HGET', K_SEATS, s))
  if h then
    local rec, _, _, o, seats, live = load(h, now)
    if rec and live then
      drop(h, o, seats, true)
      out[#out + 1] = h
      out[#out + 1] = rec
    else
      redis.call('HDEL', K_SEATS, s)
    end
  end
end
for i = 3, #ARGV, 500 do
  redis.call('SADD', K_BOOKED, unpack(ARGV, i, math.min(i + 499, #ARGV)))
end
keep(K_BOOKED, ttl, 0)
return out
`

// seatsLegacyScript: ARGV now. Returns {{seat, hold id, owner, …}, {booked seat, …}}, looking
// each hold up. Seats and Counts use it only while the seats hash still has bare-id entries
// (written before entries carried expiry, count and owner; they are gone a hold TTL after the
// upgrade).
var seatsLegacyScript = redis.NewScript(seatsLegacyLua)

const seatsLegacyLua = luaCommon + `
local now = tonumber(ARGV[1])
local all = redis.call('HGETALL', K_SEATS)
local seen, held = {}, {}
for i = 1, #all, 2 do
  local s, h = all[i], holder(all[i + 1])
  local owner = seen[h]
  if owner == nil then
    local rec, _, _, o, _, live = load(h, now)
    if rec and live then owner = o else owner = false end
    seen[h] = owner
  end
  if owner then
    held[#held + 1] = s; held[#held + 1] = h; held[#held + 1] = owner
  end
end
return {held, redis.call('SMEMBERS', K_BOOKED)}
`

// expireScript: ARGV now, hold id…. For each id returns a triple: {'E', id, record} when it
// expired (and is now removed), {'L', id, expiry} when it is still live, {'G', id, empty} when gone.
var expireScript = redis.NewScript(expireLua)

const expireLua = luaCommon + `
local now = tonumber(ARGV[1])
local out = {}
for i = 2, #ARGV do
  local id = ARGV[i]
  local rec, _, _, o, seats, live = load(id, now)
  if not rec then
    out[#out + 1] = 'G'; out[#out + 1] = id; out[#out + 1] = ''
  elseif live then
    local _, exps = parse(rec)
    out[#out + 1] = 'L'; out[#out + 1] = id; out[#out + 1] = exps
  else
    drop(id, o, seats, false)
    out[#out + 1] = 'E'; out[#out + 1] = id; out[#out + 1] = rec
  end
end
return out
`

// The due index is one ZSET in a slot of its own: member "<show id>|<hold id>", scored by a
// time no later than the hold's expiry. Hold adds its member before the hold exists, so a hold
// is never missing from it; members of released, replaced or consumed holds are left to go
// stale and are cleaned when they come due.
const luaKeep = `
-- keep raises key's TTL to at least ms milliseconds, then by slack more.
local function keep(key, ms, slack)
  if ms < 1 then ms = 1 end
  local cur = redis.call('PTTL', key)
  if cur ~= -2 and cur < ms then redis.call('PEXPIRE', key, ms + slack) end
end
`

// dueUpdateScript: KEYS due; ARGV now, grace, ZADD flag (NX or XX), number of adds n, then n
// pairs score, member, then members to remove.
var dueUpdateScript = redis.NewScript(dueUpdateLua)

const dueUpdateLua = luaKeep + `
local now, grace, flag, n = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4])
local top = nil
for i = 0, n - 1 do
  local sc = ARGV[5 + 2 * i]
  redis.call('ZADD', KEYS[1], flag, sc, ARGV[6 + 2 * i])
  local v = tonumber(sc)
  if top == nil or v > top then top = v end
end
for i = 5 + 2 * n, #ARGV do redis.call('ZREM', KEYS[1], ARGV[i]) end
if top then keep(KEYS[1], top - now + grace, grace) end
return 1
`

// dueClaimScript: KEYS due; ARGV now, limit, lease end, TTL ms, slack ms. Claims up to limit due members
// by moving them to the lease end (so that concurrent callers claim disjoint sets, and a
// claim whose caller died comes due again) and returns them.
var dueClaimScript = redis.NewScript(dueClaimLua)

const dueClaimLua = luaKeep + `
local ms = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for _, m in ipairs(ms) do redis.call('ZADD', KEYS[1], 'XX', ARGV[3], m) end
if #ms > 0 then keep(KEYS[1], tonumber(ARGV[4]), tonumber(ARGV[5])) end
return ms
`
