//! Rate-limit buckets and the per-account login brake, kept in Redis so that every instance
//! draws on the same budget: without this, N instances behind a load balancer would allow N
//! times the configured rate. Used whenever sessions live in Redis.
//!
//! Each operation is one atomic Lua script (no read-modify-write race between instances).
//! Keys carry a `sr:` prefix and expire on their own, so nothing needs sweeping.

use std::time::Duration;

use fred::{interfaces::LuaInterface, types::Value};

use crate::{error::StoreError, session_store::RedisPool};

/// GCRA, as the in-process limiter (governor) does it: `limit` requests at once, then one per
/// `window / limit`. The key holds the theoretical arrival time in ms and expires when the
/// bucket is full again. Returns {1, 0} when allowed, {0, wait_ms} when not.
const HIT: &str = r"
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local new_tat = tat + interval
local over = new_tat - now - interval * burst
if over > 0 then return {0, over} end
redis.call('SET', KEYS[1], new_tat, 'PX', new_tat - now)
return {1, 0}
";

/// A failed login: one more in the account's streak, stamped with the server's time (all
/// instances read the same clock: Redis's).
const FAIL: &str = r"
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
redis.call('HINCRBY', KEYS[1], 'failures', 1)
redis.call('HSET', KEYS[1], 'last', now)
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
";

/// The account's streak and how many milliseconds ago its last failure was.
const STREAK: &str = r"
local v = redis.call('HMGET', KEYS[1], 'failures', 'last')
if not v[1] then return {0, 0} end
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
return {tonumber(v[1]), now - tonumber(v[2])}
";

#[derive(Debug, Clone)]
pub struct SharedLimits {
    redis: RedisPool,
}

fn ints(v: Value) -> Result<(i64, i64), StoreError> {
    let bad = || StoreError::Config("unexpected reply from a Redis script".to_owned());
    match v {
        Value::Array(a) if a.len() == 2 => Ok((a[0].as_i64().ok_or_else(bad)?, a[1].as_i64().ok_or_else(bad)?)),
        _ => Err(bad()),
    }
}

impl SharedLimits {
    pub fn new(redis: RedisPool) -> Self {
        Self { redis }
    }

    /// Draws one request from `key`'s budget of `limit` per `window`; `Ok(Err(wait))` when it
    /// is spent.
    pub async fn hit(&self, key: &str, limit: u32, window: Duration) -> Result<Result<(), Duration>, StoreError> {
        let limit = i64::from(limit.max(1));
        let interval = (window.as_millis() as i64 / limit).max(1);
        let reply: Value = self.redis.eval(HIT, vec![format!("sr:rate:{key}")], vec![interval, limit]).await?;
        let (allowed, wait_ms) = ints(reply)?;
        Ok(if allowed == 1 { Ok(()) } else { Err(Duration::from_millis(wait_ms.max(1) as u64)) })
    }

    /// (failures in the streak, time since the last one).
    pub async fn streak(&self, email: &str) -> Result<(u32, Duration), StoreError> {
        let reply: Value = self.redis.eval(STREAK, vec![format!("sr:brake:{email}")], Vec::<i64>::new()).await?;
        let (failures, ago_ms) = ints(reply)?;
        Ok((failures.clamp(0, i64::from(u32::MAX)) as u32, Duration::from_millis(ago_ms.max(0) as u64)))
    }

    /// Records a failure; the streak is forgotten `forget_after` after its last failure.
    pub async fn failed(&self, email: &str, forget_after: Duration) -> Result<(), StoreError> {
        let _: Value = self.redis.eval(FAIL, vec![format!("sr:brake:{email}")], vec![forget_after.as_millis() as i64]).await?;
        Ok(())
    }

    pub async fn succeeded(&self, email: &str) -> Result<(), StoreError> {
        use fred::interfaces::KeysInterface;
        let _: i64 = self.redis.del(format!("sr:brake:{email}")).await?;
        Ok(())
    }
}
