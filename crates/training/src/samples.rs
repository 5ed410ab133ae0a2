//! The demo's three courses, as course files in the one format (TOML): an introduction for
//! anyone, a course for child-welfare professionals worth one continuing-education hour,
//! and a law-enforcement course opened only to verified learners. Plain, non-explicit text
//! and one drawn diagram (three boxes joined by arrows) in the introduction; the tests
//! publish them too.

use crate::model::Course;
use base64::Engine as _;

pub const INTRODUCTION: &str = r#"
slug = "introduction"
title = "Introduction to child trafficking and missing children"
summary = "For anyone: what trafficking of children looks like, why children go missing, and how to report a concern."
audience = "public"
credit_hours = 0.0
version = 1

[[modules]]
title = "What trafficking is"
body = """
Child trafficking is the recruitment, moving or keeping of a child **for exploitation**.
A child cannot consent to being exploited: a child who is trafficked is a *victim*, never an
offender.

Signs that a child may need help:

- an older "boyfriend" or friend who controls where they go;
- new phones, clothes or money they cannot explain;
- being often missing from home, care or school.
"""

[modules.quiz]
pass_mark = 100

[[modules.quiz.questions]]
prompt = "Can a child consent to being exploited?"
choices = ["Yes, if they say so", "No, never"]
answer = 1

[[modules.quiz.questions]]
prompt = "Which of these can be a sign that a child needs help?"
choices = ["Being often missing from home or school", "Liking sport"]
answer = 0

[[modules]]
title = "Missing children"
body = """
Children who go missing often are at greater risk. Every time a child goes missing it
should be reported, **even if they have gone missing before**.

When a missing child comes back, a calm conversation about where they were helps keep
them safe next time.
"""

[modules.quiz]
pass_mark = 50

[[modules.quiz.questions]]
prompt = "A child who has gone missing before goes missing again. Should it be reported?"
choices = ["Yes, every time", "Only the first time"]
answer = 0

[[modules.quiz.questions]]
prompt = "What helps when a child comes back?"
choices = ["Punishing them", "A calm conversation about where they were"]
answer = 1
"#;

pub const CHILD_WELFARE: &str = r#"
slug = "child-welfare-essentials"
title = "Child welfare essentials: children missing from care"
summary = "For child-welfare professionals: reporting children missing from care and supporting survivors. Worth 1.0 continuing-education hour."
audience = "child_welfare"
credit_hours = 1.0
version = 1

[[modules]]
title = "Reporting a child missing from care"
body = """
Report a child missing from care **to law enforcement and to the hotline within 24 hours**.
Give a recent photo, what the child was wearing, and any person or place they may be with.
"""

[modules.quiz]
pass_mark = 100

[[modules.quiz.questions]]
prompt = "Within how many hours should a child missing from care be reported?"
choices = ["24 hours", "7 days", "30 days"]
answer = 0

[[modules.quiz.questions]]
prompt = "What helps most in the report?"
choices = ["A recent photo and what the child wore", "The child's school grades"]
answer = 0

[[modules]]
title = "Supporting survivors"
body = """
Use plain words and the word *survivor* or *victim*. Let the young person choose what they
share, and explain what happens next before it happens.
"""

[modules.quiz]
pass_mark = 50

[[modules.quiz.questions]]
prompt = "Who chooses what a survivor shares?"
choices = ["The young person", "The caseworker"]
answer = 0

[[modules.quiz.questions]]
prompt = "When should you explain what happens next?"
choices = ["Before it happens", "Only if asked"]
answer = 0
"#;

pub const LAW_ENFORCEMENT: &str = r#"
slug = "law-enforcement-leads"
title = "Working hotline leads (law enforcement only)"
summary = "For verified law-enforcement officers: how hotline leads are prioritised and made available to your agency."
audience = "law_enforcement"
credit_hours = 1.5
version = 1

