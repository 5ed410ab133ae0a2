//! The hardened mini-DOM: bytes to a tree of elements, attributes and text, or a clear error.
//!
//! This is the only place that sees raw XML. It refuses everything the wire format does not
//! need before any of it can do harm: a DTD (so no entity can be declared, which rules out XXE
//! and entity-expansion bombs), processing instructions, undeclared entities, non-UTF-8 input,
//! and documents past the [`Limits`]. Limits are checked while reading, so a hostile document
//! costs at most one pass over `max_bytes` bytes.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use quick_xml::XmlVersion;

use crate::error::Error;

/// Bounds on what a document may contain. The defaults fit real reports with a wide margin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted document, in bytes.
    pub max_bytes: usize,
    /// Deepest element nesting (the root is depth 1). The schema itself needs 6.
    pub max_depth: usize,
    /// Most elements in one document.
    pub max_elements: usize,
    /// Most attributes on one element. The schema's widest element has 5.
    pub max_attributes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 10 * 1024 * 1024,
            max_depth: 32,
            max_elements: 100_000,
            max_attributes: 16,
        }
    }
}

/// One element of a parsed document.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Element {
    /// The qualified name as written (a prefixed name never matches the schema).
    pub name: String,
    /// Attributes in document order, values normalised and unescaped; namespace declarations
    /// are kept out.
    pub attributes: Vec<(String, String)>,
    /// Child elements in document order.
    pub children: Vec<Element>,
    /// All character data directly inside the element (text and CDATA), concatenated.
    pub text: String,
    /// Byte offset of the start tag.
    pub offset: u64,
}

impl Element {
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }
}

/// Parses `bytes` into the root element, enforcing `limits` and the refusals listed above.
pub(crate) fn parse(bytes: &[u8], limits: &Limits) -> Result<Element, Error> {
    if bytes.len() > limits.max_bytes {
        return Err(Error::LimitExceeded {
            message: format!(
                "document is {} bytes, the limit is {}",
                bytes.len(),
                limits.max_bytes
            ),
        });
    }
    let text = std::str::from_utf8(bytes).map_err(|e| Error::InvalidUtf8 {
        offset: e.valid_up_to() as u64,
    })?;
    let (text, base) = match text.strip_prefix('\u{feff}') {
        Some(rest) => (rest, 3u64),
        None => (text, 0u64),
    };
    if let Some((i, c)) = text.char_indices().find(|&(_, c)| !is_xml_char(c)) {
        return Err(malformed(
            base + i as u64,
            format!("character U+{:04X} is not allowed in XML", c as u32),
        ));
    }
    Builder::new(limits, base).run(text)
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

fn malformed(offset: u64, message: impl Into<String>) -> Error {
    Error::Malformed {
        offset,
        message: message.into(),
    }
}

fn refused(offset: u64, message: impl Into<String>) -> Error {
    Error::Refused {
        offset,
        message: message.into(),
    }
}

struct Builder<'l> {
    limits: &'l Limits,
    base: u64,
    stack: Vec<Element>,
    root: Option<Element>,
    elements: usize,
    seen_anything: bool,
}

impl<'l> Builder<'l> {
    fn new(limits: &'l Limits, base: u64) -> Self {
        Builder {
            limits,
            base,
            stack: Vec::new(),
            root: None,
            elements: 0,
            seen_anything: false,
        }
    }

    fn run(mut self, text: &str) -> Result<Element, Error> {
        let mut reader = Reader::from_str(text);
        let config = reader.config_mut();
        config.check_end_names = true;
        config.check_comments = true;
        config.allow_unmatched_ends = false;
        config.allow_dangling_amp = false;
        config.expand_empty_elements = false;
        config.trim_text(false);

        loop {
            let offset = self.base + reader.buffer_position();
            let event = reader
                .read_event()
                .map_err(|e| malformed(self.base + reader.error_position(), e.to_string()))?;
            let first = !self.seen_anything;
            self.seen_anything = true;
            match event {
                Event::Decl(decl) => {
                    if !first || offset != self.base {
                        return Err(malformed(
                            offset,
                            "the XML declaration must be at the very start of the document",
                        ));
                    }
                    check_declaration(&decl, offset)?;
                }
                Event::DocType(_) => {
                    return Err(refused(
                        offset,
                        "<!DOCTYPE> is not allowed: DTDs and entity declarations are never processed",
                    ));
                }
                Event::PI(pi) => {
                    return Err(refused(
                        offset,
                        format!(
                            "processing instruction <?{}?> is not allowed",
                            truncate(pi.target(), 40)
                        ),
                    ));
                }
                Event::Comment(_) => {}
                Event::Start(start) => self.open(&start, offset)?,
                Event::Empty(start) => {
                    self.open(&start, offset)?;
                    self.close(offset)?;
                }
                Event::End(_) => self.close(offset)?,
                Event::Text(t) => {
                    let content = t.xml10_content();
                    self.push_text(&content, offset)?;
                }
                Event::CData(c) => {
                    if self.stack.is_empty() {
                        return Err(malformed(offset, "CDATA outside the root element"));
                    }
                    let content = c.xml10_content();
                    self.push_text(&content, offset)?;
                }
                Event::GeneralRef(r) => {
                    let resolved = resolve_reference(&r, offset)?;
                    if self.stack.is_empty() {
                        return Err(malformed(offset, "reference outside the root element"));
                    }
                    self.push_text(resolved.as_str(), offset)?;
                }
                Event::Eof => break,
            }
        }
        if let Some(open) = self.stack.last() {
            return Err(malformed(
                self.base + text.len() as u64,
                format!(
                    "unexpected end of document: <{}> is not closed",
                    truncate(&open.name, 40)
                ),
            ));
        }
        self.root
            .ok_or_else(|| malformed(self.base, "the document has no root element"))
    }

