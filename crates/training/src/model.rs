//! A course as written in its file and stored with its version: slug, title, audience,
//! credit hours and modules (Markdown text with a short quiz and a pass mark). The file is
//! TOML or JSON with the same fields; [`Course::parse`] checks every rule, so a stored
//! course is always a valid one. Images travel inside the file (base64), re-encoded by the
//! case-photo sanitiser on the way in, so a stored course carries no image metadata.

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Who a course is for. Law-enforcement courses open only to verified learners.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    Public,
    ChildWelfare,
    LawEnforcement,
}

impl Audience {
    pub const ALL: [Audience; 3] = [
        Audience::Public,
        Audience::ChildWelfare,
        Audience::LawEnforcement,
    ];

    /// The code stored in the database and written in course files.
    pub fn code(self) -> &'static str {
        match self {
            Audience::Public => "public",
            Audience::ChildWelfare => "child_welfare",
            Audience::LawEnforcement => "law_enforcement",
        }
    }

    pub fn parse(code: &str) -> Option<Audience> {
        Audience::ALL.into_iter().find(|a| a.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Audience::Public => "Anyone",
            Audience::ChildWelfare => "Child-welfare professionals",
            Audience::LawEnforcement => "Law enforcement (verified)",
        }
    }

    /// Whether a learner may see a course for this audience.
    pub fn open_to(self, verified_law_enforcement: bool) -> bool {
        self != Audience::LawEnforcement || verified_law_enforcement
    }
}

/// One multiple-choice question; `answer` is the index of the right choice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub prompt: String,
    pub choices: Vec<String>,
    pub answer: usize,
}

/// A module's quiz: passed when at least `pass_mark` percent of the answers are right.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quiz {
    pub pass_mark: u8,
    pub questions: Vec<Question>,
}

/// What one attempt at a quiz scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct QuizResult {
    pub correct: usize,
    pub total: usize,
    pub passed: bool,
}

impl Quiz {
    /// Marks the answers given, one per question in order (`None`: not answered, which
    /// counts as wrong). Extra answers are ignored.
    pub fn mark(&self, answers: &[Option<usize>]) -> QuizResult {
        let total = self.questions.len();
        let correct = self
            .questions
            .iter()
            .enumerate()
            .filter(|(i, q)| answers.get(*i).copied().flatten() == Some(q.answer))
            .count();
        // Integer arithmetic: 2 of 3 against a pass mark of 67 must not pass by rounding.
        let passed = total > 0 && correct * 100 >= usize::from(self.pass_mark) * total;
        QuizResult {
            correct,
            total,
            passed,
        }
    }
}

/// A page of the course: Markdown text and its quiz.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Module {
    pub title: String,
    /// Markdown; raw HTML in it is shown as text, never run (see [`crate::markdown`]).
    pub body: String,
    pub quiz: Quiz,
}

/// A course as written in a course file. `version` is the file's own; the store keeps every
/// published version, and a learner's enrolment stays with the version they began.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Course {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub audience: Audience,
    /// Continuing-education credit, in hours (0 for none), to a tenth of an hour.
    #[serde(default)]
    pub credit_hours: f64,
    pub version: u32,
    pub modules: Vec<Module>,
    /// Pictures the modules show with `![description](name)`. Absent in older files.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub images: Vec<CourseImage>,
}

/// A picture stored with the course: a PNG or JPEG, base64 in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CourseImage {
    /// A plain file name (`diagram.png`): the name modules use and the last part of its URL.
    pub name: String,
    /// What the picture shows, for anyone who cannot see it.
    pub alt: String,
    /// The file in standard base64 (line breaks and spaces are ignored).
    pub data: String,
}

impl CourseImage {
    /// The image's bytes as stored (sanitised when the course was read).
    pub fn bytes(&self) -> Option<Vec<u8>> {
        decode(&self.data)
    }

    /// `image/png` or `image/jpeg`, from the name (checked against the content on parse).
    pub fn mime(&self) -> &'static str {
        if self.name.ends_with(".png") {
            "image/png"
        } else {
            "image/jpeg"
        }
    }
}

