//! The directory's add/edit form (pages and the API send the same fields), checked into a
//! [`Service`] with every error named by its field.

use crate::model::{
    optional_text, parse_date, required_text, Eligibility, HowToRefer, HsdsId, Location,
    ModelError, Need, Organisation, Service, SexEligibility, MAX_LONG, MAX_SHORT,
};
use serde::{Deserialize, Serialize};
use std::fmt;

/// One field that was wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// Every problem found in a form, in field order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, thiserror::Error)]
pub struct FormErrors(pub Vec<FieldError>);

impl FormErrors {
    pub fn for_field(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
    fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.to_string(),
            message: message.into(),
        });
    }
}

impl fmt::Display for FormErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}: {}", e.field, e.message)?;
        }
        Ok(())
    }
}

/// The form's fields as sent. Lists (languages, service areas) are written one per line
/// or separated by commas; needs are codes of [`Need`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ServiceForm {
    pub organisation: String,
    pub name: String,
    pub description: String,
    pub needs: Vec<String>,
    pub min_age: String,
    pub max_age: String,
    /// `female`, `male` or empty for anyone.
    pub sex: String,
    pub survivors_only: bool,
    pub languages: String,
    pub address: String,
    pub city: String,
    pub state: String,
    pub county: String,
    pub postal_code: String,
    pub service_areas: String,
    pub hours: String,
    pub phone: String,
    pub email: String,
    pub url: String,
    pub capacity: String,
    /// YYYY-MM-DD.
    pub last_verified: String,
}

