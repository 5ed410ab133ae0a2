//! The partners' poster feeds: Atom (RFC 4287) and JSON Feed 1.1, written from the list of
//! posters public at the moment of the request.
//!
//! The expiry rule: every item expires [`FEED_ITEM_LIFETIME_SECS`] (24 hours) after the
//! feed was generated. A republisher must take an item down when it expires unless a fresh
//! copy of the feed still lists it, and at once when a fresh copy no longer lists it: a
//! recovered child, or a withdrawn consent, leaves the feed in the same request that records
//! it. The expiry travels with each item as an extension: in Atom the element
//! `<ch:expires>` in the namespace [`ATOM_NS`], in JSON Feed `_clearinghouse.expires`
//! (JSON Feed's own rule for extensions: a key starting with an underscore).

use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// How long a republished poster may stay up without a fresh copy of the feed.
pub const FEED_ITEM_LIFETIME_SECS: i64 = 24 * 60 * 60;

/// The namespace of Clearinghouse's Atom extension elements (`expires`, `state`).
pub const ATOM_NS: &str = "urn:x-clearinghouse:poster-feed:1";

/// One poster, as a feed lists it: only what the poster itself shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedItem {
    /// The case number, the poster's public id (`CH-000123`).
    pub number: String,
    /// "Missing: Ana R., 15"
    pub title: String,
    /// The poster's published fields in one plain paragraph.
    pub summary: String,
    /// The two-letter code of the state the child was last seen in.
    pub state: String,
    /// When the poster last changed (Unix seconds).
    pub updated: i64,
}

/// A feed's frame: where it lives and when it was made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedMeta {
    /// The site's origin, without a trailing slash (`https://hotline.example`).
    pub base: String,
    /// The state the feed is narrowed to, if any.
    pub state: Option<String>,
    /// Unix seconds.
    pub generated: i64,
    /// The number posters say to call.
    pub hotline: String,
}

impl FeedMeta {
    fn title(&self) -> String {
        match &self.state {
            Some(s) => format!("Missing children: current posters ({s})"),
            None => "Missing children: current posters".to_owned(),
        }
    }

    fn query(&self) -> String {
        self.state
            .as_deref()
            .map(|s| format!("?state={s}"))
            .unwrap_or_default()
    }

    /// When every item of this copy of the feed expires.
    pub fn expires(&self) -> i64 {
        self.generated + FEED_ITEM_LIFETIME_SECS
    }
}

/// RFC 3339 in UTC, seconds only.
pub fn rfc3339(secs: i64) -> String {
    OffsetDateTime::from_unix_timestamp(secs)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .format(&Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_owned())
}

/// Escapes text for XML content and attribute values.
pub fn xml_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            // Characters XML 1.0 forbids are dropped rather than written.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => o.push(c),
        }
    }
    o
}

/// The Atom document.
pub fn atom(meta: &FeedMeta, items: &[FeedItem]) -> String {
    let b = &meta.base;
    let updated = items
        .iter()
        .map(|i| i.updated)
        .max()
        .unwrap_or(meta.generated);
    let expires = rfc3339(meta.expires());
    let mut x = String::new();
    x.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    x.push_str(&format!(
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xmlns:ch=\"{ATOM_NS}\">\n"
    ));
    x.push_str(&format!(
        "  <id>{}</id>\n  <title>{}</title>\n  <updated>{}</updated>\n",
        xml_escape(&format!("{b}/posters/feed.atom{}", meta.query())),
        xml_escape(&meta.title()),
        rfc3339(updated)
    ));
    x.push_str(&format!(
        "  <subtitle>Posters of missing children published with their guardian's or agency's consent. Take an item down when it expires ({}) unless a fresh copy of this feed still lists it, and at once when a fresh copy no longer does. If you have information, call {}.</subtitle>\n",
        xml_escape(&expires),
        xml_escape(&meta.hotline)
    ));
    x.push_str(&format!(
        "  <author><name>Clearinghouse hotline</name></author>\n  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        xml_escape(&format!("{b}/posters/feed.atom{}", meta.query())),
        xml_escape(&format!("{b}/posters{}", meta.query()))
    ));
    for i in items {
        let page = format!("{b}/posters/{}", i.number);
        x.push_str("  <entry>\n");
        x.push_str(&format!(
            "    <id>{}</id>\n    <title>{}</title>\n    <updated>{}</updated>\n",
            xml_escape(&page),
            xml_escape(&i.title),
            rfc3339(i.updated)
        ));
        x.push_str(&format!(
            "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n    <link rel=\"enclosure\" type=\"application/pdf\" href=\"{}\"/>\n",
            xml_escape(&page),
            xml_escape(&format!("{page}.pdf"))
        ));
        x.push_str(&format!(
            "    <summary>{}</summary>\n    <category term=\"{}\" label=\"Last seen in {}\"/>\n",
            xml_escape(&i.summary),
            xml_escape(&i.state),
            xml_escape(&i.state)
        ));
        x.push_str(&format!(
            "    <ch:state>{}</ch:state>\n    <ch:expires>{}</ch:expires>\n",
            xml_escape(&i.state),
            xml_escape(&expires)
        ));
        x.push_str("  </entry>\n");
    }
    x.push_str("</feed>\n");
    x
}

