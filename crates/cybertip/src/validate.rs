//! Generic validation of a mini-DOM tree against the schema tables.
//!
//! The walk stops at the first problem and reports it with the element path and what was
//! expected there. Sequences are matched greedily, which is exact for this schema: like every
//! valid XSD it obeys the unique-particle-attribution rule, so an element name never leaves a
//! choice of which particle it belongs to.

use std::collections::HashMap;

use crate::dom::{truncate, Element};
use crate::error::Error;
use crate::schema::{Attr, Child, Content, Particle, Simple, Type};
use crate::values::{is_date, is_date_time, parse_bool, parse_f64, parse_i32, parse_i64};

/// Attributes an XML client may add for schema-aware tooling; they carry no data.
const TOLERATED_ATTRIBUTES: &[&str] = &["xsi:noNamespaceSchemaLocation", "xsi:schemaLocation"];

/// Checks that `root` is the element `name` of type `ty`.
pub(crate) fn validate_root(root: &Element, name: &str, ty: &Type) -> Result<(), Error> {
    let path = format!("/{}", truncate(&root.name, 40));
    if root.name != name {
        return Err(Error::invalid(
            &path,
            format!(
                "expected root element <{name}>, found <{}>",
                truncate(&root.name, 40)
            ),
        ));
    }
    validate(root, ty, &path)
}

fn validate(el: &Element, ty: &Type, path: &str) -> Result<(), Error> {
    validate_attributes(el, ty.attrs, path)?;
    match &ty.content {
        Content::Simple(simple) => {
            if let Some(child) = el.children.first() {
                return Err(Error::invalid(
                    &child_path(el, child, path),
                    format!(
                        "unexpected element <{}>: <{}> holds only text",
                        truncate(&child.name, 40),
                        el.name
                    ),
                ));
            }
            check_simple(simple, &el.text).map_err(|m| Error::invalid(path, m))
        }
        Content::Sequence(particles) => {
            only_whitespace(el, path)?;
            validate_sequence(el, particles, path)
        }
        Content::All(children) => {
            only_whitespace(el, path)?;
            validate_all(el, children, path)
        }
        Content::Empty => {
            only_whitespace(el, path)?;
            match el.children.first() {
                Some(child) => Err(Error::invalid(
                    &child_path(el, child, path),
                    format!(
                        "unexpected element <{}>: <{}> must be empty",
                        truncate(&child.name, 40),
                        el.name
                    ),
                )),
                None => Ok(()),
            }
        }
    }
}

fn validate_attributes(el: &Element, attrs: &[Attr], path: &str) -> Result<(), Error> {
    for (name, value) in &el.attributes {
        let attr_path = format!("{path}/@{}", truncate(name, 40));
        match attrs.iter().find(|a| a.name == name) {
            Some(attr) => {
                check_simple(&attr.ty, value).map_err(|m| Error::invalid(&attr_path, m))?;
            }
            None if TOLERATED_ATTRIBUTES.contains(&name.as_str()) => {}
            None if name == "xmlns" => {
                return Err(Error::invalid(
                    &attr_path,
                    format!(
                        "elements must be in no namespace, found xmlns=\"{}\"",
                        truncate(value, 60)
                    ),
                ));
            }
            None => {
                let expected = if attrs.is_empty() {
                    "no attributes".to_owned()
                } else {
                    attrs.iter().map(|a| a.name).collect::<Vec<_>>().join(", ")
                };
                return Err(Error::invalid(
                    &attr_path,
                    format!(
                        "unexpected attribute {}; expected: {expected}",
                        truncate(name, 40)
                    ),
                ));
            }
        }
    }
    for attr in attrs.iter().filter(|a| a.required) {
        if el.attribute(attr.name).is_none() {
            return Err(Error::invalid(
                path,
                format!("missing required attribute {}", attr.name),
            ));
        }
    }
    Ok(())
}

