//! The public wording of the signs of child sex trafficking, for `/awareness`.
//!
//! The indicator catalogue (`triage`) is written for analysts; this table says a chosen
//! part of it in plain, non-explicit words for parents, teachers and neighbours, keyed by
//! the catalogue's indicator ids. The page shows a sign only while its indicator is in the
//! catalogue in force, so a withdrawn indicator leaves the public page too. No single sign
//! proves anything; the page says so.

/// A heading of the public page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignGroup {
    /// Things in a young person's life that make them more vulnerable.
    RiskFactor,
    /// Changes in behaviour.
    Behaviour,
    /// What you may notice around them.
    Noticed,
    /// Online.
    Online,
}

impl SignGroup {
    pub const ALL: [SignGroup; 4] = [
        Self::Behaviour,
        Self::Noticed,
        Self::Online,
        Self::RiskFactor,
    ];

    pub fn heading(self) -> &'static str {
        match self {
            Self::Behaviour => "Changes in how a young person behaves",
            Self::Noticed => "Things you may notice",
            Self::Online => "Online",
            Self::RiskFactor => "What can make a young person more vulnerable",
        }
    }
}

/// One sign: the catalogue's indicator id, its group, and the public words.
pub struct PublicSign {
    pub indicator: &'static str,
    pub group: SignGroup,
    pub words: &'static str,
}

const fn sign(indicator: &'static str, group: SignGroup, words: &'static str) -> PublicSign {
    PublicSign {
        indicator,
        group,
        words,
    }
}

use SignGroup::*;

/// The public signs, in the order shown.
pub const SIGNS: &[PublicSign] = &[
    sign("behaviour_change", Behaviour, "A sudden change in behaviour, much more time spent online, or a new group of older friends."),
    sign("others_speak", Behaviour, "Lets someone else speak for them, or looks to another person before answering."),
    sign("fear_of_authorities", Behaviour, "Seems frightened of the police or of people in authority."),
    sign("false_age_identity", Behaviour, "Says they are older than they are, or uses a different name."),
    sign("no_self_identification", Behaviour, "Does not ask for help, even when it looks like they need it."),
    sign("older_partner", Noticed, "A much older \u{201c}boyfriend\u{201d} or \u{201c}girlfriend\u{201d}, or a partner who is controlling."),
    sign("appearance_mismatch", Noticed, "New clothes, phones or other expensive things they could not pay for themselves."),
    sign("multiple_phones", Noticed, "More than one phone, or a phone they keep hidden."),
    sign("cash_prepaid", Noticed, "Large amounts of cash or gift cards they cannot explain."),
    sign("id_held", Noticed, "Someone else keeps their ID or documents."),
    sign("travel", Noticed, "Travels to other cities, or does not seem to know where they have been staying."),
    sign("hotel_motel", Noticed, "Spends nights in hotels or motels, or has hotel keys or receipts."),
    sign("unaddressed_medical", Noticed, "Injuries or health needs that are not looked after, or goes to a clinic with an adult who is not family."),
    sign("branding_tattoo", Noticed, "A new tattoo of a name or a symbol they will not explain."),
    sign("job_offer", Noticed, "An offer of a job far from home that sounds too good, such as modelling or travelling sales."),
    sign("grooming", Online, "An adult they met online who gives gifts, asks for secrecy, or wants to meet."),
    sign("sextortion", Online, "Someone online threatening to share pictures unless they pay or send more."),
    sign("online_contact", Online, "Messages from people they do not know, on apps they keep hidden."),
    sign("runaway", RiskFactor, "Running away from home, or being away for days at a time."),
    sign("ran_from_care", RiskFactor, "Running away from foster care or a group home."),
    sign("homelessness", RiskFactor, "Having nowhere stable to live."),
    sign("identity_rejection", RiskFactor, "Being rejected by family, for example for being LGBTQ."),
    sign("trauma_no_support", RiskFactor, "Past trauma, or no trusted adult to turn to."),
    sign("substance_misuse", RiskFactor, "Using alcohol or drugs."),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_group_has_signs_and_no_indicator_is_said_twice() {
        for g in SignGroup::ALL {
            assert!(SIGNS.iter().any(|s| s.group == g), "{g:?}");
        }
        let mut ids: Vec<&str> = SIGNS.iter().map(|s| s.indicator).collect();
        ids.sort_unstable();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n);
    }
}
