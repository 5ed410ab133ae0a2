//! Households: a person generator of another kind than the world's, for scoring the person
//! matcher on data it was *not* tuned on (the world's children, in [`crate::world`], are
//! written with [`crate::noise`]'s swapped, dropped and doubled letters and its nickname table).
//!
//! People live in households, and records about them come from several kinds of source,
//! each with its own habits. What makes it hard, on purpose:
//! - **relatives who are not matches**: members of a household share a family name, an
//!   address, a postcode and often a landline; siblings are close in age;
//! - **twins**: same date of birth, family name, address and phone, different given names
//!   (some alike: Aiden and Jayden) — they must not be linked;
//! - **names written otherwise**: transliteration variants (Mohammed, Muhammad, Mohamed;
//!   Yekaterina, Ekaterina), diminutives of several languages (Sasha for Aleksandr, Paco for
//!   Francisco, Katya for Yekaterina; most unknown to the matcher's nickname table), given
//!   and family name in the other order, a second family name dropped (Garcia Lopez, Garcia);
//! - **typos of another model**: a key replaced by its QWERTY neighbour, or a neighbour
//!   struck with it (the world's typos swap, drop or double letters);
//! - **dates**: day and month swapped (a form read the other way round), a year's last
//!   two digits transposed, or an age instead of the date (a hotline caller's guess, off by
//!   one in a fifth of them);
//! - **missing fields at rates that depend on the source** (a hotline rarely has a family
//!   name or date of birth; a school never has a mobile);
//! - people who **moved** (a second address) or changed their mobile.
//!
//! Deterministic per seed; every name is a common given or family name combined at random,
//! phones are fictional `NPA-555-01XX` numbers (reused after 20,000 of them, as a number is
//! reassigned), streets and cities are invented. The truth is the person of each record.

use link::{Date, PersonRecord, Sex};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::util::{chance, pick, weighted, R};

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HouseholdConfig {
    /// Seed: the same seed and settings give the same records.
    pub seed: u64,
    /// Number of distinct people (records are about 2.2 per person).
    pub people: usize,
    /// Share of households with two or more children whose first two are twins.
    pub twin_share: f64,
}

impl HouseholdConfig {
    /// `people` people from `seed`, twins in one household of children in five.
    pub fn new(seed: u64, people: usize) -> HouseholdConfig {
        HouseholdConfig {
            seed,
            people,
            twin_share: 0.2,
        }
    }
}

/// Generated records with their truth.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Households {
    /// The records, shuffled (sources interleaved).
    pub records: Vec<PersonRecord>,
    /// Per record: the person it is about (the truth).
    pub person: Vec<u32>,
    /// Per record: the household of that person.
    pub household: Vec<u32>,
    /// Pairs of people who are twins (smaller number first).
    pub twins: Vec<(u32, u32)>,
    /// Per person: who they truly are.
    pub people: Vec<Resident>,
}

/// A person's true name, date of birth and household.
#[derive(Debug, Clone, PartialEq)]
pub struct Resident {
    /// Given name.
    pub given: String,
    /// Family name (the first, for those with two).
    pub family: String,
    /// Date of birth.
    pub dob: Date,
    /// Household number.
    pub household: u32,
}

/// A source of records and its habits: the chance that each field is written, and of each
/// kind of error.
struct Source {
    last: f64,
    dob: f64,
    /// Of records without a date of birth: the chance of an age instead.
    age: f64,
    sex: f64,
    address: f64,
    city: f64,
    postcode: f64,
    landline: f64,
    mobile: f64,
    email: f64,
    nickname: f64,
    variant: f64,
    swap_order: f64,
    typo: f64,
    day_month: f64,
    year_digits: f64,
}

/// Registry, school, clinic, police, hotline: weights in the order of [`SOURCES`].
const SOURCE_WEIGHTS: &[f64] = &[0.3, 0.2, 0.2, 0.15, 0.15];

