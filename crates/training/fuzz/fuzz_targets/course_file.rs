//! Fuzzes the course file reader: any bytes must give a course or an error, never a panic;
//! a course it accepts must export and read back the same, and its modules must render.
#![no_main]

use libfuzzer_sys::fuzz_target;
use training::Course;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(course) = Course::parse(text) {
        assert_eq!(Course::parse(&course.to_toml()).ok(), Some(course.clone()));
        for m in &course.modules {
            let html = training::markdown::render(&m.body);
            assert!(!html.contains("<script"));
        }
    }
});
