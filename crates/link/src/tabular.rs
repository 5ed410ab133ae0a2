//! Persons in tables: which column of a spreadsheet export says what about a
//! person (headers recognised by their usual names, with a caller's
//! overrides), and the cells read into a [`PersonRecord`]: dates in their
//! common forms, ages, sexes, several values in one cell, placeholders that
//! mean "not known". The format of "persons' CSV" lives here once; a tool
//! reads the file and hands over headers and rows.

use crate::{Date, PersonRecord, Sex};

/// What a CSV column says about a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Given name.
    FirstName,
    /// Family name.
    LastName,
    /// A full name, split into first and last when those have no column.
    Name,
    /// Other given names: nicknames, street names (several per cell allowed).
    Alias,
    /// Date of birth.
    Dob,
    /// Age in years, as stated.
    Age,
    /// Sex (`F`, `male`...).
    Sex,
    /// Phone numbers.
    Phone,
    /// Email addresses.
    Email,
    /// Social-media handles.
    Handle,
    /// Joined before the address (FEBRL and many forms split them).
    StreetNumber,
    /// Street address.
    Address,
    /// City, suburb or town.
    City,
    /// State, province or region.
    State,
    /// ZIP or postal code.
    Postcode,
    /// An identity document's number.
    Document,
    /// When the record was made: anchors a stated age.
    Recorded,
}

/// Roles, their names (as a tool takes them, e.g. on a command line), and the headers recognised for
/// them (compared after [`header_key`], so case, spaces and punctuation do
/// not matter). A tool's help can be generated from this table.
pub const ROLES: &[(Role, &str, &[&str])] = &[
    (
        Role::FirstName,
        "first_name",
        &[
            "first name",
            "given name",
            "first",
            "given",
            "forename",
            "fname",
            "first names",
            "given names",
        ],
    ),
    (
        Role::LastName,
        "last_name",
        &["last name", "surname", "family name", "last", "lname"],
    ),
    (Role::Name, "name", &["name", "full name", "person name"]),
    (
        Role::Dob,
        "dob",
        &["dob", "date of birth", "birth date", "birthday", "bdate"],
    ),
    (Role::Age, "age", &["age", "age years", "stated age"]),
    (Role::Sex, "sex", &["sex", "gender"]),
    (
        Role::Phone,
        "phone",
        &[
            "phone",
            "phone number",
            "telephone",
            "tel",
            "mobile",
            "mobile phone",
            "cell",
            "cell phone",
            "phones",
        ],
    ),
    (
        Role::Email,
        "email",
        &["email", "e-mail", "email address", "emails"],
    ),
    (
        Role::Handle,
        "handle",
        &[
            "handle",
            "username",
            "user name",
            "screen name",
            "social handle",
            "handles",
        ],
    ),
    (
        Role::Alias,
        "alias",
        &[
            "alias",
            "aliases",
            "nickname",
            "nicknames",
            "aka",
            "also known as",
            "known as",
            "other names",
        ],
    ),
    (
        Role::StreetNumber,
        "street_number",
        &["street number", "house number", "street no", "house no"],
    ),
    (
        Role::Address,
        "address",
        &[
            "address",
            "street address",
            "address 1",
            "address line 1",
            "street",
        ],
    ),
    (Role::City, "city", &["city", "suburb", "town", "locality"]),
    (Role::State, "state", &["state", "province", "region"]),
    (
        Role::Postcode,
        "postcode",
        &["zip", "zip code", "postcode", "postal code"],
    ),
    (
        Role::Document,
        "document",
        &[
            "document id",
            "document number",
            "ssn",
            "soc sec id",
            "social security number",
            "id number",
            "national id",
        ],
    ),
    (
        Role::Recorded,
        "recorded",
        &["recorded", "record date", "report date", "date reported"],
    ),
];

impl Role {
    /// Roles that may take several columns as several values (`phone 2`).
    pub fn multi_valued(self) -> bool {
        matches!(self, Role::Phone | Role::Email | Role::Handle | Role::Alias)
    }

