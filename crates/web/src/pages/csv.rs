//! CSV downloads: one way to write a cell, so no export lets a spreadsheet run a cell as
//! a formula (CSV injection) and every export quotes alike.

/// A CSV cell: quoted when needed; a cell a spreadsheet would run as a formula gets a
/// leading apostrophe (a phone number like `+12125550147` or a count like `-2` stays as
/// it is: a number is not a formula).
pub fn cell(s: &str) -> String {
    let formula = s.starts_with(['=', '@', '\t', '\r'])
        || (s.starts_with(['+', '-'])
            && !s[1..]
                .chars()
                .all(|c| c.is_ascii_digit() || c == ' ' || c == '.'));
    let s = if formula {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// A whole CSV document: the header, then each row, lines ended by CRLF (RFC 4180).
pub fn table(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> String {
    let mut out = header.join(",");
    out.push_str("\r\n");
    for r in rows {
        out.push_str(&r.iter().map(|c| cell(c)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_never_start_a_formula_and_numbers_stay_numbers() {
        assert_eq!(cell("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(cell("+1"), "+1");
        assert_eq!(cell("-2"), "-2");
        assert_eq!(cell("-2+3"), "'-2+3");
        assert_eq!(cell("+cmd|' /C calc'!A0"), "'+cmd|' /C calc'!A0");
        assert_eq!(cell("@cmd"), "'@cmd");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("Spring drive"), "Spring drive");
        assert_eq!(
            table(
                &["a", "b"],
                [vec!["=1".to_owned(), "x\"y".to_owned()]].into_iter()
            ),
            "a,b\r\n'=1,\"x\"\"y\"\r\n"
        );
    }
}
