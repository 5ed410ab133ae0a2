//! The at-rest format: streaming, chunked AES-256-GCM, so files of any size are encrypted
//! and decrypted in constant memory while truncation, reordering, tampering, a wrong key
//! and swapping one blob's file for another's are all detected.
//!
//! This module does no I/O of its own besides [`decrypt_reader`], so a store on another
//! medium (an object store) can reuse it unchanged.
//!
//! # Format, version 1
//!
//! ```text
//! header (60 bytes):
//!   magic        4  b"CHBL"
//!   version      1  0x01
//!   salt        32  random per blob
//!   nonce prefix 7  random per blob
//!   key check   16  HKDF-SHA256(salt, master key, "clearinghouse blob v1 key check")
//! chunks, one after another:
//!   AES-256-GCM(file key, nonce, aad, plaintext) || 16-byte tag
//!   file key = HKDF-SHA256(salt, master key, "clearinghouse blob v1 aes-256-gcm key")
//!   nonce    = nonce prefix (7) || chunk counter (u32 big-endian, from 0) || last flag (1: 0x00 or 0x01)
//!   aad      = the 60-byte header || the blob key (ASCII)
//! ```
//!
//! Every chunk but the last holds exactly [`CHUNK_LEN`] (64 KiB) of plaintext; the last
//! holds fewer (0 to 64 KiB − 1), so a file whose size is a multiple of 64 KiB (including
//! the empty file) ends with an empty last chunk. A reader therefore knows which chunk is
//! last from its length alone, and the last flag in the nonce proves it: a file cut at
//! a chunk boundary lacks its flagged chunk, a cut inside a chunk fails its tag, moved
//! chunks fail their counter, and a file renamed to another blob's key fails the AAD.
//! The key check tells a wrong master key apart from damage and commits the header to
//! the key (GCM alone is not key-committing). A per-blob key derived from a 256-bit salt
//! keeps random-nonce collisions out of reach however many blobs are stored.

use std::pin::Pin;

use aes_gcm::aead::AeadInPlace as _;
use aes_gcm::{Aes256Gcm, KeyInit as _};
use bytes::Bytes;
use futures_core::Stream;
use futures_util::stream::{self, StreamExt as _};
use hkdf::Hkdf;
use rand::rngs::OsRng;
use rand::RngCore as _;
use sha2::Sha256;
use subtle::ConstantTimeEq as _;
use tokio::io::{AsyncRead, AsyncReadExt as _};
use zeroize::Zeroizing;

use crate::error::BlobError;
use crate::key::Key;

/// Plaintext bytes in every chunk but the last.
pub const CHUNK_LEN: usize = 64 * 1024;
/// Bytes of GCM tag after each chunk's ciphertext.
pub const TAG_LEN: usize = 16;
/// Bytes on disk of a full chunk.
pub const SEALED_CHUNK_LEN: usize = CHUNK_LEN + TAG_LEN;
/// Bytes of the header at the start of every blob file.
pub const HEADER_LEN: usize = 4 + 1 + SALT_LEN + PREFIX_LEN + CHECK_LEN;
/// The format version this crate writes (and the only one it reads).
pub const FORMAT_VERSION: u8 = 1;

const MAGIC: [u8; 4] = *b"CHBL";
const SALT_LEN: usize = 32;
const PREFIX_LEN: usize = 7;
const CHECK_LEN: usize = 16;
const INFO_KEY: &[u8] = b"clearinghouse blob v1 aes-256-gcm key";
const INFO_CHECK: &[u8] = b"clearinghouse blob v1 key check";

/// Size on disk of a blob with `plaintext_len` bytes of content.
pub fn sealed_len(plaintext_len: u64) -> u64 {
    let chunks = plaintext_len / CHUNK_LEN as u64 + 1;
    HEADER_LEN as u64 + plaintext_len + chunks * TAG_LEN as u64
}

