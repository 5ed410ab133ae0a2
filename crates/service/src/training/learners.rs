//! Learner accounts: self-registration with a one-time email verification link (queued in
//! the outbox: the product sends no mail itself), sign-in with a lockout after repeated
//! failures, sessions of their own (never a staff session), and law-enforcement
//! verification: a learner asks with agency, badge or ID number and work email; hotline
//! staff approve or refuse, audited, and see how long each request has waited.

use super::{LearnerView, VerificationView};
use crate::audit::{audited, By, Subject};
use crate::crypto;
use crate::error::{Result, ServiceError};
use crate::{Ip, Services};
use domain::{Action, Principal};
use store::training as st;

/// Failed sign-ins in a row before a learner account waits.
const MAX_FAILURES: i64 = 5;
const LOCK_MICROS: i64 = 15 * 60 * 1_000_000;
/// A learner session lasts a working day.
const SESSION_MICROS: i64 = 12 * 3600 * 1_000_000;

fn learner_subject(id: i64) -> Subject {
    Subject::Other("learner".into(), id.to_string())
}

/// An email address as learners type it: trimmed, lower-cased, one `@` with a dot after it.
pub fn normalise_email(raw: &str) -> Result<String> {
    let e = raw.trim().to_lowercase();
    let ok = e.len() <= 254
        && !e.contains(char::is_whitespace)
        && e.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.contains('@')
        });
    if ok {
        Ok(e)
    } else {
        Err(ServiceError::Invalid(
            "Enter an email address in the correct format, like name@example.org".into(),
        ))
    }
}

/// What a new learner enters.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct Registration {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub password: String,
}

/// What a law-enforcement learner enters to be verified.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct VerificationAsk {
    #[serde(default)]
    pub agency: String,
    #[serde(default)]
    pub badge: String,
    #[serde(default)]
    pub work_email: String,
}

/// A problem with one field of a learner's form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    pub field: &'static str,
    pub message: String,
}

fn view(l: st::LearnerRow) -> LearnerView {
    LearnerView {
        id: l.id,
        email: l.email,
        name: l.display_name,
        le_verified: l.le_verified_at.is_some(),
    }
}

impl Services {
    async fn queue_message(
        &self,
        tx: &mut store::Tx,
        to: &str,
        subject: &str,
        body: &str,
    ) -> Result<()> {
        st::queue_message(&mut **tx, to, subject, body, self.now()).await?;
        if self.log_outbox {
            tracing::info!(to, subject, body, "outbox (demo: no mail is sent)");
        }
        Ok(())
    }

    /// Registers a learner and queues the verification link (`/training/verify-email?token=`).
    /// Field problems come back together, so the form can show them all.
    pub async fn register_learner(
        &self,
        r: &Registration,
        ip: Ip,
    ) -> Result<std::result::Result<(), Vec<FieldProblem>>> {
        let mut problems = Vec::new();
        let name = r.name.trim();
        if name.is_empty() || name.chars().count() > 120 {
            problems.push(FieldProblem {
                field: "name",
                message:
                    "Enter your name as it should appear on certificates (at most 120 characters)"
                        .into(),
            });
        }
        let email = match normalise_email(&r.email) {
            Ok(e) => Some(e),
            Err(e) => {
                problems.push(FieldProblem {
                    field: "email",
                    message: e.to_string(),
                });
                None
            }
        };
        if let Err(e) =
            domain::password::check_new_password(&r.password, email.as_deref().unwrap_or(""))
        {
            let msg = e.to_string();
            problems.push(FieldProblem {
                field: "password",
                message: format!(
                    "Choose another password: {}",
                    msg.trim_start_matches("weak password: ")
                ),
            });
        }
        let Some(email) = email.filter(|_| problems.is_empty()) else {
            return Ok(Err(problems));
        };
        let hash = crypto::hash_password(r.password.clone()).await?;
        let token = crypto::random_token();
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let id =
            match st::insert_learner(&mut *tx, &email, name, &hash, &crypto::digest(&token), now)
                .await
            {
                Ok(id) => id,
                Err(store::StoreError::Conflict(_)) => {
                    return Ok(Err(vec![FieldProblem {
                        field: "email",
                        message:
                            "There is already a learner account with this email: sign in instead"
                                .into(),
                    }]))
                }
                Err(e) => return Err(e.into()),
            };
        audited(
            &mut tx,
            &By::learner(id, ip, now),
            "learner.register",
            learner_subject(id),
            None,
        )
        .await?;
        self.queue_message(
            &mut tx,
            &email,
            "Confirm your email for Clearinghouse training",
            &format!(
                "Hello {name},\n\nTo confirm your email and start training, open \
                 /training/verify-email?token={token}\n\nIf you did not register, ignore this message."
            ),
        )
        .await?;
        store::commit(tx).await?;
        Ok(Ok(()))
    }

