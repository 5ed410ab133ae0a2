//! Organisations, accounts and personal API tokens: creation, password changes, roles,
//! unlocking. Each change is audited in its own transaction.

pub mod auth;

use crate::audit::{audited, By, Subject};
use crate::clock::MICROS_PER_MINUTE;
use crate::crypto::{self, digest};
use crate::error::{Result, ServiceError};
use crate::{Ip, Services};
use domain::org::parse_org_name;
use domain::password::check_new_password;
use domain::{OrgId, OrgKind, Principal, Role, UserId, Username};
use store::{orgs, sessions, tokens, users, OrgRow, TokenRow, UserRow};

/// An account as administrators and the API read it: who it is, where and in which role,
/// and its state; never its password hash or second-factor secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserView {
    pub id: UserId,
    pub org_id: OrgId,
    pub org_name: String,
    pub org_kind: OrgKind,
    pub username: Username,
    pub display_name: String,
    pub role: Role,
    /// The second factor is set up.
    pub totp_enabled: bool,
    /// Locked after failed sign-ins, since then.
    pub locked_at: Option<i64>,
    pub disabled_at: Option<i64>,
    pub created_at: i64,
}

impl UserView {
    /// Who this account acts as.
    pub fn principal(&self) -> Principal {
        Principal {
            user_id: self.id,
            username: self.username.clone(),
            org_id: self.org_id,
            org_kind: self.org_kind,
            role: self.role,
        }
    }
}

impl From<UserRow> for UserView {
    fn from(u: UserRow) -> Self {
        UserView {
            id: u.id,
            org_id: u.org_id,
            org_name: u.org_name,
            org_kind: u.org_kind,
            username: u.username,
            display_name: u.display_name,
            role: u.role,
            totp_enabled: u.totp_enabled,
            locked_at: u.locked_at,
            disabled_at: u.disabled_at,
            created_at: u.created_at,
        }
    }
}

/// An organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgView {
    pub id: OrgId,
    pub name: String,
    pub kind: OrgKind,
    pub created_at: i64,
    /// For law-enforcement agencies: the USPS state and country codes covered.
    pub jurisdiction: Vec<String>,
}

impl From<OrgRow> for OrgView {
    fn from(o: OrgRow) -> Self {
        OrgView {
            id: o.id,
            name: o.name,
            kind: o.kind,
            created_at: o.created_at,
            jurisdiction: o
                .jurisdiction
                .split_whitespace()
                .map(str::to_owned)
                .collect(),
        }
    }
}

/// One of a user's API tokens, without its secret (only its first characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenView {
    pub id: i64,
    pub name: String,
    /// The first characters of the token, to tell tokens apart in a list.
    pub prefix: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub expires_at: Option<i64>,
}

impl From<TokenRow> for TokenView {
    fn from(t: TokenRow) -> Self {
        TokenView {
            id: t.id,
            name: t.name,
            prefix: t.prefix,
            created_at: t.created_at,
            last_used_at: t.last_used_at,
            revoked_at: t.revoked_at,
            expires_at: t.expires_at,
        }
    }
}

/// Who is making a change: a signed-in user, or the operator at the command line.
#[derive(Debug, Clone)]
pub enum Actor {
    User(Principal),
    /// `clearinghouse admin …` run by someone with access to the server.
    Operator,
}

impl Actor {
    /// Who the audit log names for this actor's changes.
    pub(crate) fn by(&self, ip: Ip, at: i64) -> By {
        match self {
            Actor::User(p) => By::person(p, ip, at),
            Actor::Operator => By::operator(ip, at),
        }
    }

    pub(crate) fn require_action(&self, action: domain::Action) -> Result<()> {
        self.require(action)
    }

    fn require(&self, action: domain::Action) -> Result<()> {
        match self {
            Actor::Operator => Ok(()),
            Actor::User(p) if domain::policy::permits(Some(p), action) => Ok(()),
            Actor::User(_) => Err(ServiceError::Forbidden),
        }
    }
}

/// A new account as entered by an administrator.
pub struct NewAccount<'a> {
    pub org_name: &'a str,
    pub username: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    pub password: &'a str,
}

/// A page of a list.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

impl<T> Page<T> {
    pub fn pages(&self) -> i64 {
        ((self.total + self.per_page - 1) / self.per_page).max(1)
    }
}

/// A freshly created API token: the secret is in `token` and is never shown again.
pub struct NewToken {
    pub id: i64,
    pub token: String,
}