/// The per-blob cipher and key check derived from the master key and the salt.
fn derive(master: &Key, salt: &[u8]) -> Result<(Aes256Gcm, [u8; CHECK_LEN]), BlobError> {
    let hkdf = Hkdf::<Sha256>::new(Some(salt), master.bytes());
    let mut file_key = Zeroizing::new([0u8; 32]);
    let mut check = [0u8; CHECK_LEN];
    hkdf.expand(INFO_KEY, file_key.as_mut())
        .and_then(|()| hkdf.expand(INFO_CHECK, &mut check))
        .map_err(|_| BlobError::Encrypt)?;
    let cipher = Aes256Gcm::new_from_slice(file_key.as_ref()).map_err(|_| BlobError::Encrypt)?;
    Ok((cipher, check))
}

fn nonce(
    prefix: &[u8; PREFIX_LEN],
    counter: u32,
    last: bool,
) -> aes_gcm::Nonce<aes_gcm::aead::consts::U12> {
    let mut bytes = [0u8; 12];
    bytes[..PREFIX_LEN].copy_from_slice(prefix);
    bytes[PREFIX_LEN..PREFIX_LEN + 4].copy_from_slice(&counter.to_be_bytes());
    bytes[11] = u8::from(last);
    bytes.into()
}

fn aad(header: &[u8; HEADER_LEN], blob_key: &str) -> Vec<u8> {
    let mut aad = Vec::with_capacity(HEADER_LEN + blob_key.len());
    aad.extend_from_slice(header);
    aad.extend_from_slice(blob_key.as_bytes());
    aad
}

/// Encrypts one blob as a stream: feed plaintext in pieces of any size with
/// [`update`](Self::update), then call [`finish`](Self::finish); the header and the
/// sealed chunks are appended to the caller's buffer as they become complete.
pub struct Encryptor {
    cipher: Aes256Gcm,
    aad: Vec<u8>,
    prefix: [u8; PREFIX_LEN],
    /// Number of the next chunk; more than `u32::MAX` means the counter is used up.
    counter: u64,
    pending: Vec<u8>,
}

impl Encryptor {
    /// Starts a blob named `blob_key` under `master`, with fresh random salt and nonce
    /// prefix. Returns the encryptor and the header to write before the chunks.
    pub fn new(master: &Key, blob_key: &str) -> Result<(Self, [u8; HEADER_LEN]), BlobError> {
        let mut salt = [0u8; SALT_LEN];
        let mut prefix = [0u8; PREFIX_LEN];
        OsRng.fill_bytes(&mut salt);
        OsRng.fill_bytes(&mut prefix);
        let (cipher, check) = derive(master, &salt)?;

        let mut header = [0u8; HEADER_LEN];
        let mut at = 0;
        for part in [&MAGIC[..], &[FORMAT_VERSION], &salt, &prefix, &check] {
            header[at..at + part.len()].copy_from_slice(part);
            at += part.len();
        }
        let encryptor = Self {
            cipher,
            aad: aad(&header, blob_key),
            prefix,
            counter: 0,
            pending: Vec::with_capacity(CHUNK_LEN),
        };
        Ok((encryptor, header))
    }

    /// Takes more plaintext; appends to `out` every chunk that this completes.
    pub fn update(&mut self, mut data: &[u8], out: &mut Vec<u8>) -> Result<(), BlobError> {
        while !data.is_empty() {
            let take = (CHUNK_LEN - self.pending.len()).min(data.len());
            self.pending.extend_from_slice(&data[..take]);
            data = &data[take..];
            if self.pending.len() == CHUNK_LEN {
                self.seal(false, out)?;
            }
        }
        Ok(())
    }

    /// Seals what is left as the last chunk (possibly empty) and appends it to `out`.
    pub fn finish(mut self, out: &mut Vec<u8>) -> Result<(), BlobError> {
        self.seal(true, out)
    }