fn split(list: &str) -> Vec<String> {
    list.split(['\n', ','])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

impl ServiceForm {
    /// The form filled in with a service, to edit it.
    pub fn from_service(s: &Service) -> ServiceForm {
        let loc = s.locations.first();
        let l = |f: fn(&Location) -> &Option<String>| {
            loc.and_then(|x| f(x).clone()).unwrap_or_default()
        };
        ServiceForm {
            organisation: s.organisation.name.clone(),
            name: s.name.clone(),
            description: s.description.clone().unwrap_or_default(),
            needs: s.needs.iter().map(|n| n.code().to_string()).collect(),
            min_age: s
                .eligibility
                .min_age
                .map(|a| a.to_string())
                .unwrap_or_default(),
            max_age: s
                .eligibility
                .max_age
                .map(|a| a.to_string())
                .unwrap_or_default(),
            sex: s
                .eligibility
                .sex
                .map(|x| x.code().to_string())
                .unwrap_or_default(),
            survivors_only: s.eligibility.survivors_only,
            languages: s.languages.join(", "),
            address: l(|x| &x.address),
            city: l(|x| &x.city),
            state: l(|x| &x.state),
            county: l(|x| &x.county),
            postal_code: l(|x| &x.postal_code),
            service_areas: s.service_areas.join("\n"),
            hours: s.hours.clone().unwrap_or_default(),
            phone: s.how_to_refer.phone.clone().unwrap_or_default(),
            email: s.how_to_refer.email.clone().unwrap_or_default(),
            url: s.how_to_refer.url.clone().unwrap_or_default(),
            capacity: s.capacity.map(|c| c.to_string()).unwrap_or_default(),
            last_verified: s
                .last_verified
                .map(crate::model::format_date)
                .unwrap_or_default(),
        }
    }

    /// Checks the form into a service. `base` is the service being edited (its ids,
    /// organisation id and other locations are kept); for a new one, `ids` gives the new
    /// service's, organisation's and location's HSDS ids.
    pub fn check(&self, base: Option<&Service>, ids: [HsdsId; 3]) -> Result<Service, FormErrors> {
        let mut errs = FormErrors::default();
        let mut take = |field: &str, r: Result<Option<String>, ModelError>| match r {
            Ok(v) => v,
            Err(e) => {
                errs.add(field, e.to_string());
                None
            }
        };
        let organisation = take(
            "organisation",
            required_text("organisation name", &self.organisation, MAX_SHORT).map(Some),
        );
        let name = take(
            "name",
            required_text("name", &self.name, MAX_SHORT).map(Some),
        );
        let description = take(
            "description",
            optional_text("description", &self.description, MAX_LONG),
        );
        let hours = take("hours", optional_text("hours", &self.hours, MAX_LONG));
        let address = take(
            "address",
            optional_text("address", &self.address, MAX_SHORT),
        );
        let city = take("city", optional_text("city", &self.city, MAX_SHORT));
        let state = take("state", optional_text("state", &self.state, MAX_SHORT));
        let county = take("county", optional_text("county", &self.county, MAX_SHORT));
        let postal_code = take(
            "postal_code",
            optional_text("postal code", &self.postal_code, MAX_SHORT),
        );
        let phone = take("phone", HowToRefer::check_phone(&self.phone));
        let email = take("email", HowToRefer::check_email(&self.email));
        let url = take("url", HowToRefer::check_url(&self.url));
        let mut needs = Vec::new();
        for code in &self.needs {
            match Need::parse(code) {
                Ok(n) => needs.push(n),
                Err(e) => errs.add("needs", e.to_string()),
            }
        }
        if self.needs.is_empty() {
            errs.add("needs", "Choose at least one need the service meets");
        }
        let mut age = |field: &'static str, v: &str| match Eligibility::parse_age(field, v) {
            Ok(a) => a,
            Err(_) => {
                errs.add(
                    field,
                    "Enter the age as a whole number of years from 0 to 120, or leave it empty",
                );
                None
            }
        };
        let min_age = age("min_age", &self.min_age);
        let max_age = age("max_age", &self.max_age);
        if let (Some(a), Some(b)) = (min_age, max_age) {
            if a > b {
                errs.add(
                    "max_age",
                    format!("The maximum age must be {a} or more, the minimum age"),
                );
            }
        }
        let sex = match SexEligibility::parse(&self.sex) {
            Ok(s) => s,
            Err(e) => {
                errs.add("sex", e.to_string());
                None
            }
        };
        let capacity = match self.capacity.trim() {
            "" => None,
            c => {
                match c.parse::<u32>() {
                    Ok(c) => Some(c),
                    Err(_) => {
                        errs.add("capacity", "Enter the places free as a whole number, or leave it empty if not known");
                        None
                    }
                }
            }
        };
        let last_verified = match parse_date("last verified", &self.last_verified) {
            Ok(d) => d,
            Err(_) => {
                errs.add(
                    "last_verified",
                    "Enter the date as YYYY-MM-DD, for example 2026-03-01",
                );
                None
            }
        };
        if !errs.0.is_empty() {
            return Err(errs);
        }
        let [sid, oid, lid] = ids;
        let (id, org_id, mut locations) = match base {
            Some(b) => (b.id.clone(), b.organisation.id.clone(), b.locations.clone()),
            None => (sid, oid, Vec::new()),
        };
        let here = Location {
            id: locations.first().map_or(lid, |l| l.id.clone()),
            name: locations.first().and_then(|l| l.name.clone()),
            address,
            city,
            state,
            county,
            postal_code,
        };
        let empty = here.address.is_none()
            && here.city.is_none()
            && here.state.is_none()
            && here.county.is_none()
            && here.postal_code.is_none();
        match (locations.is_empty(), empty) {
            (true, true) => {}
            (true, false) => locations.push(here),
            (false, true) => {
                locations.remove(0);
            }
            (false, false) => locations[0] = here,
        }
        let service = Service {
            id,
            organisation: Organisation {
                id: org_id,
                name: organisation.unwrap_or_default(),
            },
            name: name.unwrap_or_default(),
            description,
            needs,
            eligibility: Eligibility {
                min_age,
                max_age,
                sex,
                survivors_only: self.survivors_only,
            },
            languages: split(&self.languages),
            locations,
            service_areas: split(&self.service_areas),
            hours,
            how_to_refer: HowToRefer { phone, email, url },
            capacity,
            last_verified,
        };
        service.check().map_err(|e| {
            FormErrors(vec![FieldError {
                field: "name".into(),
                message: e.to_string(),
            }])
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids() -> [HsdsId; 3] {
        ["s", "o", "l"].map(|x| HsdsId::parse("id", x).unwrap())
    }

    #[test]
    fn a_filled_form_is_a_service_and_edits_back_to_itself() {
        let f = ServiceForm {
            organisation: "Harbour Youth".into(),
            name: "Legal clinic".into(),
            needs: vec!["legal".into()],
            min_age: "14".into(),
            max_age: "24".into(),
            languages: "English, Spanish".into(),
            state: "tx".into(),
            county: "Harris County".into(),
            last_verified: "2026-02-01".into(),
            ..ServiceForm::default()
        };
        let s = f.check(None, ids()).unwrap();
        assert_eq!(s.locations[0].state.as_deref(), Some("TX"));
        assert_eq!(s.languages, vec!["English", "Spanish"]);
        let again = ServiceForm::from_service(&s)
            .check(Some(&s), ids())
            .unwrap();
        assert_eq!(again, s);
    }

    #[test]
    fn every_wrong_field_is_named() {
        let f = ServiceForm {
            min_age: "18".into(),
            max_age: "12".into(),
            email: "nobody".into(),
            last_verified: "1 March".into(),
            ..ServiceForm::default()
        };
        let e = f.check(None, ids()).unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            vec![
                "organisation",
                "name",
                "email",
                "needs",
                "max_age",
                "last_verified"
            ]
        );
    }
}