const SOURCES: &[Source] = &[
    // A registry: complete and clean, the odd typo.
    Source {
        last: 1.0,
        dob: 0.98,
        age: 0.0,
        sex: 0.95,
        address: 0.95,
        city: 0.98,
        postcode: 0.95,
        landline: 0.4,
        mobile: 0.5,
        email: 0.3,
        nickname: 0.0,
        variant: 0.05,
        swap_order: 0.01,
        typo: 0.05,
        day_month: 0.01,
        year_digits: 0.005,
    },
    // A school: the household's landline, never a mobile; dates entered by hand.
    Source {
        last: 0.97,
        dob: 0.9,
        age: 0.5,
        sex: 0.8,
        address: 0.85,
        city: 0.9,
        postcode: 0.7,
        landline: 0.8,
        mobile: 0.0,
        email: 0.0,
        nickname: 0.25,
        variant: 0.1,
        swap_order: 0.02,
        typo: 0.12,
        day_month: 0.08,
        year_digits: 0.02,
    },
    // A clinic: forms read day-first as often as month-first.
    Source {
        last: 0.95,
        dob: 0.95,
        age: 0.0,
        sex: 0.9,
        address: 0.7,
        city: 0.8,
        postcode: 0.6,
        landline: 0.2,
        mobile: 0.7,
        email: 0.2,
        nickname: 0.1,
        variant: 0.2,
        swap_order: 0.03,
        typo: 0.12,
        day_month: 0.2,
        year_digits: 0.03,
    },
    // Police: names as spoken, the other order, transliterations.
    Source {
        last: 0.9,
        dob: 0.8,
        age: 0.7,
        sex: 0.97,
        address: 0.6,
        city: 0.85,
        postcode: 0.3,
        landline: 0.1,
        mobile: 0.5,
        email: 0.05,
        nickname: 0.3,
        variant: 0.3,
        swap_order: 0.1,
        typo: 0.15,
        day_month: 0.05,
        year_digits: 0.03,
    },
    // A hotline: a first name, an age, a city and a number to call back.
    Source {
        last: 0.45,
        dob: 0.2,
        age: 0.9,
        sex: 0.6,
        address: 0.1,
        city: 0.8,
        postcode: 0.05,
        landline: 0.2,
        mobile: 0.6,
        email: 0.1,
        nickname: 0.45,
        variant: 0.2,
        swap_order: 0.05,
        typo: 0.2,
        day_month: 0.05,
        year_digits: 0.02,
    },
];

/// Given names as `(name, female, diminutives)`: the diminutives of several languages, most
/// of which the matcher's nickname table does not know.
const GIVEN: &[(&str, bool, &[&str])] = &[
    ("Olivia", true, &["Liv", "Livvy"]),
    ("Emma", true, &["Em"]),
    ("Ava", true, &[]),
    ("Sofia", true, &["Sofi"]),
    ("Isabella", true, &["Izzy", "Bella"]),
    ("Mia", true, &[]),
    ("Amelia", true, &["Millie", "Amy"]),
    ("Harper", true, &[]),
    ("Evelyn", true, &["Evie"]),
    ("Abigail", true, &["Abby", "Gail"]),
    ("Ella", true, &[]),
    ("Scarlett", true, &["Scarlet"]),
    ("Grace", true, &["Gracie"]),
    ("Chloe", true, &[]),
    ("Camila", true, &["Cami", "Mila"]),
    ("Penelope", true, &["Penny"]),
    ("Layla", true, &[]),
    ("Zoey", true, &[]),
    ("Nora", true, &[]),
    ("Lily", true, &[]),
    ("Eleanor", true, &["Ellie", "Nell"]),
    ("Hannah", true, &[]),
    ("Addison", true, &["Addie"]),
    ("Aubrey", true, &["Bree"]),
    ("Stella", true, &[]),
    ("Natalia", true, &["Nati", "Talia"]),
    ("Lucia", true, &["Lucy"]),
    ("Guadalupe", true, &["Lupe", "Lupita"]),
    ("Dolores", true, &["Lola"]),
    ("Mercedes", true, &["Meche"]),
    ("Yekaterina", true, &["Katya", "Katia"]),
    ("Anastasia", true, &["Nastya", "Stacy"]),
    ("Yuliya", true, &["Yulia"]),
    ("Tatiana", true, &["Tanya"]),
    ("Svetlana", true, &["Sveta"]),
    ("Aaliyah", true, &["Liyah"]),
    ("Fatima", true, &["Fati"]),
    ("Aisha", true, &[]),
    ("Mei", true, &[]),
    ("Linh", true, &[]),
    ("Thuy", true, &[]),
    ("Priya", true, &[]),
    ("Siobhan", true, &[]),
    ("Margaret", true, &["Maggie", "Peggy", "Meg"]),
    ("Patricia", true, &["Patty", "Trish"]),
    ("Jennifer", true, &["Jen", "Jenny"]),
    ("Maya", true, &[]),
    ("Kayla", true, &[]),
    ("Kaylee", true, &[]),
    ("Madison", true, &["Maddie"]),
    ("Liam", false, &[]),
    ("Noah", false, &[]),
    ("Oliver", false, &["Ollie"]),
    ("Elijah", false, &["Eli"]),
    ("Lucas", false, &["Luke"]),
    ("Mason", false, &[]),
    ("Logan", false, &[]),
    ("Ethan", false, &[]),
    ("Aiden", false, &[]),
    ("Jayden", false, &[]),
    ("Jackson", false, &["Jack"]),
    ("Sebastian", false, &["Seb", "Bash"]),
    ("Mateo", false, &["Teo"]),
    ("Henry", false, &["Hank", "Harry"]),
    ("Alexander", false, &["Alex", "Xander"]),
    ("Aleksandr", false, &["Sasha", "Sanya"]),
    ("Dmitri", false, &["Dima"]),
    ("Mikhail", false, &["Misha"]),
    ("Sergei", false, &["Seryozha"]),
    ("Vladimir", false, &["Volodya", "Vova"]),
    ("Francisco", false, &["Paco", "Pancho", "Frank"]),
    ("Jose", false, &["Pepe"]),
    ("Guillermo", false, &["Memo", "Willy"]),
    ("Ignacio", false, &["Nacho"]),
    ("Eduardo", false, &["Lalo", "Eddie"]),
    ("Enrique", false, &["Kike", "Henry"]),
    ("Muhammad", false, &["Hamid"]),
    ("Yusuf", false, &[]),
    ("Omar", false, &[]),
    ("Minh", false, &[]),
    ("Duc", false, &[]),
    ("Wei", false, &[]),
    ("Arjun", false, &[]),
    ("Brandon", false, &[]),
    ("Brendan", false, &[]),
    ("Connor", false, &[]),
    ("Cormac", false, &[]),
    ("William", false, &["Will", "Bill", "Liam"]),
    ("Robert", false, &["Rob", "Bob", "Bobby"]),
    ("Richard", false, &["Rick", "Dick"]),
    ("Charles", false, &["Charlie", "Chuck"]),
    ("Christopher", false, &["Chris", "Kit"]),
    ("Anthony", false, &["Tony"]),
    ("Nicholas", false, &["Nick", "Nico"]),
];

