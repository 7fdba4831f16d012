//! What a signed-in user does to their own account (devices, password) and what an admin does
//! to anyone's (role, disable, force logout). Every action is audited.

use time::OffsetDateTime;

use crate::{
    audit::{Entry, Event},
    error::{AuthError, StoreError},
    service::{AuthService, ClientInfo},
    session::SessionToken,
    AuthMode, Password, Principal, Role, User, UserId,
};

/// One signed-in browser or client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub mode: AuthMode,
    /// Session: fingerprint of the id. JWT: the family id (not a credential: it signs nothing).
    pub id: String,
    pub created_at: OffsetDateTime,
    pub last_used_at: OffsetDateTime,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
    /// The credential of the request that asked.
    pub current: bool,
}

/// A user as the admin page lists them.
#[derive(Debug, Clone)]
pub struct UserOverview {
    pub user: User,
    pub sessions: usize,
    pub families: usize,
}

impl AuthService {
    /// Every live session and JWT login of the principal's user.
    pub async fn devices(&self, me: &Principal) -> Result<Vec<Device>, StoreError> {
        self.devices_of(me.user_id, Some(me)).await
    }

    async fn devices_of(&self, user: UserId, me: Option<&Principal>) -> Result<Vec<Device>, StoreError> {
        let mut out = Vec::new();
        for s in self.session_index.for_user(user).await? {
            let Some(token) = SessionToken::parse(&s.id) else { continue };
            match self.sessions.peek(&token).await? {
                Some(state) => out.push(Device {
                    mode: AuthMode::Session,
                    current: me.is_some_and(|p| p.session.as_deref() == Some(s.fingerprint.as_str())),
                    id: s.fingerprint,
                    created_at: s.created_at,
                    last_used_at: state.last_seen,
                    user_agent: s.user_agent,
                    ip: s.ip,
                }),
                // Expired or deleted: drop the stale index entry while we are here.
                None => self.session_index.remove(&s.id).await?,
            }
        }
        for f in self.refresh.live_families(user, self.clock.now()).await? {
            out.push(Device {
                mode: AuthMode::Jwt,
                current: me.is_some_and(|p| p.family.as_deref() == Some(f.id.as_str())),
                id: f.id,
                created_at: f.created_at,
                last_used_at: f.last_used_at,
                user_agent: f.user_agent,
                ip: f.ip,
            });
        }
        out.sort_by(|a, b| b.last_used_at.cmp(&a.last_used_at));
        Ok(out)
    }

    /// Ends one of the principal's own devices. `false` if there is no such device.
    pub async fn revoke_device(&self, me: &Principal, mode: AuthMode, id: &str, client: &ClientInfo) -> Result<bool, StoreError> {
        let now = self.clock.now();
        let found = match mode {
            AuthMode::Session => {
                let rows = self.session_index.for_user(me.user_id).await?;
                match rows.into_iter().find(|s| s.fingerprint == id) {
                    Some(s) => {
                        if let Some(t) = SessionToken::parse(&s.id) {
                            self.sessions.end(&t).await?;
                        }
                        self.session_index.remove(&s.id).await?;
                        true
                    }
                    None => false,
                }
            }
            AuthMode::Jwt => {
                let mine = self.refresh.live_families(me.user_id, now).await?.into_iter().any(|f| f.id == id);
                if mine {
                    self.refresh.revoke_family(id, now, "revoked by user").await?;
                }
                mine
            }
        };
        if found {
            let detail = format!("{mode} device {} revoked by its owner", crate::fingerprint(id));
            self.audit.record(Entry::new(Event::Revoked).user(me.user_id, me.email.as_str()).mode(mode).client(client).detail(detail), now).await;
        }
        Ok(found)
    }

    /// Ends every session and JWT login of a user except the ones named in `keep`.
    async fn end_all(&self, user: UserId, keep: Option<&Principal>, reason: &str) -> Result<(usize, u64), StoreError> {
        let now = self.clock.now();
        let mut sessions = 0;
        for s in self.session_index.for_user(user).await? {
            if keep.is_some_and(|p| p.session.as_deref() == Some(s.fingerprint.as_str())) {
                continue;
            }
            if let Some(t) = SessionToken::parse(&s.id) {
                self.sessions.end(&t).await?;
            }
            self.session_index.remove(&s.id).await?;
            sessions += 1;
        }
        let families = self.refresh.revoke_all(user, keep.and_then(|p| p.family.as_deref()), now, reason).await?;
        Ok((sessions, families))
    }

    /// "Sign out everywhere else": every other session and JWT login of the principal's user.
    pub async fn sign_out_others(&self, me: &Principal, client: &ClientInfo) -> Result<(usize, u64), StoreError> {
        let ended = self.end_all(me.user_id, Some(me), "signed out elsewhere").await?;
        let detail = format!("{} sessions and {} token families ended by their owner", ended.0, ended.1);
        self.audit.record(Entry::new(Event::Revoked).user(me.user_id, me.email.as_str()).mode(me.mode).client(client).detail(detail), self.clock.now()).await;
        Ok(ended)
    }

