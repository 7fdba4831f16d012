//! Micro-benchmarks of the auth core: what one request costs in each mode, measured without
//! HTTP. `cargo bench -p auth` (add `-- --quick` for a fast pass). The session-store and rotation
//! benches run on SQLite always, and on PostgreSQL and Redis when BENCH_DATABASE_URL
//! (postgres://.../postgres) and BENCH_REDIS_URL (redis://host:port/db) name servers to use, as
//! `scripts/services.sh env` prints them.

use std::{sync::Arc, time::Duration};

use auth::{
    db::{self, Pool},
    keys::SharedKeyring,
    password::HashParams,
    access_cache::AccessCache,
    refresh::{RefreshStore, RefreshToken},
    session::Sessions,
    token::Tokens,
    Clock, Email, Password, PasswordHasher, RefreshPolicy, Role, SessionBackend, SessionPolicy, SystemClock, TokenConfig, UserId,
    UserStore,
};
use criterion::{criterion_group, criterion_main, Criterion};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

fn jwt(c: &mut Criterion) {
    let tokens = Tokens::new(SharedKeyring::ephemeral(), TokenConfig::default());
    let now = SystemClock.now();
    let (token, _) = tokens.issue(UserId(1), "bench@example.com", Role::User, "family", now).unwrap();
    let mut g = c.benchmark_group("jwt");
    g.bench_function("eddsa_sign", |b| b.iter(|| tokens.issue(UserId(1), "bench@example.com", Role::User, "family", now).unwrap()));
    g.bench_function("eddsa_verify", |b| b.iter(|| tokens.verify(&token).unwrap()));
    // HS256 for reference only: a shared secret would let every verifier mint tokens.
    let secret = [7u8; 32];
    let claims = serde_json::json!({"sub": "1", "exp": now.unix_timestamp() + 300});
    let hs = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &EncodingKey::from_secret(&secret).unwrap()).unwrap();
    let validation = Validation::new(Algorithm::HS256);
    let key = DecodingKey::from_secret(&secret).unwrap();
    g.bench_function("hs256_verify_reference", |b| {
        b.iter(|| jsonwebtoken::decode::<serde_json::Value>(&hs, &key, &validation).unwrap())
    });
    g.finish();
}

fn argon2(c: &mut Criterion) {
    let rt = runtime();
    let hasher = PasswordHasher::new(HashParams::default(), 1).unwrap();
    let password = Password::parse_new("correct horse battery staple".to_owned()).unwrap();
    let phc = rt.block_on(hasher.hash(&password)).unwrap();
    let mut g = c.benchmark_group("argon2id");
    g.sample_size(20).measurement_time(Duration::from_secs(5));
    g.bench_function("verify_m19456_t2_p1", |b| b.to_async(&rt).iter(|| async { assert!(hasher.verify(&password, &phc).await.unwrap()) }));
    g.finish();
}

/// The engines to measure the stores on: SQLite in a temp dir, plus any named by the environment.
async fn databases(dir: &std::path::Path) -> Vec<(&'static str, Pool)> {
    let mut out = vec![("sqlite", db::connect(&format!("sqlite://{}/bench.db", dir.display()), Duration::from_secs(5)).await.unwrap())];
    if let Ok(admin) = std::env::var("BENCH_DATABASE_URL") {
        use sqlx::Connection;
        let name = format!("sr_bench_{}", std::process::id());
        let mut c = sqlx::PgConnection::connect(&admin).await.unwrap();
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut c).await.unwrap();
        let url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
        out.push(("postgres", db::connect(&url, Duration::from_secs(5)).await.unwrap()));
    }
    out
}

fn stores(c: &mut Criterion) {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let dbs = rt.block_on(databases(dir.path()));
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let mut backends: Vec<(&str, SessionBackend)> = dbs.iter().map(|(n, p)| (*n, SessionBackend::Database(p.clone()))).collect();
    if let Ok(url) = std::env::var("BENCH_REDIS_URL") {
        backends.push(("redis", rt.block_on(SessionBackend::connect_redis(&url, Duration::from_secs(2))).unwrap()));
    }
    let mut g = c.benchmark_group("session_load");
    for (name, backend) in &backends {
        let sessions = Sessions::new(backend.store(), SessionPolicy::default(), clock.clone());
        let (token, _) = rt.block_on(sessions.start(UserId(1), None)).unwrap();
        g.bench_function(*name, |b| b.to_async(&rt).iter(|| async { sessions.resolve(&token).await.unwrap().unwrap() }));
    }
    // The single-instance access cache in front of the SQLite store (what `ACCESS_CACHE=auto`
    // does there): a hit is a map lookup under a mutex.
    let cache = AccessCache::new(Duration::from_secs(60), true);
    let cached = Sessions::with_cache(backends[0].1.store(), SessionPolicy::default(), clock.clone(), cache);
    let (token, _) = rt.block_on(cached.start(UserId(1), None)).unwrap();
    g.bench_function("sqlite_behind_access_cache", |b| b.to_async(&rt).iter(|| async { cached.resolve(&token).await.unwrap().unwrap() }));
    g.finish();

    // The access token's revocation check (REVOCATION_CHECK=on): the family and its owner.
    let mut g = c.benchmark_group("revocation_check");
    for (name, pool) in &dbs {
        for (label, cache) in [("", AccessCache::off()), ("_behind_access_cache", AccessCache::new(Duration::from_secs(60), true))] {
            let users = UserStore::new(pool.clone());
            let email = Email::parse(&format!("revocation{label}@example.com")).unwrap();
            rt.block_on(users.insert(&email, "not-a-hash", Role::User, clock.now())).unwrap();
            let user = rt.block_on(users.find_by_email(&email)).unwrap().unwrap().id;
            let store = RefreshStore::with_cache(pool.clone(), RefreshPolicy::default(), cache);
            let family = rt.block_on(store.start_family(user, clock.now(), None, None)).unwrap().family_id;
            g.bench_function(format!("{name}{label}"), |b| {
                b.to_async(&rt).iter(|| async { store.live_user(user, &family, clock.now()).await.unwrap().unwrap() })
            });
        }
    }
    g.finish();

    let mut g = c.benchmark_group("refresh_rotation");
    for (name, pool) in &dbs {
        let users = UserStore::new(pool.clone());
        let email = Email::parse("bench@example.com").unwrap();
        rt.block_on(users.insert(&email, "not-a-hash", Role::User, clock.now())).unwrap();
        let user = rt.block_on(users.find_by_email(&email)).unwrap().unwrap().id;
        let store = RefreshStore::new(pool.clone(), RefreshPolicy::default());
        let first = rt.block_on(store.start_family(user, clock.now(), None, None)).unwrap();
        let current = std::sync::Mutex::new(RefreshToken::parse(first.token.expose()).unwrap());
        // Each iteration rotates the newest token: one claim, one insert, one family update.
        g.bench_function(*name, |b| {
            b.to_async(&rt).iter(|| async {
                let presented = current.lock().unwrap().clone();
                let next = store.rotate(&presented, clock.now()).await.unwrap().unwrap();
                *current.lock().unwrap() = next.token;
            })
        });
    }
    g.finish();
}

criterion_group!(benches, jwt, argon2, stores);
criterion_main!(benches);
