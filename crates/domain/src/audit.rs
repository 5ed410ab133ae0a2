//! The audit chain: every entry carries the hash of the one before it, so that altering,
//! removing or reordering an entry breaks the chain at that point and `verify` can name it.
//!
//! Only the hashing and the verification live here (pure); storage appends entries in the
//! same transaction as the change they record.

use serde::Serialize;
use sha2::{Digest, Sha256};

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit entry as stored. `at_micros` is UTC microseconds since the Unix epoch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at_micros: i64,
    pub actor_user_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub record_type: Option<String>,
    pub record_id: Option<String>,
    pub ip: Option<String>,
    pub detail: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// What an entry says, before it is chained.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NewAuditEntry {
    pub actor_user_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub record_type: Option<String>,
    pub record_id: Option<String>,
    pub ip: Option<String>,
    pub detail: Option<String>,
}

impl NewAuditEntry {
    pub fn new(actor: impl Into<String>, action: impl Into<String>) -> Self {
        NewAuditEntry {
            actor: actor.into(),
            action: action.into(),
            ..Default::default()
        }
    }
    pub fn by(mut self, user_id: i64) -> Self {
        self.actor_user_id = Some(user_id);
        self
    }
    pub fn record(mut self, kind: &str, id: impl ToString) -> Self {
        self.record_type = Some(kind.to_owned());
        self.record_id = Some(id.to_string());
        self
    }
    /// The entry is about one of the records links join (a report, a case, an ad).
    pub fn about(self, record: impl Into<crate::RecordRef>) -> Self {
        let r = record.into();
        self.record(r.kind.as_str(), r.id)
    }

    pub fn ip(mut self, ip: Option<String>) -> Self {
        self.ip = ip;
        self
    }
    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// Chains this entry after `prev_hash` as number `seq`.
    pub fn chain(self, seq: i64, at_micros: i64, prev_hash: &str) -> AuditEntry {
        let mut e = AuditEntry {
            seq,
            at_micros,
            actor_user_id: self.actor_user_id,
            actor: self.actor,
            action: self.action,
            record_type: self.record_type,
            record_id: self.record_id,
            ip: self.ip,
            detail: self.detail,
            prev_hash: prev_hash.to_owned(),
            hash: String::new(),
        };
        e.hash = entry_hash(&e);
        e
    }
}

/// The hash of an entry's content and its predecessor's hash. Fields are length-prefixed
/// so that moving characters between fields changes the hash.
pub fn entry_hash(e: &AuditEntry) -> String {
    let mut h = Sha256::new();
    let mut field = |b: &[u8]| {
        h.update((b.len() as u64).to_be_bytes());
        h.update(b);
    };
    field(e.prev_hash.as_bytes());
    field(&e.seq.to_be_bytes());
    field(&e.at_micros.to_be_bytes());
    let opt = |o: &Option<String>| o.clone().unwrap_or_else(|| "\u{0}".into());
    field(
        e.actor_user_id
            .map(|i| i.to_string())
            .unwrap_or_else(|| "\u{0}".into())
            .as_bytes(),
    );
    field(e.actor.as_bytes());
    field(e.action.as_bytes());
    field(opt(&e.record_type).as_bytes());
    field(opt(&e.record_id).as_bytes());
    field(opt(&e.ip).as_bytes());
    field(opt(&e.detail).as_bytes());
    hex::encode(h.finalize())
}

/// The first break found in the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Break {
    /// The sequence number of the first entry that is not as it was written.
    pub seq: i64,
    pub problem: Problem,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Problem {
    /// The entry's content no longer matches its hash.
    Altered,
    /// An entry with this number is missing.
    Removed,
    /// The entry does not follow its predecessor: moved, or inserted.
    Reordered,
}

impl std::fmt::Display for Break {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.problem {
            Problem::Altered => write!(
                f,
                "entry {} was altered: its content does not match its hash",
                self.seq
            ),
            Problem::Removed => write!(f, "entry {} was removed: the chain skips it", self.seq),
            Problem::Reordered => write!(
                f,
                "entry {} was reordered or inserted: it does not follow entry {}",
                self.seq,
                self.seq - 1
            ),
        }
    }
}

