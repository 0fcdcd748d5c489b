//! The queue's Lua scripts: each step that touches several keys is one atomic script, so a
//! crash between two commands can neither lose a job nor run it twice.
//!
//! Keys, under a prefix `p`: `p..'job:'..id` (a hash: queue, payload, state, attempts,
//! max_attempts, crashes, dedupe, store, created_at, updated_at, run_at, last_error,
//! worker, delivery) and `..':history'` (a list of failed attempts as JSON);
//! `p..'dedupe:'..key` (the id of the job holding the key while it lives),
//! `p..'seen:'..key` (the same for a key's window, expiring with it); per queue `q`:
//! `p..'q:'..q..':stream'` (ready and running jobs; consumer group `workers`),
//! `':scheduled'`, `':failed'` and `':done'` (sorted sets by time in ms).

/// Frees a job's de-duplication key if the job still holds it.
const RELEASE_DEDUPE: &str = r#"
local function release_dedupe(p, key, id)
  local dedupe = redis.call('HGET', key, 'dedupe')
  if dedupe and dedupe ~= '' and redis.call('GET', p..'dedupe:'..dedupe) == id then
    redis.call('DEL', p..'dedupe:'..dedupe)
  end
end
"#;

/// ARGV: prefix, queue, payload, max_attempts, dedupe key or '', run_at ms, now ms,
/// store id or '', dedupe window ms (0: none). Returns {1, id} for a new job, {0, id of the
/// holder} for a duplicate. A key is held while its job lives (`dedupe:`, released when
/// the job ends) and, with a window, also until the window ends (`seen:`, which expires).
pub const ENQUEUE: &str = r#"
local p, q = ARGV[1], ARGV[2]
local window = tonumber(ARGV[9])
if ARGV[5] ~= '' then
  local holder = redis.call('GET', p..'dedupe:'..ARGV[5])
  if holder then return {0, holder} end
  if window > 0 then
    local seen = redis.call('GET', p..'seen:'..ARGV[5])
    if seen then return {0, seen} end
  end
end
local id = tostring(redis.call('INCR', p..'next_id'))
local key = p..'job:'..id
redis.call('HSET', key, 'queue', q, 'payload', ARGV[3], 'max_attempts', ARGV[4],
  'attempts', 0, 'crashes', 0, 'stranded', 0, 'dedupe', ARGV[5], 'store', ARGV[8],
  'created_at', ARGV[7], 'updated_at', ARGV[7], 'state', 'pending')
if ARGV[5] ~= '' then
  redis.call('SET', p..'dedupe:'..ARGV[5], id)
  if window > 0 then
    redis.call('SET', p..'seen:'..ARGV[5], id, 'PX', window)
  end
end
if tonumber(ARGV[6]) > tonumber(ARGV[7]) then
  redis.call('HSET', key, 'state', 'scheduled', 'run_at', ARGV[6])
  redis.call('ZADD', p..'q:'..q..':scheduled', ARGV[6], id)
else
  redis.call('XADD', p..'q:'..q..':stream', '*', 'id', id)
end
return {1, id}
"#;

/// Moves due jobs from `scheduled` to the stream, at most ARGV[2] at a time (so a huge
/// backlog never meets Lua's unpack limit). KEYS: scheduled, stream. ARGV: now ms, limit,
/// prefix. Returns how many moved.
pub const PROMOTE: &str = r#"
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
for _, id in ipairs(ids) do
  redis.call('ZREM', KEYS[1], id)
  local key = ARGV[3]..'job:'..id
  if redis.call('EXISTS', key) == 1 then
    redis.call('HSET', key, 'state', 'pending')
    redis.call('XADD', KEYS[2], '*', 'id', id)
  end
end
return #ids
"#;

