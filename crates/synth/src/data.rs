//! Small built-in tables the generator draws from: invented-name parts, nicknames, US cities
//! with real area codes, and the phrase banks of ads, tips and reports.
//!
//! Everything here is deliberately generic: names are common first and last names combined at
//! random (so no combination is meant to point at anyone), and every phone number built from an
//! area code below is in the fictional 555-01XX range.

/// Girls' first names (victims and survivors include girls and boys; the seeds say girls are
/// the primary victims, hence the 3:1 weighting applied in `world`).
pub const FIRST_F: &[&str] = &[
    "Alexandra",
    "Amanda",
    "Angela",
    "Ashley",
    "Brianna",
    "Brittany",
    "Cassandra",
    "Chloe",
    "Christina",
    "Danielle",
    "Destiny",
    "Elizabeth",
    "Emily",
    "Gabriela",
    "Hannah",
    "Isabel",
    "Jasmine",
    "Jennifer",
    "Jessica",
    "Jordan",
    "Katherine",
    "Kayla",
    "Kimberly",
    "Lauren",
    "Madison",
    "Maria",
    "Megan",
    "Melissa",
    "Michelle",
    "Natalie",
    "Nicole",
    "Olivia",
    "Rebecca",
    "Samantha",
    "Sarah",
    "Savannah",
    "Sophia",
    "Stephanie",
    "Taylor",
    "Victoria",
];

/// Boys' and men's first names.
pub const FIRST_M: &[&str] = &[
    "Aaron",
    "Andrew",
    "Anthony",
    "Benjamin",
    "Brandon",
    "Carlos",
    "Christopher",
    "Daniel",
    "David",
    "Devin",
    "Edward",
    "Eric",
    "Gregory",
    "Isaiah",
    "James",
    "Jason",
    "Jonathan",
    "Joseph",
    "Joshua",
    "Justin",
    "Kevin",
    "Luis",
    "Marcus",
    "Matthew",
    "Michael",
    "Nathan",
    "Nicholas",
    "Patrick",
    "Richard",
    "Robert",
    "Samuel",
    "Terrence",
    "Thomas",
    "Timothy",
    "Tyler",
    "William",
];

/// Family names.
pub const LAST: &[&str] = &[
    "Adams",
    "Alvarez",
    "Baker",
    "Bennett",
    "Brooks",
    "Brown",
    "Campbell",
    "Carter",
    "Castillo",
    "Clark",
    "Collins",
    "Cooper",
    "Davis",
    "Diaz",
    "Edwards",
    "Evans",
    "Fisher",
    "Flores",
    "Foster",
    "Garcia",
    "Gomez",
    "Gray",
    "Green",
    "Hall",
    "Harris",
    "Hayes",
    "Hill",
    "Howard",
    "Hughes",
    "Jackson",
    "Jenkins",
    "Johnson",
    "Jones",
    "Kelly",
    "King",
    "Lee",
    "Lewis",
    "Long",
    "Lopez",
    "Martin",
    "Martinez",
    "Miller",
    "Mitchell",
    "Moore",
    "Morgan",
    "Morris",
    "Murphy",
    "Nelson",
    "Nguyen",
    "Ortiz",
    "Parker",
    "Perez",
    "Peterson",
    "Phillips",
    "Price",
    "Ramirez",
    "Reed",
    "Reyes",
    "Rivera",
    "Roberts",
    "Robinson",
    "Rodriguez",
    "Ross",
    "Russell",
    "Sanchez",
    "Scott",
    "Simmons",
    "Smith",
    "Stewart",
    "Sullivan",
    "Taylor",
    "Thomas",
    "Thompson",
    "Torres",
    "Turner",
    "Walker",
    "Ward",
    "Washington",
    "Watson",
    "White",
    "Williams",
    "Wilson",
    "Wood",
    "Wright",
    "Young",
];