/// Incremental verifier: feed entries in `seq` order, then `finish` with the chain head
/// (the last sequence number and hash that storage recorded separately), which catches
/// the removal of the newest entries.
#[derive(Debug)]
pub struct Verifier {
    expected_seq: i64,
    prev_hash: String,
    checked: u64,
    broken: Option<Break>,
}

impl Default for Verifier {
    fn default() -> Self {
        Verifier {
            expected_seq: 1,
            prev_hash: GENESIS.to_owned(),
            checked: 0,
            broken: None,
        }
    }
}

impl Verifier {
    /// Returns false once the chain is broken (no need to read further).
    pub fn push(&mut self, e: &AuditEntry) -> bool {
        if self.broken.is_some() {
            return false;
        }
        let problem = if e.seq > self.expected_seq {
            Some((self.expected_seq, Problem::Removed))
        } else if e.seq < self.expected_seq {
            Some((e.seq, Problem::Reordered))
        } else if entry_hash(e) != e.hash {
            Some((e.seq, Problem::Altered))
        } else if e.prev_hash != self.prev_hash {
            Some((e.seq, Problem::Reordered))
        } else {
            None
        };
        if let Some((seq, problem)) = problem {
            self.broken = Some(Break { seq, problem });
            return false;
        }
        self.checked += 1;
        self.expected_seq += 1;
        self.prev_hash.clone_from(&e.hash);
        true
    }

    /// `head`: the last (seq, hash) recorded when the newest entry was written.
    pub fn finish(self, head: Option<(i64, &str)>) -> Result<u64, Break> {
        if let Some(b) = self.broken {
            return Err(b);
        }
        let last_seq = self.expected_seq - 1;
        match head {
            Some((seq, _)) if seq > last_seq => Err(Break {
                seq: last_seq + 1,
                problem: Problem::Removed,
            }),
            Some((seq, hash)) if seq == last_seq && seq > 0 && hash != self.prev_hash => {
                Err(Break {
                    seq,
                    problem: Problem::Altered,
                })
            }
            _ => Ok(self.checked),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut prev = GENESIS.to_owned();
        (1..=n)
            .map(|seq| {
                let e = NewAuditEntry::new("alice", "report.view")
                    .record("report", seq)
                    .chain(seq, 1_700_000_000_000_000 + seq, &prev);
                prev.clone_from(&e.hash);
                e
            })
            .collect()
    }

    fn verify(entries: &[AuditEntry], head: (i64, &str)) -> Result<u64, Break> {
        let mut v = Verifier::default();
        for e in entries {
            if !v.push(e) {
                break;
            }
        }
        v.finish(Some(head))
    }

    #[test]
    fn intact_chain_verifies() {
        let c = chain(5);
        let head = (5, c[4].hash.clone());
        assert_eq!(verify(&c, (head.0, &head.1)), Ok(5));
    }

    #[test]
    fn alteration_removal_and_reordering_are_each_found() {
        let c = chain(6);
        let head = (6, c[5].hash.clone());
        let head = (head.0, head.1.as_str());

        let mut altered = c.clone();
        altered[2].detail = Some("changed".into());
        assert_eq!(
            verify(&altered, head).unwrap_err(),
            Break {
                seq: 3,
                problem: Problem::Altered
            }
        );

        let mut removed = c.clone();
        removed.remove(3);
        assert_eq!(
            verify(&removed, head).unwrap_err(),
            Break {
                seq: 4,
                problem: Problem::Removed
            }
        );

        let mut truncated = c.clone();
        truncated.pop();
        assert_eq!(
            verify(&truncated, head).unwrap_err(),
            Break {
                seq: 6,
                problem: Problem::Removed
            }
        );

        // Swap the contents of entries 2 and 3 but keep their numbers in place.
        let mut reordered = c.clone();
        let (a, b) = (reordered[1].clone(), reordered[2].clone());
        reordered[1] = AuditEntry { seq: 2, ..b };
        reordered[2] = AuditEntry { seq: 3, ..a };
        assert_eq!(verify(&reordered, head).unwrap_err().seq, 2);
    }
}