    /// The role's name (`first_name`, `dob`...).
    pub fn name(self) -> &'static str {
        ROLES
            .iter()
            .find(|(r, _, _)| *r == self)
            .map_or("?", |(_, n, _)| n)
    }

    /// The role called `name`: its own name (`dob`) or one of its headers
    /// (`date of birth`), compared as [`header_key`]s.
    pub fn from_name(name: &str) -> Option<Role> {
        let key = header_key(name);
        ROLES
            .iter()
            .find(|(_, n, _)| header_key(n) == key)
            .map(|(r, _, _)| *r)
            .or_else(|| Role::of_header(name))
    }

    /// The role a header names, if any.
    pub fn of_header(header: &str) -> Option<Role> {
        let key = header_key(header);
        if key.is_empty() {
            return None;
        }
        let find = |k: &str| {
            ROLES
                .iter()
                .find(|(_, _, names)| names.iter().any(|n| header_key(n) == k))
                .map(|(r, _, _)| *r)
        };
        if let Some(r) = find(&key) {
            return Some(r);
        }
        // `phone2`, `email_1`: numbered copies of a multi-valued column.
        let stem = key.trim_end_matches(|c: char| c.is_ascii_digit());
        find(stem).filter(|r| r.multi_valued())
    }
}

/// Lower case, letters and digits only: `Date of Birth`, `date_of_birth`
/// and `DATE-OF-BIRTH` are one header.
pub fn header_key(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// A caller's choice of column for a role (`dob="Birth Date"`), replacing the
/// recognised one; an empty header means the role is not used at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnOverride {
    /// The role.
    pub role: Role,
    /// The header of the column; empty: the role is not used at all.
    pub header: String,
}

/// Why `ROLE=HEADER` is not an override.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OverrideError {
    /// No `=`.
    #[error("expected ROLE=HEADER, got `{0}`")]
    NoEquals(String),
    /// The role is not one of [`ROLES`].
    #[error("unknown role `{0}`; roles: {names}", names = role_names())]
    UnknownRole(String),
}

fn role_names() -> String {
    let names: Vec<&str> = ROLES.iter().map(|(_, n, _)| *n).collect();
    names.join(", ")
}

impl std::str::FromStr for ColumnOverride {
    type Err = OverrideError;

    /// `ROLE=HEADER`: the role by its name or one of its headers.
    fn from_str(s: &str) -> Result<ColumnOverride, OverrideError> {
        let (role, header) = s
            .split_once('=')
            .ok_or_else(|| OverrideError::NoEquals(s.to_string()))?;
        let role =
            Role::from_name(role).ok_or_else(|| OverrideError::UnknownRole(role.to_string()))?;
        Ok(ColumnOverride {
            role,
            header: header.trim().to_string(),
        })
    }
}

/// Which column [`Mapping::new`] looked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wanted {
    /// The column of record ids.
    Id,
    /// The column an override names.
    Override(ColumnOverride),
}

/// Why a file's headers cannot be mapped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MappingError {
    /// A column asked for by name is not there.
    #[error("no column named `{name}`; the headers are: {}", headers.join(", "))]
    NoColumn {
        /// The header asked for.
        name: String,
        /// What it was asked for.
        wanted: Wanted,
        /// The file's headers.
        headers: Vec<String>,
    },
    /// No header names anything about a person.
    #[error(
        "no column recognised as a name, date of birth, phone, email, address...; \
         the headers are: {}",
        headers.join(", ")
    )]
    NothingRecognised {
        /// The file's headers.
        headers: Vec<String>,
    },
}

/// Which columns of one file feed which role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    /// The id column.
    pub id: usize,
    /// Columns per role, roles in order; a role without a column is absent.
    pub roles: Vec<(Role, Vec<usize>)>,
}

/// Finds a header: exactly (ignoring case and surrounding spaces), else by
/// [`header_key`] when that is unambiguous.
fn find_header(headers: &[String], wanted: &str) -> Option<usize> {
    let w = wanted.trim();
    if let Some(i) = headers.iter().position(|h| h.eq_ignore_ascii_case(w)) {
        return Some(i);
    }
    let key = header_key(w);
    let loose: Vec<usize> = (0..headers.len())
        .filter(|&i| !key.is_empty() && header_key(&headers[i]) == key)
        .collect();
    match loose[..] {
        [i] => Some(i),
        _ => None,
    }
}