/// Spellings of one name in other transliterations or usage; any member may be the
/// person's own, and a record may write another.
const VARIANTS: &[&[&str]] = &[
    &["Muhammad", "Mohammed", "Mohamed", "Mohammad", "Muhammed"],
    &["Yusuf", "Yousef", "Youssef", "Joseph"],
    &["Omar", "Umar"],
    &["Aisha", "Ayesha", "Aysha"],
    &["Fatima", "Fatimah", "Fatma"],
    &["Aaliyah", "Aliyah", "Aleah"],
    &["Yekaterina", "Ekaterina", "Katerina", "Catherine"],
    &["Yuliya", "Yulia", "Julia", "Iuliia"],
    &["Aleksandr", "Alexander", "Aleksander", "Oleksandr"],
    &["Dmitri", "Dmitry", "Dmitriy"],
    &["Mikhail", "Mikhael", "Michael"],
    &["Sergei", "Sergey", "Serhiy"],
    &["Tatiana", "Tatyana", "Tetiana"],
    &["Anastasia", "Anastasiya"],
    &["Sofia", "Sophia", "Sofiya"],
    &["Camila", "Camilla"],
    &["Natalia", "Natalya", "Nataliya"],
    &["Mei", "May"],
    &["Linh", "Lin"],
    &["Wei", "Way"],
    &["Siobhan", "Shivaun", "Chevonne"],
    &["Zoey", "Zoe", "Zoie"],
    &["Layla", "Leila", "Laila"],
    &["Aiden", "Aidan", "Ayden"],
    &["Mateo", "Matteo"],
    &["Scarlett", "Scarlet"],
];

/// Pairs of given names parents give twins: alike, yet two children.
const TWIN_NAMES: &[(&str, &str, bool)] = &[
    ("Aiden", "Jayden", false),
    ("Brandon", "Brendan", false),
    ("Connor", "Cormac", false),
    ("Mia", "Maya", true),
    ("Kayla", "Kaylee", true),
    ("Ella", "Emma", true),
    ("Madison", "Addison", true),
    ("Liam", "Noah", false),
    ("Olivia", "Sofia", true),
];