impl Services {
    pub async fn create_org(
        &self,
        actor: &Actor,
        name: &str,
        kind: OrgKind,
        ip: Ip,
    ) -> Result<OrgId> {
        actor.require(domain::Action::ManageOrganisations)?;
        let name = parse_org_name(name)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let id = orgs::insert(&mut *tx, &name, kind, now).await?;
        audited(
            &mut tx,
            &actor.by(ip, now),
            "org.create",
            Subject::Org(id),
            Some(kind.as_str().to_string()),
        )
        .await?;
        store::commit(tx).await?;
        Ok(id)
    }

    pub async fn orgs(&self, actor: &Actor) -> Result<Vec<OrgView>> {
        actor.require(domain::Action::ManageOrganisations)?;
        Ok(orgs::list(self.store.reader())
            .await?
            .into_iter()
            .map(OrgView::from)
            .collect())
    }

    pub async fn create_user(&self, actor: &Actor, new: NewAccount<'_>, ip: Ip) -> Result<UserId> {
        actor.require(domain::Action::ManageUsers)?;
        let username = Username::parse(new.username)?;
        let org = orgs::by_name(self.store.reader(), new.org_name.trim())
            .await?
            .ok_or_else(|| {
                ServiceError::Invalid(format!(
                    "no organisation is named `{}`; create it first",
                    new.org_name.trim()
                ))
            })?;
        new.role.check_org(org.kind)?;
        check_new_password(new.password, username.as_str())?;
        let display = new.display_name.trim();
        let display = if display.is_empty() {
            username.as_str()
        } else {
            display
        };
        if display.chars().count() > 200 {
            return Err(ServiceError::Invalid(
                "the display name must be at most 200 characters".into(),
            ));
        }
        let hash = crypto::hash_password(new.password.to_owned()).await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let id = users::insert(
            &mut *tx,
            users::NewUser {
                org_id: org.id,
                username: &username,
                display_name: display,
                role: new.role,
                password_hash: &hash,
            },
            now,
        )
        .await?;
        audited(
            &mut tx,
            &actor.by(ip, now),
            "user.create",
            Subject::User(id),
            Some(new.role.as_str().to_string()),
        )
        .await?;
        store::commit(tx).await?;
        Ok(id)
    }

    pub async fn users_page(
        &self,
        actor: &Actor,
        search: Option<&str>,
        page: i64,
        per_page: i64,
    ) -> Result<Page<UserView>> {
        actor.require(domain::Action::ManageUsers)?;
        let page = page.max(1);
        let per_page = per_page.clamp(1, 200);
        let items = users::list(self.store.reader(), search, per_page, (page - 1) * per_page)
            .await?
            .into_iter()
            .map(UserView::from)
            .collect();
        let total = users::count(self.store.reader(), search).await?;
        Ok(Page {
            items,
            total,
            page,
            per_page,
        })
    }

    pub async fn user_by_username(&self, actor: &Actor, username: &str) -> Result<UserView> {
        actor.require(domain::Action::ManageUsers)?;
        users::by_username(self.store.reader(), &username.trim().to_ascii_lowercase())
            .await?
            .map(UserView::from)
            .ok_or(ServiceError::NotFound("the user"))
    }

    /// An administrator sets a new password; every session of the user ends.
    pub async fn reset_password(
        &self,
        actor: &Actor,
        username: &str,
        password: &str,
        ip: Ip,
    ) -> Result<()> {
        let user = self.user_by_username(actor, username).await?;
        check_new_password(password, user.username.as_str())?;
        let hash = crypto::hash_password(password.to_owned()).await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        users::set_password(&mut *tx, user.id, &hash, now).await?;
        sessions::delete_for_user(&mut *tx, user.id).await?;
        // Whoever reset it may have done so because the account was taken over: its
        // tokens go with its password.
        tokens::revoke_all_for_user(&mut *tx, user.id, now).await?;
        audited(
            &mut tx,
            &actor.by(ip, now),
            "user.password_reset",
            Subject::User(user.id),
            None,
        )
        .await?;
        store::commit(tx).await?;
        Ok(())
    }

    /// A user changes their own password, proving they know the current one.
    pub async fn change_own_password(
        &self,
        who: &Principal,
        current: &str,
        new: &str,
        ip: Ip,
    ) -> Result<()> {
        let user = self.user(who.user_id).await?;
        if !crypto::verify_password(current.to_owned(), Some(user.password_hash.clone())).await? {
            return Err(ServiceError::Invalid(
                "the current password is not correct".into(),
            ));
        }
        check_new_password(new, user.username.as_str())?;
        let hash = crypto::hash_password(new.to_owned()).await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        users::set_password(&mut *tx, user.id, &hash, now).await?;
        sessions::delete_for_user(&mut *tx, user.id).await?;
        tokens::revoke_all_for_user(&mut *tx, user.id, now).await?;
        audited(
            &mut tx,
            &By::person(who, ip, now),
            "user.password_change",
            Subject::User(user.id),
            None,
        )
        .await?;
        store::commit(tx).await?;
        Ok(())
    }