impl Mapping {
    /// Maps a file's headers: the id column by `id_column`, every other
    /// header by [`Role::of_header`] (several columns for a multi-valued role;
    /// for a one-valued role the first), then the overrides, each replacing
    /// what was recognised for its role.
    pub fn new(
        headers: &[String],
        id_column: &str,
        overrides: &[ColumnOverride],
    ) -> Result<Mapping, MappingError> {
        let missing = |name: &str, wanted: Wanted| MappingError::NoColumn {
            name: name.trim().to_string(),
            wanted,
            headers: headers.to_vec(),
        };
        let id = find_header(headers, id_column).ok_or_else(|| missing(id_column, Wanted::Id))?;
        let mut roles: Vec<(Role, Vec<usize>)> = Vec::new();
        let overridden = |r: Role| overrides.iter().any(|o| o.role == r);
        for (i, h) in headers.iter().enumerate() {
            let Some(role) = Role::of_header(h) else {
                continue;
            };
            if i == id || overridden(role) {
                continue;
            }
            match roles.iter_mut().find(|(r, _)| *r == role) {
                Some((_, cols)) if role.multi_valued() => cols.push(i),
                // A second column for a one-valued role (`address 2` after
                // `address 1`) is ignored: the first is the usual main one.
                Some(_) => {}
                None => roles.push((role, vec![i])),
            }
        }
        for o in overrides {
            if o.header.is_empty() {
                continue;
            }
            let col = find_header(headers, &o.header)
                .ok_or_else(|| missing(&o.header, Wanted::Override(o.clone())))?;
            match roles.iter_mut().find(|(r, _)| *r == o.role) {
                Some((_, cols)) => cols.push(col),
                None => roles.push((o.role, vec![col])),
            }
        }
        roles.sort_by_key(|(r, _)| *r);
        let useful = roles.iter().any(|(r, _)| *r != Role::Recorded);
        if !useful {
            return Err(MappingError::NothingRecognised {
                headers: headers.to_vec(),
            });
        }
        Ok(Mapping { id, roles })
    }

    /// The columns of a role (none when it has no column).
    pub fn columns(&self, role: Role) -> &[usize] {
        self.roles
            .iter()
            .find(|(r, _)| *r == role)
            .map_or(&[], |(_, c)| c.as_slice())
    }

    /// `role=Header+Header, ...`: what the mapping took, for a summary.
    pub fn describe(&self, headers: &[String]) -> String {
        let parts: Vec<String> = self
            .roles
            .iter()
            .map(|(r, cols)| {
                let h: Vec<&str> = cols.iter().map(|&c| headers[c].as_str()).collect();
                format!("{}={}", r.name(), h.join("+"))
            })
            .collect();
        parts.join(", ")
    }

    /// The person a row describes: cells of one role joined (text) or split
    /// (phones, emails, handles, aliases; `;`, `,` or `|` between values), dates,
    /// ages and sexes parsed, placeholders such as `n/a` left empty. Dates that are
    /// not understood are counted in `odd` and left empty.
    pub fn person<S: AsRef<str>>(&self, id: String, row: &[S], odd: &mut Oddities) -> PersonRecord {
        let map = self;
        let joined = |role: Role| -> Option<String> {
            let parts: Vec<&str> = map
                .columns(role)
                .iter()
                .map(|&c| row[c].as_ref())
                .filter(|v| !is_blank(v))
                .map(str::trim)
                .collect();
            (!parts.is_empty()).then(|| parts.join(" "))
        };
        let many = |role: Role| -> Vec<String> {
            map.columns(role)
                .iter()
                .flat_map(|&c| split_values(row[c].as_ref()))
                .collect()
        };
        let mut date = |role: Role| -> Option<Date> {
            let raw = joined(role)?;
            let d = parse_date(&raw);
            if d.is_none() {
                odd.bad_dates += 1;
                odd.first_bad_date.get_or_insert(raw);
            }
            d
        };
        let dob = date(Role::Dob);
        let recorded = date(Role::Recorded);
        let (mut first_name, mut last_name) = (joined(Role::FirstName), joined(Role::LastName));
        if first_name.is_none() && last_name.is_none() {
            if let Some(full) = joined(Role::Name) {
                (first_name, last_name) = split_name(&full);
            }
        }
        let address = match (joined(Role::StreetNumber), joined(Role::Address)) {
            (Some(n), Some(a)) => Some(format!("{n} {a}")),
            (n, a) => a.or(n),
        };
        PersonRecord {
            id,
            first_name,
            last_name,
            aliases: many(Role::Alias),
            dob,
            age: joined(Role::Age).as_deref().and_then(parse_age),
            recorded,
            sex: joined(Role::Sex).as_deref().and_then(parse_sex),
            phones: many(Role::Phone),
            emails: many(Role::Email),
            handles: many(Role::Handle),
            document_id: joined(Role::Document),
            address,
            city: joined(Role::City),
            state: joined(Role::State),
            postcode: joined(Role::Postcode),
        }
    }
}