    fn seal(&mut self, last: bool, out: &mut Vec<u8>) -> Result<(), BlobError> {
        let counter = u32::try_from(self.counter).map_err(|_| BlobError::ChunkLimit)?;
        let nonce = nonce(&self.prefix, counter, last);
        let start = out.len();
        out.extend_from_slice(&self.pending);
        let tag = self
            .cipher
            .encrypt_in_place_detached(&nonce, &self.aad, &mut out[start..])
            .map_err(|_| BlobError::Encrypt)?;
        out.extend_from_slice(&tag);
        self.pending.clear();
        self.counter += 1;
        Ok(())
    }
}

/// Decrypts one blob chunk by chunk, checking each chunk's position and the end.
pub struct Decryptor {
    cipher: Aes256Gcm,
    aad: Vec<u8>,
    prefix: [u8; PREFIX_LEN],
    counter: u64,
    finished: bool,
    blob_key: String,
    /// Which of the keys given opened it (0: the first, the current key).
    key_index: usize,
}

impl Decryptor {
    /// Checks the header of the blob named `blob_key` against each of `keys` (the current
    /// master key first, then previous ones during a rotation) and prepares to decrypt its
    /// chunks with the one whose key check matches.
    pub fn new(keys: &[Key], blob_key: &str, header: &[u8; HEADER_LEN]) -> Result<Self, BlobError> {
        let format = |reason| BlobError::Format {
            key: blob_key.to_owned(),
            reason,
        };
        if header[..4] != MAGIC {
            return Err(format("it does not start with the blob magic bytes"));
        }
        if header[4] != FORMAT_VERSION {
            return Err(format("unknown format version"));
        }
        let salt = &header[5..5 + SALT_LEN];
        let mut prefix = [0u8; PREFIX_LEN];
        prefix.copy_from_slice(&header[5 + SALT_LEN..5 + SALT_LEN + PREFIX_LEN]);
        let stored_check = &header[HEADER_LEN - CHECK_LEN..];

        for (key_index, master) in keys.iter().enumerate() {
            let (cipher, check) = derive(master, salt)?;
            if bool::from(check.ct_eq(stored_check)) {
                return Ok(Self {
                    cipher,
                    aad: aad(header, blob_key),
                    prefix,
                    counter: 0,
                    finished: false,
                    blob_key: blob_key.to_owned(),
                    key_index,
                });
            }
        }
        Err(BlobError::WrongKey {
            key: blob_key.to_owned(),
        })
    }

    /// Decrypts the next sealed chunk in place (the tag is removed). `last` says whether
    /// the caller found it to be the last (shorter than [`SEALED_CHUNK_LEN`]).
    pub fn open_chunk(&mut self, sealed: &mut Vec<u8>, last: bool) -> Result<(), BlobError> {
        let wrong_len = if last {
            sealed.len() < TAG_LEN || sealed.len() >= SEALED_CHUNK_LEN
        } else {
            sealed.len() != SEALED_CHUNK_LEN
        };
        if self.finished {
            return Err(self.corrupt("there is data after its last chunk"));
        }
        if wrong_len {
            return Err(self.corrupt("a chunk has the wrong length (the file was truncated)"));
        }
        let counter = u32::try_from(self.counter)
            .map_err(|_| self.corrupt("it has more chunks than the format allows"))?;
        let nonce = nonce(&self.prefix, counter, last);
        self.cipher
            .decrypt_in_place(&nonce, &self.aad, sealed)
            .map_err(|_| {
                self.corrupt(
                    "a chunk failed authentication: it was changed, moved, belongs to another \
                     blob, or the file was cut short",
                )
            })?;
        self.counter += 1;
        self.finished = last;
        Ok(())
    }

    /// Whether the last chunk has been opened (only then is the content complete).
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    fn corrupt(&self, reason: &'static str) -> BlobError {
        BlobError::Corrupt {
            key: self.blob_key.clone(),
            reason,
        }
    }
}

/// The plaintext of a blob, as a stream of chunks of at most 64 KiB.
///
/// Every chunk is authenticated before it is yielded, but the blob as a whole is only
/// known to be complete when the stream ends without an error: a consumer that forwards
/// chunks (to an HTTP response, say) must treat a late error as a failed transfer.
pub struct BlobReader {
    inner: Pin<Box<dyn Stream<Item = Result<Bytes, BlobError>> + Send>>,
    key_index: usize,
}

