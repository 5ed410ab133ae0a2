//! Course text from Markdown to HTML that is safe to put in a page: raw HTML in the
//! Markdown (blocks and inline) becomes escaped text, links keep only `http(s)`, `mailto`
//! and relative targets. An image naming one of the course's own images becomes an `<img>`
//! written here (never by the Markdown), pointing at the course's image route; any other
//! image shows its description only (the content security policy would not load outside
//! images anyway).

use crate::model::Course;
use pulldown_cmark::{html, CowStr, Event, Options, Parser, Tag, TagEnd};

/// The images a module may show and where they are served from.
#[derive(Debug, Clone, Copy)]
pub struct CourseImages<'a> {
    pub slug: &'a str,
    pub version: u32,
    pub names: &'a [crate::model::CourseImage],
}

impl<'a> CourseImages<'a> {
    pub fn of(course: &'a Course) -> CourseImages<'a> {
        CourseImages {
            slug: &course.slug,
            version: course.version,
            names: &course.images,
        }
    }
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

/// Every image target the Markdown names, as the course check needs them.
pub fn image_targets(markdown: &str) -> Vec<String> {
    Parser::new_ext(markdown, options())
        .filter_map(|event| match event {
            Event::Start(Tag::Image { dest_url, .. }) => Some(dest_url.into_string()),
            _ => None,
        })
        .collect()
}

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
    render_with_images(
        markdown,
        CourseImages {
            slug: "",
            version: 0,
            names: &[],
        },
    )
}

/// [`render`], with `![description](name)` shown as the course's image of that name.
pub fn render_with_images(markdown: &str, images: CourseImages<'_>) -> String {
    let mut events = Vec::new();
    // Inside a course image: its description, gathered as the alt text.
    let mut alt: Option<(String, &crate::model::CourseImage)> = None;
    // Images nested in that description, whose ends are not the course image's.
    let mut nested = 0usize;
    for event in Parser::new_ext(markdown, options()) {
        if let Some((text, image)) = alt.as_mut() {
            match event {
                Event::Start(Tag::Image { .. }) => nested += 1,
                Event::End(TagEnd::Image) if nested > 0 => nested -= 1,
                Event::End(TagEnd::Image) => {
                    let text = if text.trim().is_empty() {
                        image.alt.as_str()
                    } else {
                        text.as_str()
                    };
                    // Built from checked parts only: the slug and name are plain characters
                    // and the description is escaped, so nothing from the file adds markup.
                    let tag = format!(
                        "<img class=\"course-image\" src=\"/training/courses/{}/images/{}?v={}\" \
                         alt=\"{}\" loading=\"lazy\">",
                        escape(images.slug),
                        escape(&image.name),
                        images.version,
                        escape(text)
                    );
                    events.push(Event::InlineHtml(tag.into()));
                    alt = None;
                }
                Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => {
                    text.push_str(&t)
                }
                Event::SoftBreak | Event::HardBreak => text.push(' '),
                _ => {}
            }
            continue;
        }
        if let Event::Start(Tag::Image { dest_url, .. }) = &event {
            if let Some(image) = images.names.iter().find(|i| *i.name == **dest_url) {
                alt = Some((String::new(), image));
                continue;
            }
        }
        if let Some(e) = safe_event(event) {
            events.push(e);
        }
    }
    let mut out = String::new();
    html::push_html(&mut out, events.into_iter());
    out
}

fn safe_event(event: Event<'_>) -> Option<Event<'_>> {
    match event {
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
    }
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

    fn images() -> Vec<crate::model::CourseImage> {
        vec![crate::model::CourseImage {
            name: "steps.png".into(),
            alt: "Three boxes".into(),
            data: String::new(),
        }]
    }

    fn with_images(md: &str) -> String {
        let names = images();
        render_with_images(
            md,
            CourseImages {
                slug: "intro",
                version: 3,
                names: &names,
            },
        )
    }

    #[test]
    fn a_course_image_becomes_an_img() {
        let html = with_images("See ![The *three* steps](steps.png) here.");
        assert!(
            html.contains(
                "<img class=\"course-image\" src=\"/training/courses/intro/images/steps.png?v=3\" \
                 alt=\"The three steps\" loading=\"lazy\">"
            ),
            "{html}"
        );
        // An empty description falls back to the image's own alt text.
        assert!(with_images("![](steps.png)").contains("alt=\"Three boxes\""));
        // Without the course's images, the same Markdown shows text only.
        assert!(!render("![The steps](steps.png)").contains("<img"));
    }

    #[test]
    fn only_the_course_images_become_imgs() {
        let html = with_images(
            "![outside](https://evil.example/steps.png) ![near](steps.png.jpg) \
             ![rel](./steps.png) ![js](javascript:alert(1))",
        );
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("outside") && html.contains("near"), "{html}");
    }

    #[test]
    fn the_alt_text_is_escaped() {
        let html = with_images("![\" onerror=\"alert(1) <script>x</script> & 'q'](steps.png)");
        assert_eq!(html.matches("<img").count(), 1, "{html}");
        assert!(!html.contains("\" onerror"), "{html}");
        assert!(!html.contains("<script"), "{html}");
        assert!(
            html.contains("&quot; onerror=&quot;alert(1) &lt;script&gt;"),
            "{html}"
        );
        // Nested images inside a description close where they should.
        let html = with_images("![a ![b](steps.png) c](steps.png) after");
        assert_eq!(html.matches("<img").count(), 1, "{html}");
        assert!(html.contains("after"), "{html}");
    }

    #[test]
    fn image_targets_are_listed() {
        assert_eq!(
            image_targets("![a](x.png) and [link](y) ![b][r]\n\n[r]: z.jpg"),
            vec!["x.png".to_owned(), "z.jpg".to_owned()]
        );
    }

    proptest::proptest! {
        #[test]
        fn no_tag_from_input_survives_with_images(s in "[<>a-z =\"/\\[\\]():!.]{0,80}") {
            let html = with_images(&s);
            for bad in ["<script", "<div", "<a href=\"javascript"] {
                proptest::prop_assert!(!html.contains(bad), "{} from {}", html, s);
            }
            // Every <img> is one this module wrote.
            proptest::prop_assert_eq!(
                html.matches("<img").count(),
                html.matches("<img class=\"course-image\" src=\"/training/courses/intro/images/steps.png?v=3\"").count()
            );
        }

        #[test]
        fn no_tag_from_input_survives(s in "[<>a-z =\"/\\[\\]():!]{0,80}") {
            let html = render(&s);
            for bad in ["<script", "<img", "<div", "<a href=\"javascript"] {
                proptest::prop_assert!(!html.contains(bad), "{} from {}", html, s);
            }
        }
    }
}