/// Placeholders that mean "not known": as values they would match each
/// other exactly and link strangers.
pub fn is_blank(s: &str) -> bool {
    const BLANK: &[&str] = &[
        "", "-", "--", "?", "na", "n/a", "nan", "null", "nil", "none", "unknown", "unk",
    ];
    let t = s.trim();
    BLANK.iter().any(|b| t.eq_ignore_ascii_case(b))
}

fn text(s: &str) -> Option<String> {
    (!is_blank(s)).then(|| s.trim().to_string())
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// A date in one of the common forms; `None` when the text is not a date.
///
/// `YYYY-MM-DD`, `YYYYMMDD`, `MM/DD/YYYY` (`DD/MM/YYYY` when the first number
/// is over 12), `DD.MM.YYYY`, `9 April 2008`, `Apr 9th, 2008`; a time after the
/// date is ignored. Two-digit years are refused as ambiguous. In `YYYY-MM-DD`
/// and `YYYYMMDD` a month or day out of range (up to 99) is kept as a typo,
/// which the matcher allows for; the other forms refuse it.
///
/// ```
/// use link::{parse_date, Date};
/// assert_eq!(parse_date("25/12/2008"), Some(Date::new(2008, 12, 25)));
/// assert_eq!(parse_date("04/09/08"), None);
/// ```
pub fn parse_date(raw: &str) -> Option<Date> {
    let s = raw.trim();
    if is_blank(s) {
        return None;
    }
    // A time after an all-numeric date: `2008-04-09T10:00`, `04/09/2008 10:00`.
    let head = s
        .split(|c: char| c == 'T' || c.is_whitespace())
        .next()
        .unwrap_or(s);
    if head.len() >= 8 && !head.chars().any(|c| c.is_alphabetic()) {
        return numeric_date(head);
    }
    if !s.chars().any(|c| c.is_alphabetic()) {
        return numeric_date(s);
    }
    month_name_date(s)
}

fn numeric_date(s: &str) -> Option<Date> {
    let num = |t: &str| -> Option<u32> {
        (!t.is_empty() && t.len() <= 4 && t.bytes().all(|b| b.is_ascii_digit()))
            .then(|| t.parse().ok())
            .flatten()
    };
    let year_ok = |y: u32| (1000..=2999).contains(&y);
    if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        let (y, m, d) = (num(&s[0..4])?, num(&s[4..6])?, num(&s[6..8])?);
        return year_ok(y).then(|| Date::new(y as u16, m as u8, d as u8));
    }
    let sep = s.chars().find(|c| matches!(c, '-' | '/' | '.'))?;
    let parts: Vec<&str> = s.split(sep).collect();
    let [a, b, c] = parts[..] else {
        return None;
    };
    let (na, nb, nc) = (num(a)?, num(b)?, num(c)?);
    if a.len() == 4 {
        // Year first is unambiguous: out-of-range months or days are typos
        // the matcher can still use.
        return (year_ok(na) && nb <= 99 && nc <= 99)
            .then(|| Date::new(na as u16, nb as u8, nc as u8));
    }
    if c.len() != 4 || !year_ok(nc) {
        return None; // two-digit years are ambiguous
    }
    // Dots are written day first (09.04.2008); with slashes or dashes a
    // first number over 12 cannot be the month (25/12/2008).
    let day_first = sep == '.' || (na > 12 && nb <= 12);
    let (m, d) = if day_first { (nb, na) } else { (na, nb) };
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then(|| Date::new(nc as u16, m as u8, d as u8))
}

fn month_name_date(s: &str) -> Option<Date> {
    let tokens: Vec<String> = s
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
        .collect();
    let month = tokens.iter().find_map(|t| {
        let t = t.trim_end_matches(|c: char| c.is_ascii_digit());
        (t.len() >= 3)
            .then(|| MONTHS.iter().position(|m| t.starts_with(m)))
            .flatten()
    })? as u8
        + 1;
    let numbers: Vec<&str> = tokens
        .iter()
        .map(|t| t.trim_end_matches(|c: char| c.is_alphabetic())) // 9th
        .filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))
        .collect();
    let year: u16 = numbers.iter().find(|t| t.len() == 4)?.parse().ok()?;
    let day: u8 = numbers.iter().find(|t| t.len() <= 2)?.parse().ok()?;
    ((1000..=2999).contains(&year) && (1..=31).contains(&day)).then(|| Date::new(year, month, day))
}

