//! Form errors: each problem named by its field, in words that say what to do.

use serde::Serialize;

/// One problem with one field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The form field's name, which is also its input's `id`.
    pub field: String,
    pub message: String,
}

/// Every problem found in a form, in field order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, thiserror::Error)]
pub struct FormErrors(pub Vec<FieldError>);

impl FormErrors {
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.into(),
            message: message.into(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The message for a field, if it has one.
    pub fn for_field(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    /// `Ok(v)` when nothing was wrong.
    pub fn into_result<T>(self, v: T) -> Result<T, FormErrors> {
        if self.is_empty() {
            Ok(v)
        } else {
            Err(self)
        }
    }
}

impl std::fmt::Display for FormErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}: {}", e.field, e.message)?;
        }
        Ok(())
    }
}

/// A required text: trimmed, at most `max` characters.
pub(crate) fn text(
    errs: &mut FormErrors,
    field: &str,
    value: &str,
    max: usize,
    missing: &str,
) -> String {
    let v = value.trim();
    if v.is_empty() && !missing.is_empty() {
        errs.add(field, missing);
    } else if v.chars().count() > max {
        errs.add(field, format!("shorten this to {max} characters or fewer"));
    }
    v.to_owned()
}