fn only_whitespace(el: &Element, path: &str) -> Result<(), Error> {
    if el
        .text
        .chars()
        .all(|c| matches!(c, ' ' | '\t' | '\n' | '\r'))
    {
        Ok(())
    } else {
        Err(Error::invalid(
            path,
            format!(
                "unexpected text {:?}: <{}> holds only elements",
                truncate(el.text.trim(), 40),
                el.name
            ),
        ))
    }
}

fn validate_sequence(el: &Element, particles: &[Particle], path: &str) -> Result<(), Error> {
    let kids = &el.children;
    let paths = child_paths(el, path);
    let mut i = 0;
    // What may come next, for the message about an element that does not fit.
    let mut expected: Vec<&str> = Vec::new();
    let mut last: Option<(&str, Option<u32>)> = None;

    for (pi, particle) in particles.iter().enumerate() {
        let (child, options): (Option<&Child>, &[Child]) = match particle {
            Particle::El(c) => {
                let matched = kids.get(i).is_some_and(|k| k.name == c.name);
                (matched.then_some(c), std::slice::from_ref(c))
            }
            Particle::Choice(options) => {
                let found = kids
                    .get(i)
                    .and_then(|k| options.iter().find(|o| o.name == k.name));
                (found, options)
            }
        };
        let Some(child) = child else {
            let optional = options.iter().any(|o| o.min == 0);
            if optional {
                expected.extend(options.iter().map(|o| o.name));
                continue;
            }
            let misplaced = kids
                .get(i)
                .is_some_and(|k| particles[..pi].iter().any(|p| names_element(p, &k.name)));
            return Err(missing(
                el,
                path,
                options,
                last.map(|l| l.0),
                kids.get(i),
                misplaced,
            ));
        };
        let mut n = 0u32;
        while let Some(k) = kids.get(i) {
            if k.name != child.name || child.max.is_some_and(|m| n >= m) {
                break;
            }
            validate(k, child.ty, &paths[i])?;
            n += 1;
            i += 1;
        }
        if n < child.min {
            return Err(missing(
                el,
                path,
                std::slice::from_ref(child),
                Some(child.name),
                kids.get(i),
                false,
            ));
        }
        last = Some((child.name, child.max));
        expected.clear();
        if child.max.is_none_or(|m| n < m) {
            expected.push(child.name);
        }
    }

    let Some(extra) = kids.get(i) else {
        return Ok(());
    };
    let extra_path = child_path(el, extra, path);
    let name = truncate(&extra.name, 40);
    if let Some((last_name, Some(max))) = last {
        if last_name == extra.name {
            return Err(Error::invalid(
                &extra_path,
                format!("too many <{name}> elements: at most {max} allowed here"),
            ));
        }
    }
    // An alternative of a choice already taken is not "out of order": it is one too many.
    let known_earlier = particles
        .iter()
        .any(|p| matches!(p, Particle::El(c) if c.name == extra.name));
    let mut message = if known_earlier {
        format!("element <{name}> is out of order")
    } else {
        format!("unexpected element <{name}>")
    };
    if let Some((last_name, _)) = last {
        message.push_str(&format!(" after <{last_name}>"));
    }
    let mut choices: Vec<String> = expected.iter().map(|e| format!("<{e}>")).collect();
    choices.push(format!("the end of <{}>", el.name));
    let last_choice = choices.pop().unwrap_or_default();
    if choices.is_empty() {
        message.push_str(&format!("; expected {last_choice}"));
    } else {
        message.push_str(&format!(
            "; expected {} or {last_choice}",
            choices.join(", ")
        ));
    }
    Err(Error::invalid(&extra_path, message))
}

fn names_element(p: &Particle, name: &str) -> bool {
    match p {
        Particle::El(c) => c.name == name,
        Particle::Choice(options) => options.iter().any(|o| o.name == name),
    }
}

