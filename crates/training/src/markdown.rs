//! Course text from Markdown to HTML that is safe to put in a page: raw HTML in the
//! Markdown (blocks and inline) becomes escaped text, links keep only `http(s)`, `mailto`
//! and relative targets, and images show their description only (course pages carry text;
//! the content security policy would not load outside images anyway).

use pulldown_cmark::{html, CowStr, Event, Options, Parser, Tag, TagEnd};

fn safe_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    match lower.split_once(':') {
        // A colon before any slash, question mark or hash is a scheme.
        Some((scheme, _)) if !scheme.contains(['/', '?', '#']) => {
            matches!(scheme, "http" | "https" | "mailto")
        }
        _ => true,
    }
}

/// Renders Markdown as HTML without any HTML of its own: nothing in a course file can
/// add a tag, an attribute or a script to the page.
pub fn render(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let events = Parser::new_ext(markdown, options).filter_map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Some(Event::Text(raw)),
        // The description inside stays, as text.
        Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => None,
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => {
            let dest_url = if safe_url(&dest_url) {
                dest_url
            } else {
                CowStr::Borrowed("#")
            };
            Some(Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }))
        }
        other => Some(other),
    });
    let mut out = String::new();
    html::push_html(&mut out, events);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_script_comes_through() {
        let html = render(
            "Hello <script>alert(1)</script>\n\n<div onclick=\"x()\">block</div>\n\n\
             [click](javascript:alert(1)) [ok](https://example.org) [rel](../a)\n\n\
             ![<img src=x onerror=alert(1)>](http://evil/x.png)",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<div"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(html.contains("href=\"https://example.org\""), "{html}");
        assert!(html.contains("href=\"../a\""), "{html}");
    }

    #[test]
    fn markdown_still_renders() {
        let html = render("# Title\n\nSome *emphasis* and a list:\n\n- one\n- two\n");
        assert!(html.contains("<h1>Title</h1>"));
        assert!(html.contains("<em>emphasis</em>"));
        assert!(html.contains("<li>one</li>"));
    }

    proptest::proptest! {
        #[test]
        fn no_tag_from_input_survives(s in "[<>a-z =\"/\\[\\]():!]{0,80}") {
            let html = render(&s);
            for bad in ["<script", "<img", "<div", "<a href=\"javascript"] {
                proptest::prop_assert!(!html.contains(bad), "{} from {}", html, s);
            }
        }
    }
}
