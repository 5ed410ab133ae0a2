//! Retention (issue 25): how long each kind of finished record is kept, legal holds, and
//! the one rule that says whether a record is due for purging.
//!
//! A record is due when it has been closed, nothing has changed it for its kind's period,
//! and no legal hold is in force on it. A period of `None` keeps records of that kind for
//! ever, which is the default: a deployment opts in to deleting, kind by kind.
//!
//! The clock a period runs from is the record's last change (`updated_at`): closing is a
//! change, and so is anything done to a closed record afterwards, which starts its period
//! again. That errs on the side of keeping.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Microseconds in a day.
pub const MICROS_PER_DAY: i64 = 24 * 60 * 60 * 1_000_000;
/// The longest period a setting may give (a hundred years).
pub const MAX_DAYS: i64 = 36_500;
/// The longest reason for placing or releasing a hold.
pub const MAX_HOLD_REASON: usize = 1000;

/// The kinds of record retention applies to, each with a period of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordType {
    /// A tip (public, or a call to the hotline) that was closed without ever being made
    /// available to a law-enforcement agency.
    UnsubstantiatedTip,
    /// Any other closed report: a provider's, or a tip that was made available.
    ClosedReport,
    /// A closed missing-child case.
    ClosedCase,
    /// A closed recovery plan.
    ClosedPlan,
}

impl RecordType {
    pub const ALL: [RecordType; 4] = [
        RecordType::UnsubstantiatedTip,
        RecordType::ClosedReport,
        RecordType::ClosedCase,
        RecordType::ClosedPlan,
    ];

    /// The name in settings, audit entries and JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            RecordType::UnsubstantiatedTip => "unsubstantiated_tips",
            RecordType::ClosedReport => "closed_reports",
            RecordType::ClosedCase => "closed_cases",
            RecordType::ClosedPlan => "closed_plans",
        }
    }

    /// What a person reads.
    pub const fn label(self) -> &'static str {
        match self {
            RecordType::UnsubstantiatedTip => "Tips never substantiated",
            RecordType::ClosedReport => "Closed reports",
            RecordType::ClosedCase => "Closed cases",
            RecordType::ClosedPlan => "Closed recovery plans",
        }
    }

    /// The kind of record it is, as holds name it.
    pub const fn held_kind(self) -> HeldKind {
        match self {
            RecordType::UnsubstantiatedTip | RecordType::ClosedReport => HeldKind::Report,
            RecordType::ClosedCase => HeldKind::Case,
            RecordType::ClosedPlan => HeldKind::RecoveryPlan,
        }
    }
}

impl fmt::Display for RecordType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a legal hold can be placed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HeldKind {
    Report,
    Case,
    RecoveryPlan,
}

impl HeldKind {
    pub const ALL: [HeldKind; 3] = [HeldKind::Report, HeldKind::Case, HeldKind::RecoveryPlan];

    /// The stored form.
    pub const fn as_str(self) -> &'static str {
        match self {
            HeldKind::Report => "report",
            HeldKind::Case => "case",
            HeldKind::RecoveryPlan => "recovery_plan",
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            HeldKind::Report => "Report",
            HeldKind::Case => "Case",
            HeldKind::RecoveryPlan => "Recovery plan",
        }
    }

    pub fn parse(s: &str) -> Option<HeldKind> {
        HeldKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl fmt::Display for HeldKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How long each record type is kept after its last change, in days; `None` keeps it for
/// ever. The default keeps everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetentionPolicy {
    pub unsubstantiated_tips_days: Option<i64>,
    pub closed_reports_days: Option<i64>,
    pub closed_cases_days: Option<i64>,
    pub closed_plans_days: Option<i64>,
}

impl RetentionPolicy {
    /// The period of `t` in days, if records of that type are ever purged.
    pub fn days(&self, t: RecordType) -> Option<i64> {
        match t {
            RecordType::UnsubstantiatedTip => self.unsubstantiated_tips_days,
            RecordType::ClosedReport => self.closed_reports_days,
            RecordType::ClosedCase => self.closed_cases_days,
            RecordType::ClosedPlan => self.closed_plans_days,
        }
    }

    /// Records of type `t` last changed before this time (UTC microseconds) are past
    /// their period at `now`; `None` when the type is kept for ever.
    pub fn cutoff(&self, t: RecordType, now: i64) -> Option<i64> {
        self.days(t)
            .map(|d| now.saturating_sub(d.saturating_mul(MICROS_PER_DAY)))
    }

    /// Checks every period; the error names the setting.
    pub fn validate(&self) -> Result<(), String> {
        for t in RecordType::ALL {
            if let Some(d) = self.days(t) {
                if !(1..=MAX_DAYS).contains(&d) {
                    return Err(format!(
                        "retention.{}_days = {d}: give 1 to {MAX_DAYS} days, or leave it out to keep these records for ever",
                        t.as_str()
                    ));
                }
            }
        }
        Ok(())
    }

    /// The period in words, for the administrators' page.
    pub fn describe(&self, t: RecordType) -> String {
        match self.days(t) {
            None => "Kept for ever".to_owned(),
            Some(1) => "1 day after the last change".to_owned(),
            Some(d) => format!("{d} days after the last change"),
        }
    }
}

/// A closed record as the purge sees it: its type, when it last changed, and whether a
/// legal hold is in force on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Closed {
    pub record_type: RecordType,
    /// UTC microseconds.
    pub last_changed: i64,
    pub on_hold: bool,
}