/// Family names, most common first (drawn with falling weights, so common names recur).
const FAMILY: &[&str] = &[
    "Nguyen",
    "Garcia",
    "Smith",
    "Rodriguez",
    "Kim",
    "Johnson",
    "Hernandez",
    "Tran",
    "Lopez",
    "Martinez",
    "Williams",
    "Patel",
    "Brown",
    "Gonzalez",
    "Le",
    "Pham",
    "Ivanov",
    "Kowalski",
    "Ali",
    "Khan",
    "Chen",
    "Wang",
    "Li",
    "Zhang",
    "Jones",
    "Miller",
    "Davis",
    "Wilson",
    "Anderson",
    "Taylor",
    "Thomas",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "Petrov",
    "Smirnov",
    "Popescu",
    "Novak",
    "Horvat",
    "Murphy",
    "O'Brien",
    "O'Connor",
    "McCarthy",
    "Fitzgerald",
    "Okafor",
    "Okonkwo",
    "Mensah",
    "Haddad",
    "Hussain",
    "Rahman",
    "Singh",
    "Sharma",
    "Gupta",
    "Yamamoto",
    "Tanaka",
    "Park",
    "Choi",
    "Huang",
    "Zhou",
    "Schmidt",
    "Muller",
    "Fischer",
    "Weber",
    "Rossi",
    "Russo",
    "Esposito",
    "Bianchi",
    "Silva",
    "Santos",
    "Oliveira",
    "Pereira",
    "Castillo",
    "Morales",
    "Ortiz",
    "Gutierrez",
    "Chavez",
    "Ramos",
    "Ruiz",
    "Alvarez",
    "Mendoza",
    "Vasquez",
];

/// Family names spelled otherwise (transliteration, a dropped apostrophe, an accent).
const FAMILY_VARIANTS: &[&[&str]] = &[
    &["Ivanov", "Ivanoff", "Iwanow"],
    &["Petrov", "Petroff"],
    &["Smirnov", "Smirnoff"],
    &["Chen", "Chan"],
    &["Zhou", "Chou"],
    &["Huang", "Hwang", "Wong"],
    &["Li", "Lee"],
    &["Park", "Pak", "Bak"],
    &["Choi", "Choe"],
    &["Muller", "Müller", "Mueller"],
    &["O'Brien", "OBrien", "O Brien"],
    &["O'Connor", "OConnor", "O'Conner"],
    &["Hernandez", "Hernández"],
    &["Rodriguez", "Rodríguez"],
    &["Gonzalez", "González", "Gonzales"],
    &["Perez", "Pérez"],
    &["Ramirez", "Ramírez"],
    &["Hussain", "Hussein", "Husain"],
    &["Rahman", "Rehman"],
    &["Haddad", "Hadad"],
];

/// Family names that, in Spanish custom, come in pairs (father's and mother's).
const DOUBLE_FAMILY: &[&str] = &[
    "Garcia",
    "Rodriguez",
    "Hernandez",
    "Lopez",
    "Martinez",
    "Gonzalez",
    "Perez",
    "Sanchez",
    "Ramirez",
    "Torres",
    "Flores",
    "Rivera",
    "Castillo",
    "Morales",
    "Ortiz",
    "Gutierrez",
    "Chavez",
    "Ramos",
    "Ruiz",
    "Alvarez",
    "Mendoza",
    "Vasquez",
];

/// Invented street names and kinds, with the short form records use.
const STREETS: &[&str] = &[
    "Alder",
    "Birchwood",
    "Cobble",
    "Dunmore",
    "Elmstead",
    "Fernhill",
    "Glenrose",
    "Harbor",
    "Ivy Bank",
    "Juniper",
    "Kestrel",
    "Larkspur",
    "Meadowlark",
    "Northgate",
    "Orchard",
    "Pebble",
    "Quarry",
    "Redfern",
    "Sandpiper",
    "Thistle",
    "Upland",
    "Valley View",
    "Willowbrook",
    "Yarrow",
];
const KINDS: &[(&str, &str)] = &[
    ("Street", "St"),
    ("Avenue", "Ave"),
    ("Road", "Rd"),
    ("Drive", "Dr"),
    ("Lane", "Ln"),
    ("Court", "Ct"),
    ("Boulevard", "Blvd"),
];

/// Invented cities with a state and the first three digits of their postcodes.
const CITIES: &[(&str, &str, u32)] = &[
    ("Ashford Falls", "OH", 440),
    ("Brookhaven", "GA", 303),
    ("Cedar Ridge", "TX", 750),
    ("Dunmore", "PA", 185),
    ("East Linden", "NJ", 70),
    ("Fairmont Hills", "CA", 913),
    ("Glen Arbor", "MI", 496),
    ("Harlow", "NY", 120),
    ("Irondale", "AL", 352),
    ("Juniper Bay", "FL", 334),
    ("Kingsport Mills", "TN", 376),
    ("Lakeview Park", "IL", 606),
    ("Maple Grove", "MN", 553),
    ("New Carlisle", "IN", 465),
    ("Oak Hollow", "NC", 275),
    ("Port Ellis", "WA", 983),
    ("Quincy Heights", "MA", 21),
    ("Riverton", "UT", 840),
    ("Silver Springs", "NV", 894),
    ("Twin Forks", "AZ", 853),
];