    fn open(&mut self, start: &BytesStart<'_>, offset: u64) -> Result<(), Error> {
        if self.root.is_some() {
            return Err(malformed(offset, "content after the root element"));
        }
        self.elements += 1;
        if self.elements > self.limits.max_elements {
            return Err(Error::LimitExceeded {
                message: format!("more than {} elements", self.limits.max_elements),
            });
        }
        if self.stack.len() >= self.limits.max_depth {
            return Err(Error::LimitExceeded {
                message: format!("elements nested deeper than {}", self.limits.max_depth),
            });
        }
        let name = start.name().as_ref().to_owned();
        let mut attributes = Vec::new();
        let mut attrs = start.attributes();
        attrs.with_checks(true);
        for attr in attrs {
            let attr = attr.map_err(|e| malformed(offset, format!("in <{name}>: {e}")))?;
            if attributes.len() >= self.limits.max_attributes {
                return Err(Error::LimitExceeded {
                    message: format!(
                        "more than {} attributes on <{}>",
                        self.limits.max_attributes,
                        truncate(&name, 40)
                    ),
                });
            }
            let key = attr.key.as_ref().to_owned();
            let value = attr
                .normalized_value(XmlVersion::Implicit1_0)
                .map_err(|e| reference_error(offset, &format!("in attribute {key}: {e}")))?
                .into_owned();
            check_chars(&value, offset)?;
            // Namespace declarations are not data. A non-empty default namespace is kept so
            // that validation can say the element is outside the schema's (absent) namespace.
            if (key == "xmlns" && value.is_empty()) || key.starts_with("xmlns:") {
                continue;
            }
            attributes.push((key, value));
        }
        self.stack.push(Element {
            name,
            attributes,
            children: Vec::new(),
            text: String::new(),
            offset,
        });
        Ok(())
    }

    fn close(&mut self, offset: u64) -> Result<(), Error> {
        let Some(done) = self.stack.pop() else {
            return Err(malformed(offset, "closing tag without an opening tag"));
        };
        match self.stack.last_mut() {
            Some(parent) => parent.children.push(done),
            None => self.root = Some(done),
        }
        Ok(())
    }

    fn push_text(&mut self, text: &str, offset: u64) -> Result<(), Error> {
        match self.stack.last_mut() {
            Some(el) => {
                el.text.push_str(text);
                Ok(())
            }
            None if text.chars().all(|c| matches!(c, ' ' | '\t' | '\n' | '\r')) => Ok(()),
            None => Err(malformed(offset, "text outside the root element")),
        }
    }
}

fn check_declaration(decl: &quick_xml::events::BytesDecl<'_>, offset: u64) -> Result<(), Error> {
    let version = decl
        .version()
        .map_err(|e| malformed(offset, format!("XML declaration: {e}")))?;
    if version.as_ref() != "1.0" {
        return Err(malformed(
            offset,
            format!(
                "XML version {} is not supported, use 1.0",
                truncate(&version, 10)
            ),
        ));
    }
    if let Some(encoding) = decl.encoding() {
        let encoding = encoding.map_err(|e| malformed(offset, format!("XML declaration: {e}")))?;
        if !encoding.eq_ignore_ascii_case("UTF-8") {
            return Err(malformed(
                offset,
                format!(
                    "encoding {} is not supported, use UTF-8",
                    truncate(&encoding, 20)
                ),
            ));
        }
    }
    Ok(())
}

/// Resolves a reference in text: a character reference or one of the five predefined
/// entities. Any other name could only come from a DTD, which is never read.
fn resolve_reference(r: &quick_xml::events::BytesRef<'_>, offset: u64) -> Result<String, Error> {
    if r.is_char_ref() {
        let c = r
            .resolve_char_ref()
            .map_err(|e| malformed(offset, format!("bad character reference: {e}")))?
            .ok_or_else(|| malformed(offset, "bad character reference"))?;
        if !is_xml_char(c) {
            return Err(malformed(
                offset,
                format!(
                    "character reference to U+{:04X}, which XML does not allow",
                    c as u32
                ),
            ));
        }
        return Ok(c.to_string());
    }
    let name: &str = r;
    let c = match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "apos" => '\'',
        "quot" => '"',
        other => {
            return Err(refused(
                offset,
                format!(
                    "entity &{};  is not defined: only &lt; &gt; &amp; &apos; &quot; and character references are allowed",
                    truncate(other, 40)
                ),
            ))
        }
    };
    Ok(c.to_string())
}

