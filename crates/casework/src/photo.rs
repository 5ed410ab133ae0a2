//! Photos of a child, sanitised: the only way photo bytes leave this crate.
//!
//! A photo a caseworker uploads can carry far more than the picture: EXIF (the camera, the
//! time and often the place it was taken), XMP, comments, a thumbnail of the uncropped
//! original, PNG text chunks. [`SanitisedPhoto`] can only be built by
//! [`SanitisedPhoto::sanitise`], which keeps what drawing the picture needs and drops the
//! rest, so whoever holds one (the poster's PDF, the poster page, the blob store) holds
//! nothing else. Anything that is not an ordinary JPEG or PNG is refused with a reason.

/// Photos larger than this on a side are refused: a poster needs no more, and it bounds the
/// memory a hostile file can claim.
pub const MAX_PHOTO_SIDE: u32 = 6_000;

/// Decoding a PNG may claim at most this much memory.
const PNG_DECODE_LIMIT: usize = 160 * 1024 * 1024;

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// Why a photo can't be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PhotoError {
    #[error("the photo is not a JPEG or PNG file; upload it as one of these")]
    NotJpegOrPng,
    #[error("the photo can't be used ({0}); save it again as an ordinary JPEG or PNG")]
    Unsupported(String),
    #[error("the photo file is damaged ({0}); upload it again")]
    Damaged(String),
    #[error("the photo is larger than {MAX_PHOTO_SIDE} pixels on a side; upload a smaller copy")]
    TooLarge,
}

/// The two formats a photo may have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PhotoFormat {
    Jpeg,
    Png,
}

impl PhotoFormat {
    pub fn mime(self) -> &'static str {
        match self {
            PhotoFormat::Jpeg => "image/jpeg",
            PhotoFormat::Png => "image/png",
        }
    }
}

/// A JPEG or PNG file without its metadata, checked to be one.
///
/// JPEG: only the segments decoding needs stay (tables, frame, scans, restart intervals,
/// a bare JFIF header and Adobe's colour-transform segment); EXIF, XMP, ICC and every other
/// application segment, comments and thumbnails go. PNG: the critical chunks stay, and of
/// the ancillary ones only those that change how pixels look and carry nothing else
/// (`tRNS`, `gAMA`, `sRGB`); text, EXIF, time, physical size, profiles, animation and
/// private chunks go. Sanitising a sanitised photo gives the same bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SanitisedPhoto {
    format: PhotoFormat,
    bytes: Vec<u8>,
    width: u32,
    height: u32,
    /// A one-channel JPEG (the PDF needs to know its colour space).
    gray: bool,
}

impl SanitisedPhoto {
    /// Checks a JPEG or PNG file and copies it without its metadata.
    pub fn sanitise(bytes: &[u8]) -> Result<SanitisedPhoto, PhotoError> {
        if bytes.starts_with(&[0xFF, 0xD8]) {
            jpeg(bytes)
        } else if bytes.starts_with(PNG_SIGNATURE) {
            png(bytes)
        } else {
            Err(PhotoError::NotJpegOrPng)
        }
    }

    pub fn format(&self) -> PhotoFormat {
        self.format
    }

    /// `image/jpeg` or `image/png`.
    pub fn mime(&self) -> &'static str {
        self.format.mime()
    }

    /// The sanitised file.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    pub fn width(&self) -> u32 {
        self.width
    }

    pub fn height(&self) -> u32 {
        self.height
    }

    pub(crate) fn is_gray(&self) -> bool {
        self.gray
    }
}

fn check_size(width: u32, height: u32) -> Result<(), PhotoError> {
    if width == 0 || height == 0 {
        return Err(PhotoError::Damaged("the image has no pixels".into()));
    }
    if width > MAX_PHOTO_SIDE || height > MAX_PHOTO_SIDE {
        return Err(PhotoError::TooLarge);
    }
    Ok(())
}

/// The JFIF header without its thumbnail: identifier, version, density units and density,
/// then a 0×0 thumbnail.
const JFIF_HEADER_LEN: usize = 14;

