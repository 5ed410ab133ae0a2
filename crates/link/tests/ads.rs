//! Ad clustering judged on what fools frequency and single linkage: a placeholder phone in
//! hundreds of unrelated ads, an operation's own phone in hundreds of its ads, stock
//! phrases that every poster uses, and chains of small edits.

use link::ads::{cluster_ads, AdConfig, AdEvidence, AdRecord};
use link::IdContext;

fn ad(i: usize, body: String) -> AdRecord {
    AdRecord {
        id: format!("ad-{i}"),
        body,
        ..AdRecord::default()
    }
}

/// Words for texts that share nothing but a few stock phrases.
const WORDS: &[&str] = &[
    "garden", "river", "copper", "lantern", "meadow", "violet", "harbor", "pepper", "timber",
    "saddle", "marble", "orchid", "falcon", "canvas", "velvet", "cobalt", "willow", "ember",
    "thistle", "prairie", "juniper", "quartz", "hazel", "breeze", "summit", "coral", "maple",
    "cedar", "ivory", "amber", "onyx", "sierra", "delta", "harvest", "glacier", "bramble",
];

/// A text of its own for poster `i`: three sentences of words drawn by `i`, and a stock
/// phrase or two that everyone writes.
fn unrelated_text(i: usize) -> String {
    let w = |k: usize| WORDS[(i * 7 + k * 13 + i / WORDS.len() * (k + 1)) % WORDS.len()];
    let stock = ["in and out calls", "no blocked numbers please", "cash only"];
    format!(
        "{} {} {} {}. {} {} {} {}. {} {} {}. {}",
        w(0),
        w(1),
        w(2),
        i,
        w(3),
        w(4),
        w(5),
        i * 3 + 1,
        w(6),
        w(7),
        w(8),
        stock[i % stock.len()]
    )
}

#[test]
fn a_placeholder_phone_in_500_unrelated_ads_links_none_of_them() {
    let ads: Vec<AdRecord> = (0..500)
        .map(|i| ad(i, format!("{} call 312-555-0199", unrelated_text(i))))
        .collect();
    for config in [AdConfig::default(), AdConfig::neighbourhoods()] {
        let c = cluster_ads(&ads, &config, |_| {});
        assert!(
            c.shared.is_empty(),
            "{:?}",
            &c.shared[..c.shared.len().min(3)]
        );
    }
}

#[test]
fn an_operations_phone_in_300_ads_of_one_template_links_all_of_them() {
    let openers = ["sweet", "friendly", "classy", "new"];
    let places = ["downtown", "near the airport", "by the mall", "uptown"];
    let ads: Vec<AdRecord> = (0..300)
        .map(|i| {
            // One template moving from city to city, with small edits; the same phone.
            let mut lines = vec![
                format!("{} lady available {}", openers[i % 4], places[i / 4 % 4]),
                "Rosa is back in town".to_string(),
                "call or text 652-882-4378".to_string(),
                "in and out calls".to_string(),
                format!("visiting city number {} this week", i % 9),
                "real pictures".to_string(),
            ];
            if i % 3 == 0 {
                lines.swap(0, 3);
            }
            if i % 5 == 0 {
                lines.remove(5);
            }
            ad(i, lines.join(". "))
        })
        .collect();
    let neighbours = cluster_ads(&ads, &AdConfig::neighbourhoods(), |_| {});
    assert_eq!(neighbours.count, 1, "{:?}", neighbours.shared.first());
    for g in &neighbours.templates.groups {
        assert_eq!(g.similarity.len(), g.members.len());
    }
    let c = cluster_ads(&ads, &AdConfig::default(), |_| {});
    assert_eq!(c.count, 1);
    // The phone is judged an operation's, not weighed down by its 300 ads.
    let phone = c
        .shared
        .iter()
        .flat_map(|l| &l.evidence)
        .find(|e| e.value == "+16528824378")
        .expect("the phone links");
    assert_eq!(phone.records, 300);
    assert!(
        matches!(phone.context, Some(IdContext::Operation { agreement }) if agreement >= link::ads::OPERATION_AGREEMENT),
        "{phone:?}"
    );
}

#[test]
fn a_chain_of_small_edits_does_not_make_one_template() {
    // Ad k says words k..k+8 of a long list: each is close to its neighbours, the
    // first and the last share nothing. Single linkage would make one cluster.
    let words: Vec<String> = (0..80).map(|k| format!("w{k}x")).collect();
    let ads: Vec<AdRecord> = (0..72).map(|k| ad(k, words[k..k + 8].join(" "))).collect();
    let config = AdConfig::rarity();
    let c = cluster_ads(&ads, &config, |_| {});
    for g in &c.templates.groups {
        for (&m, &s) in g.members.iter().zip(&g.similarity) {
            assert!(
                f64::from(s) >= config.text.threshold - 0.1 || m == g.template,
                "ad {m} sits at {s} to its template {}",
                g.template
            );
        }
    }
    assert_ne!(c.cluster_of[0], c.cluster_of[71]);
    // Every template link states the similarity to the template.
    for l in c.links() {
        if let AdEvidence::Template { similarity, .. } = l.evidence {
            assert!(f64::from(similarity) >= config.text.threshold - 0.1);
        }
    }
}
