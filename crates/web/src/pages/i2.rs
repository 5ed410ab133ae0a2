//! A link chart as i2 Analyst's Notebook Exchange (ANX) XML, the format Analyst's Notebook
//! imports a whole chart from (File › Open, or Import): one entity per record, one link per
//! pair of records with every reason between them. `docs/i2-anx.md` describes what is
//! written and how to check it; `docs/samples/lead-chart.anx` is a sample.
//!
//! Entities carry an `Identity` (`report-12`, `ad-3`, `case-5`) so that importing a second
//! chart merges the records both hold instead of duplicating them.

use service::linking::views::ClusterView;

/// The entity type (and Analyst's Notebook icon) of each kind of record.
fn entity_type(kind: &str) -> (&'static str, &'static str) {
    match kind {
        "report" => ("Report", "Document"),
        "ad" => ("Online ad", "Web Page"),
        "case" => ("Missing-child case", "Person"),
        _ => ("Record", "Document"),
    }
}

const ATTRIBUTES: [(&str, &str); 5] = [
    ("Record", "AttText"),
    ("Date", "AttText"),
    ("States", "AttText"),
    ("Reasons", "AttText"),
    ("Weight", "AttNumber"),
];

/// Text for an XML attribute: escaped, without the characters XML 1.0 does not allow.
fn attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if (c as u32) < 0x20 || matches!(c, '\u{FFFE}' | '\u{FFFF}') => {}
            c => out.push(c),
        }
    }
    out
}

fn attributes(out: &mut String, pairs: &[(&str, String)]) {
    let pairs: Vec<&(&str, String)> = pairs.iter().filter(|(_, v)| !v.is_empty()).collect();
    if pairs.is_empty() {
        return;
    }
    out.push_str("      <AttributeCollection>\n");
    for (class, value) in pairs {
        out.push_str(&format!(
            "        <Attribute AttributeClass=\"{}\" Value=\"{}\"/>\n",
            attr(class),
            attr(value)
        ));
    }
    out.push_str("      </AttributeCollection>\n");
}

/// The chart as ANX. Records are laid out on a circle (Analyst's Notebook re-arranges
/// them with its own layouts); the order and every value come from the chart, so the same
/// chart gives the same bytes.
pub fn anx(c: &ClusterView) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Chart>\n");
    out.push_str("  <EntityTypeCollection>\n");
    for kind in ["report", "ad", "case"] {
        let (name, icon) = entity_type(kind);
        out.push_str(&format!(
            "    <EntityType Name=\"{name}\" IconFile=\"{icon}\"/>\n"
        ));
    }
    out.push_str("  </EntityTypeCollection>\n");
    out.push_str("  <LinkTypeCollection>\n    <LinkType Name=\"Link\" Colour=\"0\"/>\n  </LinkTypeCollection>\n");
    out.push_str("  <AttributeClassCollection>\n");
    for (name, ty) in ATTRIBUTES {
        out.push_str(&format!(
            "    <AttributeClass Name=\"{name}\" Type=\"{ty}\"/>\n"
        ));
    }
    out.push_str("  </AttributeClassCollection>\n");
    // A strong link (one the cluster walk follows) is drawn solid, a weaker one dashed.
    out.push_str("  <StrengthCollection>\n    <Strength Name=\"Confirmed\" DotStyle=\"DotStyleSolid\"/>\n    <Strength Name=\"Tentative\" DotStyle=\"DotStyleDashed\"/>\n  </StrengthCollection>\n");
    out.push_str("  <ChartItemCollection>\n");
    let n = c.nodes.len().max(1) as f64;
    let radius = (n * 40.0).max(200.0);
    for (i, node) in c.nodes.iter().enumerate() {
        let angle = std::f64::consts::TAU * i as f64 / n;
        let (x, y) = (
            (radius * angle.cos()).round() as i64,
            (radius * angle.sin()).round() as i64,
        );
        let (ty, _) = entity_type(node.record.kind.as_str());
        let id = identity(node.record);
        out.push_str(&format!(
            "    <ChartItem Label=\"{}\" Description=\"{}\">\n",
            attr(&node.title),
            attr(&node.detail)
        ));
        out.push_str(&format!(
            "      <End X=\"{x}\" Y=\"{y}\">\n        <Entity EntityId=\"{id}\" Identity=\"{id}\" LabelIsIdentity=\"false\">\n          <Icon><IconStyle Type=\"{ty}\"/></Icon>\n        </Entity>\n      </End>\n"
        ));
        attributes(
            &mut out,
            &[
                ("Record", id.clone()),
                ("Date", node.date.clone().unwrap_or_default()),
                ("States", node.states.join(" ")),
            ],
        );
        out.push_str("    </ChartItem>\n");
    }
    for e in &c.edges {
        let (a, b) = (&c.nodes[e.a], &c.nodes[e.b]);
        let label = e
            .reasons
            .iter()
            .map(|r| r.summary.as_str())
            .collect::<Vec<_>>()
            .join("; ");
        let reasons = e
            .reasons
            .iter()
            .map(|r| format!("{}: {}", r.reason, r.value))
            .collect::<Vec<_>>()
            .join("; ");
        out.push_str(&format!("    <ChartItem Label=\"{}\">\n", attr(&label)));
        out.push_str(&format!(
            "      <Link End1Id=\"{}\" End2Id=\"{}\">\n        <LinkStyle Type=\"Link\" ArrowStyle=\"ArrowNone\" Strength=\"{}\"/>\n      </Link>\n",
            identity(a.record),
            identity(b.record),
            if e.strong { "Confirmed" } else { "Tentative" }
        ));
        attributes(
            &mut out,
            &[("Reasons", reasons), ("Weight", format!("{:.3}", e.weight))],
        );
        out.push_str("    </ChartItem>\n");
    }
    out.push_str("  </ChartItemCollection>\n</Chart>\n");
    out
}