/// Copies a JPEG keeping only what decoding needs.
fn jpeg(b: &[u8]) -> Result<SanitisedPhoto, PhotoError> {
    let damaged = |what: &str| PhotoError::Damaged(format!("JPEG: {what}"));
    let mut out = vec![0xFF, 0xD8];
    let mut pos = 2;
    let mut frame: Option<(u32, u32, u8)> = None;
    let mut scans = 0usize;
    loop {
        // Fill bytes (0xFF) may pad before a marker.
        while b.get(pos) == Some(&0xFF) && b.get(pos + 1) == Some(&0xFF) {
            pos += 1;
        }
        if b.get(pos) != Some(&0xFF) {
            return Err(damaged("a segment does not start with a marker"));
        }
        let marker = *b.get(pos + 1).ok_or_else(|| damaged("it ends early"))?;
        match marker {
            0xD9 => {
                out.extend_from_slice(&[0xFF, 0xD9]);
                break;
            }
            0x01 | 0xD0..=0xD7 => {
                out.extend_from_slice(&[0xFF, marker]);
                pos += 2;
                continue;
            }
            0xD8 => return Err(damaged("a second start-of-image marker")),
            _ => {}
        }
        let len = match b.get(pos + 2..pos + 4) {
            Some(&[hi, lo]) => usize::from(u16::from_be_bytes([hi, lo])),
            _ => return Err(damaged("it ends early")),
        };
        if len < 2 {
            return Err(damaged("a segment has a bad length"));
        }
        let end = pos + 2 + len;
        let segment = b.get(pos..end).ok_or_else(|| damaged("it ends early"))?;
        let body = &segment[4..];
        match marker {
            0xC0..=0xC2 => {
                if frame.is_some() {
                    return Err(damaged("more than one frame header"));
                }
                if body.len() < 6 {
                    return Err(damaged("the frame header is short"));
                }
                if body[0] != 8 {
                    return Err(PhotoError::Unsupported(format!("{}-bit JPEG", body[0])));
                }
                let height = u32::from(u16::from_be_bytes([body[1], body[2]]));
                let width = u32::from(u16::from_be_bytes([body[3], body[4]]));
                frame = Some((width, height, body[5]));
                out.extend_from_slice(segment);
            }
            0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF => {
                return Err(PhotoError::Unsupported(
                    "lossless or arithmetic-coded JPEG".into(),
                ));
            }
            // JFIF: the header only; its thumbnail (and a JFXX extension's) shows the
            // picture as it was before any crop.
            0xE0 => {
                if body.len() >= JFIF_HEADER_LEN && body.starts_with(b"JFIF\0") {
                    out.extend_from_slice(&[0xFF, 0xE0, 0, JFIF_HEADER_LEN as u8 + 2]);
                    out.extend_from_slice(&body[..JFIF_HEADER_LEN - 2]);
                    out.extend_from_slice(&[0, 0]);
                }
            }
            // Adobe: says whether colours are stored as YCbCr or RGB; a fixed-size record.
            0xEE if body.starts_with(b"Adobe") && body.len() == 12 => {
                out.extend_from_slice(segment);
            }
            0xE1..=0xEF | 0xFE => {}
            0xDA => {
                if frame.is_none() {
                    return Err(damaged("image data before the frame header"));
                }
                scans += 1;
                out.extend_from_slice(segment);
                // Entropy-coded data runs to the next marker that is not a stuffed 0xFF00 or
                // a restart marker.
                let mut i = end;
                loop {
                    match (b.get(i), b.get(i + 1)) {
                        (Some(0xFF), Some(0x00 | 0xD0..=0xD7)) => i += 2,
                        (Some(0xFF), Some(_)) => break,
                        (Some(_), _) => i += 1,
                        (None, _) => return Err(damaged("the image data has no end marker")),
                    }
                }
                out.extend_from_slice(&b[end..i]);
                pos = i;
                continue;
            }
            _ => out.extend_from_slice(segment),
        }
        pos = end;
    }
    let (width, height, components) = frame.ok_or_else(|| damaged("no frame header"))?;
    if scans == 0 {
        return Err(damaged("no image data"));
    }
    let gray = match components {
        1 => true,
        3 => false,
        n => {
            return Err(PhotoError::Unsupported(format!(
                "a JPEG with {n} colour channels (CMYK?)"
            )))
        }
    };
    check_size(width, height)?;
    Ok(SanitisedPhoto {
        format: PhotoFormat::Jpeg,
        bytes: out,
        width,
        height,
        gray,
    })
}