/// Nicknames and short forms, the main reason two records about one child disagree on a name.
pub const NICKNAMES: &[(&str, &[&str])] = &[
    ("Alexandra", &["Alex", "Lexi", "Sandra"]),
    ("Amanda", &["Mandy", "Manda"]),
    ("Angela", &["Angie"]),
    ("Brianna", &["Bri", "Breezy"]),
    ("Brittany", &["Britt"]),
    ("Cassandra", &["Cassie", "Cass"]),
    ("Christina", &["Chrissy", "Tina"]),
    ("Danielle", &["Dani", "Elle"]),
    ("Elizabeth", &["Liz", "Beth", "Lizzie", "Eliza"]),
    ("Gabriela", &["Gabby", "Gabi"]),
    ("Isabel", &["Izzy", "Bella"]),
    ("Jasmine", &["Jazz", "Jaz"]),
    ("Jennifer", &["Jen", "Jenny"]),
    ("Jessica", &["Jess", "Jessie"]),
    ("Katherine", &["Kate", "Katie", "Kat"]),
    ("Kimberly", &["Kim", "Kimmy"]),
    ("Madison", &["Maddie", "Madi"]),
    ("Megan", &["Meg"]),
    ("Melissa", &["Missy", "Mel"]),
    ("Michelle", &["Shelly", "Chelle"]),
    ("Natalie", &["Nat", "Talia"]),
    ("Nicole", &["Nikki", "Nic"]),
    ("Rebecca", &["Becca", "Becky"]),
    ("Samantha", &["Sam", "Sammy"]),
    ("Savannah", &["Vanna", "Savvy"]),
    ("Sophia", &["Sophie"]),
    ("Stephanie", &["Steph", "Stevie"]),
    ("Victoria", &["Tori", "Vicky"]),
    ("Andrew", &["Andy", "Drew"]),
    ("Anthony", &["Tony", "Ant"]),
    ("Benjamin", &["Ben", "Benny"]),
    ("Christopher", &["Chris", "Topher"]),
    ("Daniel", &["Dan", "Danny"]),
    ("Edward", &["Eddie", "Ed"]),
    ("James", &["Jim", "Jimmy", "Jay"]),
    ("Jonathan", &["Jon", "Johnny"]),
    ("Joseph", &["Joe", "Joey"]),
    ("Joshua", &["Josh"]),
    ("Matthew", &["Matt"]),
    ("Michael", &["Mike", "Mikey"]),
    ("Nicholas", &["Nick", "Nico"]),
    ("Richard", &["Rick", "Richie"]),
    ("Robert", &["Rob", "Bobby"]),
    ("Samuel", &["Sam", "Sammy"]),
    ("Thomas", &["Tom", "Tommy"]),
    ("Timothy", &["Tim", "Timmy"]),
    ("William", &["Will", "Billy"]),
];

/// Nicknames of a first name (empty when the table has none).
pub fn nicknames(first: &str) -> &'static [&'static str] {
    NICKNAMES
        .iter()
        .find(|(f, _)| *f == first)
        .map_or(&[], |(_, n)| n)
}

/// Regions group nearby states so networks move along plausible circuits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Region {
    Northeast,
    Southeast,
    Midwest,
    SouthCentral,
    West,
}

/// A city, its state, region and real area codes (used only with 555-01XX lines).
pub struct City {
    pub name: &'static str,
    pub state: &'static str,
    pub region: Region,
    pub area_codes: &'static [u16],
}

const fn city(
    name: &'static str,
    state: &'static str,
    region: Region,
    area_codes: &'static [u16],
) -> City {
    City {
        name,
        state,
        region,
        area_codes,
    }
}

use Region::{Midwest, Northeast, SouthCentral, Southeast, West};