    /// Uses an email verification token: the learner, now able to sign in.
    pub async fn verify_learner_email(&self, token: &str, ip: Ip) -> Result<()> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let Some(id) = st::verify_email(&mut *tx, &crypto::digest(token.trim()), now).await? else {
            return Err(ServiceError::Invalid(
                "This confirmation link is not valid or was already used. If you already \
                 confirmed your email, sign in; otherwise register again."
                    .into(),
            ));
        };
        audited(
            &mut tx,
            &By::learner(id, ip, now),
            "learner.verify_email",
            learner_subject(id),
            None,
        )
        .await?;
        store::commit(tx).await?;
        Ok(())
    }

    /// Signs a learner in: the session token for the learner cookie.
    pub async fn learner_sign_in(&self, email: &str, password: &str, ip: Ip) -> Result<String> {
        let now = self.now();
        let email = email.trim().to_lowercase();
        let learner = st::learner_by_email(self.store.reader(), &email).await?;
        let hash = learner.as_ref().map(|l| l.password_hash.clone());
        // Verified even without an account, so the time taken does not say which emails exist.
        let ok = crypto::verify_password(password.to_owned(), hash).await?;
        let Some(l) = learner else {
            return Err(ServiceError::InvalidCredentials);
        };
        if l.locked_until.is_some_and(|t| t > now) {
            return Err(ServiceError::ForbiddenHere(
                "There were too many failed sign-ins to this account. Wait 15 minutes, then try again.".into(),
            ));
        }
        let mut tx = self.store.begin().await?;
        if !ok {
            st::failed_login(&mut *tx, l.id, MAX_FAILURES, now + LOCK_MICROS).await?;
            audited(
                &mut tx,
                &By::learner(l.id, ip, now),
                "learner.sign_in_failed",
                learner_subject(l.id),
                None,
            )
            .await?;
            store::commit(tx).await?;
            return Err(ServiceError::InvalidCredentials);
        }
        if l.email_verified_at.is_none() {
            return Err(ServiceError::ForbiddenHere(format!(
                "Confirm your email first: open the link in the message we sent to {}.",
                l.email
            )));
        }
        st::reset_failed_logins(&mut *tx, l.id).await?;
        let token = crypto::random_token();
        st::insert_session(
            &mut *tx,
            &crypto::digest(&token),
            l.id,
            now,
            now + SESSION_MICROS,
        )
        .await?;
        audited(
            &mut tx,
            &By::learner(l.id, ip, now),
            "learner.sign_in",
            learner_subject(l.id),
            None,
        )
        .await?;
        store::commit(tx).await?;
        Ok(token)
    }

    /// The learner of a session cookie, if it is valid.
    pub async fn learner_session(&self, token: &str) -> Result<Option<LearnerView>> {
        Ok(
            st::session_learner(self.store.reader(), &crypto::digest(token), self.now())
                .await?
                .map(view),
        )
    }

    pub async fn learner_sign_out(&self, token: &str) -> Result<()> {
        let mut tx = self.store.begin().await?;
        st::delete_session(&mut *tx, &crypto::digest(token)).await?;
        store::commit(tx).await?;
        Ok(())
    }

    /// The newest messages queued to an address: for the demo's log and for tests, which
    /// read verification links here as a learner would in their mailbox.
    pub async fn outbox_to(&self, email: &str) -> Result<Vec<(String, String)>> {
        Ok(
            st::messages_to(self.store.reader(), &email.trim().to_lowercase(), 20)
                .await?
                .into_iter()
                .map(|m| (m.subject, m.body))
                .collect(),
        )
    }

    /// The outbox for an administrator: (to, subject, body, queued at), newest first. The
    /// product sends no mail; until a mail relay reads this table, an administrator can
    /// pass a confirmation link on by hand.
    pub async fn outbox(&self, who: &Principal) -> Result<Vec<(String, String, String, i64)>> {
        if !domain::policy::permits(Some(who), Action::ManageUsers) {
            return Err(ServiceError::Forbidden);
        }
        Ok(st::messages(self.store.reader(), 100)
            .await?
            .into_iter()
            .map(|m| (m.to_address, m.subject, m.body, m.created_at))
            .collect())
    }

    /// A learner's newest verification request, with how long it has waited.
    pub async fn my_verification(&self, learner: &LearnerView) -> Result<Option<VerificationView>> {
        let now = self.now();
        Ok(st::latest_request_of(self.store.reader(), learner.id)
            .await?
            .map(|r| VerificationView::from_row(r, now)))
    }

    /// A learner asks to be verified as law enforcement. One open request at a time.
    pub async fn request_verification(
        &self,
        learner: &LearnerView,
        ask: &VerificationAsk,
        ip: Ip,
    ) -> Result<std::result::Result<(), Vec<FieldProblem>>> {
        let mut problems = Vec::new();
        let agency = ask.agency.trim();
        let badge = ask.badge.trim();
        if agency.is_empty() || agency.chars().count() > 200 {
            problems.push(FieldProblem {
                field: "agency",
                message: "Enter the name of your agency (at most 200 characters)".into(),
            });
        }
        if badge.is_empty() || badge.chars().count() > 60 {
            problems.push(FieldProblem {
                field: "badge",
                message: "Enter your badge or ID number (at most 60 characters)".into(),
            });
        }
        let work_email = match normalise_email(&ask.work_email) {
            Ok(e) => e,
            Err(e) => {
                problems.push(FieldProblem {
                    field: "work_email",
                    message: format!("{e}: use your agency's work address"),
                });
                String::new()
            }
        };
        if !problems.is_empty() {
            return Ok(Err(problems));
        }
        if learner.le_verified {
            return Err(ServiceError::Conflict(
                "You are already verified as law enforcement.".into(),
            ));
        }
        if let Some(r) = st::latest_request_of(self.store.reader(), learner.id).await? {
            if r.decided_at.is_none() {
                return Err(ServiceError::Conflict(
                    "Your request is already waiting for a verifier; it may take up to 24 hours."
                        .into(),
                ));
            }
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let id = st::insert_request(&mut *tx, learner.id, agency, badge, &work_email, now).await?;
        audited(
            &mut tx,
            &By::learner(learner.id, ip, now),
            "learner.request_verification",
            Subject::Other("verification_request".into(), id.to_string()),
            None,
        )
        .await?;
        store::commit(tx).await?;
        Ok(Ok(()))
    }

    /// The verifiers' queue: waiting requests first (oldest first), then recent decisions.
    pub async fn verification_queue(&self, who: &Principal) -> Result<Vec<VerificationView>> {
        if !domain::policy::permits(Some(who), Action::VerifyLearners) {
            return Err(ServiceError::Forbidden);
        }
        let now = self.now();
        let mut conn = self
            .store
            .reader()
            .acquire()
            .await
            .map_err(store::StoreError::from)?;
        Ok(st::requests(&mut conn, 50)
            .await?
            .into_iter()
            .map(|r| VerificationView::from_row(r, now))
            .collect())
    }

    /// Approves (the learner is verified) or refuses (with a reason the learner sees) an
    /// open request. Audited with the decision.
    pub async fn decide_verification(
        &self,
        who: &Principal,
        id: i64,
        approve: bool,
        reason: &str,
        ip: Ip,
    ) -> Result<()> {
        if !domain::policy::permits(Some(who), Action::VerifyLearners) {
            return Err(ServiceError::Forbidden);
        }
        let reason = reason.trim();
        if !approve && reason.is_empty() {
            return Err(ServiceError::Invalid(
                "Say why the request is refused: the learner sees the reason.".into(),
            ));
        }
        if reason.chars().count() > 1000 {
            return Err(ServiceError::Invalid(
                "Keep the reason under 1,000 characters.".into(),
            ));
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        st::request_by_id(&mut *tx, id).await.map_err(|e| match e {
            store::StoreError::NotFound => ServiceError::NotFound("the verification request"),
            e => e.into(),
        })?;
        let reason_opt = (!reason.is_empty()).then_some(reason);
        if !st::decide(&mut tx, id, approve, who.username.as_str(), reason_opt, now).await? {
            return Err(ServiceError::Conflict(
                "This request was already decided, perhaps by another verifier.".into(),
            ));
        }
        audited(
            &mut tx,
            &By::person(who, ip, now),
            if approve {
                "training.verification_approved"
            } else {
                "training.verification_refused"
            },
            Subject::Other("verification_request".into(), id.to_string()),
            reason_opt.map(str::to_owned),
        )
        .await?;
        store::commit(tx).await?;
        Ok(())
    }

    /// A learner by email: for the demo seed and tests.
    #[doc(hidden)]
    pub async fn learner_by_email_for_seed(&self, email: &str) -> Result<Option<LearnerView>> {
        Ok(
            st::learner_by_email(self.store.reader(), &email.trim().to_lowercase())
                .await?
                .map(view),
        )
    }
}