/// Copies a PNG's critical chunks and the few ancillary ones that only change how pixels
/// look, then decodes the copy, so what is handed out is known to draw.
fn png(b: &[u8]) -> Result<SanitisedPhoto, PhotoError> {
    let damaged = |what: &str| PhotoError::Damaged(format!("PNG: {what}"));
    let mut out = PNG_SIGNATURE.to_vec();
    let mut i = PNG_SIGNATURE.len();
    let mut first = true;
    loop {
        let header = b.get(i..i + 8).ok_or_else(|| damaged("it ends early"))?;
        let len = u32::from_be_bytes([header[0], header[1], header[2], header[3]]) as usize;
        let kind = &header[4..8];
        if !kind.iter().all(u8::is_ascii_alphabetic) {
            return Err(damaged("a chunk has a bad type"));
        }
        let end = i
            .checked_add(12)
            .and_then(|n| n.checked_add(len))
            .ok_or_else(|| damaged("a chunk has a bad length"))?;
        let chunk = b.get(i..end).ok_or_else(|| damaged("it ends early"))?;
        if first && kind != b"IHDR" {
            return Err(damaged("the header chunk is not first"));
        }
        first = false;
        let critical = kind[0].is_ascii_uppercase();
        match kind {
            b"IHDR" | b"PLTE" | b"IDAT" | b"IEND" | b"tRNS" | b"gAMA" | b"sRGB" => {
                out.extend_from_slice(chunk)
            }
            _ if critical => {
                return Err(PhotoError::Unsupported(format!(
                    "a PNG with the unknown critical chunk {}",
                    String::from_utf8_lossy(kind)
                )))
            }
            _ => {}
        }
        if kind == b"IEND" {
            break;
        }
        i = end;
    }
    let pixels = decode_png(&out)?;
    Ok(SanitisedPhoto {
        format: PhotoFormat::Png,
        bytes: out,
        width: pixels.width,
        height: pixels.height,
        gray: pixels.gray,
    })
}

/// A PNG's pixels as 8-bit gray or RGB samples, with its alpha channel apart.
pub(crate) struct Pixels {
    pub(crate) width: u32,
    pub(crate) height: u32,
    pub(crate) gray: bool,
    pub(crate) samples: Vec<u8>,
    pub(crate) alpha: Option<Vec<u8>>,
}