/// Area codes for the fictional `NPA-555-01XX` numbers.
const AREA_CODES: &[u16] = &[
    201, 202, 203, 205, 206, 207, 208, 209, 210, 212, 213, 214, 215, 216, 217, 218, 219, 224, 225,
    228, 229, 231, 234, 239, 240, 248, 251, 252, 253, 254, 256, 260, 262, 267, 269, 270, 276, 281,
    301, 302, 303, 304, 305, 307, 308, 309, 310, 312, 313, 314, 315, 316, 317, 318, 319, 320, 321,
    323, 325, 330, 334, 336, 337, 339, 347, 352, 360, 361, 385, 386, 401, 402, 404, 405, 406, 407,
    408, 409, 410, 412, 413, 414, 415, 417, 419, 423, 424, 425, 432, 434, 435, 440, 443, 469, 470,
    478, 479, 480, 484, 501, 502, 503, 504, 505, 507, 508, 509, 510, 512, 513, 515, 516, 517, 518,
    520, 530, 540, 541, 559, 561, 562, 563, 570, 571, 573, 574, 580, 585, 586, 601, 602, 603, 605,
    606, 607, 608, 609, 610, 612, 614, 615, 616, 617, 618, 619, 620, 623, 626, 630, 631, 636, 641,
    646, 650, 651, 660, 661, 662, 678, 701, 702, 703, 704, 706, 707, 708, 712, 713, 714, 715, 716,
    717, 718, 719, 720, 724, 727, 731, 732, 734, 740, 757, 760, 763, 765, 770, 772, 773, 774, 775,
    781, 785, 786, 801, 802, 803, 804, 805, 806, 808, 810, 812, 813, 814, 815, 816, 817, 818, 828,
];

/// QWERTY rows: a key's neighbours are the keys beside it and in the rows above and below.
const ROWS: [&[u8]; 3] = [b"qwertyuiop", b"asdfghjkl", b"zxcvbnm"];

fn neighbours(c: u8) -> Vec<u8> {
    let lower = c.to_ascii_lowercase();
    let Some((row, col)) = ROWS
        .iter()
        .enumerate()
        .find_map(|(r, keys)| keys.iter().position(|&k| k == lower).map(|p| (r, p)))
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (r, keys) in ROWS.iter().enumerate() {
        if r + 1 < row || r > row + 1 {
            continue;
        }
        for dc in [-1i32, 0, 1] {
            let cc = col as i32 + dc;
            if (r != row || dc != 0) && cc >= 0 && (cc as usize) < keys.len() {
                out.push(keys[cc as usize]);
            }
        }
    }
    out
}

/// One fat-finger typo: a letter replaced by a QWERTY neighbour (two in three), or a
/// neighbour struck together with it. The first letter is hit less often, as people look
/// at what they start to type.
fn keyboard_typo(r: &mut R, word: &str) -> String {
    let b = word.as_bytes();
    if b.len() < 3 || !word.is_ascii() {
        return word.to_string();
    }
    let i = if chance(r, 0.1) {
        0
    } else {
        r.gen_range(1..b.len())
    };
    let near = neighbours(b[i]);
    if near.is_empty() {
        return word.to_string();
    }
    let k = near[r.gen_range(0..near.len())];
    let mut out = b.to_vec();
    if chance(r, 0.67) {
        out[i] = k;
    } else {
        out.insert(i + usize::from(chance(r, 0.5)), k);
    }
    String::from_utf8(out).unwrap_or_else(|_| word.to_string())
}

fn variant_of(table: &[&'static [&'static str]], name: &str) -> Option<&'static [&'static str]> {
    table.iter().copied().find(|g| g.contains(&name))
}

/// A name written as another spelling of it, when it has one.
fn respell(r: &mut R, table: &[&'static [&'static str]], name: &str) -> String {
    match variant_of(table, name) {
        Some(group) => {
            let others: Vec<&str> = group.iter().copied().filter(|n| *n != name).collect();
            pick(r, &others).to_string()
        }
        None => name.to_string(),
    }
}

/// A person as the world knows them.
#[derive(Clone)]
struct Person {
    given: String,
    diminutives: &'static [&'static str],
    /// The family name records use; `second` is a mother's family name some records add.
    family: String,
    second: Option<&'static str>,
    female: bool,
    dob: Date,
    household: usize,
    mobile: Option<u64>,
    /// A second mobile some later records give instead.
    new_mobile: Option<u64>,
    email: Option<String>,
    moved: bool,
}