/// Cities across 38 states and DC. Area codes that `phonenumber` only accepts for some exchanges
/// (305, 505 ...) are left out so every generated number validates; a test checks them all.
pub const CITIES: &[City] = &[
    city("New York", "NY", Northeast, &[212, 646, 718, 917, 347]),
    city("Buffalo", "NY", Northeast, &[716]),
    city("Rochester", "NY", Northeast, &[585]),
    city("Albany", "NY", Northeast, &[518]),
    city("Newark", "NJ", Northeast, &[973, 862]),
    city("Trenton", "NJ", Northeast, &[609]),
    city("Jersey City", "NJ", Northeast, &[201]),
    city("Philadelphia", "PA", Northeast, &[215, 267]),
    city("Pittsburgh", "PA", Northeast, &[412]),
    city("Harrisburg", "PA", Northeast, &[717]),
    city("Boston", "MA", Northeast, &[617, 857]),
    city("Worcester", "MA", Northeast, &[508, 774]),
    city("Hartford", "CT", Northeast, &[860]),
    city("Bridgeport", "CT", Northeast, &[203]),
    city("Providence", "RI", Northeast, &[401]),
    city("Baltimore", "MD", Northeast, &[410, 443]),
    city("Washington", "DC", Northeast, &[202]),
    city("Richmond", "VA", Southeast, &[804]),
    city("Norfolk", "VA", Southeast, &[757]),
    city("Arlington", "VA", Northeast, &[703, 571]),
    city("Charlotte", "NC", Southeast, &[704, 980]),
    city("Raleigh", "NC", Southeast, &[919, 984]),
    city("Greensboro", "NC", Southeast, &[336]),
    city("Columbia", "SC", Southeast, &[803]),
    city("Charleston", "SC", Southeast, &[843]),
    city("Atlanta", "GA", Southeast, &[404, 470, 678, 770]),
    city("Savannah", "GA", Southeast, &[912]),
    city("Augusta", "GA", Southeast, &[706]),
    city("Orlando", "FL", Southeast, &[407, 321]),
    city("Tampa", "FL", Southeast, &[813]),
    city("Jacksonville", "FL", Southeast, &[904]),
    city("Fort Lauderdale", "FL", Southeast, &[954]),
    city("Tallahassee", "FL", Southeast, &[850]),
    city("Nashville", "TN", Southeast, &[615, 629]),
    city("Memphis", "TN", Southeast, &[901]),
    city("Knoxville", "TN", Southeast, &[865]),
    city("Birmingham", "AL", Southeast, &[205]),
    city("Montgomery", "AL", Southeast, &[334]),
    city("Mobile", "AL", Southeast, &[251]),
    city("Jackson", "MS", SouthCentral, &[601]),
    city("New Orleans", "LA", SouthCentral, &[504]),
    city("Baton Rouge", "LA", SouthCentral, &[225]),
    city("Shreveport", "LA", SouthCentral, &[318]),
    city("Houston", "TX", SouthCentral, &[713, 832, 281, 346]),
    city("Dallas", "TX", SouthCentral, &[214, 469, 972]),
    city("San Antonio", "TX", SouthCentral, &[210, 726]),
    city("Austin", "TX", SouthCentral, &[512, 737]),
    city("El Paso", "TX", SouthCentral, &[915]),
    city("Fort Worth", "TX", SouthCentral, &[817, 682]),
    city("Oklahoma City", "OK", SouthCentral, &[405]),
    city("Tulsa", "OK", SouthCentral, &[918]),
    city("Little Rock", "AR", SouthCentral, &[501]),
    city("St. Louis", "MO", Midwest, &[314]),
    city("Kansas City", "MO", Midwest, &[816]),
    city("Wichita", "KS", Midwest, &[316]),
    city("Omaha", "NE", Midwest, &[402]),
    city("Des Moines", "IA", Midwest, &[515]),
    city("Minneapolis", "MN", Midwest, &[612, 763, 952]),
    city("Saint Paul", "MN", Midwest, &[651]),
    city("Milwaukee", "WI", Midwest, &[414]),
    city("Madison", "WI", Midwest, &[608]),
    city("Chicago", "IL", Midwest, &[312, 773, 872, 630, 708, 847]),
    city("Springfield", "IL", Midwest, &[217]),
    city("Indianapolis", "IN", Midwest, &[317]),
    city("Fort Wayne", "IN", Midwest, &[260]),
    city("Columbus", "OH", Midwest, &[614]),
    city("Cleveland", "OH", Midwest, &[216, 440]),
    city("Cincinnati", "OH", Midwest, &[513]),
    city("Toledo", "OH", Midwest, &[419]),
    city("Detroit", "MI", Midwest, &[313, 248, 586]),
    city("Grand Rapids", "MI", Midwest, &[616]),
    city("Lansing", "MI", Midwest, &[517]),
    city("Louisville", "KY", Midwest, &[502]),
    city("Lexington", "KY", Midwest, &[859]),
    city("Denver", "CO", West, &[303, 720]),
    city("Colorado Springs", "CO", West, &[719]),
    city("Phoenix", "AZ", West, &[602, 480, 623]),
    city("Tucson", "AZ", West, &[520]),
    city("Las Vegas", "NV", West, &[702, 725]),
    city("Reno", "NV", West, &[775]),
    city("Salt Lake City", "UT", West, &[801, 385]),
    city("Los Angeles", "CA", West, &[213, 323, 310, 818, 626, 562]),
    city("San Diego", "CA", West, &[619, 858]),
    city("San Francisco", "CA", West, &[415, 628]),
    city("Oakland", "CA", West, &[510]),
    city("Sacramento", "CA", West, &[916]),
    city("Fresno", "CA", West, &[559]),
    city("San Jose", "CA", West, &[408, 669]),
    city("Portland", "OR", West, &[503, 971]),
    city("Seattle", "WA", West, &[206]),
    city("Tacoma", "WA", West, &[253]),
    city("Spokane", "WA", West, &[509]),
    city("Boise", "ID", West, &[208]),
    city("Albuquerque", "NM", West, &[575]),
];