/// Marks delivered stream entries as running. ARGV: prefix, worker, now ms, then triples
/// of queue, entry id, job id. Returns {queue, entry, id, payload, max_attempts, attempt}
/// for each job that still exists (a discarded job's entry is dropped). An entry no longer
/// pending for this worker was put back by recovery while its delivery was on the way, and
/// is left to whoever takes it again; the others' idle time starts again from the claim.
pub const CLAIM: &str = r#"
local p = ARGV[1]
local out = {}
for i = 4, #ARGV, 3 do
  local q, entry, id = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local key = p..'job:'..id
  local stream = p..'q:'..q..':stream'
  local fields = redis.call('HMGET', key, 'payload', 'max_attempts')
  local pending = #redis.call('XCLAIM', stream, 'workers', ARGV[2], 0, entry, 'JUSTID') > 0
  if pending and not fields[1] then
    redis.call('XACK', stream, 'workers', entry)
    redis.call('XDEL', stream, entry)
  elseif pending then
    local attempt = redis.call('HINCRBY', key, 'attempts', 1)
    redis.call('HSET', key, 'state', 'running', 'worker', ARGV[2], 'updated_at', ARGV[3], 'delivery', entry)
    table.insert(out, {q, entry, id, fields[1], fields[2], attempt})
  end
end
return out
"#;

/// Ends attempts, many per call. ARGV: prefix, now ms, then for each job seven values:
/// queue, entry, id, outcome (done, retry, postpone (a retry not counted as an attempt) or
/// failed), run_at ms, error or '', attempt.
pub fn finish() -> String {
    format!(
        "{RELEASE_DEDUPE}{}",
        r#"
local p, now = ARGV[1], ARGV[2]
for i = 3, #ARGV, 7 do
  local q, entry, id, outcome = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local run_at, error, attempt = ARGV[i + 4], ARGV[i + 5], ARGV[i + 6]
  local stream = p..'q:'..q..':stream'
  redis.call('XACK', stream, 'workers', entry)
  redis.call('XDEL', stream, entry)
  local key = p..'job:'..id
  if redis.call('EXISTS', key) == 1 then
    if error ~= '' then
      redis.call('HSET', key, 'last_error', error)
      redis.call('RPUSH', key..':history', cjson.encode({attempt = tonumber(attempt), at = tonumber(now), error = error}))
    end
    if outcome == 'done' then
      redis.call('HSET', key, 'state', 'done', 'updated_at', now, 'worker', '')
      redis.call('ZADD', p..'q:'..q..':done', now, id)
      release_dedupe(p, key, id)
    elseif outcome == 'retry' or outcome == 'postpone' then
      if outcome == 'postpone' then redis.call('HINCRBY', key, 'attempts', -1) end
      redis.call('HSET', key, 'state', 'scheduled', 'run_at', run_at, 'updated_at', now, 'worker', '')
      redis.call('ZADD', p..'q:'..q..':scheduled', run_at, id)
    else
      redis.call('HSET', key, 'state', 'failed', 'updated_at', now, 'worker', '')
      redis.call('ZADD', p..'q:'..q..':failed', now, id)
      release_dedupe(p, key, id)
    end
  end
end
return 1
"#
    )
}