    /// Changes the principal's password (the current one is required) and ends every other
    /// session and JWT login, in both modes.
    pub async fn change_password(&self, me: &Principal, current: &Password, new: &Password, client: &ClientInfo) -> Result<(), AuthError> {
        let user = self.users.find_by_id(me.user_id).await?.ok_or(AuthError::UnknownUser)?;
        if !self.hasher.verify(current, &user.password_hash).await? {
            return Err(AuthError::InvalidCredentials);
        }
        let hash = self.hasher.hash(new).await?;
        self.users.set_password_hash(user.id, &hash).await?;
        let ended = self.end_all(user.id, Some(me), "password changed").await?;
        let detail = format!("{} other sessions and {} other token families ended", ended.0, ended.1);
        self.audit.record(Entry::new(Event::PasswordChanged).user(user.id, user.email.as_str()).mode(me.mode).client(client).detail(detail), self.clock.now()).await;
        Ok(())
    }

    // ----- admin -----

    pub async fn user_overview(&self, admin: &Principal) -> Result<Vec<UserOverview>, AuthError> {
        require_admin(admin)?;
        let mut out = Vec::new();
        for user in self.users.list(500).await? {
            let devices = self.devices_of(user.id, None).await?;
            let sessions = devices.iter().filter(|d| d.mode == AuthMode::Session).count();
            out.push(UserOverview { families: devices.len() - sessions, sessions, user });
        }
        Ok(out)
    }

    /// Session mode sees the new role at the target's next request. JWT mode: at once with
    /// revocation checking on (the check reads the role); with it off, at the next refresh
    /// (access tokens carry the role until they expire).
    pub async fn set_role(&self, admin: &Principal, target: UserId, role: Role, client: &ClientInfo) -> Result<(), AuthError> {
        require_admin(admin)?;
        let user = self.users.find_by_id(target).await?.ok_or(AuthError::UnknownUser)?;
        self.users.set_role(target, role).await?;
        let detail = format!("{} -> {} by {}", user.role, role, admin.email);
        self.audit.record(Entry::new(Event::RoleChanged).user(user.id, user.email.as_str()).client(client).detail(detail), self.clock.now()).await;
        Ok(())
    }

    /// Disabling also signs the user out everywhere.
    pub async fn set_disabled(&self, admin: &Principal, target: UserId, disabled: bool, client: &ClientInfo) -> Result<(), AuthError> {
        require_admin(admin)?;
        if disabled && target == admin.user_id {
            return Err(AuthError::Forbidden);
        }
        let user = self.users.find_by_id(target).await?.ok_or(AuthError::UnknownUser)?;
        self.users.set_disabled(target, disabled, self.clock.now()).await?;
        if disabled {
            self.end_all(target, None, "account disabled").await?;
        }
        let event = if disabled { Event::AccountDisabled } else { Event::AccountEnabled };
        self.audit.record(Entry::new(event).user(user.id, user.email.as_str()).client(client).detail(format!("by {}", admin.email)), self.clock.now()).await;
        Ok(())
    }

    /// Ends every session and JWT login of the user. In JWT mode an access token already issued
    /// dies at once only with revocation checking on; otherwise it lives until `exp`.
    pub async fn force_logout(&self, admin: &Principal, target: UserId, client: &ClientInfo) -> Result<(usize, u64), AuthError> {
        require_admin(admin)?;
        let user = self.users.find_by_id(target).await?.ok_or(AuthError::UnknownUser)?;
        let ended = self.end_all(target, None, "forced logout").await?;
        let detail = format!("{} sessions and {} token families ended by {}", ended.0, ended.1, admin.email);
        self.audit.record(Entry::new(Event::ForceLogout).user(user.id, user.email.as_str()).client(client).detail(detail), self.clock.now()).await;
        Ok(ended)
    }

    pub async fn audit_log(&self, admin: &Principal, filter: &crate::audit::Filter) -> Result<Vec<crate::audit::Record>, AuthError> {
        require_admin(admin)?;
        Ok(self.audit.list(filter).await?)
    }

    /// Records a mode switch (the preference cookie itself is set by the web layer).
    pub async fn record_mode_switch(&self, who: Option<&Principal>, to: AuthMode, client: &ClientInfo) {
        let mut entry = Entry::new(Event::ModeSwitched).mode(to).client(client).detail(format!("switched to {to}"));
        if let Some(p) = who {
            entry = entry.user(p.user_id, p.email.as_str());
        }
        self.audit.record(entry, self.clock.now()).await;
    }
}

fn require_admin(p: &Principal) -> Result<(), AuthError> {
    if p.role == Role::Admin {
        Ok(())
    } else {
        Err(AuthError::Forbidden)
    }
}