/// Attribute unescaping errors are either unknown entities (refused) or broken references.
fn reference_error(offset: u64, message: &str) -> Error {
    if message.contains("nrecognized") || message.contains("entity") {
        refused(offset, message.to_owned())
    } else {
        malformed(offset, message.to_owned())
    }
}

fn check_chars(value: &str, offset: u64) -> Result<(), Error> {
    match value.chars().find(|&c| !is_xml_char(c)) {
        Some(c) => Err(malformed(
            offset,
            format!("character U+{:04X} is not allowed in XML", c as u32),
        )),
        None => Ok(()),
    }
}

/// Cuts `s` to at most `max` characters so that hostile input cannot make error messages huge.
pub(crate) fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<Element, Error> {
        parse(s.as_bytes(), &Limits::default())
    }

    #[test]
    fn builds_tree_with_text_and_attributes() {
        let root = p("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<a x=\"1 &amp; 2\"><b>t&lt;<![CDATA[<c>]]>&#x41;</b><b/></a>")
            .expect("parses");
        assert_eq!(root.name, "a");
        assert_eq!(root.attribute("x"), Some("1 & 2"));
        assert_eq!(root.children.len(), 2);
        assert_eq!(root.children[0].text, "t<<c>A");
    }

    #[test]
    fn normalises_line_ends_and_attribute_whitespace() {
        let root = p("<a x=\"1\n2\">l1\r\nl2\rl3</a>").expect("parses");
        assert_eq!(root.text, "l1\nl2\nl3");
        assert_eq!(root.attribute("x"), Some("1 2"));
    }

    #[test]
    fn refuses_and_rejects() {
        assert!(matches!(p("<!DOCTYPE a><a/>"), Err(Error::Refused { .. })));
        assert!(matches!(p("<?foo bar?><a/>"), Err(Error::Refused { .. })));
        assert!(matches!(p("<a>&ent;</a>"), Err(Error::Refused { .. })));
        assert!(matches!(p("<a x=\"&ent;\"/>"), Err(Error::Refused { .. })));
        assert!(matches!(p("<a>&#1;</a>"), Err(Error::Malformed { .. })));
        assert!(matches!(p("<a>\u{1}</a>"), Err(Error::Malformed { .. })));
        assert!(matches!(p("<a></b>"), Err(Error::Malformed { .. })));
        assert!(matches!(p("<a>"), Err(Error::Malformed { .. })));
        assert!(matches!(p("<a/><b/>"), Err(Error::Malformed { .. })));
        assert!(matches!(p("<a/>text"), Err(Error::Malformed { .. })));
        assert!(matches!(p(""), Err(Error::Malformed { .. })));
        assert!(matches!(
            p("<a x='1' x='2'/>"),
            Err(Error::Malformed { .. })
        ));
        assert!(matches!(
            p(" <?xml version=\"1.0\"?><a/>"),
            Err(Error::Malformed { .. })
        ));
        assert!(matches!(
            p("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a/>"),
            Err(Error::Malformed { .. })
        ));
        assert!(matches!(p("<a>x & y</a>"), Err(Error::Malformed { .. })));
        assert!(p("<a xmlns=\"urn:x\"/>").is_ok_and(|a| a.attribute("xmlns") == Some("urn:x")));
        assert!(p("<a xmlns:xsi=\"urn:y\"/>").is_ok());
    }

    #[test]
    fn enforces_limits() {
        let limits = Limits {
            max_depth: 3,
            max_elements: 5,
            max_attributes: 2,
            max_bytes: 100,
        };
        let q = |s: &str| parse(s.as_bytes(), &limits);
        assert!(q("<a><b><c/></b></a>").is_ok());
        assert!(matches!(
            q("<a><b><c><d/></c></b></a>"),
            Err(Error::LimitExceeded { .. })
        ));
        assert!(matches!(
            q("<a><b/><b/><b/><b/><b/></a>"),
            Err(Error::LimitExceeded { .. })
        ));
        assert!(matches!(
            q("<a x='1' y='2' z='3'/>"),
            Err(Error::LimitExceeded { .. })
        ));
        assert!(matches!(
            q(&format!("<a>{}</a>", "x".repeat(200))),
            Err(Error::LimitExceeded { .. })
        ));
    }

    #[test]
    fn reports_invalid_utf8_offset() {
        assert_eq!(
            parse(b"<a>\xff</a>", &Limits::default()),
            Err(Error::InvalidUtf8 { offset: 3 })
        );
    }
}
