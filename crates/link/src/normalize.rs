//! Normalisation of names, places and identifiers before comparison, so that
//! case, punctuation, spacing and formatting never count as disagreement.
//!
//! Phones and emails go through the same normalisers as entity extraction
//! (`extract`), so an identifier found in a narrative and one typed into a
//! form become the same string.

/// Lower-cases and keeps letters and digits only (names: "O'Brien-Smith" ->
/// "obriensmith"). Accented Latin letters lose their accents.
pub fn name(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !c.is_ascii() {
            if let Some(f) = fold_latin(c) {
                out.push(f);
            } else if c.is_alphanumeric() {
                out.extend(c.to_lowercase());
            }
        }
    }
    out
}

/// Lower-cases, keeps letters and digits, and separates words by one space
/// (addresses, place names, free text).
pub fn words(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.chars() {
        let keep = if c.is_ascii_alphanumeric() {
            Some(c.to_ascii_lowercase())
        } else if !c.is_ascii() {
            fold_latin(c).or_else(|| c.is_alphanumeric().then_some(c))
        } else {
            None
        };
        match keep {
            Some(k) => {
                if pending_space && !out.is_empty() {
                    out.push(' ');
                }
                pending_space = false;
                out.extend(k.to_lowercase());
            }
            None => pending_space = true,
        }
    }
    out
}

/// The common accented Latin letters without their accent; enough for names
/// typed with or without diacritics to agree.
fn fold_latin(c: char) -> Option<char> {
    let f = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => 'a',
        'ç' | 'Ç' => 'c',
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => 'i',
        'ñ' | 'Ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' => 'o',
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => 'u',
        'ý' | 'ÿ' | 'Ý' => 'y',
        _ => return None,
    };
    Some(f)
}

/// A phone number in E.164 when it can be read as one.
///
/// The common case (10 NANP digits, or 11 with the leading 1, in any
/// formatting) is handled here without parsing, because structured records
/// arrive by the million; anything else (spelled digits, look-alike letters,
/// other countries) goes through [`extract::normalize_phone`]. Numbers neither
/// accepts are kept as their digits when there are at least 7, so two records
/// with the same odd number still agree.
pub fn phone(s: &str) -> Option<String> {
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    let only_format = s
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c));
    if only_format && !s.trim_start().starts_with('+') || s.trim_start().starts_with("+1") {
        if digits.len() == 10 {
            return Some(format!("+1{digits}"));
        }
        if digits.len() == 11 && digits.starts_with('1') {
            return Some(format!("+{digits}"));
        }
    }
    extract::normalize_phone(s).or_else(|| (digits.len() >= 7).then_some(digits))
}

/// An email address, de-obfuscated and lower-cased; plain addresses skip the
/// extractor's de-obfuscation for speed.
pub fn email(s: &str) -> Option<String> {
    let t = s.trim();
    let plain = t.bytes().filter(|&b| b == b'@').count() == 1
        && t.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"@._+-".contains(&b));
    if plain {
        return Some(t.to_ascii_lowercase());
    }
    extract::normalize_email(t)
}

/// A social handle: lower-case, without a leading `@` or surrounding spaces.
pub fn handle(s: &str) -> Option<String> {
    let t = s.trim().trim_start_matches('@').to_lowercase();
    (!t.is_empty()).then_some(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_words() {
        assert_eq!(name("O'Brien-Smith"), "obriensmith");
        assert_eq!(name("José"), "jose");
        assert_eq!(words("  12, Main   St. "), "12 main st");
    }

    #[test]
    fn phones_agree_across_formats() {
        assert_eq!(phone("(212) 555-0147").as_deref(), Some("+12125550147"));
        assert_eq!(phone("1-212-555-0147").as_deref(), Some("+12125550147"));
        assert_eq!(phone("+1 212 555 0147").as_deref(), Some("+12125550147"));
        assert_eq!(
            phone("two one two 555 0147").as_deref(),
            extract::normalize_phone("two one two 555 0147").as_deref()
        );
        assert_eq!(phone("12"), None);
    }

    #[test]
    fn emails_and_handles() {
        assert_eq!(
            email(" Jane@Example.com").as_deref(),
            Some("jane@example.com")
        );
        assert_eq!(
            email("jane [at] example [dot] com").as_deref(),
            Some("jane@example.com")
        );
        assert_eq!(handle("@Jane_X").as_deref(), Some("jane_x"));
        assert_eq!(handle(" @ "), None);
    }
}