/// The JSON Feed 1.1 document.
pub fn json_feed(meta: &FeedMeta, items: &[FeedItem]) -> Value {
    let b = &meta.base;
    let expires = rfc3339(meta.expires());
    let items: Vec<Value> = items
        .iter()
        .map(|i| {
            let page = format!("{b}/posters/{}", i.number);
            json!({
                "id": page,
                "url": page,
                "title": i.title,
                "content_text": i.summary,
                "date_modified": rfc3339(i.updated),
                "tags": [i.state],
                "attachments": [{ "url": format!("{page}.pdf"), "mime_type": "application/pdf" }],
                "_clearinghouse": { "expires": expires, "state": i.state, "case_number": i.number },
            })
        })
        .collect();
    json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": meta.title(),
        "home_page_url": format!("{b}/posters{}", meta.query()),
        "feed_url": format!("{b}/posters/feed.json{}", meta.query()),
        "description": format!(
            "Posters of missing children published with consent. Take an item down when it expires unless a fresh copy of this feed still lists it, and at once when a fresh copy no longer does. If you have information, call {}.",
            meta.hotline
        ),
        "language": "en",
        "_clearinghouse": {
            "about": "expires: RFC 3339 time after which an item must be taken down unless a fresh copy of the feed still lists it",
            "generated": rfc3339(meta.generated),
            "expires": expires,
        },
        "items": items,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta() -> FeedMeta {
        FeedMeta {
            base: "https://hotline.example".into(),
            state: Some("TX".into()),
            generated: 1_800_000_000,
            hotline: "1-800-555-0100".into(),
        }
    }

    fn item() -> FeedItem {
        FeedItem {
            number: "CH-000007".into(),
            title: "Missing: Ana <R> & co".into(),
            summary: "Last seen in Austin, TX".into(),
            state: "TX".into(),
            updated: 1_799_990_000,
        }
    }

    #[test]
    fn atom_escapes_and_carries_the_expiry() {
        let x = atom(&meta(), &[item()]);
        assert!(x.contains("Missing: Ana &lt;R&gt; &amp; co"));
        assert!(
            x.contains("<ch:expires>2027-01-16T08:00:00Z</ch:expires>"),
            "{x}"
        );
        assert!(x.contains("href=\"https://hotline.example/posters/CH-000007.pdf\""));
    }

    #[test]
    fn json_feed_items_expire_a_day_after_the_feed_is_made() {
        let v = json_feed(&meta(), &[item()]);
        assert_eq!(v["version"], "https://jsonfeed.org/version/1.1");
        assert_eq!(
            v["items"][0]["_clearinghouse"]["expires"],
            "2027-01-16T08:00:00Z"
        );
        assert_eq!(
            v["items"][0]["id"],
            "https://hotline.example/posters/CH-000007"
        );
    }

    #[test]
    fn control_characters_never_reach_the_xml() {
        assert_eq!(xml_escape("a\u{1}b\tc"), "ab\tc");
    }
}
