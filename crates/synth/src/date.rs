//! Calendar arithmetic on plain day numbers (days since 1970-01-01, proleptic Gregorian).
//!
//! The generator needs only dates, ages and ISO formatting; a few exact integer formulas keep it
//! free of a date crate and make every date a cheap `i32` that sorts and subtracts.

/// Days since 1970-01-01.
pub type Day = i32;

/// First day of the synthetic world: 2019-01-01.
pub const WORLD_START: Day = 17_897;
/// Last day of the synthetic world: 2024-12-31.
pub const WORLD_END: Day = 20_088;

/// The day number of a civil date (Howard Hinnant's `days_from_civil`).
pub fn from_ymd(y: i32, m: u32, d: u32) -> Day {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i32;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d as i32 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day number (Howard Hinnant's `civil_from_days`).
pub fn ymd(day: Day) -> (i32, u32, u32) {
    let z = day + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i32::from(m <= 2);
    (y, m, d)
}

/// The calendar year of a day.
pub fn year(day: Day) -> i32 {
    ymd(day).0
}

/// The same month and day `years` earlier (29 February becomes 28 February).
pub fn years_before(day: Day, years: i32) -> Day {
    let (y, m, d) = ymd(day);
    let d = if m == 2 && d == 29 { 28 } else { d };
    from_ymd(y - years, m, d)
}

/// Age in whole years on `on` of someone born on `born`.
pub fn age_on(born: Day, on: Day) -> i32 {
    let (by, bm, bd) = ymd(born);
    let (y, m, d) = ymd(on);
    let mut age = y - by;
    if (m, d) < (bm, bd) {
        age -= 1;
    }
    age
}

/// `YYYY-MM-DD`.
pub fn iso(day: Day) -> String {
    let (y, m, d) = ymd(day);
    format!("{y:04}-{m:02}-{d:02}")
}

/// `YYYY-MM-DDThh:mm:ssZ` for a day and a second of that day.
pub fn iso_time(day: Day, second: u32) -> String {
    let s = second % 86_400;
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        iso(day),
        s / 3600,
        (s / 60) % 60,
        s % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_known_days() {
        assert_eq!(from_ymd(2019, 1, 1), WORLD_START);
        assert_eq!(from_ymd(2024, 12, 31), WORLD_END);
        for d in (WORLD_START - 40_000)..(WORLD_END + 400) {
            let (y, m, dd) = ymd(d);
            assert_eq!(from_ymd(y, m, dd), d);
        }
        assert_eq!(iso(from_ymd(2020, 2, 29)), "2020-02-29");
        assert_eq!(age_on(from_ymd(2005, 6, 15), from_ymd(2021, 6, 14)), 15);
        assert_eq!(age_on(from_ymd(2005, 6, 15), from_ymd(2021, 6, 15)), 16);
        assert_eq!(iso_time(WORLD_START, 3661), "2019-01-01T01:01:01Z");
    }
}