struct Household {
    number: u32,
    street: &'static str,
    kind: (&'static str, &'static str),
    unit: Option<u32>,
    city: usize,
    postcode: u32,
    landline: Option<u64>,
    /// Where members who moved live now.
    new_address: (u32, &'static str, (&'static str, &'static str), usize, u32),
}

/// Hands out fictional numbers, each once until 20,000 have gone.
struct Numbers(u64);

impl Numbers {
    fn next(&mut self) -> u64 {
        let n = self.0 % (AREA_CODES.len() as u64 * 100);
        self.0 += 1;
        let area = u64::from(AREA_CODES[(n / 100) as usize]);
        area * 10_000_000 + 5_550_100 + n % 100
    }
}

fn phone_text(r: &mut R, n: u64) -> String {
    let (a, b, c) = (n / 10_000_000, n / 10_000 % 1000, n % 10_000);
    match r.gen_range(0..4) {
        0 => format!("({a:03}) {b:03}-{c:04}"),
        1 => format!("{a:03}.{b:03}.{c:04}"),
        2 => format!("+1 {a:03} {b:03} {c:04}"),
        _ => format!("{a:03}-{b:03}-{c:04}"),
    }
}

fn given_of(name: &str) -> Option<&'static Given> {
    GIVEN.iter().find(|g| g.0 == name)
}

type Given = (&'static str, bool, &'static [&'static str]);

fn random_given(r: &mut R, female: bool, not: &[&str]) -> &'static Given {
    loop {
        let g = &GIVEN[r.gen_range(0..GIVEN.len())];
        if g.1 == female && !not.contains(&g.0) {
            return g;
        }
    }
}

/// A family name, common ones far more often (weight 1/rank^0.8).
fn random_family(r: &mut R, weights: &[f64]) -> &'static str {
    FAMILY[weighted(r, weights)]
}

fn random_date(r: &mut R, from_year: u16, to_year: u16) -> Date {
    Date::new(
        r.gen_range(from_year..=to_year),
        r.gen_range(1..=12),
        r.gen_range(1..=28),
    )
}

const REFERENCE_YEAR: u16 = 2024;

