//! What every form shows when what was sent cannot be used, in GOV.UK's pattern: a summary
//! at the top ("There is a problem") linking to each field, and the message again beside
//! the field, whose input is marked invalid and described by it.

/// The problems with one form, in the order of its fields. A field is named by its form
/// name, which is also its input's `id`.
#[derive(Debug, Clone, Default)]
pub struct FieldErrors(Vec<FieldError>);

#[derive(Debug, Clone)]
struct FieldError {
    field: String,
    /// In the summary: says which field ("Child's age: give the age …").
    summary: String,
    /// Beside the field, whose label already says which.
    message: String,
}

impl FieldErrors {
    pub fn push(&mut self, field: &str, summary: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.to_owned(),
            summary: summary.into(),
            message: message.into(),
        });
    }

    /// One problem, for a form whose service answers with one message.
    pub fn one(field: &str, message: impl Into<String>) -> FieldErrors {
        let message = message.into();
        let mut e = FieldErrors::default();
        e.push(field, message.clone(), message);
        e
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// (field id, text) for `error_summary.html`.
    pub fn summary(&self) -> Vec<(String, String)> {
        self.0
            .iter()
            .map(|e| (e.field.clone(), e.summary.clone()))
            .collect()
    }

    /// The message beside `field`, if it has one.
    pub fn get(&self, field: impl AsRef<str>) -> Option<&str> {
        let field = field.as_ref();
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    /// The input's `aria-describedby`: its hint and its error, when present.
    pub fn described_by(&self, field: impl AsRef<str>, has_hint: bool) -> String {
        let field = field.as_ref();
        let mut v = Vec::new();
        if has_hint {
            v.push(format!("{field}-hint"));
        }
        if self.get(field).is_some() {
            v.push(format!("{field}-error"));
        }
        v.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_is_described_by_its_hint_and_its_error() {
        let mut e = FieldErrors::default();
        e.push("child_age", "Child's age: a number", "a number");
        assert_eq!(e.get("child_age"), Some("a number"));
        assert_eq!(e.get("other_age"), None);
        assert_eq!(
            e.described_by("child_age", true),
            "child_age-hint child_age-error"
        );
        assert_eq!(e.described_by("other_age", false), "");
        assert_eq!(
            e.summary(),
            [("child_age".to_owned(), "Child's age: a number".to_owned())]
        );
    }
}