[[modules]]
title = "How leads are prioritised"
body = """
Each lead carries its priority **and the reasons for it**: indicators found in the report,
linked records and a child's age. Start with the highest priority and read the reasons.
"""

[modules.quiz]
pass_mark = 100

[[modules.quiz.questions]]
prompt = "What comes with each lead's priority?"
choices = ["The reasons for it", "Nothing"]
answer = 0

[[modules]]
title = "Treating the child as a victim"
body = """
A child found during an investigation is a victim. Connect them with a recovery specialist
before any interview.
"""

[modules.quiz]
pass_mark = 100

[[modules.quiz.questions]]
prompt = "Who should a child found during an investigation be connected with first?"
choices = ["A recovery specialist", "The press"]
answer = 0
"#;

/// The introduction's diagram: the name its first module shows it by.
pub const DIAGRAM: &str = "notice-report-support.png";

/// Three boxes joined by arrows (notice, report, support), drawn here so the demo carries
/// no picture from elsewhere.
pub fn diagram_png() -> Vec<u8> {
    const W: usize = 300;
    const H: usize = 80;
    let mut px = vec![255u8; W * H * 3];
    let mut put = |x: usize, y: usize, rgb: [u8; 3]| {
        if x < W && y < H {
            px[(y * W + x) * 3..(y * W + x) * 3 + 3].copy_from_slice(&rgb);
        }
    };
    let fills = [[29, 112, 184], [0, 112, 60], [244, 119, 56]];
    for (i, fill) in fills.iter().enumerate() {
        let x0 = 10 + i * 100;
        for y in 15..65 {
            for x in x0..x0 + 70 {
                let edge = !(17..=62).contains(&y) || !(x0 + 2..=x0 + 67).contains(&x);
                put(x, y, if edge { [11, 12, 12] } else { *fill });
            }
        }
        if i < 2 {
            // The arrow to the next box: a shaft and a head.
            for x in x0 + 72..x0 + 96 {
                put(x, 39, [11, 12, 12]);
                put(x, 40, [11, 12, 12]);
            }
            for d in 0..7 {
                for y in 40 - d..=40 + d {
                    put(x0 + 97 - d, y, [11, 12, 12]);
                }
            }
        }
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, W as u32, H as u32);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    if let Ok(mut writer) = encoder.write_header() {
        // Writing to a Vec cannot fail.
        let _ = writer.write_image_data(&px);
    }
    out
}

/// The three demo courses, parsed (they are checked by the tests). The introduction's
/// first module shows [`diagram_png`].
pub fn courses() -> Vec<Course> {
    let mut intro = INTRODUCTION.to_owned();
    intro.push_str(&format!(
        "\n[[images]]\nname = \"{DIAGRAM}\"\nalt = \"Three boxes joined by arrows: notice the \
         signs, report the concern, support the child\"\ndata = \"{}\"\n",
        base64::engine::general_purpose::STANDARD.encode(diagram_png())
    ));
    let intro = intro.replacen(
        "- being often missing from home, care or school.\n",
        &format!(
            "- being often missing from home, care or school.\n\n\
             ![Notice the signs, report the concern, support the child]({DIAGRAM})\n"
        ),
        1,
    );
    [intro.as_str(), CHILD_WELFARE, LAW_ENFORCEMENT]
        .iter()
        .filter_map(|t| Course::parse(t).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_samples_are_valid_courses() {
        for t in [INTRODUCTION, CHILD_WELFARE, LAW_ENFORCEMENT] {
            Course::parse(t).unwrap();
        }
        assert_eq!(courses().len(), 3);
        assert_eq!(courses()[1].credit_tenths(), 10);
        let intro = &courses()[0];
        assert!(intro.modules[0].body.contains(DIAGRAM));
        assert_eq!(
            intro.image(DIAGRAM).unwrap().bytes().unwrap(),
            casework::SanitisedPhoto::sanitise(&diagram_png())
                .unwrap()
                .into_bytes()
        );
    }
}