fn decode(data: &str) -> Option<Vec<u8>> {
    let compact: String = data.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact)
        .ok()
}

/// Why a course file was refused; each says what to change.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CourseError {
    #[error("the course file could not be read: {0}")]
    Syntax(String),
    #[error("{0}")]
    Rule(String),
}

pub const MAX_MODULES: usize = 30;
pub const MAX_QUESTIONS: usize = 20;
pub const MAX_CHOICES: usize = 8;
pub const MAX_BODY: usize = 100_000;
pub const MAX_IMAGES: usize = 10;
/// Decoded, per image.
pub const MAX_IMAGE_BYTES: usize = 1_000_000;
/// Room for the images in base64 (a third larger) besides the text.
pub const MAX_FILE: usize = 16_000_000;

impl Course {
    /// Reads a course file: JSON when it starts with `{`, TOML otherwise, then checks it.
    pub fn parse(text: &str) -> Result<Course, CourseError> {
        if text.len() > MAX_FILE {
            return Err(CourseError::Rule(
                "the course file is larger than 16 MB; make the images smaller or use fewer".into(),
            ));
        }
        let mut course: Course = if text.trim_start().starts_with('{') {
            serde_json::from_str(text).map_err(|e| CourseError::Syntax(e.to_string()))?
        } else {
            toml::from_str(text).map_err(|e| CourseError::Syntax(e.to_string()))?
        };
        course.sanitise_images()?;
        course.check()?;
        Ok(course)
    }

    /// Replaces each image by its copy without metadata (EXIF, text chunks, thumbnails),
    /// through the sanitiser case photos use.
    fn sanitise_images(&mut self) -> Result<(), CourseError> {
        // Names and counts first, so a misnamed file is told about its name.
        self.check_images()?;
        for image in &mut self.images {
            let photo = image_photo(image)?;
            image.data = base64::engine::general_purpose::STANDARD.encode(photo.bytes());
        }
        Ok(())
    }

    /// The course as a TOML course file (the export; [`Course::parse`] reads it back).
    pub fn to_toml(&self) -> String {
        toml::to_string(self).unwrap_or_default()
    }

    /// Credit hours in tenths, as stored and summed (no floating-point sums in reports).
    pub fn credit_tenths(&self) -> i64 {
        (self.credit_hours * 10.0).round() as i64
    }

    /// Every rule a stored course keeps.
    pub fn check(&self) -> Result<(), CourseError> {
        let rule = |m: String| Err(CourseError::Rule(m));
        if !valid_slug(&self.slug) {
            return rule(format!(
                "the slug \"{}\" must be 1 to 60 lower-case letters, digits and hyphens",
                self.slug.chars().take(60).collect::<String>()
            ));
        }
        if self.title.trim().is_empty() || self.title.chars().count() > 200 {
            return rule("give the course a title of at most 200 characters".into());
        }
        if self.summary.chars().count() > 2000 {
            return rule("keep the summary under 2,000 characters".into());
        }
        if !self.credit_hours.is_finite()
            || !(0.0..=100.0).contains(&self.credit_hours)
            || ((self.credit_hours * 10.0).round() - self.credit_hours * 10.0).abs() > 1e-6
        {
            return rule(
                "credit hours must be between 0 and 100, to a tenth of an hour (for example 1.5)"
                    .into(),
            );
        }
        if self.version == 0 {
            return rule("the version must be 1 or more".into());
        }
        self.check_images()?;
        if self.modules.is_empty() || self.modules.len() > MAX_MODULES {
            return rule(format!("a course has 1 to {MAX_MODULES} modules"));
        }
        for (i, m) in self.modules.iter().enumerate() {
            let n = i + 1;
            if m.title.trim().is_empty() || m.title.chars().count() > 200 {
                return rule(format!(
                    "module {n} needs a title of at most 200 characters"
                ));
            }
            if m.body.len() > MAX_BODY {
                return rule(format!("module {n}'s text is longer than 100,000 bytes"));
            }
            for target in crate::markdown::image_targets(&m.body) {
                if self.image(&target).is_none() {
                    return rule(format!(
                        "module {n} shows the image \"{}\", which is not one of the course's \
                         images: add it under [[images]] or change the name",
                        target.chars().take(100).collect::<String>()
                    ));
                }
            }
            let q = &m.quiz;
            if q.pass_mark == 0 || q.pass_mark > 100 {
                return rule(format!("module {n}'s pass mark must be 1 to 100 (percent)"));
            }
            if q.questions.is_empty() || q.questions.len() > MAX_QUESTIONS {
                return rule(format!(
                    "module {n}'s quiz has 1 to {MAX_QUESTIONS} questions"
                ));
            }
            for (j, question) in q.questions.iter().enumerate() {
                let k = j + 1;
                if question.prompt.trim().is_empty() {
                    return rule(format!("module {n}, question {k} has no prompt"));
                }
                if question.choices.len() < 2 || question.choices.len() > MAX_CHOICES {
                    return rule(format!(
                        "module {n}, question {k} needs 2 to {MAX_CHOICES} choices"
                    ));
                }
                if question.choices.iter().any(|c| c.trim().is_empty()) {
                    return rule(format!("module {n}, question {k} has an empty choice"));
                }
                if question.answer >= question.choices.len() {
                    return rule(format!(
                        "module {n}, question {k}: the answer must be the index of one of its \
                         choices, counting from 0"
                    ));
                }
            }
        }
        Ok(())
    }
}