/// Generates the records.
pub fn generate(cfg: &HouseholdConfig) -> Households {
    let mut r = ChaCha8Rng::seed_from_u64(cfg.seed);
    let weights: Vec<f64> = (0..FAMILY.len())
        .map(|i| 1.0 / ((i + 1) as f64).powf(0.8))
        .collect();
    let mut numbers = Numbers(r.gen_range(0..1000));
    let mut people: Vec<Person> = Vec::with_capacity(cfg.people);
    let mut households: Vec<Household> = Vec::new();
    let mut twins = Vec::new();
    while people.len() < cfg.people {
        let h = households.len();
        let city = r.gen_range(0..CITIES.len());
        let moved_city = if chance(&mut r, 0.6) {
            city
        } else {
            r.gen_range(0..CITIES.len())
        };
        let postcode = |r: &mut R, c: usize| CITIES[c].2 * 100 + r.gen_range(0..100);
        households.push(Household {
            number: r.gen_range(1..2000),
            street: pick(&mut r, STREETS),
            kind: pick(&mut r, KINDS),
            unit: chance(&mut r, 0.25).then(|| r.gen_range(1..40)),
            city,
            postcode: postcode(&mut r, city),
            landline: chance(&mut r, 0.6).then(|| numbers.next()),
            new_address: (
                r.gen_range(1..2000),
                pick(&mut r, STREETS),
                pick(&mut r, KINDS),
                moved_city,
                postcode(&mut r, moved_city),
            ),
        });
        let family = random_family(&mut r, &weights);
        let hispanic = DOUBLE_FAMILY.contains(&family);
        let second = hispanic.then(|| pick(&mut r, DOUBLE_FAMILY));
        let adults = if chance(&mut r, 0.35) { 1 } else { 2 };
        let children = weighted(&mut r, &[0.3, 0.25, 0.25, 0.12, 0.08]);
        let first_parent_female = chance(&mut r, 0.5);
        let mut parent_year = 0;
        let mut used: Vec<&str> = Vec::new();
        for a in 0..adults {
            let female = if a == 0 {
                first_parent_female
            } else {
                !first_parent_female
            };
            let g = random_given(&mut r, female, &used);
            used.push(g.0);
            // A partner keeps their own family name one time in three.
            let own_family = if a == 1 && chance(&mut r, 0.33) {
                random_family(&mut r, &weights).to_string()
            } else {
                family.to_string()
            };
            let dob = random_date(&mut r, 1960, 1995);
            parent_year = parent_year.max(dob.year);
            people.push(Person {
                given: g.0.to_string(),
                diminutives: g.2,
                family: own_family,
                second: if a == 0 { second } else { None },
                female,
                dob,
                household: h,
                mobile: chance(&mut r, 0.85).then(|| numbers.next()),
                new_mobile: chance(&mut r, 0.15).then(|| numbers.next()),
                email: chance(&mut r, 0.5).then(|| {
                    format!(
                        "{}.{}{}@example.org",
                        g.0.to_lowercase(),
                        plain(family),
                        r.gen_range(1..100)
                    )
                }),
                moved: chance(&mut r, 0.1),
            });
        }
        let twin_pair = children >= 2 && chance(&mut r, cfg.twin_share);
        let first_child = people.len();
        for c in 0..children {
            let (given, female, dob) = if twin_pair && c == 1 {
                let elder = &people[first_child];
                let pair = TWIN_NAMES
                    .iter()
                    .find(|t| t.0 == elder.given || t.1 == elder.given);
                let (name, female) = match pair {
                    Some(&(a, b, f)) => (if a == elder.given { b } else { a }, f),
                    None => {
                        let female = chance(&mut r, 0.5);
                        (random_given(&mut r, female, &used).0, female)
                    }
                };
                twins.push((first_child as u32, people.len() as u32));
                (given_of(name).unwrap_or(&GIVEN[0]), female, elder.dob)
            } else if twin_pair && c == 0 && chance(&mut r, 0.5) {
                // Half the twins have alike names.
                let (a, _, f) = pick(&mut r, TWIN_NAMES);
                let year = (parent_year + r.gen_range(20..35)).min(REFERENCE_YEAR - 1);
                (
                    given_of(a).unwrap_or(&GIVEN[0]),
                    f,
                    random_date(&mut r, year, year),
                )
            } else {
                let female = chance(&mut r, 0.5);
                let year = (parent_year + r.gen_range(20..35)).min(REFERENCE_YEAR - 1);
                (
                    random_given(&mut r, female, &used),
                    female,
                    random_date(&mut r, year, year),
                )
            };
            used.push(given.0);
            let age = REFERENCE_YEAR.saturating_sub(dob.year);
            people.push(Person {
                given: given.0.to_string(),
                diminutives: given.2,
                family: family.to_string(),
                second,
                female,
                dob,
                household: h,
                mobile: (age >= 12 && chance(&mut r, 0.6)).then(|| numbers.next()),
                new_mobile: (age >= 12 && chance(&mut r, 0.2)).then(|| numbers.next()),
                email: None,
                moved: age >= 16 && chance(&mut r, 0.1),
            });
        }
    }
    people.truncate(cfg.people);
    twins.retain(|&(_, b)| (b as usize) < people.len());

    let mut out = Households {
        twins,
        people: people
            .iter()
            .map(|p| Resident {
                given: p.given.clone(),
                family: p.family.clone(),
                dob: p.dob,
                household: p.household as u32,
            })
            .collect(),
        ..Households::default()
    };
    for (p, person) in people.iter().enumerate() {
        let n = 1 + weighted(&mut r, &[0.3, 0.3, 0.25, 0.15]);
        for k in 0..n {
            let source = &SOURCES[weighted(&mut r, SOURCE_WEIGHTS)];
            let id = format!("h{}-{p}-{k}", person.household);
            let rec = record(&mut r, source, person, &households[person.household], id);
            out.records.push(rec);
            out.person.push(p as u32);
            out.household.push(person.household as u32);
        }
    }
    // Shuffle records, keeping the truth alongside.
    let mut order: Vec<usize> = (0..out.records.len()).collect();
    order.shuffle(&mut r);
    let records = std::mem::take(&mut out.records);
    let mut slots: Vec<Option<PersonRecord>> = records.into_iter().map(Some).collect();
    out.records = order.iter().filter_map(|&i| slots[i].take()).collect();
    out.person = order.iter().map(|&i| out.person[i]).collect();
    out.household = order.iter().map(|&i| out.household[i]).collect();
    out
}