/// Street names for invented addresses.
pub const STREETS: &[&str] = &[
    "Maple", "Oak", "Pine", "Cedar", "Elm", "Walnut", "Lake", "Hill", "Park", "Main", "Church",
    "Mill", "River", "Spring", "Sunset", "Highland", "Forest", "Meadow",
];

/// Child-welfare agency name patterns; `{state}` is replaced by the state's code.
pub const AGENCIES: &[&str] = &[
    "{state} Department of Children and Family Services",
    "{state} Division of Child Welfare",
    "{county} County Children's Services",
    "{county} County Department of Human Services",
];

/// Shelters whose hotline appears in many unrelated records: a shared number, never a link.
pub const SHELTERS: &[&str] = &[
    "Harbor House Youth Shelter",
    "Safe Haven Youth Center",
    "New Beginnings Teen Shelter",
    "Open Door Youth Services",
    "Lighthouse Youth Shelter",
    "Bridgeway Runaway Shelter",
];

/// Words that make up invented handles and email local parts.
pub const HANDLE_ADJ: &[&str] = &[
    "sunny", "lucky", "royal", "golden", "silver", "lil", "big", "real", "true", "wild", "sweet",
    "blue", "coastal", "city", "midnight", "bright", "quiet", "happy", "cool", "young",
];
pub const HANDLE_NOUN: &[&str] = &[
    "star", "rose", "king", "queen", "boss", "angel", "tiger", "moon", "wave", "storm", "fox",
    "bear", "river", "sky", "ace", "dream", "flash", "cloud", "smile", "honey",
];

/// Domains for invented email addresses and sites (reserved for documentation).
pub const EMAIL_DOMAINS: &[&str] = &[
    "example.com",
    "example.org",
    "example.net",
    "mail.example.com",
    "inbox.example.net",
];

/// Ad sites (all under reserved example domains).
pub const AD_SITES: &[&str] = &[
    "citylistings.example.com",
    "localboard.example.net",
    "classifieds.example.org",
    "nightlist.example.com",
];

/// Platforms named in provider reports.
pub const PLATFORMS: &[(&str, &str)] = &[
    ("ExampleChat", "chat.example.com"),
    ("Example Social", "social.example.net"),
    ("PicShare Example", "pics.example.org"),
    ("Example Messenger", "messenger.example.com"),
    ("Example Classifieds", "classifieds.example.org"),
    ("GameHub Example", "games.example.net"),
];

/// Emoji sprinkled into ads; none of them is a digit.
pub const EMOJI: &[&str] = &[
    "✨", "🌸", "💕", "🌹", "⭐", "🦋", "🌺", "💫", "🔥", "🍒", "💎", "🌙", "👑", "🎀",
];