impl Course {
    /// The course's image of that name.
    pub fn image(&self, name: &str) -> Option<&CourseImage> {
        self.images.iter().find(|i| i.name == name)
    }

    fn check_images(&self) -> Result<(), CourseError> {
        let rule = |m: String| Err(CourseError::Rule(m));
        if self.images.len() > MAX_IMAGES {
            return rule(format!("a course has at most {MAX_IMAGES} images"));
        }
        for (i, image) in self.images.iter().enumerate() {
            if !valid_image_name(&image.name) {
                return rule(format!(
                    "image {}'s name \"{}\" must be a plain file name of at most 60 lower-case \
                     letters, digits, hyphens, underscores and dots, ending .png, .jpg or .jpeg",
                    i + 1,
                    image.name.chars().take(60).collect::<String>()
                ));
            }
            if self.images[..i].iter().any(|j| j.name == image.name) {
                return rule(format!(
                    "two images are named \"{}\"; give each image its own name",
                    image.name
                ));
            }
            if image.alt.trim().is_empty() || image.alt.chars().count() > 500 {
                return rule(format!(
                    "image \"{}\" needs an alt text of at most 500 characters saying what it shows",
                    image.name
                ));
            }
            image_photo(image)?;
        }
        Ok(())
    }
}

/// Decodes and sanitises an image, checking its size and that its name says its format.
fn image_photo(image: &CourseImage) -> Result<casework::SanitisedPhoto, CourseError> {
    let rule = |m: String| CourseError::Rule(m);
    let name = image.name.chars().take(60).collect::<String>();
    let bytes = decode(&image.data).ok_or_else(|| {
        rule(format!(
            "image \"{name}\"'s data is not base64; encode the file with `base64` and paste it \
             as data"
        ))
    })?;
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(rule(format!(
            "image \"{name}\" is larger than 1 MB; save a smaller copy"
        )));
    }
    let photo = casework::SanitisedPhoto::sanitise(&bytes)
        .map_err(|e| rule(format!("image \"{name}\": {e}")))?;
    let png = image.name.ends_with(".png");
    if png != (photo.format() == casework::PhotoFormat::Png) {
        return Err(rule(format!(
            "image \"{name}\" is a {}: end its name with {}",
            if png { "JPEG" } else { "PNG" },
            if png { ".jpg" } else { ".png" }
        )));
    }
    Ok(photo)
}

fn valid_image_name(s: &str) -> bool {
    (1..=60).contains(&s.len())
        && s.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'.')
        })
        && !s.starts_with('.')
        && [".png", ".jpg", ".jpeg"].iter().any(|e| s.ends_with(e))
        && s.len() > 4
}

