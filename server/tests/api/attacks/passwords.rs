//! The password policy: length, no composition rules, common passwords refused, passphrases
//! taken whole, outdated hashes upgraded at the next login.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

async fn register(app: &TestApp, email: &str, password: &str) -> reqwest::Response {
    app.post_json("/api/auth/register", &json!({"email": email, "password": password}), None).await
}

#[tokio::test]
async fn common_passwords_are_refused_with_a_clear_message() {
    let app = spawn_app().await;
    for common in ["password1", "qwertyuiop", "iloveyou", "P@ssw0rd"] {
        let message = assert_error(register(&app, "p@example.com", common).await, StatusCode::BAD_REQUEST, "invalid_password").await;
        assert!(message.contains("most common passwords"), "{message}");
    }
    // No composition rules: all lower case, no digits, fine.
    assert_eq!(register(&app, "p@example.com", "purple elephant marmalade").await.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn a_long_passphrase_is_used_whole_without_truncation() {
    let app = spawn_app().await;
    let long: String = "correct horse battery staple ".repeat(5).chars().take(128).collect();
    assert_eq!(long.chars().count(), 128);
    assert_eq!(register(&app, "long@example.com", &long).await.status(), StatusCode::CREATED);
    let app = &app;
    let login =
        |pw: String| async move { app.post_json("/api/auth/login", &json!({"email": "long@example.com", "password": pw}), None).await.status() };
    assert_eq!(login(long.clone()).await, StatusCode::OK);
    // Differs only in the last character: a truncating hash (bcrypt stops at 72 bytes) would accept it.
    let mut other = long.clone();
    other.pop();
    other.push('!');
    assert_eq!(login(other).await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_hash_with_outdated_parameters_is_upgraded_at_the_next_login() {
    let app = spawn_app().await;
    app.register("old@example.com").await;
    // Replace the stored hash with one made at a lower, outdated cost.
    let weak = auth::PasswordHasher::new(auth::password::HashParams { memory_kib: 8192, iterations: 1, parallelism: 1 }, 1).unwrap();
    let old_hash = weak.hash(&auth::Password::parse_new(PASSWORD.into()).unwrap()).await.unwrap();
    let db = app.db().await;
    sqlx::query("UPDATE users SET password_hash = $1 WHERE email = 'old@example.com'").bind(&old_hash).execute(&db).await.unwrap();

    app.login("old@example.com").await;
    let stored: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE email = 'old@example.com'").fetch_one(&db).await.unwrap();
    assert_ne!(stored, old_hash);
    assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{stored}");
    // And it still verifies.
    app.login("old@example.com").await;
}