/// `F`, `female`, `girl`... or `M`, `male`, `boy`...; anything else is unknown.
pub fn parse_sex(s: &str) -> Option<Sex> {
    match s.trim().to_lowercase().as_str() {
        "f" | "female" | "w" | "woman" | "girl" => Some(Sex::Female),
        "m" | "male" | "man" | "boy" => Some(Sex::Male),
        _ => None,
    }
}

/// The whole years a cell starts with (`17`, `17 years`), up to 130.
pub fn parse_age(s: &str) -> Option<u8> {
    let t = s.trim();
    let digits: String = t.chars().take_while(|c| c.is_ascii_digit()).collect();
    digits.parse::<u8>().ok().filter(|&a| a <= 130)
}

/// Several values in one cell, separated by `;`, `,` or `|`; placeholders dropped.
pub fn split_values(s: &str) -> impl Iterator<Item = String> + '_ {
    s.split([';', ',', '|'])
        .filter(|v| !is_blank(v))
        .map(|v| v.trim().to_string())
}

/// "Doe, Jane" or "Jane Q Doe" into first and last.
pub fn split_name(s: &str) -> (Option<String>, Option<String>) {
    if let Some((last, first)) = s.split_once(',') {
        let first = first.split_whitespace().next().map(str::to_string);
        return (first, text(last));
    }
    let words: Vec<&str> = s.split_whitespace().collect();
    match words[..] {
        [] => (None, None),
        [one] => (Some(one.to_string()), None),
        [first, .., last] => (Some(first.to_string()), Some(last.to_string())),
    }
}