/// The rule: is this closed record due for purging at `now`? Past its type's period (a
/// type kept for ever never is) and on no legal hold.
pub fn is_due(policy: &RetentionPolicy, record: &Closed, now: i64) -> bool {
    if record.on_hold {
        return false;
    }
    match policy.cutoff(record.record_type, now) {
        Some(cutoff) => record.last_changed < cutoff,
        None => false,
    }
}

/// Why a hold is placed or released, trimmed; refused when empty or too long.
pub fn hold_reason(reason: &str) -> Result<&str, String> {
    let r = reason.trim();
    if r.is_empty() {
        return Err("Enter the reason: it is kept in the audit log".to_owned());
    }
    if r.chars().count() > MAX_HOLD_REASON {
        return Err(format!(
            "The reason must be {MAX_HOLD_REASON} characters or fewer"
        ));
    }
    Ok(r)
}

/// The digest a purge's audit entry keeps of what it deleted: the SHA-256 input is every
/// record as `kind:id`, sorted by kind then number, joined by commas. This gives the text;
/// hashing is the caller's (this crate has no hash function). An auditor holding a list
/// of candidate records can rebuild it.
pub fn purged_ids_text(ids: &[(HeldKind, i64)]) -> String {
    let mut sorted = ids.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    sorted
        .iter()
        .map(|(k, id)| format!("{}:{id}", k.as_str()))
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_000 * MICROS_PER_DAY;

    fn closed(t: RecordType, days_ago: i64, on_hold: bool) -> Closed {
        Closed {
            record_type: t,
            last_changed: NOW - days_ago * MICROS_PER_DAY,
            on_hold,
        }
    }

    #[test]
    fn nothing_is_due_by_default() {
        let p = RetentionPolicy::default();
        for t in RecordType::ALL {
            assert!(!is_due(&p, &closed(t, 900, false), NOW), "{t}");
            assert_eq!(p.describe(t), "Kept for ever");
        }
        assert!(p.validate().is_ok());
    }

    #[test]
    fn a_record_is_due_only_past_its_own_period_and_off_hold() {
        let p = RetentionPolicy {
            unsubstantiated_tips_days: Some(30),
            closed_reports_days: Some(365),
            closed_cases_days: None,
            closed_plans_days: Some(1),
        };
        assert!(is_due(
            &p,
            &closed(RecordType::UnsubstantiatedTip, 31, false),
            NOW
        ));
        assert!(!is_due(
            &p,
            &closed(RecordType::UnsubstantiatedTip, 29, false),
            NOW
        ));
        // Exactly at the period: not yet.
        assert!(!is_due(
            &p,
            &closed(RecordType::UnsubstantiatedTip, 30, false),
            NOW
        ));
        assert!(!is_due(
            &p,
            &closed(RecordType::ClosedReport, 31, false),
            NOW
        ));
        assert!(is_due(
            &p,
            &closed(RecordType::ClosedReport, 366, false),
            NOW
        ));
        assert!(!is_due(
            &p,
            &closed(RecordType::ClosedCase, 900, false),
            NOW
        ));
        assert!(is_due(&p, &closed(RecordType::ClosedPlan, 2, false), NOW));
        // A legal hold keeps anything.
        for t in RecordType::ALL {
            assert!(!is_due(&p, &closed(t, 900, true), NOW), "{t}");
        }
        assert_eq!(
            p.describe(RecordType::ClosedReport),
            "365 days after the last change"
        );
        assert_eq!(
            p.describe(RecordType::ClosedPlan),
            "1 day after the last change"
        );
    }

    #[test]
    fn periods_are_checked_by_name() {
        let p = RetentionPolicy {
            closed_cases_days: Some(0),
            ..RetentionPolicy::default()
        };
        let e = p.validate().unwrap_err();
        assert!(e.contains("retention.closed_cases_days = 0"), "{e}");
        let p = RetentionPolicy {
            closed_reports_days: Some(MAX_DAYS + 1),
            ..RetentionPolicy::default()
        };
        assert!(p.validate().unwrap_err().contains("closed_reports_days"));
        // Huge periods do not overflow.
        let p = RetentionPolicy {
            closed_reports_days: Some(i64::MAX),
            ..RetentionPolicy::default()
        };
        assert!(!is_due(
            &p,
            &closed(RecordType::ClosedReport, 900, false),
            NOW
        ));
    }

    #[test]
    fn a_hold_needs_a_reason() {
        assert!(hold_reason("  ").is_err());
        assert_eq!(hold_reason(" litigation ").unwrap(), "litigation");
        assert!(hold_reason(&"x".repeat(MAX_HOLD_REASON + 1)).is_err());
        assert_eq!(
            HeldKind::parse("recovery_plan"),
            Some(HeldKind::RecoveryPlan)
        );
        assert_eq!(HeldKind::parse("ad"), None);
    }

    #[test]
    fn purged_ids_are_sorted_by_kind_then_number() {
        let text = purged_ids_text(&[
            (HeldKind::Case, 3),
            (HeldKind::Report, 12),
            (HeldKind::Report, 2),
            (HeldKind::Report, 2),
        ]);
        assert_eq!(text, "report:2,report:12,case:3");
        assert_eq!(purged_ids_text(&[]), "");
    }
}
