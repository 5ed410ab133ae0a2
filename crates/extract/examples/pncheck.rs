//! scratch
fn v(s: &str) -> bool { phonenumber::parse(Some(phonenumber::country::Id::US), s).map(|p| phonenumber::is_valid(&p)).unwrap_or(false) }
fn main() {
    let mut varying = vec![];
    let mut valid_any = 0;
    for a in 200..1000 {
        let mut seen = [false; 2];
        for x in (200..1000).step_by(1) {
            for line in ["0147", "9999"] {
                seen[v(&format!("{a}{x}{line}")) as usize] = true;
            }
        }
        if seen[1] { valid_any += 1; }
        if seen[0] && seen[1] { varying.push(a); }
    }
    println!("valid_any {valid_any} varying {:?}", varying);
    // exchanges 0xx/1xx ever valid?
    let mut c = 0; for a in [212, 415, 702] { for x in 0..200 { if v(&format!("{a}{x:03}0147")) { c += 1; } } } println!("low exch valid {c}");
}
