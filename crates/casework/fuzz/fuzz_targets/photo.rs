//! Fuzz target: the photo sanitiser (the JPEG segment walker, the PNG chunk walker and the
//! PNG decoder behind it) must not panic on any bytes; what it accepts must stay within the
//! size limit and sanitise to itself again. Run with
//! `cargo +nightly fuzz run photo` from `crates/casework`.
#![no_main]

use casework::{SanitisedPhoto, MAX_PHOTO_SIDE};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let Ok(photo) = SanitisedPhoto::sanitise(bytes) else {
        return;
    };
    assert!(photo.width() >= 1 && photo.width() <= MAX_PHOTO_SIDE);
    assert!(photo.height() >= 1 && photo.height() <= MAX_PHOTO_SIDE);
    let again = SanitisedPhoto::sanitise(photo.bytes()).expect("a sanitised photo sanitises");
    assert_eq!(again, photo);
});