fn valid_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 60
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
}

/// The completion rule: a course is complete when every module's quiz has been passed.
pub fn is_complete(modules: usize, passed: &[usize]) -> bool {
    modules > 0 && (0..modules).all(|m| passed.contains(&m))
}

/// Formats tenths of an hour: 10 → "1.0".
pub fn hours(tenths: i64) -> String {
    format!("{}.{}", tenths / 10, tenths % 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn sample() -> Course {
        Course {
            slug: "intro".into(),
            title: "Introduction".into(),
            summary: "For anyone.".into(),
            audience: Audience::Public,
            credit_hours: 1.0,
            version: 1,
            modules: vec![Module {
                title: "One".into(),
                body: "Text".into(),
                quiz: Quiz {
                    pass_mark: 67,
                    questions: (0..3)
                        .map(|i| Question {
                            prompt: format!("Q{i}"),
                            choices: vec!["a".into(), "b".into()],
                            answer: 1,
                        })
                        .collect(),
                },
            }],
            images: Vec::new(),
        }
    }

    fn png_base64() -> String {
        base64::engine::general_purpose::STANDARD.encode(crate::samples::diagram_png())
    }

    fn with_image(name: &str) -> Course {
        let mut c = sample();
        c.modules[0].body = format!("Look:\n\n![The steps]({name})\n");
        c.images.push(CourseImage {
            name: name.into(),
            alt: "Three boxes joined by arrows".into(),
            data: png_base64(),
        });
        c
    }

    fn refusal(c: &Course) -> String {
        Course::parse(&c.to_toml()).unwrap_err().to_string()
    }

    #[test]
    fn images_round_trip_through_toml_and_json() {
        let c = Course::parse(&with_image("steps.png").to_toml()).unwrap();
        assert_eq!(c.images.len(), 1);
        assert_eq!(Course::parse(&c.to_toml()).unwrap(), c);
        assert_eq!(
            Course::parse(&serde_json::to_string(&c).unwrap()).unwrap(),
            c
        );
        let bytes = c.image("steps.png").unwrap().bytes().unwrap();
        assert!(bytes.starts_with(b"\x89PNG"));
        assert_eq!(c.image("steps.png").unwrap().mime(), "image/png");
        // A file without images still reads, and writes no images.
        assert!(!sample().to_toml().contains("images"));
    }

    #[test]
    fn images_are_sanitised_on_the_way_in() {
        // A PNG with a text chunk (metadata) after the header.
        let png = crate::samples::diagram_png();
        let mut chunk = Vec::new();
        let data = b"Comment\0secret place";
        chunk.extend_from_slice(&(data.len() as u32).to_be_bytes());
        chunk.extend_from_slice(b"tEXt");
        chunk.extend_from_slice(data);
        let crc = crc32(&chunk[4..]);
        chunk.extend_from_slice(&crc.to_be_bytes());
        let mut tagged = png[..33].to_vec();
        tagged.extend_from_slice(&chunk);
        tagged.extend_from_slice(&png[33..]);
        let mut c = with_image("steps.png");
        c.images[0].data = base64::engine::general_purpose::STANDARD.encode(&tagged);
        assert!(tagged.windows(6).any(|w| w == b"secret"));
        let parsed = Course::parse(&c.to_toml()).unwrap();
        let bytes = parsed.images[0].bytes().unwrap();
        assert!(!bytes.windows(6).any(|w| w == b"secret"));
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[test]
    fn image_rules_say_what_to_change() {
        for bad in [
            "Steps.png",
            "../steps.png",
            "steps.gif",
            "a/b.png",
            ".png",
            "steps",
        ] {
            let e = refusal(&with_image(bad));
            assert!(e.contains("plain file name"), "{bad}: {e}");
        }
        let mut c = with_image("steps.png");
        c.modules[0].body.push_str("\n![Missing](other.png)\n");
        let e = refusal(&c);
        assert!(e.contains("module 1") && e.contains("other.png"), "{e}");
        let mut c = with_image("steps.png");
        c.images.push(c.images[0].clone());
        assert!(refusal(&c).contains("two images"));
        let mut c = with_image("steps.png");
        c.images[0].data = "not base64 !!".into();
        assert!(refusal(&c).contains("not base64"));
        let mut c = with_image("steps.png");
        c.images[0].data = base64::engine::general_purpose::STANDARD.encode(b"GIF89a....");
        assert!(refusal(&c).contains("not a JPEG or PNG"), "{}", refusal(&c));
        let mut c = with_image("steps.jpg");
        assert!(refusal(&c).contains("is a PNG"), "{}", refusal(&c));
        c = with_image("steps.png");
        c.images[0].data =
            base64::engine::general_purpose::STANDARD.encode(vec![0u8; MAX_IMAGE_BYTES + 1]);
        assert!(refusal(&c).contains("larger than 1 MB"));
        let mut c = with_image("steps.png");
        c.images[0].alt = " ".into();
        assert!(refusal(&c).contains("alt text"));
        let mut c = with_image("steps.png");
        for i in 0..MAX_IMAGES {
            let mut extra = c.images[0].clone();
            extra.name = format!("x{i}.png");
            c.images.push(extra);
        }
        assert!(refusal(&c).contains("at most 10 images"));
        let mut c = sample();
        c.modules[0].body = "![outside](https://example.org/x.png)".into();
        assert!(refusal(&c).contains("not one of the course's images"));
    }

    #[test]
    fn marking_uses_the_pass_mark_without_rounding_up() {
        let q = &sample().modules[0].quiz;
        // 2 of 3 is 66.6 %: below 67.
        assert!(!q.mark(&[Some(1), Some(1), Some(0)]).passed);
        assert!(q.mark(&[Some(1), Some(1), Some(1)]).passed);
        assert_eq!(q.mark(&[None, Some(1)]).correct, 1);
        let mut easy = q.clone();
        easy.pass_mark = 66;
        assert!(easy.mark(&[Some(1), Some(1), Some(0)]).passed);
    }

    #[test]
    fn toml_and_json_round_trip() {
        let c = sample();
        assert_eq!(Course::parse(&c.to_toml()).unwrap(), c);
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(Course::parse(&json).unwrap(), c);
    }

    #[test]
    fn rules_say_what_to_change() {
        let mut c = sample();
        c.modules[0].quiz.questions[0].answer = 5;
        let e = Course::parse(&c.to_toml()).unwrap_err().to_string();
        assert!(e.contains("question 1"), "{e}");
        let mut c = sample();
        c.slug = "Bad Slug".into();
        assert!(c.check().is_err());
        let mut c = sample();
        c.credit_hours = 1.25;
        assert!(c.check().is_err());
        assert!(Course::parse("not = [valid").is_err());
        assert!(Course::parse("{\"slug\": 1}").is_err());
    }

    #[test]
    fn completion_needs_every_module() {
        assert!(is_complete(2, &[1, 0]));
        assert!(!is_complete(2, &[1]));
        assert!(!is_complete(0, &[]));
        assert_eq!(hours(10), "1.0");
        assert_eq!(hours(25), "2.5");
    }

    #[test]
    fn law_enforcement_courses_need_verification() {
        assert!(!Audience::LawEnforcement.open_to(false));
        assert!(Audience::LawEnforcement.open_to(true));
        assert!(Audience::ChildWelfare.open_to(false));
        for a in Audience::ALL {
            assert_eq!(Audience::parse(a.code()), Some(a));
        }
    }

    proptest::proptest! {
        #[test]
        fn parsing_never_panics(s in ".{0,400}") {
            let _ = Course::parse(&s);
        }

        #[test]
        fn marking_is_bounded(answers in proptest::collection::vec(proptest::option::of(0usize..3), 0..6)) {
            let q = &sample().modules[0].quiz;
            let r = q.mark(&answers);
            proptest::prop_assert!(r.correct <= r.total);
            proptest::prop_assert_eq!(r.passed, r.correct == 3);
        }
    }
}
