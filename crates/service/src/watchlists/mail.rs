//! Notification e-mail (issue 24): a job per notification, queued in the transaction that
//! raised it and run by the worker (woken at the commit), so sending never blocks or fails
//! linking or an import; a failed attempt is retried with the jobs' backoff. The message
//! says only that a notification is waiting and links to it: no identifier, name, record
//! or words of a case. Sent through the deployment's SMTP server (`lettre`, rustls on the
//! workspace's one crypto provider, aws-lc-rs).

use crate::audit::{audited, By, Subject};
use crate::error::{Result, ServiceError};
use crate::settings::{SmtpSettings, SmtpTls};
use crate::Services;
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use store::watchlists as q;

/// The job that e-mails a watcher about one notification.
pub const MAIL_JOB: &str = "notification_email";

/// An SMTP conversation gives up after this long (and the job is retried).
const SMTP_TIMEOUT: Duration = Duration::from_secs(20);

#[derive(Serialize, Deserialize)]
struct MailPayload {
    notification: i64,
}

/// The subject and body of the message about notification `id`: a link, nothing else.
pub fn message_text(base_url: &str, id: i64) -> (String, String) {
    let link = format!("{}/notifications/{id}", base_url.trim_end_matches('/'));
    (
        "Clearinghouse: you have a new notification".to_owned(),
        format!(
            "You have a new notification in Clearinghouse.\n\n\
             Sign in to read it:\n{link}\n\n\
             This message says nothing else by design:\n\
             what matched stays in Clearinghouse.\n\n\
             You receive it because you asked to be told\n\
             of new notifications on your watchlist.\n"
        ),
    )
}

fn mail_error(e: impl std::error::Error + Send + Sync + 'static) -> ServiceError {
    ServiceError::Internal(Box::new(e))
}

fn transport(s: &SmtpSettings) -> Result<AsyncSmtpTransport<Tokio1Executor>> {
    let mut b = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&s.host)
        .port(s.port)
        .timeout(Some(SMTP_TIMEOUT));
    b = match s.tls {
        SmtpTls::None => b.tls(Tls::None),
        SmtpTls::Starttls => b.tls(Tls::Required(
            TlsParameters::new(s.host.clone()).map_err(mail_error)?,
        )),
        SmtpTls::Tls => b.tls(Tls::Wrapper(
            TlsParameters::new(s.host.clone()).map_err(mail_error)?,
        )),
    };
    if let (Some(u), Some(p)) = (&s.username, &s.password) {
        b = b.credentials(Credentials::new(u.clone(), p.clone()));
    }
    Ok(b.build())
}

impl Services {
    /// In the caller's transaction: a job to e-mail the watcher about notification `id`.
    pub(crate) async fn enqueue_notification_email(
        &self,
        tx: &mut store::Tx,
        id: i64,
    ) -> Result<()> {
        let payload = serde_json::to_string(&MailPayload { notification: id })
            .map_err(|e| ServiceError::Internal(Box::new(e)))?;
        let now = self.now();
        store::jobs::enqueue(&mut **tx, MAIL_JOB, &payload, now, now).await?;
        Ok(())
    }

    /// Runs a [`MAIL_JOB`]: sends the message unless it was sent, the watcher removed
    /// their address, or no SMTP server is configured any more; then records it.
    pub(crate) async fn run_mail_job(&self, payload: &str) -> Result<()> {
        let p: MailPayload = serde_json::from_str(payload).map_err(|e| {
            ServiceError::Invalid(format!("the job's notification is not readable: {e}"))
        })?;
        let Some(smtp) = self.watchlists.smtp.clone() else {
            return Ok(());
        };
        let Some(n) = q::notification(self.store.reader(), p.notification).await? else {
            return Ok(());
        };
        if n.emailed_at.is_some() {
            return Ok(());
        }
        let Some(to) = q::address_of(self.store.reader(), n.user_id).await? else {
            return Ok(());
        };
        let from: Mailbox = smtp
            .from
            .parse()
            .map_err(|e| ServiceError::Invalid(format!("watchlists.smtp.from: {e}")))?;
        let to: Mailbox = to
            .parse()
            .map_err(|e| ServiceError::Invalid(format!("the watcher's address: {e}")))?;
        let (subject, body) = message_text(&smtp.base_url, n.id);
        let message = Message::builder()
            .from(from)
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(mail_error)?;
        transport(&smtp)?.send(message).await.map_err(mail_error)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if q::mark_emailed(&mut *tx, n.id, now).await? {
            audited(
                &mut tx,
                &By::system("notification e-mail", now),
                "notification.email",
                Subject::Other("notification".into(), n.id.to_string()),
                Some(format!("to user {}", n.user_id.0)),
            )
            .await?;
        }
        store::commit(tx).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_carries_a_link_and_nothing_else() {
        let (subject, body) = message_text("https://ch.example/", 42);
        assert!(body.contains("https://ch.example/notifications/42\n"));
        assert!(!subject.contains("42"));
        assert!(!body.contains("phone") && !body.contains("case") && !body.contains("Ad "));
    }
}
