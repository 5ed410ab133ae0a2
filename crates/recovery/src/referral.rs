//! The referral workflow: from a plan to a service of the directory, proposed → sent →
//! accepted → engaged → completed, or declined / no capacity / withdrawn. Each move carries
//! a reason and a date; the outcome is recorded at the end. [`allowed`] is the one place
//! that says which moves exist, with the words a button shows.

use crate::model::{optional_text, required_text, ModelError, MAX_LONG};
use serde::{Deserialize, Serialize};

/// Where a referral stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferralStatus {
    Proposed,
    Sent,
    Accepted,
    Engaged,
    Completed,
    Declined,
    NoCapacity,
    Withdrawn,
}

/// What was wrong with a move.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferralError {
    #[error("'{0}' is not a referral status (one of: proposed, sent, accepted, engaged, completed, declined, no_capacity, withdrawn)")]
    UnknownStatus(String),
    #[error(
        "a referral that is {from} cannot become {to}; reload the page to see where it stands"
    )]
    NotAllowed {
        from: &'static str,
        to: &'static str,
    },
    #[error(transparent)]
    Field(#[from] ModelError),
    #[error("a completed referral needs its outcome: say what came of it")]
    NoOutcome,
}

impl ReferralStatus {
    pub const ALL: [ReferralStatus; 8] = [
        ReferralStatus::Proposed,
        ReferralStatus::Sent,
        ReferralStatus::Accepted,
        ReferralStatus::Engaged,
        ReferralStatus::Completed,
        ReferralStatus::Declined,
        ReferralStatus::NoCapacity,
        ReferralStatus::Withdrawn,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ReferralStatus::Proposed => "proposed",
            ReferralStatus::Sent => "sent",
            ReferralStatus::Accepted => "accepted",
            ReferralStatus::Engaged => "engaged",
            ReferralStatus::Completed => "completed",
            ReferralStatus::Declined => "declined",
            ReferralStatus::NoCapacity => "no_capacity",
            ReferralStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ReferralStatus::Proposed => "Proposed",
            ReferralStatus::Sent => "Sent",
            ReferralStatus::Accepted => "Accepted",
            ReferralStatus::Engaged => "Engaged",
            ReferralStatus::Completed => "Completed",
            ReferralStatus::Declined => "Declined",
            ReferralStatus::NoCapacity => "No capacity",
            ReferralStatus::Withdrawn => "Withdrawn",
        }
    }

    pub fn parse(code: &str) -> Result<ReferralStatus, ReferralError> {
        let c = code.trim();
        ReferralStatus::ALL
            .into_iter()
            .find(|s| s.code() == c)
            .ok_or_else(|| ReferralError::UnknownStatus(c.to_owned()))
    }

    /// No move leaves it.
    pub fn is_final(self) -> bool {
        allowed(self).is_empty()
    }
}

/// A move a person may make, with the words its button shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Move {
    pub to: ReferralStatus,
    pub label: &'static str,
}

const fn mv(to: ReferralStatus, label: &'static str) -> Move {
    Move { to, label }
}

/// The moves from `from`. Withdrawing is open until the end; a service answers a sent
/// referral (accept, decline, no capacity); only an accepted one can become engaged.
pub fn allowed(from: ReferralStatus) -> &'static [Move] {
    use ReferralStatus::*;
    const WITHDRAW: Move = mv(Withdrawn, "Withdraw the referral");
    const FROM_PROPOSED: [Move; 2] = [mv(Sent, "Mark as sent to the service"), WITHDRAW];
    const FROM_SENT: [Move; 4] = [
        mv(Accepted, "The service accepted"),
        mv(Declined, "The service declined"),
        mv(NoCapacity, "The service has no capacity"),
        WITHDRAW,
    ];
    const FROM_ACCEPTED: [Move; 2] = [mv(Engaged, "The young person engaged"), WITHDRAW];
    const FROM_ENGAGED: [Move; 2] = [mv(Completed, "Completed: record the outcome"), WITHDRAW];
    match from {
        Proposed => &FROM_PROPOSED,
        Sent => &FROM_SENT,
        Accepted => &FROM_ACCEPTED,
        Engaged => &FROM_ENGAGED,
        Completed | Declined | NoCapacity | Withdrawn => &[],
    }
}

/// A checked move: its status, reason and (at the end) outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedMove {
    pub to: ReferralStatus,
    pub reason: String,
    pub outcome: Option<String>,
}

/// Checks a move from `from`: allowed, with a reason, and an outcome when completed.
pub fn check_move(
    from: ReferralStatus,
    to: ReferralStatus,
    reason: &str,
    outcome: &str,
) -> Result<CheckedMove, ReferralError> {
    if !allowed(from).iter().any(|m| m.to == to) {
        return Err(ReferralError::NotAllowed {
            from: from.label(),
            to: to.label(),
        });
    }
    let reason = required_text("the reason", reason, MAX_LONG)?;
    let outcome = if to.is_final() {
        optional_text("the outcome", outcome, MAX_LONG)?
    } else {
        None
    };
    if to == ReferralStatus::Completed && outcome.is_none() {
        return Err(ReferralError::NoOutcome);
    }
    Ok(CheckedMove {
        to,
        reason,
        outcome,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use ReferralStatus::*;

    #[test]
    fn the_happy_path_runs_to_completion() {
        let mut s = Proposed;
        for to in [Sent, Accepted, Engaged] {
            s = check_move(s, to, "as agreed", "").unwrap().to;
        }
        assert_eq!(
            check_move(s, Completed, "done", ""),
            Err(ReferralError::NoOutcome)
        );
        let done = check_move(s, Completed, "done", "Housed for six months").unwrap();
        assert_eq!(done.outcome.as_deref(), Some("Housed for six months"));
        assert!(done.to.is_final());
    }

    #[test]
    fn a_move_needs_a_reason_and_must_be_allowed() {
        assert!(matches!(
            check_move(Proposed, Sent, " ", ""),
            Err(ReferralError::Field(_))
        ));
        assert!(matches!(
            check_move(Proposed, Engaged, "x", ""),
            Err(ReferralError::NotAllowed { .. })
        ));
    }

    proptest! {
        #[test]
        fn codes_round_trip(i in 0usize..8) {
            let s = ReferralStatus::ALL[i];
            prop_assert_eq!(ReferralStatus::parse(s.code()), Ok(s));
        }

        /// Any walk of allowed moves ends within four moves, never returns to proposed,
        /// and every move has a label.
        #[test]
        fn walks_end_and_never_go_back(choices in proptest::collection::vec(0usize..4, 0..10)) {
            let mut s = Proposed;
            let mut steps = 0;
            for c in choices {
                let moves = allowed(s);
                if moves.is_empty() { break; }
                let m = moves[c % moves.len()];
                prop_assert!(!m.label.is_empty());
                prop_assert_ne!(m.to, Proposed);
                prop_assert!(m.to > s || m.to.is_final());
                s = check_move(s, m.to, "reason", "outcome").unwrap().to;
                steps += 1;
            }
            prop_assert!(steps <= 4);
        }

        #[test]
        fn nothing_leaves_a_final_status(i in 0usize..8, j in 0usize..8) {
            let (from, to) = (ReferralStatus::ALL[i], ReferralStatus::ALL[j]);
            if from.is_final() {
                prop_assert!(check_move(from, to, "r", "o").is_err());
            }
        }
    }
}