/// Decodes a PNG to 8-bit samples (palettes expanded, 16 bits cut to 8) within the memory
/// limit.
pub(crate) fn decode_png(bytes: &[u8]) -> Result<Pixels, PhotoError> {
    let damaged = |e: png::DecodingError| PhotoError::Damaged(format!("PNG: {e}"));
    let mut decoder = png::Decoder::new_with_limits(
        std::io::Cursor::new(bytes),
        png::Limits {
            bytes: PNG_DECODE_LIMIT,
        },
    );
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().map_err(damaged)?;
    let (width, height) = reader.info().size();
    check_size(width, height)?;
    let size = reader.output_buffer_size().ok_or(PhotoError::TooLarge)?;
    let mut buf = vec![0; size];
    let info = reader.next_frame(&mut buf).map_err(damaged)?;
    let pixels = &buf[..info.buffer_size()];
    let (gray, channels, has_alpha) = match info.color_type {
        png::ColorType::Grayscale => (true, 1, false),
        png::ColorType::GrayscaleAlpha => (true, 2, true),
        png::ColorType::Rgb => (false, 3, false),
        png::ColorType::Rgba => (false, 4, true),
        png::ColorType::Indexed => {
            return Err(PhotoError::Unsupported("an unexpanded palette PNG".into()))
        }
    };
    if info.bit_depth != png::BitDepth::Eight {
        return Err(PhotoError::Unsupported("a PNG that is not 8-bit".into()));
    }
    let (samples, alpha) = if has_alpha {
        let color_channels = channels - 1;
        let mut color = Vec::with_capacity(pixels.len() / channels * color_channels);
        let mut alpha = Vec::with_capacity(pixels.len() / channels);
        for px in pixels.chunks_exact(channels) {
            color.extend_from_slice(&px[..color_channels]);
            alpha.push(px[color_channels]);
        }
        (color, Some(alpha))
    } else {
        (pixels.to_vec(), None)
    };
    Ok(Pixels {
        width: info.width,
        height: info.height,
        gray,
        samples,
        alpha,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn chunk(kind: &[u8], data: &[u8]) -> Vec<u8> {
        let mut c = (data.len() as u32).to_be_bytes().to_vec();
        c.extend_from_slice(kind);
        c.extend_from_slice(data);
        let mut crc = 0xFFFF_FFFFu32;
        for &byte in kind.iter().chain(data) {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        c.extend_from_slice(&(!crc).to_be_bytes());
        c
    }

    /// A PNG drawn by the `png` encoder, with metadata chunks spliced in after its header.
    fn png_with(width: u32, height: u32, rgba: bool, pixels: &[u8], extra: &[Vec<u8>]) -> Vec<u8> {
        let mut encoded = Vec::new();
        {
            let mut enc = png::Encoder::new(&mut encoded, width, height);
            enc.set_color(if rgba {
                png::ColorType::Rgba
            } else {
                png::ColorType::Rgb
            });
            enc.set_depth(png::BitDepth::Eight);
            let mut w = enc.write_header().expect("header");
            let n = (width * height * if rgba { 4 } else { 3 }) as usize;
            let data: Vec<u8> = pixels.iter().copied().cycle().take(n).collect();
            w.write_image_data(&data).expect("pixels");
        }
        // Signature (8) and IHDR (25) first, then what the test adds.
        let mut out = encoded[..33].to_vec();
        for e in extra {
            out.extend_from_slice(e);
        }
        out.extend_from_slice(&encoded[33..]);
        out
    }

    /// A JPEG with EXIF, a comment and a JFIF thumbnail around a minimal baseline image.
    fn jpeg_with_metadata(secret: &str) -> Vec<u8> {
        let mut j = vec![0xFF, 0xD8];
        // JFIF with a 1×1 thumbnail (3 bytes of RGB).
        let jfif = [
            b"JFIF\0".as_slice(),
            &[1, 2, 0, 0, 1, 0, 1, 1, 1],
            &[9, 9, 9],
        ]
        .concat();
        j.extend_from_slice(&[0xFF, 0xE0, 0, (jfif.len() + 2) as u8]);
        j.extend_from_slice(&jfif);
        let exif = [b"Exif\0\0".as_slice(), secret.as_bytes()].concat();
        j.extend_from_slice(&[0xFF, 0xE1, 0, (exif.len() + 2) as u8]);
        j.extend_from_slice(&exif);
        j.extend_from_slice(&[0xFF, 0xFE, 0, (secret.len() + 2) as u8]);
        j.extend_from_slice(secret.as_bytes());
        // Frame: 8-bit, 2×3, one component.
        j.extend_from_slice(&[0xFF, 0xC0, 0, 11, 8, 0, 3, 0, 2, 1, 1, 0x11, 0]);
        // Scan header, a little entropy-coded data with a stuffed byte, the end.
        j.extend_from_slice(&[0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 63, 0]);
        j.extend_from_slice(&[0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD9]);
        j
    }

    #[test]
    fn jpeg_metadata_and_thumbnails_are_dropped() {
        let j = jpeg_with_metadata("GPS 36.15N 95.99W");
        let s = SanitisedPhoto::sanitise(&j).expect("a JPEG");
        assert_eq!((s.width(), s.height(), s.mime()), (2, 3, "image/jpeg"));
        let out = s.bytes();
        assert!(!out.windows(4).any(|w| w == b"Exif"));
        assert!(!out.windows(3).any(|w| w == b"GPS"));
        assert!(
            !out.windows(3).any(|w| w == [9, 9, 9]),
            "the thumbnail is gone"
        );
        assert!(out.windows(5).any(|w| w == b"JFIF\0"));
        assert!(out.ends_with(&[0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD9]));
    }

    #[test]
    fn png_ancillary_chunks_are_dropped() {
        let png = png_with(
            3,
            2,
            true,
            &[10, 20, 30, 128],
            &[
                chunk(b"tEXt", b"Location\0Tulsa"),
                chunk(b"eXIf", b"MM\0*secret"),
                chunk(b"tIME", &[7, 234, 1, 1, 0, 0, 0]),
                chunk(b"gAMA", &[0, 0, 177, 143]),
            ],
        );
        let s = SanitisedPhoto::sanitise(&png).expect("a PNG");
        assert_eq!((s.width(), s.height(), s.mime()), (3, 2, "image/png"));
        let out = s.bytes();
        for gone in [b"tEXt", b"eXIf", b"tIME"] {
            assert!(!out.windows(4).any(|w| w == gone));
        }
        assert!(out.windows(4).any(|w| w == b"gAMA"));
        assert!(out.windows(4).any(|w| w == b"IDAT"));
    }

    #[test]
    fn anything_else_is_refused_with_a_reason() {
        assert_eq!(
            SanitisedPhoto::sanitise(b"GIF89a..."),
            Err(PhotoError::NotJpegOrPng)
        );
        let mut j = jpeg_with_metadata("x");
        j.truncate(j.len() - 4);
        assert!(matches!(
            SanitisedPhoto::sanitise(&j),
            Err(PhotoError::Damaged(_))
        ));
        let mut p = png_with(2, 2, false, &[1, 2, 3], &[chunk(b"ZZZZ", b"?")]);
        assert!(matches!(
            SanitisedPhoto::sanitise(&p),
            Err(PhotoError::Unsupported(_))
        ));
        p = png_with(2, 2, false, &[1, 2, 3], &[]);
        p.truncate(p.len() - 20);
        assert!(matches!(
            SanitisedPhoto::sanitise(&p),
            Err(PhotoError::Damaged(_))
        ));
        let too_wide = png_with(MAX_PHOTO_SIDE + 1, 1, false, &[0], &[]);
        assert_eq!(
            SanitisedPhoto::sanitise(&too_wide),
            Err(PhotoError::TooLarge)
        );
    }

    proptest! {
        #[test]
        fn never_panics_on_arbitrary_bytes(
            head in prop_oneof![
                Just(Vec::new()),
                Just(vec![0xFF, 0xD8]),
                Just(PNG_SIGNATURE.to_vec()),
            ],
            body in proptest::collection::vec(any::<u8>(), 0..512),
        ) {
            let bytes = [head, body].concat();
            let _ = SanitisedPhoto::sanitise(&bytes);
        }

        #[test]
        fn never_panics_on_damaged_photos(
            png in any::<bool>(),
            at in any::<prop::sample::Index>(),
            byte in any::<u8>(),
            cut in any::<prop::sample::Index>(),
        ) {
            let mut bytes = if png {
                png_with(4, 3, true, &[1, 2, 3, 4, 5], &[chunk(b"tEXt", b"a\0b")])
            } else {
                jpeg_with_metadata("secret")
            };
            let i = at.index(bytes.len());
            bytes[i] = byte;
            bytes.truncate(cut.index(bytes.len() + 1).max(i));
            if let Ok(s) = SanitisedPhoto::sanitise(&bytes) {
                let again = SanitisedPhoto::sanitise(s.bytes());
                prop_assert_eq!(again.as_ref(), Ok(&s));
            }
        }

        #[test]
        fn sanitising_a_sanitised_photo_changes_nothing(
            width in 1u32..12,
            height in 1u32..12,
            rgba in any::<bool>(),
            pixels in proptest::collection::vec(any::<u8>(), 1..64),
            text in "[a-zA-Z0-9 ]{0,40}",
            jpeg in any::<bool>(),
        ) {
            let bytes = if jpeg {
                jpeg_with_metadata(&text)
            } else {
                let extra = [chunk(b"tEXt", format!("Comment\0{text}").as_bytes())];
                png_with(width, height, rgba, &pixels, &extra)
            };
            let once = SanitisedPhoto::sanitise(&bytes).expect("a valid photo");
            let twice = SanitisedPhoto::sanitise(once.bytes()).expect("still valid");
            prop_assert_eq!(&once, &twice);
            if !jpeg {
                prop_assert_eq!((once.width(), once.height()), (width, height));
            }
        }
    }
}