/// Takes a dead worker's entry back: the job goes to the stream again for any worker, or,
/// if its workers died `crash_limit` times running it (or `stranded_limit` times while it
/// only waited), to the failed set. A crash is charged to a job that was running, not to
/// one its worker marked waiting. ARGV: prefix, queue, entry, now ms, crash limit, '1' if
/// the job was waiting, stranded limit. Returns {0} (already taken), {1, id} (requeued),
/// {2, id} (failed).
pub fn recover() -> String {
    format!(
        "{RELEASE_DEDUPE}{}",
        r#"
local p, q, entry, now = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local stream = p..'q:'..q..':stream'
local claimed = redis.call('XCLAIM', stream, 'workers', 'reaper', 0, entry, 'JUSTID')
if #claimed == 0 then return {0} end
local message = redis.call('XRANGE', stream, entry, entry)
redis.call('XACK', stream, 'workers', entry)
redis.call('XDEL', stream, entry)
if #message == 0 then return {0} end
local id = message[1][2][2]
local key = p..'job:'..id
if redis.call('EXISTS', key) == 0 then return {0} end
local attempt = tonumber(redis.call('HGET', key, 'attempts'))
local error, poisoned
if ARGV[6] == '1' then
  local stranded = redis.call('HINCRBY', key, 'stranded', 1)
  error = 'its worker died while it waited'
  if stranded >= tonumber(ARGV[7]) then
    poisoned = 'its worker died ' .. stranded .. ' times while it held it'
  end
else
  local crashes = redis.call('HINCRBY', key, 'crashes', 1)
  error = 'its worker died while running it'
  if crashes >= tonumber(ARGV[5]) then
    poisoned = 'a poison pill: its worker died ' .. crashes .. ' times while running it'
  end
end
redis.call('RPUSH', key..':history', cjson.encode({attempt = attempt, at = tonumber(now), error = error}))
redis.call('HSET', key, 'updated_at', now, 'worker', '', 'last_error', error)
if poisoned then
  redis.call('HSET', key, 'state', 'failed', 'last_error', poisoned)
  redis.call('ZADD', p..'q:'..q..':failed', now, id)
  release_dedupe(p, key, id)
  return {2, id}
end
redis.call('HSET', key, 'state', 'pending')
redis.call('XADD', stream, '*', 'id', id)
return {1, id}
"#
    )
}

/// Puts back in the stream a job whose entry a live worker was handed but never claimed,
/// or (`lost` is 1) one the worker says it no longer holds, though marked running under
/// the entry. ARGV: prefix, queue, entry, lost. Returns 1 when a job never claimed went
/// back, 2 when a job whose end was lost did, else 0 (the entry was stale, or its job is
/// running under it).
pub const REDELIVER: &str = r#"
local p, q, entry, lost = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local stream = p..'q:'..q..':stream'
local message = redis.call('XRANGE', stream, entry, entry)
if #message == 0 then
  redis.call('XACK', stream, 'workers', entry)
  return 0
end
local id = message[1][2][2]
local key = p..'job:'..id
local state, delivery = unpack(redis.call('HMGET', key, 'state', 'delivery'))
local running_here = state == 'running' and delivery == entry
if running_here and lost ~= '1' then return 0 end
redis.call('XACK', stream, 'workers', entry)
redis.call('XDEL', stream, entry)
if running_here then
  redis.call('HSET', key, 'state', 'pending')
  redis.call('XADD', stream, '*', 'id', id)
  return 2
end
if state == 'pending' then
  redis.call('XADD', stream, '*', 'id', id)
  return 1
end
return 0
"#;

/// Runs a failed job again from its first attempt. ARGV: prefix, id, now ms. Returns 1,
/// or 0 when the job is not failed, or -1 when its de-duplication key is taken again.
pub const RETRY: &str = r#"
local p, id, now = ARGV[1], ARGV[2], ARGV[3]
local key = p..'job:'..id
local state, q, dedupe = unpack(redis.call('HMGET', key, 'state', 'queue', 'dedupe'))
if state ~= 'failed' then return 0 end
if dedupe and dedupe ~= '' then
  if redis.call('SET', p..'dedupe:'..dedupe, id, 'NX') == false then return -1 end
end
redis.call('ZREM', p..'q:'..q..':failed', id)
redis.call('HSET', key, 'state', 'pending', 'attempts', 0, 'crashes', 0, 'stranded', 0, 'updated_at', now)
redis.call('XADD', p..'q:'..q..':stream', '*', 'id', id)
return 1
"#;

/// Forgets a job that no worker holds. ARGV: prefix, id. Returns 1, or 0 when the job is
/// running or unknown. (A pending job's stream entry is dropped when a worker meets it.)
pub fn discard() -> String {
    format!(
        "{RELEASE_DEDUPE}{}",
        r#"
local p, id = ARGV[1], ARGV[2]
local key = p..'job:'..id
local state, q = unpack(redis.call('HMGET', key, 'state', 'queue'))
if not state or state == 'running' then return 0 end
redis.call('ZREM', p..'q:'..q..':'..state, id)
release_dedupe(p, key, id)
redis.call('DEL', key, key..':history')
return 1
"#
    )
}