impl BlobReader {
    /// Whether the blob was written under a previous master key (a rotation re-encrypts
    /// it under the current one).
    pub fn under_previous_key(&self) -> bool {
        self.key_index > 0
    }

    /// Collects the whole plaintext. Meant for tests and small files: it holds the
    /// entire content in memory.
    pub async fn read_all(mut self) -> Result<Vec<u8>, BlobError> {
        let mut all = Vec::new();
        while let Some(chunk) = self.inner.next().await {
            all.extend_from_slice(&chunk?);
        }
        Ok(all)
    }
}

impl Stream for BlobReader {
    type Item = Result<Bytes, BlobError>;

    fn poll_next(
        mut self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

impl std::fmt::Debug for BlobReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BlobReader")
    }
}

/// Reads until `buf` is full or the input ends; returns how many bytes were read.
async fn read_full<R: AsyncRead + Unpin>(reader: &mut R, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]).await? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

struct ChunkSource<R> {
    reader: R,
    decryptor: Decryptor,
}

impl<R: AsyncRead + Unpin> ChunkSource<R> {
    /// The next chunk's plaintext, `None` after the last one.
    async fn next_chunk(&mut self) -> Result<Option<Bytes>, BlobError> {
        if self.decryptor.is_finished() {
            return Ok(None);
        }
        let mut sealed = vec![0u8; SEALED_CHUNK_LEN];
        let read = read_full(&mut self.reader, &mut sealed)
            .await
            .map_err(|e| self.read_error(e))?;
        sealed.truncate(read);
        let last = read < SEALED_CHUNK_LEN;
        if read == 0 {
            return Err(self
                .decryptor
                .corrupt("it ends before its last chunk (the file was truncated)"));
        }
        self.decryptor.open_chunk(&mut sealed, last)?;
        if last {
            let mut probe = [0u8; 1];
            let extra = self
                .reader
                .read(&mut probe)
                .await
                .map_err(|e| self.read_error(e))?;
            if extra != 0 {
                return Err(self.decryptor.corrupt("there is data after its last chunk"));
            }
            if sealed.is_empty() {
                return Ok(None);
            }
        }
        Ok(Some(Bytes::from(sealed)))
    }

    fn read_error(&self, source: std::io::Error) -> BlobError {
        BlobError::Read {
            key: self.decryptor.blob_key.clone(),
            source,
        }
    }
}