fn missing(
    el: &Element,
    path: &str,
    options: &[Child],
    after: Option<&str>,
    found: Option<&Element>,
    misplaced: bool,
) -> Error {
    let wanted = match options {
        [one] => format!("expected element <{}>", one.name),
        many => format!(
            "expected one of the elements {}",
            many.iter()
                .map(|o| format!("<{}>", o.name))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let place = match after {
        Some(prev) => format!(" after <{prev}>"),
        None => format!(" as the first child of <{}>", el.name),
    };
    let found = match found {
        Some(k) if misplaced => format!(
            ", found <{}>, which is out of order (it belongs earlier)",
            truncate(&k.name, 40)
        ),
        Some(k) => format!(", found <{}>", truncate(&k.name, 40)),
        None => format!(", found the end of <{}>", el.name),
    };
    Error::invalid(path, format!("{wanted}{place}{found}"))
}

fn validate_all(el: &Element, children: &[Child], path: &str) -> Result<(), Error> {
    let paths = child_paths(el, path);
    for (i, k) in el.children.iter().enumerate() {
        let k_path = &paths[i];
        let Some(child) = children.iter().find(|c| c.name == k.name) else {
            let names: Vec<String> = children.iter().map(|c| format!("<{}>", c.name)).collect();
            return Err(Error::invalid(
                k_path,
                format!(
                    "unexpected element <{}>; expected any of {} (each at most once)",
                    truncate(&k.name, 40),
                    names.join(", ")
                ),
            ));
        };
        if el.children[..i].iter().any(|prev| prev.name == k.name) {
            return Err(Error::invalid(
                k_path,
                format!("<{}> may appear at most once here", child.name),
            ));
        }
        validate(k, child.ty, k_path)?;
    }
    for child in children.iter().filter(|c| c.min > 0) {
        if el.child(child.name).is_none() {
            return Err(Error::invalid(
                path,
                format!("missing element <{}>", child.name),
            ));
        }
    }
    Ok(())
}

/// The paths of all children of `parent`, in linear time: a parent may legally hold tens of
/// thousands of repeated children, so per-child sibling scans would be quadratic.
fn child_paths(parent: &Element, path: &str) -> Vec<String> {
    let mut totals: HashMap<&str, usize> = HashMap::new();
    for c in &parent.children {
        *totals.entry(c.name.as_str()).or_default() += 1;
    }
    let mut seen: HashMap<&str, usize> = HashMap::new();
    parent
        .children
        .iter()
        .map(|c| {
            let name = truncate(&c.name, 40);
            let n = seen.entry(c.name.as_str()).or_default();
            *n += 1;
            if totals.get(c.name.as_str()).copied().unwrap_or(0) > 1 {
                format!("{path}/{name}[{n}]")
            } else {
                format!("{path}/{name}")
            }
        })
        .collect()
}

/// The path of `child`: `parent/name`, with `[n]` (1-based) when the name repeats. Linear in
/// the number of siblings, so used only to report an error.
fn child_path(parent: &Element, child: &Element, path: &str) -> String {
    let name = truncate(&child.name, 40);
    let same: Vec<&Element> = parent.children_named(&child.name).collect();
    if same.len() > 1 {
        let n = same
            .iter()
            .position(|c| std::ptr::eq(*c, child))
            .map_or(0, |p| p + 1);
        format!("{path}/{name}[{n}]")
    } else {
        format!("{path}/{name}")
    }
}

/// Checks text against a simple type; the error is the message part.
pub(crate) fn check_simple(ty: &Simple, value: &str) -> Result<(), String> {
    let shown = || format!("{:?}", truncate(value, 40));
    match ty {
        Simple::String | Simple::Token => Ok(()),
        Simple::Boolean => parse_bool(value).map(|_| ()).ok_or_else(|| {
            format!(
                "expected a boolean (true, false, 1 or 0), found {}",
                shown()
            )
        }),
        // Clients write these flags empty, as the fixed value allows; `false`/`0` mean "not set".
        Simple::FixedTrue => {
            if value.trim().is_empty() || parse_bool(value).is_some() {
                Ok(())
            } else {
                Err(format!(
                    "expected an empty flag (meaning true) or a boolean, found {}",
                    shown()
                ))
            }
        }
        Simple::Int => parse_i32(value)
            .map(|_| ())
            .ok_or_else(|| format!("expected a 32-bit integer (xs:int), found {}", shown())),
        Simple::Long => parse_i64(value)
            .map(|_| ())
            .ok_or_else(|| format!("expected a 64-bit integer (xs:long), found {}", shown())),
        Simple::Double => parse_f64(value).map(|_| ()).ok_or_else(|| {
            format!(
                "expected a finite decimal number (xs:double), found {}",
                shown()
            )
        }),
        Simple::Date => {
            if is_date(crate::values::trim_xml(value)) {
                Ok(())
            } else {
                Err(format!(
                    "expected a date (xs:date, e.g. 2010-02-28), found {}",
                    shown()
                ))
            }
        }
        Simple::DateTime => {
            if is_date_time(crate::values::trim_xml(value)) {
                Ok(())
            } else {
                Err(format!(
                    "expected a date and time (xs:dateTime, e.g. 2024-05-01T13:45:00Z), found {}",
                    shown()
                ))
            }
        }
        Simple::Enum(values) => {
            if values.contains(&value) {
                Ok(())
            } else {
                Err(format!(
                    "expected one of: {}; found {}",
                    values.join(", "),
                    shown()
                ))
            }
        }
        Simple::Codes { type_name, table } => {
            if table.iter().any(|(code, _)| *code == value) {
                Ok(())
            } else {
                let sample: Vec<&str> = table.iter().skip(1).take(6).map(|(c, _)| *c).collect();
                Err(format!(
                    "expected a code from the schema's {type_name} list ({} codes such as {}, or empty); found {}",
                    table.len() - 1,
                    sample.join(", "),
                    shown()
                ))
            }
        }
        Simple::Pattern {
            type_name,
            pattern,
            check,
        } => {
            if check(value) {
                Ok(())
            } else {
                Err(format!(
                    "expected a {type_name} matching {pattern}, found {}",
                    shown()
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dom::{parse, Limits};
    use crate::schema;

    fn check(xml: &str, ty: &Type, root: &str) -> Result<(), Error> {
        let dom = parse(xml.as_bytes(), &Limits::default())?;
        validate_root(&dom, root, ty)
    }

    #[test]
    fn sequence_and_occurrence_messages() {
        let ok =
            "<reportResponse><responseCode>0</responseCode><responseDescription/></reportResponse>";
        assert_eq!(
            check(ok, &schema::REPORT_RESPONSE, "reportResponse"),
            Ok(())
        );

        let missing =
            "<reportResponse><responseCode>0</responseCode><reportId>1</reportId></reportResponse>";
        let e = check(missing, &schema::REPORT_RESPONSE, "reportResponse").unwrap_err();
        assert_eq!(e.path(), Some("/reportResponse"));
        assert_eq!(
            e.message(),
            "expected element <responseDescription> after <responseCode>, found <reportId>"
        );

        let twice = "<reportResponse><responseCode>0</responseCode><responseDescription/><reportId>1</reportId><reportId>2</reportId></reportResponse>";
        let e = check(twice, &schema::REPORT_RESPONSE, "reportResponse").unwrap_err();
        assert_eq!(e.path(), Some("/reportResponse/reportId[2]"));
        assert!(e.message().starts_with("too many <reportId>"), "{e}");

        let order = "<reportResponse><responseCode>0</responseCode><responseDescription/><hash>h</hash><fileId>f</fileId></reportResponse>";
        let e = check(order, &schema::REPORT_RESPONSE, "reportResponse").unwrap_err();
        assert_eq!(e.path(), Some("/reportResponse/fileId"));
        assert_eq!(
            e.message(),
            "element <fileId> is out of order after <hash>; expected the end of <reportResponse>"
        );
    }

    #[test]
    fn wrong_root() {
        let e = check("<fileDetails/>", &schema::REPORT, "report").unwrap_err();
        assert_eq!(e.path(), Some("/fileDetails"));
        assert_eq!(
            e.message(),
            "expected root element <report>, found <fileDetails>"
        );
    }
}