/// A name as an email address part: letters only, lower case.
fn plain(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphabetic)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// One record about `p` as `source` writes it.
fn record(r: &mut R, source: &Source, p: &Person, h: &Household, id: String) -> PersonRecord {
    let mut given = p.given.clone();
    if chance(r, source.variant) {
        given = respell(r, VARIANTS, &given);
    }
    if !p.diminutives.is_empty() && chance(r, source.nickname) {
        given = pick(r, p.diminutives).to_string();
    }
    let mut family = if chance(r, source.last) {
        let mut f = p.family.clone();
        if chance(r, source.variant) {
            f = respell(r, FAMILY_VARIANTS, &f);
        }
        if let Some(second) = p.second {
            // Some write both family names, hyphenated or not.
            match r.gen_range(0..4) {
                0 => f = format!("{f} {second}"),
                1 => f = format!("{f}-{second}"),
                _ => {}
            }
        }
        Some(f)
    } else {
        None
    };
    if chance(r, source.typo) {
        if chance(r, 0.5) || family.is_none() {
            given = keyboard_typo(r, &given);
        } else {
            family = family.map(|f| keyboard_typo(r, &f));
        }
    }
    let (mut first, mut last) = (Some(given), family);
    if last.is_some() && chance(r, source.swap_order) {
        std::mem::swap(&mut first, &mut last);
    }
    let recorded = Date::new(REFERENCE_YEAR, r.gen_range(1..=12), r.gen_range(1..=28));
    let (dob, age) = if chance(r, source.dob) {
        let mut d = p.dob;
        if d.day <= 12 && d.day != d.month && chance(r, source.day_month) {
            d = Date::new(d.year, d.day, d.month);
        }
        if chance(r, source.year_digits) {
            let (t, u) = (d.year / 10 % 10, d.year % 10);
            if t != u {
                d = Date::new(d.year - 10 * t - u + 10 * u + t, d.month, d.day);
            }
        }
        (Some(d), None)
    } else if chance(r, source.age) {
        let mut age = p.dob.years_until(recorded);
        if chance(r, 0.2) {
            age += if chance(r, 0.5) { 1 } else { -1 };
        }
        (None, u8::try_from(age.max(0)).ok())
    } else {
        (None, None)
    };
    let sex = chance(r, source.sex).then(|| {
        // One in a hundred is recorded wrongly.
        if p.female != chance(r, 0.01) {
            Sex::Female
        } else {
            Sex::Male
        }
    });
    let moved = p.moved && chance(r, 0.6);
    let (number, street, kind, city, postcode) = if moved {
        h.new_address
    } else {
        (h.number, h.street, h.kind, h.city, h.postcode)
    };
    let address = chance(r, source.address).then(|| {
        let kind = if chance(r, 0.5) { kind.0 } else { kind.1 };
        match (h.unit.filter(|_| !moved), r.gen_range(0..3)) {
            (Some(u), 0) => format!("Apt {u}, {number} {street} {kind}"),
            (Some(u), 1) => format!("{number} {street} {kind} #{u}"),
            _ => format!("{number} {street} {kind}"),
        }
    });
    let mut phones = Vec::new();
    if let Some(l) = h.landline.filter(|_| !moved && chance(r, source.landline)) {
        phones.push(phone_text(r, l));
    }
    let mobile = match p.new_mobile {
        Some(m) if chance(r, 0.5) => Some(m),
        _ => p.mobile,
    };
    if let Some(m) = mobile.filter(|_| chance(r, source.mobile)) {
        phones.push(phone_text(r, m));
    }
    let emails = p
        .email
        .iter()
        .filter(|_| chance(r, source.email))
        .cloned()
        .collect();
    PersonRecord {
        id,
        first_name: first,
        last_name: last,
        dob,
        age,
        recorded: age.map(|_| recorded),
        sex,
        phones,
        emails,
        address,
        city: chance(r, source.city).then(|| CITIES[city].0.to_string()),
        state: chance(r, source.city).then(|| CITIES[city].1.to_string()),
        postcode: chance(r, source.postcode).then(|| format!("{postcode:05}")),
        ..PersonRecord::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_records() {
        let a = generate(&HouseholdConfig::new(3, 2000));
        let b = generate(&HouseholdConfig::new(3, 2000));
        assert_eq!(a, b);
        assert_eq!(a.records.len(), a.person.len());
        let people: std::collections::HashSet<u32> = a.person.iter().copied().collect();
        assert_eq!(people.len(), 2000);
        assert!(!a.twins.is_empty());
    }

    #[test]
    fn twins_share_a_birthday_and_a_family_name_but_not_a_given_name() {
        let h = generate(&HouseholdConfig::new(5, 5000));
        assert!(h.twins.len() > 50, "{}", h.twins.len());
        for &(a, b) in &h.twins {
            let (a, b) = (&h.people[a as usize], &h.people[b as usize]);
            assert_eq!(
                (a.dob, &a.family, a.household),
                (b.dob, &b.family, b.household)
            );
            assert_ne!(a.given, b.given);
        }
    }

    #[test]
    fn keyboard_typos_hit_a_neighbouring_key() {
        let mut r = ChaCha8Rng::seed_from_u64(1);
        for _ in 0..200 {
            let t = keyboard_typo(&mut r, "garcia");
            assert_ne!(t, "garcia");
            assert!(t.len() == 6 || t.len() == 7, "{t}");
        }
        assert!(neighbours(b'g').contains(&b'h'));
        assert!(neighbours(b'g').contains(&b'y'));
        assert!(!neighbours(b'g').contains(&b'p'));
    }
}