/// Decrypts the blob named `blob_key` read from `reader` (a file, an object store
/// response, ...). The header and the first chunk are read and checked before this
/// returns, so a wrong key, a foreign file or damage at the start is reported before
/// any plaintext is handed out; later chunks are read as the stream is polled.
///
/// `keys` are the current master key, then any previous ones a rotation still needs.
pub async fn decrypt_reader<R>(
    mut reader: R,
    keys: &[Key],
    blob_key: &str,
) -> Result<BlobReader, BlobError>
where
    R: AsyncRead + Unpin + Send + 'static,
{
    let mut header = [0u8; HEADER_LEN];
    let read = read_full(&mut reader, &mut header)
        .await
        .map_err(|source| BlobError::Read {
            key: blob_key.to_owned(),
            source,
        })?;
    if read >= MAGIC.len() && header[..MAGIC.len()] != MAGIC {
        return Err(BlobError::Format {
            key: blob_key.to_owned(),
            reason: "it does not start with the blob magic bytes",
        });
    }
    if read < HEADER_LEN {
        return Err(BlobError::Corrupt {
            key: blob_key.to_owned(),
            reason: "it is shorter than the blob header (the file was truncated)",
        });
    }
    let decryptor = Decryptor::new(keys, blob_key, &header)?;
    let key_index = decryptor.key_index;
    let mut source = ChunkSource { reader, decryptor };
    let first = source.next_chunk().await?;
    let rest = stream::try_unfold(source, |mut source| async move {
        Ok(source.next_chunk().await?.map(|chunk| (chunk, source)))
    });
    let inner = stream::iter(first.map(Ok)).chain(rest);
    Ok(BlobReader {
        inner: Box::pin(inner),
        key_index,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    const BLOB_KEY: &str = "00112233445566778899aabbccddeeff";

    fn seal(master: &Key, key: &str, data: &[u8], piece: usize) -> Vec<u8> {
        let (mut enc, header) = Encryptor::new(master, key).unwrap();
        let mut out = header.to_vec();
        for part in data.chunks(piece.max(1)) {
            enc.update(part, &mut out).unwrap();
        }
        enc.finish(&mut out).unwrap();
        out
    }

    async fn open(master: &Key, key: &str, sealed: Vec<u8>) -> Result<Vec<u8>, BlobError> {
        decrypt_reader(
            std::io::Cursor::new(sealed),
            std::slice::from_ref(master),
            key,
        )
        .await?
        .read_all()
        .await
    }

    #[tokio::test]
    async fn sizes_round_trip_and_match_the_formula() {
        let master = Key::generate();
        for len in [0, 1, CHUNK_LEN - 1, CHUNK_LEN, CHUNK_LEN + 1, 3 * CHUNK_LEN] {
            let data: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            for piece in [1000, CHUNK_LEN, 7 * CHUNK_LEN] {
                let sealed = seal(&master, BLOB_KEY, &data, piece);
                assert_eq!(sealed.len() as u64, sealed_len(len as u64), "len {len}");
                assert_eq!(open(&master, BLOB_KEY, sealed).await.unwrap(), data);
            }
        }
    }

    #[tokio::test]
    async fn header_layout_is_as_documented() {
        let sealed = seal(&Key::generate(), BLOB_KEY, b"abc", 3);
        assert_eq!(HEADER_LEN, 60);
        assert_eq!(&sealed[..4], b"CHBL");
        assert_eq!(sealed[4], 1);
        assert_eq!(sealed.len(), HEADER_LEN + 3 + TAG_LEN);
    }

    #[tokio::test]
    async fn a_blob_renamed_to_another_key_fails() {
        let master = Key::generate();
        let sealed = seal(&master, BLOB_KEY, b"evidence", 8);
        let other = "ffeeddccbbaa99887766554433221100";
        let err = open(&master, other, sealed).await.unwrap_err();
        assert!(matches!(err, BlobError::Corrupt { .. }), "{err}");
    }

    #[tokio::test]
    async fn unknown_version_and_foreign_files_are_refused() {
        let master = Key::generate();
        let mut sealed = seal(&master, BLOB_KEY, b"x", 1);
        sealed[4] = 2;
        let err = open(&master, BLOB_KEY, sealed).await.unwrap_err();
        assert!(matches!(err, BlobError::Format { .. }), "{err}");
        let err = open(
            &master,
            BLOB_KEY,
            b"%PDF-1.7 not a blob at all, just some other file here.....".to_vec(),
        )
        .await
        .unwrap_err();
        assert!(matches!(err, BlobError::Format { .. }), "{err}");
        let err = open(&master, BLOB_KEY, b"CHBL".to_vec()).await.unwrap_err();
        assert!(matches!(err, BlobError::Corrupt { .. }), "{err}");
    }

    #[tokio::test]
    async fn trailing_data_is_refused() {
        let master = Key::generate();
        let mut sealed = seal(&master, BLOB_KEY, b"abc", 3);
        sealed.push(0);
        let err = open(&master, BLOB_KEY, sealed).await.unwrap_err();
        assert!(matches!(err, BlobError::Corrupt { .. }), "{err}");
    }

    #[test]
    fn chunk_counter_exhaustion_is_an_error_not_a_nonce_reuse() {
        let (mut enc, _) = Encryptor::new(&Key::generate(), BLOB_KEY).unwrap();
        enc.counter = u64::from(u32::MAX) + 1;
        let mut out = Vec::new();
        assert!(matches!(enc.finish(&mut out), Err(BlobError::ChunkLimit)));
    }
}