/// Placeholders in templates: `{alias}`, `{city}`, `{phone}`, `{day}`, `{emoji}`.
pub const AD_TITLES: &[&str] = &[
    "New in town {emoji} {alias}",
    "{alias} visiting {city} this week only",
    "Just arrived in {city} {emoji} call me",
    "Sweet and friendly {alias} {emoji} available now",
    "{emoji} {alias} {emoji} new to {city}",
    "Last days in {city} {emoji}",
    "Fun new friend in town {emoji}",
    "{alias} is back in {city}",
];

pub const AD_LINES: &[&str] = &[
    "Hi I'm {alias}, new in town and looking to meet new people",
    "Visiting {city} until {day}",
    "Call or text {phone}",
    "Text only {phone}",
    "Ask for {alias}",
    "No blocked numbers",
    "Available day and night",
    "Serious inquiries only",
    "Friendly and easy going",
    "Here for a short time only",
    "Hotel visits only",
    "Ask about my friend",
    "Don't miss out {emoji}",
    "Reach me at {phone} anytime",
    "Quick replies to texts",
    "Read my whole ad before texting",
];

pub const DAYS: &[&str] = &[
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// Benign ads: (category, titles, bodies). `{item}`, `{price}`, `{city}` are filled in.
pub const BENIGN: &[(&str, &[&str], &[&str])] = &[
    (
        "furniture",
        &[
            "{item} for sale",
            "Moving sale - {item}",
            "Like new {item}, must go",
        ],
        &[
            "Selling my {item}, good condition, ${price} or best offer.",
            "Pick up only in {city}. Smoke free home.",
            "Moving out of state, everything must go by the end of the month.",
        ],
    ),
    (
        "tutoring",
        &["Math and reading tutor", "{item} tutoring - all levels"],
        &[
            "Certified teacher offering {item} tutoring after school and weekends, ${price}/hour.",
            "Sessions at the {city} public library or online.",
            "References available on request.",
        ],
    ),
    (
        "pets",
        &["{item} needs a good home", "Free {item} to a loving family"],
        &[
            "Friendly {item}, up to date on shots, rehoming fee ${price}.",
            "Great with kids and other pets. Located in {city}.",
            "Comes with crate, food and toys.",
        ],
    ),
    (
        "rooms",
        &[
            "Room for rent in {city}",
            "Shared apartment, {item} included",
        ],
        &[
            "Furnished room, ${price}/month, utilities and {item} included.",
            "Close to the bus line and shopping. No smoking, no pets.",
            "Available the first of the month, short lease possible.",
        ],
    ),
    (
        "jobs",
        &["Help wanted: {item}", "Now hiring {item} in {city}"],
        &[
            "Part-time {item} position, ${price}/hour to start.",
            "Apply in person Monday to Friday, ask for the manager.",
            "Weekend shifts available, training provided.",
        ],
    ),
    (
        "services",
        &["{item} - fair prices", "Reliable {item} in {city}"],
        &[
            "Licensed and insured {item}, free estimates, from ${price}.",
            "Serving {city} and surrounding areas for 10 years.",
            "Senior and veteran discounts.",
        ],
    ),
];

pub const BENIGN_ITEMS: &[&[&str]] = &[
    &[
        "sofa",
        "dining table",
        "bookshelf",
        "dresser",
        "bunk bed",
        "recliner",
        "desk",
    ],
    &[
        "algebra",
        "chemistry",
        "SAT prep",
        "Spanish",
        "piano",
        "reading",
    ],
    &[
        "puppy",
        "kitten",
        "rabbit",
        "parakeet",
        "senior dog",
        "guinea pig",
    ],
    &["wifi", "parking", "laundry", "kitchen access"],
    &[
        "line cook",
        "cashier",
        "warehouse associate",
        "barista",
        "delivery driver",
    ],
    &[
        "lawn care",
        "house cleaning",
        "handyman",
        "moving help",
        "plumbing",
    ],
];
