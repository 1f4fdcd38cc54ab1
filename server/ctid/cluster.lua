-- SPDX-License-Identifier: LGPL-2.1-or-later
-- cluster.lua - the ACD of several ctid hosts, run inside Redis (EVALSHA).
--
-- One script, ARGV[1] = operation, ARGV[2] = the calling host's name. Redis
-- runs a script atomically, so an agent is never given two calls and a call
-- never two agents, however many hosts call at once. Times come from Redis'
-- own clock (TIME), so the hosts' clocks need not agree.
--
-- Keys (prefix cti:, one Redis instance; not for Redis Cluster, which would
-- need every key declared and in one hash slot):
--   agent:ID      hash host pos skills state reason idle call since wrap
--   agents:HOST   set of the agent ids HOST owns
--   ready         zset agent id -> READY since (ms): longest idle = lowest
--   wrapup        zset agent id -> end of wrap-up (ms)
--   busy          zset agent id -> since (ringing or talking), or when last found on a live call
--   fulltick      who does the once-a-second sweep (leases, orphaned agents) this second
--   queues        set of queue names; queue:NAME hash of its settings
--   q:NAME        zset call key -> arrival ms (VIP: minus 1e13): serving order
--   call:KEY      hash host id queue ani vip arrived queued state agent answered
--                 (KEY = HOST/ID, ID the host's own call number)
--   calls:HOST    set of the call keys HOST has
--   stats:NAME    hash of a queue's counters
--   hosts         set of the hosts that said hello; lease:HOST its lease
--                 (value: the host's epoch, expires unless refreshed)
--   events        stream of everything that happened, in order
--
-- Agent states (as in acd.h): 0 LoggedOut 1 Ready 2 NotReady 3 Ringing
-- 4 Talking 5 WorkingAfterCall. Errors are returned as acd.h codes:
-- -1 no such agent/queue/call, -2 exists, -3 wrong state, -4 bad argument.

local P = 'cti:'
local op, host = ARGV[1], ARGV[2]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local VIP = 10000000000000

local function ms(x) return string.format('%d', x) end

local function ev(...)
	redis.call('XADD', P .. 'events', 'MAXLEN', '~', '100000', '*', 't', ms(now), ...)
end

local function parse_skills(s)
	local r = {}
	for name, lvl in string.gmatch(s or '', '([^:,]+):(%d+)') do
		r[string.lower(name)] = tonumber(lvl)
	end
	return r
end

local qcache = {}
local function qcfg(name)
	if qcache[name] == nil then
		local h = redis.call('HGETALL', P .. 'queue:' .. name)
		if #h == 0 then
			qcache[name] = false
		else
			local c = {}
			for i = 1, #h, 2 do c[h[i]] = h[i + 1] end
			c.prio = tonumber(c.prio) or 0
			c.req = parse_skills(c.skills)
			qcache[name] = c
		end
	end
	return qcache[name]
end

-- New state for an agent: keeps the ready / wrapup / busy sets in step and
-- tells everyone (event 'state').
local function set_state(id, new, reason, idle)
	local k = P .. 'agent:' .. id
	local a = redis.call('HMGET', k, 'state', 'host', 'idle')
	local old = tonumber(a[1]) or 0
	if new ~= 2 then reason = 0 end
	if new == 1 and idle == nil then idle = now end
	if idle == nil then idle = tonumber(a[3]) or now end
	redis.call('HSET', k, 'state', new, 'reason', reason, 'since', ms(now), 'idle', ms(idle))
	if new == 1 then
		redis.call('ZADD', P .. 'ready', ms(idle), id)
	else
		redis.call('ZREM', P .. 'ready', id)
	end
	if new ~= 5 then redis.call('ZREM', P .. 'wrapup', id) end
	if new == 3 or new == 4 then
		redis.call('ZADD', P .. 'busy', ms(now), id)
	else
		redis.call('ZREM', P .. 'busy', id)
		redis.call('HSET', k, 'call', '')
	end
	ev('ev', 'state', 'agent', id, 'owner', a[2] or '', 'old', old, 'new', new, 'reason', reason, 'idle', ms(idle))
end

-- The agent a queue's strategy picks among the ready ones (index into ready).
-- Skills are read when first needed: with longest-idle the first eligible
-- agent in idle order wins, so usually one or two are read, not all.
local function pick(ready, q)
	local best, best_score = nil, -1
	for k, a in ipairs(ready) do
		if not a.sk then a.sk = parse_skills(redis.call('HGET', P .. 'agent:' .. a.id, 'skills')) end
		local ok, score = true, 0
		for name, lvl in pairs(q.req) do
			local have = a.sk[name] or 0
			if have < lvl then ok = false break end
			score = score + have
		end
		if ok then
			if q.strategy ~= 'best-skill' then return k end
			if score > best_score then best, best_score = k, score end
		end
	end
	return best
end

local function ring(key, agent, qname)
	local ck = P .. 'call:' .. key
	redis.call('HSET', ck, 'state', 'ringing', 'agent', agent)
	redis.call('HINCRBY', P .. 'stats:' .. qname, 'ringing', 1)
	local c = redis.call('HMGET', ck, 'host', 'id')
	local a = redis.call('HMGET', P .. 'agent:' .. agent, 'pos', 'host')
	set_state(agent, 3, 0, nil)
	redis.call('HSET', P .. 'agent:' .. agent, 'call', key)
	ev('ev', 'deliver', 'host', c[1], 'call', c[2], 'agent', agent, 'queue', qname, 'pos', a[1] or '',
	   'owner', a[2] or '')
end

-- Hand waiting calls to ready agents: each round the first call in serving
-- order (queue priority, VIP, arrival) that some ready agent qualifies for.
-- A queue's calls all need the same skills, so only each queue's head counts.
local function dispatch()
	local waiting = {}
	for _, qn in ipairs(redis.call('SMEMBERS', P .. 'queues')) do
		if redis.call('ZCARD', P .. 'q:' .. qn) > 0 and qcfg(qn) then waiting[#waiting + 1] = qn end
	end
	if #waiting == 0 or redis.call('ZCARD', P .. 'ready') == 0 then return end
	local ready = {}
	for i, id in ipairs(redis.call('ZRANGE', P .. 'ready', 0, -1)) do ready[i] = { id = id } end
	while #ready > 0 do
		local best, bq, bk, bprio, bscore
		for _, qn in ipairs(waiting) do
			local head = redis.call('ZRANGE', P .. 'q:' .. qn, 0, 0, 'WITHSCORES')
			local q = qcfg(qn)
			if #head > 0 then
				local score = tonumber(head[2])
				if best == nil or q.prio > bprio or (q.prio == bprio and score < bscore) then
					local k = pick(ready, q)
					if k then best, bq, bk, bprio, bscore = head[1], qn, k, q.prio, score end
				end
			end
		end
		if not best then return end
		local a = table.remove(ready, bk)
		redis.call('ZREM', P .. 'q:' .. bq, best)
		ring(best, a.id, bq)
	end
end

local function call_get(key)
	local h = redis.call('HGETALL', P .. 'call:' .. key)
	if #h == 0 then return nil end
	local c = {}
	for i = 1, #h, 2 do c[h[i]] = h[i + 1] end
	return c
end

local function call_del(key, c)
	redis.call('DEL', P .. 'call:' .. key)
	redis.call('SREM', P .. 'calls:' .. c.host, key)
	redis.call('ZREM', P .. 'q:' .. c.queue, key)
	if c.state == 'ringing' then redis.call('HINCRBY', P .. 'stats:' .. c.queue, 'ringing', -1) end
end

local function score_of(c)
	local s = tonumber(c.arrived)
	if c.vip == '1' then s = s - VIP end
	return ms(s)
end

-- The agent is on this call (not released meanwhile by a lease or a logout)?
local function agent_on(agent, key)
	if not agent or agent == '' then return false end
	return redis.call('HGET', P .. 'agent:' .. agent, 'call') == key
end

-- An agent's call ended: wrap-up (the queue's time) or ready at once.
local function agent_done(agent, qname)
	local q = qcfg(qname)
	local wrap = q and tonumber(q.wrap) or 0
	if wrap > 0 then
		redis.call('HSET', P .. 'agent:' .. agent, 'wrap', ms(now + wrap))
		set_state(agent, 5, 0, nil)
		redis.call('ZADD', P .. 'wrapup', ms(now + wrap), agent)
	else
		set_state(agent, 1, 0, now)
	end
end

-- Everything a host had: its calls are gone with it, its agents logged out.
local function release_host(h, why)
	for _, key in ipairs(redis.call('SMEMBERS', P .. 'calls:' .. h)) do
		local c = call_get(key)
		if c then
			if agent_on(c.agent, key) then
				if c.state == 'ringing' then
					set_state(c.agent, 1, 0, tonumber(redis.call('HGET', P .. 'agent:' .. c.agent, 'idle')))
				else
					set_state(c.agent, 1, 0, now)
				end
			end
			call_del(key, c)
		end
	end
	redis.call('DEL', P .. 'calls:' .. h)
	for _, id in ipairs(redis.call('SMEMBERS', P .. 'agents:' .. h)) do
		local st = tonumber(redis.call('HGET', P .. 'agent:' .. id, 'state')) or 0
		if st ~= 0 then set_state(id, 0, 0, nil) end
	end
	redis.call('SREM', P .. 'hosts', h)
	ev('ev', 'host', 'host', h, 'what', why)
end

local function agent_exists(id)
	return redis.call('EXISTS', P .. 'agent:' .. id) == 1
end

-- ---- operations ----

if op == 'hello' then
	-- hello HOST LEASE_MS EPOCH: join (again). A lease still held with another
	-- epoch is this host's previous life (restarted before the lease ran out).
	local lk = P .. 'lease:' .. host
	local old = redis.call('GET', lk)
	if old and old ~= ARGV[4] then release_host(host, 'restarted') end
	redis.call('SET', lk, ARGV[4], 'PX', ARGV[3])
	if redis.call('SADD', P .. 'hosts', host) == 1 then ev('ev', 'host', 'host', host, 'what', 'up') end
	return 0

elseif op == 'queue' then
	-- queue HOST NAME PRIO STRATEGY SL_MS WRAP_MS OVF_MS OVF_TO MAX_MS MAX_TO SKILLS
	local n = ARGV[3]
	redis.call('HSET', P .. 'queue:' .. n, 'prio', ARGV[4], 'strategy', ARGV[5], 'sl', ARGV[6], 'wrap', ARGV[7],
		   'ovf', ARGV[8], 'ovf_to', ARGV[9], 'max', ARGV[10], 'max_to', ARGV[11], 'skills', ARGV[12])
	redis.call('SADD', P .. 'queues', n)
	return 0

elseif op == 'agent' then
	-- agent HOST ID POS SKILLS STATE REASON IDLE CALL REJOIN: this host owns the
	-- agent. The state part republishes what the host knew when Redis lost
	-- its data (or, REJOIN=1, released the agents of a host it had not heard
	-- from for a lease); an agent Redis still has keeps its state.
	local id, k = ARGV[3], P .. 'agent:' .. ARGV[3]
	local owner = redis.call('HGET', k, 'host')
	if owner and owner ~= host and redis.call('EXISTS', P .. 'lease:' .. owner) == 1 then
		return redis.error_reply('agent ' .. id .. ' is owned by host ' .. owner)
	end
	if owner and owner ~= host then redis.call('SREM', P .. 'agents:' .. owner, id) end
	redis.call('SADD', P .. 'agents:' .. host, id)
	local existed = redis.call('EXISTS', k) == 1
	local cur = tonumber(redis.call('HGET', k, 'state')) or 0
	redis.call('HSET', k, 'host', host, 'pos', ARGV[4], 'skills', ARGV[5])
	local st = tonumber(ARGV[6]) or 0
	if not existed then
		redis.call('HSET', k, 'state', 0, 'reason', 0, 'idle', ARGV[8] or ms(now), 'call', '', 'since', ms(now))
	end
	if st ~= 0 and (not existed or (ARGV[10] == '1' and cur == 0)) then
		if st == 1 then
			set_state(id, 1, 0, tonumber(ARGV[8]))
		elseif st == 2 or st == 5 then
			set_state(id, 2, tonumber(ARGV[7]) or 0, nil)
		elseif (st == 3 or st == 4) and ARGV[9] and ARGV[9] ~= '' then
			-- on a call: the call's host republishes the call; until then (or
			-- forever, if it does not) the busy sweep frees the agent.
			redis.call('HSET', k, 'state', st, 'call', ARGV[9])
			redis.call('ZADD', P .. 'busy', ms(now), id)
		end
		dispatch()
	end
	return 0

elseif op == 'login' or op == 'logout' or op == 'ready' or op == 'notready' then
	-- OP HOST AGENT [REASON]
	local id = ARGV[3]
	if not agent_exists(id) then return -1 end
	local st = tonumber(redis.call('HGET', P .. 'agent:' .. id, 'state')) or 0
	if op == 'login' then
		if st ~= 0 then return -3 end
		set_state(id, 2, 0, nil)
	elseif op == 'logout' then
		if st == 0 or st == 3 or st == 4 then return -3 end
		set_state(id, 0, 0, nil)
	elseif op == 'ready' then
		if st ~= 2 and st ~= 5 and st ~= 1 then return -3 end
		if st ~= 1 then set_state(id, 1, 0, now) end
	else
		local reason = tonumber(ARGV[4]) or 0
		if reason < 0 then return -4 end
		if st ~= 1 and st ~= 5 and st ~= 2 then return -3 end
		set_state(id, 2, reason, nil)
	end
	dispatch()
	return 0

elseif op == 'state' then
	-- state HOST AGENT -> {state, reason, call, pos}
	local a = redis.call('HMGET', P .. 'agent:' .. ARGV[3], 'state', 'reason', 'call', 'pos')
	if not a[1] then return -1 end
	return { tonumber(a[1]), tonumber(a[2]) or 0, a[3] or '', a[4] or '' }

elseif op == 'enqueue' then
	-- enqueue HOST ID QUEUE ANI VIP
	local key, qn = host .. '/' .. ARGV[3], ARGV[4]
	if not qcfg(qn) then return -1 end
	redis.call('HSET', P .. 'call:' .. key, 'host', host, 'id', ARGV[3], 'queue', qn, 'ani', ARGV[5], 'vip', ARGV[6],
		   'arrived', ms(now), 'queued', ms(now), 'state', 'waiting', 'agent', '', 'answered', 0)
	redis.call('SADD', P .. 'calls:' .. host, key)
	redis.call('ZADD', P .. 'q:' .. qn, score_of({ arrived = now, vip = ARGV[6] }), key)
	redis.call('HINCRBY', P .. 'stats:' .. qn, 'offered', 1)
	dispatch()
	return 0

elseif op == 'call' then
	-- call HOST ID QUEUE ANI VIP ARRIVED QUEUED STATE AGENT ANSWERED: republish
	-- a call Redis lost (or correct one it has) from the host's own view.
	local key = host .. '/' .. ARGV[3]
	local c = call_get(key)
	local st, agent = ARGV[9], ARGV[10]
	if c and c.state == st and c.agent == agent then return 0 end
	if c then call_del(key, c) end
	redis.call('HSET', P .. 'call:' .. key, 'host', host, 'id', ARGV[3], 'queue', ARGV[4], 'ani', ARGV[5],
		   'vip', ARGV[6], 'arrived', ARGV[7], 'queued', ARGV[8], 'state', st, 'agent', agent,
		   'answered', ARGV[11])
	redis.call('SADD', P .. 'calls:' .. host, key)
	if st == 'waiting' then
		redis.call('ZADD', P .. 'q:' .. ARGV[4], score_of({ arrived = ARGV[7], vip = ARGV[6] }), key)
	else
		if st == 'ringing' then redis.call('HINCRBY', P .. 'stats:' .. ARGV[4], 'ringing', 1) end
		if agent_exists(agent) then
			local want = st == 'ringing' and 3 or 4
			local a = redis.call('HMGET', P .. 'agent:' .. agent, 'state', 'call')
			if tonumber(a[1]) ~= want or a[2] ~= key then
				set_state(agent, want, 0, nil)
				redis.call('HSET', P .. 'agent:' .. agent, 'call', key)
			end
		end
	end
	dispatch()
	return 0

elseif op == 'calls' then
	-- calls HOST KEY...: the host's calls; Redis forgets the others it has
	-- for the host (ended while the host could not tell it).
	local keep = {}
	for i = 3, #ARGV do keep[ARGV[i]] = true end
	for _, key in ipairs(redis.call('SMEMBERS', P .. 'calls:' .. host)) do
		if not keep[key] then
			local c = call_get(key)
			if c then
				if agent_on(c.agent, key) then
					if c.state == 'talking' then agent_done(c.agent, c.queue) else set_state(c.agent, 1, 0, nil) end
				end
				call_del(key, c)
			else
				redis.call('SREM', P .. 'calls:' .. host, key)
			end
		end
	end
	dispatch()
	return 0

elseif op == 'answered' or op == 'noanswer' or op == 'abandon' or op == 'end' or op == 'transfer' then
	-- OP HOST ID [TO]
	local key = host .. '/' .. ARGV[3]
	local c = call_get(key)
	if not c then return -1 end
	local sk = P .. 'stats:' .. c.queue
	local q = qcfg(c.queue)
	local waited = now - tonumber(c.queued)
	if op == 'answered' then
		if c.state ~= 'ringing' then return -3 end
		if c.answered ~= '1' then
			redis.call('HINCRBY', sk, 'answered', 1)
			redis.call('HINCRBY', sk, 'wait', waited)
			if q and waited <= tonumber(q.sl) then redis.call('HINCRBY', sk, 'answered_sl', 1) end
		end
		redis.call('HINCRBY', sk, 'ringing', -1)
		redis.call('HSET', P .. 'call:' .. key, 'state', 'talking', 'answered', 1)
		if agent_on(c.agent, key) then
			set_state(c.agent, 4, 0, nil)
			redis.call('HSET', P .. 'agent:' .. c.agent, 'call', key)
		end
	elseif op == 'noanswer' then
		if c.state ~= 'ringing' then return -3 end
		redis.call('HINCRBY', sk, 'ringing', -1)
		redis.call('HSET', P .. 'call:' .. key, 'state', 'waiting', 'agent', '')
		redis.call('ZADD', P .. 'q:' .. c.queue, score_of(c), key)
		if agent_on(c.agent, key) then set_state(c.agent, 2, 9999, nil) end
	elseif op == 'abandon' then
		if c.state == 'talking' then return -3 end
		if c.answered ~= '1' then
			redis.call('HINCRBY', sk, 'abandoned', 1)
			if q and waited <= tonumber(q.sl) then redis.call('HINCRBY', sk, 'abandoned_sl', 1) end
		end
		if c.state == 'ringing' and agent_on(c.agent, key) then
			-- never talked: keeps its place in line
			set_state(c.agent, 1, 0, tonumber(redis.call('HGET', P .. 'agent:' .. c.agent, 'idle')))
		end
		call_del(key, c)
	elseif op == 'end' then
		if c.state ~= 'talking' then return -3 end
		if agent_on(c.agent, key) then agent_done(c.agent, c.queue) end
		call_del(key, c)
	else
		local to = ARGV[4]
		if not agent_exists(to) then return -1 end
		if c.state ~= 'talking' or to == c.agent or
		   tonumber(redis.call('HGET', P .. 'agent:' .. to, 'state')) ~= 1 then return -3 end
		if agent_on(c.agent, key) then agent_done(c.agent, c.queue) end
		ring(key, to, c.queue)
	end
	dispatch()
	return 0

elseif op == 'tick' then
	-- tick HOST LEASE_MS EPOCH FULL: refresh this host's lease; wrap-ups that
	-- ended; overflow and max wait; with FULL=1 also hosts whose lease ran
	-- out and agents left on calls nobody has (grace: one lease).
	local lk = P .. 'lease:' .. host
	local cur = redis.call('GET', lk)
	if cur and cur ~= ARGV[4] then
		return redis.error_reply('host name ' .. host .. ' is used by another ctid')
	end
	if not cur then
		-- Lost (Redis restarted, or we were silent longer than the lease): say so.
		redis.call('SET', lk, ARGV[4], 'PX', ARGV[3])
		if redis.call('SISMEMBER', P .. 'hosts', host) == 0 then return 1 end
	end
	redis.call('PEXPIRE', lk, ARGV[3])
	for _, id in ipairs(redis.call('ZRANGEBYSCORE', P .. 'wrapup', '-inf', ms(now))) do
		local a = redis.call('HMGET', P .. 'agent:' .. id, 'state', 'wrap')
		redis.call('ZREM', P .. 'wrapup', id)
		if tonumber(a[1]) == 5 then set_state(id, 1, 0, tonumber(a[2])) end
	end
	for _, qn in ipairs(redis.call('SMEMBERS', P .. 'queues')) do
		local q = qcfg(qn)
		local ovf, mx = tonumber(q.ovf) or 0, tonumber(q.max) or 0
		if (ovf > 0 and q.ovf_to ~= '' and q.ovf_to ~= qn) or mx > 0 then
			for _, key in ipairs(redis.call('ZRANGE', P .. 'q:' .. qn, 0, -1)) do
				local c = call_get(key) or { queued = ms(now), host = '', id = '', queue = qn }
				local waited = now - tonumber(c.queued)
				local sk = P .. 'stats:' .. qn
				if mx > 0 and waited >= mx then
					redis.call('HINCRBY', sk, 'timed_out', 1)
					call_del(key, c)
					ev('ev', 'leave', 'host', c.host, 'call', c.id, 'queue', qn, 'target',
					   q.max_to ~= '' and q.max_to or 'hangup', 'why', 'max_wait')
				elseif ovf > 0 and waited >= ovf and q.ovf_to ~= '' and q.ovf_to ~= qn then
					redis.call('HINCRBY', sk, 'overflowed', 1)
					if qcfg(q.ovf_to) then
						redis.call('ZREM', P .. 'q:' .. qn, key)
						redis.call('HSET', P .. 'call:' .. key, 'queue', q.ovf_to, 'queued', ms(now))
						redis.call('ZADD', P .. 'q:' .. q.ovf_to, score_of(c), key)
						redis.call('HINCRBY', P .. 'stats:' .. q.ovf_to, 'offered', 1)
						ev('ev', 'moved', 'host', c.host, 'call', c.id, 'queue', q.ovf_to, 'from', qn)
					else
						call_del(key, c)
						ev('ev', 'leave', 'host', c.host, 'call', c.id, 'queue', qn, 'target', q.ovf_to,
						   'why', 'overflow')
					end
				end
			end
		end
	end
	-- The full part once a second for the whole cluster, by whichever host comes first.
	if ARGV[5] == '1' and redis.call('SET', P .. 'fulltick', host, 'NX', 'PX', 900) then
		for _, h in ipairs(redis.call('SMEMBERS', P .. 'hosts')) do
			if redis.call('EXISTS', P .. 'lease:' .. h) == 0 then release_host(h, 'lease expired') end
		end
		local grace = tonumber(ARGV[3])
		for _, id in ipairs(redis.call('ZRANGEBYSCORE', P .. 'busy', '-inf', ms(now - grace))) do
			local key = redis.call('HGET', P .. 'agent:' .. id, 'call')
			if not key or key == '' or redis.call('EXISTS', P .. 'call:' .. key) == 0 then
				set_state(id, 1, 0, now)
			else
				redis.call('ZADD', P .. 'busy', ms(now), id)	-- fine: look again in a lease
			end
		end
	end
	dispatch()
	return 0

elseif op == 'stats' then
	-- stats HOST QUEUE -> offered answered answered_sl abandoned abandoned_sl
	--                     overflowed timed_out wait waiting ringing longest
	local qn = ARGV[3]
	if not qcfg(qn) then return -1 end
	local h = redis.call('HMGET', P .. 'stats:' .. qn, 'offered', 'answered', 'answered_sl', 'abandoned',
			     'abandoned_sl', 'overflowed', 'timed_out', 'wait', 'ringing')
	local r = {}
	for i = 1, 9 do r[i] = tonumber(h[i]) or 0 end
	local longest = 0
	for _, key in ipairs(redis.call('ZRANGE', P .. 'q:' .. qn, 0, -1)) do
		local qd = tonumber(redis.call('HGET', P .. 'call:' .. key, 'queued'))
		if qd and now - qd > longest then longest = now - qd end
	end
	return { r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], redis.call('ZCARD', P .. 'q:' .. qn), r[9], longest }

elseif op == 'bye' then
	-- bye HOST: a clean stop; the others need not wait for the lease.
	release_host(host, 'stopped')
	redis.call('DEL', P .. 'lease:' .. host)
	return 0
end
return redis.error_reply('unknown operation ' .. tostring(op))