    /// Changes a user's role; every session of the user ends, so the new role applies at once.
    pub async fn set_role(&self, actor: &Actor, username: &str, role: Role, ip: Ip) -> Result<()> {
        let user = self.user_by_username(actor, username).await?;
        role.check_org(user.org_kind)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        users::set_role(&mut *tx, user.id, role).await?;
        sessions::delete_for_user(&mut *tx, user.id).await?;
        audited(
            &mut tx,
            &actor.by(ip, now),
            "user.role_change",
            Subject::User(user.id),
            Some(format!("{} -> {}", user.role, role)),
        )
        .await?;
        store::commit(tx).await?;
        Ok(())
    }

    /// Unlocks a locked account and clears its failed attempts. Administrators only.
    pub async fn unlock(&self, actor: &Actor, username: &str, ip: Ip) -> Result<()> {
        let user = self.user_by_username(actor, username).await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        users::set_locked(&mut *tx, user.id, None).await?;
        users::clear_failures(&mut *tx, user.id).await?;
        audited(
            &mut tx,
            &actor.by(ip, now),
            "user.unlock",
            Subject::User(user.id),
            None,
        )
        .await?;
        store::commit(tx).await?;
        Ok(())
    }

    /// Removes a user's second factor (lost phone, no recovery codes); they enrol again at
    /// their next sign-in.
    pub async fn reset_second_factor(&self, actor: &Actor, username: &str, ip: Ip) -> Result<()> {
        let user = self.user_by_username(actor, username).await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        users::set_totp(&mut *tx, user.id, None, false, 0).await?;
        users::replace_recovery_codes(&mut tx, user.id, &[]).await?;
        sessions::delete_for_user(&mut *tx, user.id).await?;
        tokens::revoke_all_for_user(&mut *tx, user.id, now).await?;
        audited(
            &mut tx,
            &actor.by(ip, now),
            "user.second_factor_reset",
            Subject::User(user.id),
            None,
        )
        .await?;
        store::commit(tx).await?;
        Ok(())
    }

    /// Creates a personal API token for `username`. A user may create their own; an
    /// operator may create one for any account (for provider API clients and scripts).
    pub async fn create_token(
        &self,
        actor: &Actor,
        username: &str,
        name: &str,
        ip: Ip,
    ) -> Result<NewToken> {
        let user_id = match actor {
            Actor::User(p) if p.username.as_str() == username.trim().to_ascii_lowercase() => {
                self.user(p.user_id).await?.id
            }
            _ => self.user_by_username(actor, username).await?.id,
        };
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(ServiceError::Invalid(
                "give the token a name of 1 to 100 characters, e.g. the script that uses it".into(),
            ));
        }
        let token = format!("ch_{}", crypto::random_token());
        let prefix: String = token.chars().take(8).collect();
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let expires = now + self.settings.token_days * 24 * 60 * MICROS_PER_MINUTE;
        let id = tokens::insert(
            &mut *tx,
            user_id,
            name,
            &digest(&token),
            &prefix,
            now,
            expires,
        )
        .await?;
        audited(
            &mut tx,
            &actor.by(ip, now),
            "token.create",
            Subject::Other("api_token".into(), id.to_string()),
            None,
        )
        .await?;
        store::commit(tx).await?;
        Ok(NewToken { id, token })
    }

    pub async fn own_tokens(&self, who: &Principal) -> Result<Vec<TokenView>> {
        Ok(tokens::list_for_user(self.store.reader(), who.user_id)
            .await?
            .into_iter()
            .map(TokenView::from)
            .collect())
    }

    pub async fn revoke_own_token(&self, who: &Principal, id: i64, ip: Ip) -> Result<()> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if !tokens::revoke(&mut *tx, who.user_id, id, now).await? {
            return Err(ServiceError::NotFound("the token"));
        }
        audited(
            &mut tx,
            &By::person(who, ip, now),
            "token.revoke",
            Subject::Other("api_token".into(), id.to_string()),
            None,
        )
        .await?;
        store::commit(tx).await?;
        Ok(())
    }

    /// True when no account exists yet (a fresh installation).
    pub async fn is_empty(&self) -> Result<bool> {
        Ok(users::count_all(self.store.reader()).await? == 0)
    }
}