/// Counts of cells that were present but not understood, for a summary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Oddities {
    /// Date cells that are not a date (left empty).
    pub bad_dates: usize,
    /// The first of them, as written.
    pub first_bad_date: Option<String>,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;

    fn headers(hs: &[&str]) -> Vec<String> {
        hs.iter().map(|s| s.to_string()).collect()
    }

    fn over(s: &str) -> ColumnOverride {
        s.parse().unwrap()
    }

    #[test]
    fn headers_map_by_synonym_ignoring_case_and_punctuation() {
        let h = headers(&[
            "Record ID",
            "Given Name",
            "SURNAME",
            "Date of Birth",
            "Suburb",
            "ZIP Code",
            "Phone",
            "phone_2",
            "E-mail",
            "street_number",
            "address_1",
            "address_2",
            "notes",
        ]);
        let m = Mapping::new(&h, "record id", &[]).unwrap();
        assert_eq!(m.id, 0);
        assert_eq!(m.columns(Role::FirstName), [1]);
        assert_eq!(m.columns(Role::LastName), [2]);
        assert_eq!(m.columns(Role::Dob), [3]);
        assert_eq!(m.columns(Role::City), [4]);
        assert_eq!(m.columns(Role::Postcode), [5]);
        assert_eq!(m.columns(Role::Phone), [6, 7]);
        assert_eq!(m.columns(Role::Email), [8]);
        assert_eq!(m.columns(Role::StreetNumber), [9]);
        // address_2 is a second line: the first address column wins.
        assert_eq!(m.columns(Role::Address), [10]);
        assert!(m.roles.iter().all(|(_, c)| !c.contains(&12)));
        assert!(m
            .describe(&h)
            .starts_with("first_name=Given Name, last_name=SURNAME"));
    }

    #[test]
    fn column_override_replaces_and_disables_roles() {
        let h = headers(&["id", "first", "last", "Birth (d/m/y)", "dob", "ssn"]);
        let o = vec![
            over("dob=birth (D/M/Y)"),
            over("surname=first"),
            over("given=last"),
            over("document="),
        ];
        let m = Mapping::new(&h, "ID", &o).unwrap();
        assert_eq!(m.columns(Role::Dob), [3]);
        assert_eq!(m.columns(Role::LastName), [1]);
        assert_eq!(m.columns(Role::FirstName), [2]);
        assert!(m.columns(Role::Document).is_empty());
        assert_eq!(
            "dob".parse::<ColumnOverride>(),
            Err(OverrideError::NoEquals("dob".into()))
        );
        let e = "shoe_size=x"
            .parse::<ColumnOverride>()
            .unwrap_err()
            .to_string();
        assert!(e.contains("first_name") && e.contains("postcode"), "{e}");
    }

    #[test]
    fn unknown_headers_are_errors_listing_the_available_ones() {
        let h = headers(&["key", "first name", "surname"]);
        let e = Mapping::new(&h, "rec_id", &[]).unwrap_err();
        assert!(matches!(
            &e,
            MappingError::NoColumn {
                wanted: Wanted::Id,
                ..
            }
        ));
        let e = e.to_string();
        assert!(
            e.contains("rec_id") && e.contains("key, first name, surname"),
            "{e}"
        );
        let e = Mapping::new(&h, "key", &[over("dob=born")]).unwrap_err();
        assert!(matches!(
            &e,
            MappingError::NoColumn {
                wanted: Wanted::Override(_),
                ..
            }
        ));
        assert!(e.to_string().contains("`born`"), "{e}");
        let e = Mapping::new(&headers(&["key", "colour"]), "key", &[]).unwrap_err();
        assert!(e.to_string().contains("no column recognised"), "{e}");
    }

    #[test]
    fn dates_in_common_forms() {
        let d = |y, m, day| Some(Date::new(y, m, day));
        assert_eq!(parse_date("2008-04-09"), d(2008, 4, 9));
        assert_eq!(parse_date("2008/4/9"), d(2008, 4, 9));
        assert_eq!(parse_date("20080409"), d(2008, 4, 9));
        assert_eq!(parse_date("04/09/2008"), d(2008, 4, 9));
        assert_eq!(parse_date("4/9/2008"), d(2008, 4, 9));
        assert_eq!(parse_date("25/12/2008"), d(2008, 12, 25));
        assert_eq!(parse_date("09.04.2008"), d(2008, 4, 9));
        assert_eq!(parse_date("2008-04-09T10:30:00Z"), d(2008, 4, 9));
        assert_eq!(parse_date("04/09/2008 10:30"), d(2008, 4, 9));
        assert_eq!(parse_date("9 April 2008"), d(2008, 4, 9));
        assert_eq!(parse_date("Apr 9th, 2008"), d(2008, 4, 9));
        // FEBRL typos stay comparable when the form is unambiguous.
        assert_eq!(parse_date("19903925"), d(1990, 39, 25));
        for bad in [
            "",
            "n/a",
            "unknown",
            "04/09/08",
            "2008",
            "13/13/2008",
            "tomorrow",
            "0",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn cells_become_fields() {
        let h = headers(&["id", "name", "sex", "age", "phone", "email", "dob"]);
        let m = Mapping::new(&h, "id", &[]).unwrap();
        let row = [
            "7",
            "Doe, Jane Q",
            "F",
            "17 years",
            "212-555-0147; 212 555 0148",
            "N/A",
            "soon",
        ];
        let mut odd = Oddities::default();
        let p = m.person("7".into(), &row, &mut odd);
        assert_eq!(p.first_name.as_deref(), Some("Jane"));
        assert_eq!(p.last_name.as_deref(), Some("Doe"));
        assert_eq!(p.sex, Some(Sex::Female));
        assert_eq!(p.age, Some(17));
        assert_eq!(p.phones.len(), 2);
        assert!(p.emails.is_empty());
        assert_eq!(p.dob, None);
        assert_eq!(
            (odd.bad_dates, odd.first_bad_date.as_deref()),
            (1, Some("soon"))
        );
        assert_eq!(
            split_name("Jane Q Doe"),
            (Some("Jane".into()), Some("Doe".into()))
        );
    }

    proptest! {
        #[test]
        fn parse_date_never_panics(s in "\\PC{0,40}") {
            let _ = parse_date(&s);
        }

        #[test]
        fn parse_date_never_panics_on_date_like_text(
            s in "[0-9]{0,9}([-/. ][0-9]{0,5}){0,3}( ?[A-Za-z]{0,9})?( [0-9:TZ]{0,8})?"
        ) {
            let _ = parse_date(&s);
        }

        #[test]
        fn a_parsed_date_round_trips_from_its_iso_form(
            s in "([0-9]{1,4}[-/.][0-9]{1,4}[-/.][0-9]{1,4}|[0-9]{8}|[0-9]{1,2} [A-Za-z]{3,9},? [0-9]{4})"
        ) {
            if let Some(d) = parse_date(&s) {
                prop_assert_eq!(parse_date(&d.iso()), Some(d));
            }
        }

        #[test]
        fn every_valid_date_round_trips(y in 1000u16..3000, m in 1u8..=12, d in 1u8..=31) {
            let date = Date::new(y, m, d);
            prop_assert_eq!(parse_date(&date.iso()), Some(date));
            prop_assert_eq!(parse_date(&format!("{m}/{d}/{y}")).map(|x| x.year), Some(y));
        }
    }
}