fn identity(r: domain::RecordRef) -> String {
    format!("{}-{}", r.kind, r.id)
}

#[cfg(test)]
mod tests {
    use super::{anx, attr};
    use domain::{RecordKind, RecordRef};
    use service::linking::views::{ClusterEdge, ClusterView, Reason, RecordHead};

    fn head(kind: RecordKind, id: i64, title: &str, date: &str, state: &str) -> RecordHead {
        RecordHead {
            record: RecordRef::new(kind, id),
            title: title.into(),
            date: Some(date.into()),
            states: vec![state.into()],
            detail: "Synthetic record for the sample".into(),
        }
    }

    fn reason(reason: &str, value: &str, weight: f64, summary: &str) -> Reason {
        Reason {
            reason: reason.into(),
            value: value.into(),
            weight,
            summary: summary.into(),
            detail: String::new(),
        }
    }

    /// The chart of `docs/samples/lead-chart.anx`: two reports sharing a phone, and an ad
    /// carrying it too.
    fn sample() -> ClusterView {
        ClusterView {
            start: RecordRef::new(RecordKind::Report, 12),
            nodes: vec![
                head(
                    RecordKind::Report,
                    12,
                    "Report #12 · Child Sex Trafficking",
                    "2026-02-27",
                    "NV",
                ),
                head(
                    RecordKind::Report,
                    15,
                    "Report #15 · Child Sex Trafficking",
                    "2026-03-01",
                    "CA",
                ),
                head(RecordKind::Ad, 3, "Ad #3 · New in town", "2026-03-02", "NV"),
            ],
            edges: vec![
                ClusterEdge {
                    a: 0,
                    b: 1,
                    weight: 0.9,
                    strong: true,
                    reasons: vec![reason("phone", "+12125550147", 0.9, "+12125550147")],
                },
                ClusterEdge {
                    a: 0,
                    b: 2,
                    weight: 0.9,
                    strong: true,
                    reasons: vec![reason("phone", "+12125550147", 0.9, "+12125550147")],
                },
            ],
            capped: false,
            states: vec!["CA".into(), "NV".into()],
            report_states: vec!["CA".into(), "NV".into()],
        }
    }

    /// The documented sample is what the code writes: regenerate it with
    /// `CLEARINGHOUSE_WRITE_SAMPLES=1 cargo test -p web i2`.
    #[test]
    fn the_documented_sample_is_what_is_written() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../docs/samples/lead-chart.anx"
        );
        let written = anx(&sample());
        if std::env::var_os("CLEARINGHOUSE_WRITE_SAMPLES").is_some() {
            std::fs::write(path, &written).expect("write the sample");
        }
        let documented = std::fs::read_to_string(path).expect("docs/samples/lead-chart.anx");
        assert_eq!(
            documented, written,
            "regenerate the sample (see the test's comment)"
        );
    }

    #[test]
    fn attribute_text_is_escaped_and_keeps_no_control_character() {
        assert_eq!(
            attr("a<b & \"c\"\n\u{1}d"),
            "a&lt;b &amp; &quot;c&quot;&#10;d"
        );
    }
}
