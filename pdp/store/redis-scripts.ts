/**
 * Lua scripts of the Redis store (run with EVALSHA through ioredis' defineCommand). Every key a
 * script touches is passed in KEYS or shares the `{tag}` of KEYS[1] (redis-keys.ts), so they run
 * unchanged on a Cluster.
 */

/**
 * tncApply: KEYS[1] = meta, KEYS[2..] = the keys of the commands.
 * ARGV[1] = check key index (0: none), ARGV[2] = field, ARGV[3] = 'absent' | 'present' | 'v:<n>'
 * (the JSON's `version`, or `record.version`), ARGV[4] = JSON [[command, keyIndex, args...]...].
 * Errors: EXISTS, NOTFOUND, CONFLICT <current version>. Returns the model version after.
 */
export const APPLY = `
local ki = tonumber(ARGV[1])
if ki > 0 then
  local cur = redis.call('HGET', KEYS[ki], ARGV[2])
  local cond = ARGV[3]
  if cond == 'absent' then
    if cur then return redis.error_reply('EXISTS') end
  else
    if not cur then return redis.error_reply('NOTFOUND') end
    if cond ~= 'present' then
      local v = cjson.decode(cur)
      local ver = v.version
      if ver == nil and type(v.record) == 'table' then ver = v.record.version end
      if tostring(ver) ~= string.sub(cond, 3) then return redis.error_reply('CONFLICT ' .. tostring(ver)) end
    end
  end
end
local cmds = cjson.decode(ARGV[4])
for _, c in ipairs(cmds) do
  local args = {}
  for j = 3, #c do args[#args + 1] = c[j] end
  redis.call(c[1], KEYS[c[2]], unpack(args))
end
return tonumber(redis.call('HGET', KEYS[1], 'modelVersion') or '0')
`;

/**
 * tncTrim: KEYS[1] = order ZSET, KEYS[2] = HASH of the rows. ARGV[1] = rows to keep,
 * ARGV[2] = key prefix '{tag}:' when rows are sessions (their device/user indexes go too), else ''.
 * Drops at most 1000 of the oldest per call. Returns how many.
 */
export const TRIM = `
local n = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[1])
if n <= 0 then return 0 end
if n > 1000 then n = 1000 end
local ids = redis.call('ZRANGE', KEYS[1], 0, n - 1)
for _, id in ipairs(ids) do
  if ARGV[2] ~= '' then
    local j = redis.call('HGET', KEYS[2], id)
    if j then
      local s = cjson.decode(j)
      redis.call('ZREM', ARGV[2] .. 'sessions:device:' .. s.device, id)
      redis.call('ZREM', ARGV[2] .. 'sessions:user:' .. s.user, id)
    end
  end
  redis.call('HDEL', KEYS[2], id)
  redis.call('ZREM', KEYS[1], id)
end
return #ids
`;
