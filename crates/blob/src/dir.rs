//! [`DirStore`], the default blob store: encrypted files in a local directory, written
//! so that a crash at any moment leaves either no file or a whole, durable one.
//!
//! Layout: `root/ab/cd/<key>` for key `abcd…`, so no directory holds more than a few
//! thousand entries; uploads in progress live in `root/tmp/<random>.part`. A put writes
//! and encrypts the upload into its temporary file, syncs it, creates the two shard
//! directories if needed, renames the file into place and syncs every directory on its
//! path, and only then returns, so the caller may commit the database row that refers to
//! it. The temporary file is removed on every failure, including a dropped future (a
//! client that went away). A crash between the rename and the row's commit leaves an
//! orphan file with no row, which is harmless; a crash before the rename leaves a
//! `.part` file that [`DirStore::remove_temp_files`] clears at start-up.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use futures_util::StreamExt as _;
use md5::Md5;
use sha1::Sha1;
use sha2::{Digest as _, Sha256};
use tokio::io::AsyncWriteExt as _;

use crate::crypt::{decrypt_reader, BlobReader, Encryptor, SEALED_CHUNK_LEN};
use crate::error::BlobError;
use crate::key::{check_blob_key, new_blob_key, Key};
use crate::{BlobEntry, BlobStore, BoxFuture, StoredBlob, UploadStream};

/// The directory of uploads in progress, inside the store's root: not part of a backup.
pub const TEMP_DIR: &str = "tmp";
const TEMP_SUFFIX: &str = ".part";

/// A blob store in a directory of the local file system.
#[derive(Debug)]
pub struct DirStore {
    root: PathBuf,
    /// The current master key first, then previous ones a rotation still needs to read.
    keys: Vec<Key>,
}

fn io_error<'p>(op: &'static str, path: &'p Path) -> impl FnOnce(io::Error) -> BlobError + 'p {
    move |source| BlobError::Io {
        op,
        path: path.to_owned(),
        source,
    }
}

/// Makes the directory if it is missing (owner-only on Unix).
fn make_dir(dir: &Path) -> Result<(), BlobError> {
    let mut builder = fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    match builder.create(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists && dir.is_dir() => Ok(()),
        Err(e) => Err(io_error("create directory", dir)(e)),
    }
}

/// Makes a directory's entries durable (a no-op where directories cannot be opened).
fn sync_dir(dir: &Path) -> Result<(), BlobError> {
    #[cfg(unix)]
    {
        fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(io_error("sync directory", dir))
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// Removes the temporary file when dropped, unless disarmed after the rename.
struct TempGuard(Option<PathBuf>);

impl TempGuard {
    fn disarm(&mut self) {
        self.0 = None;
    }
}

impl Drop for TempGuard {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            // Best effort: if this fails, the file stays as a `.part` that start-up clears.
            let _ = fs::remove_file(path);
        }
    }
}

/// Where blob `key`'s file is, relative to the store's root: two levels of directories
/// keep any one directory small.
pub fn relative_path(key: &str) -> Result<PathBuf, BlobError> {
    check_blob_key(key)?;
    Ok(Path::new(&key[..2]).join(&key[2..4]).join(key))
}

impl DirStore {
    /// Opens (creating if needed) a store rooted at `root`, encrypting under `key`.
    /// Blocking; call it at start-up.
    pub fn new(root: impl Into<PathBuf>, key: Key) -> Result<Self, BlobError> {
        let root = root.into();
        fs::create_dir_all(&root).map_err(io_error("create directory", &root))?;
        let temp = root.join(TEMP_DIR);
        make_dir(&temp)?;
        sync_dir(&root)?;
        Ok(Self {
            root,
            keys: vec![key],
        })
    }

    /// Also reads blobs written under `previous` master keys, until
    /// [`reencrypt`](BlobStore::reencrypt) has moved them to the current key.
    pub fn with_previous_keys(mut self, previous: Vec<Key>) -> Self {
        crate::key::set_previous(&mut self.keys, previous);
        self
    }

    /// The directory the store lives in.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The directory of uploads in progress.
    pub fn temp_dir(&self) -> PathBuf {
        self.root.join(TEMP_DIR)
    }

    /// Where the (encrypted) file of blob `key` is, whether or not it exists.
    pub fn blob_path(&self, key: &str) -> Result<PathBuf, BlobError> {
        Ok(self.root.join(relative_path(key)?))
    }

    /// Deletes the `.part` files that uploads interrupted by a crash left behind and
    /// returns how many there were. Call it at start-up, before the store takes uploads:
    /// it would also delete the temporary files of uploads in progress.
    pub async fn remove_temp_files(&self) -> Result<usize, BlobError> {
        let temp = self.temp_dir();
        tokio::task::spawn_blocking(move || {
            let mut removed = 0;
            for entry in fs::read_dir(&temp).map_err(io_error("list", &temp))? {
                let path = entry.map_err(io_error("list", &temp))?.path();
                if path.to_string_lossy().ends_with(TEMP_SUFFIX) {
                    fs::remove_file(&path).map_err(io_error("remove", &path))?;
                    removed += 1;
                }
            }
            sync_dir(&temp)?;
            Ok(removed)
        })
        .await
        .map_err(BlobError::Task)?
    }

    async fn put_stream(
        &self,
        data: UploadStream<'_>,
        limit: u64,
    ) -> Result<StoredBlob, BlobError> {
        self.write(new_blob_key(), data, limit, true).await
    }

    /// Writes blob `key` from `data` under the current key: a new blob (`fresh`), or a
    /// new version of an existing one that replaces it whole (a rotation).
    async fn write(
        &self,
        key: String,
        mut data: UploadStream<'_>,
        limit: u64,
        fresh: bool,
    ) -> Result<StoredBlob, BlobError> {
        let final_path = self.blob_path(&key)?;
        let temp_path = self
            .temp_dir()
            .join(format!("{}{TEMP_SUFFIX}", new_blob_key()));
        let (mut encryptor, header) = Encryptor::new(&self.keys[0], &key)?;

        let mut options = tokio::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        options.mode(0o600);
        let mut file = options
            .open(&temp_path)
            .await
            .map_err(io_error("create", &temp_path))?;
        let mut guard = TempGuard(Some(temp_path.clone()));

        file.write_all(&header)
            .await
            .map_err(io_error("write", &temp_path))?;
        let (mut md5, mut sha1, mut sha256) = (Md5::new(), Sha1::new(), Sha256::new());
        let mut size: u64 = 0;
        let mut sealed = Vec::with_capacity(2 * SEALED_CHUNK_LEN);
        while let Some(piece) = data.next().await {
            let piece: Bytes = piece.map_err(BlobError::Upload)?;
            size = size.saturating_add(piece.len() as u64);
            if size > limit {
                return Err(BlobError::TooLarge { limit });
            }
            md5.update(&piece);
            sha1.update(&piece);
            sha256.update(&piece);
            encryptor.update(&piece, &mut sealed)?;
            if !sealed.is_empty() {
                file.write_all(&sealed)
                    .await
                    .map_err(io_error("write", &temp_path))?;
                sealed.clear();
            }
        }
        encryptor.finish(&mut sealed)?;
        file.write_all(&sealed)
            .await
            .map_err(io_error("write", &temp_path))?;
        file.flush().await.map_err(io_error("write", &temp_path))?;
        let file = file.into_std().await;

        let root = self.root.clone();
        tokio::task::spawn_blocking(move || commit(file, &temp_path, &root, &final_path, fresh))
            .await
            .map_err(BlobError::Task)??;
        guard.disarm();

        Ok(StoredBlob {
            key,
            size,
            md5_hex: hex::encode(md5.finalize()),
            sha1_hex: hex::encode(sha1.finalize()),
            sha256_hex: hex::encode(sha256.finalize()),
        })
    }

    async fn open_blob(&self, key: &str) -> Result<BlobReader, BlobError> {
        let path = self.blob_path(key)?;
        let file = match tokio::fs::File::open(&path).await {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(BlobError::NotFound {
                    key: key.to_owned(),
                })
            }
            Err(e) => return Err(io_error("open", &path)(e)),
        };
        decrypt_reader(file, &self.keys, key).await
    }

    async fn reencrypt_blob(&self, key: &str) -> Result<bool, BlobError> {
        let reader = self.open_blob(key).await?;
        if !reader.under_previous_key() {
            return Ok(false);
        }
        let plain: UploadStream<'_> = Box::pin(reader.map(|r| r.map_err(io::Error::other)));
        self.write(key.to_owned(), plain, u64::MAX, false).await?;
        Ok(true)
    }

    async fn delete_blob(&self, key: &str) -> Result<bool, BlobError> {
        let path = self.blob_path(key)?;
        tokio::task::spawn_blocking(move || match fs::remove_file(&path) {
            Ok(()) => {
                if let Some(dir) = path.parent() {
                    sync_dir(dir)?;
                }
                Ok(true)
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(io_error("remove", &path)(e)),
        })
        .await
        .map_err(BlobError::Task)?
    }
}

/// Every blob under `root/ab/cd/`: names that are not blob keys in their own shard
/// (the temporary directory, stray files) are left out.
fn list_blobs(root: &Path) -> Result<Vec<BlobEntry>, BlobError> {
    let mut out = Vec::new();
    let entries = |dir: &Path| -> Result<Vec<fs::DirEntry>, BlobError> {
        fs::read_dir(dir)
            .map_err(io_error("list", dir))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(io_error("list", dir))
    };
    for first in entries(root)? {
        let first_name = first.file_name().to_string_lossy().into_owned();
        if first_name.len() != 2 || !first.path().is_dir() {
            continue;
        }
        for second in entries(&first.path())? {
            let second_name = second.file_name().to_string_lossy().into_owned();
            if second_name.len() != 2 || !second.path().is_dir() {
                continue;
            }
            for file in entries(&second.path())? {
                let key = file.file_name().to_string_lossy().into_owned();
                if check_blob_key(&key).is_err()
                    || key[..2] != first_name
                    || key[2..4] != second_name
                {
                    continue;
                }
                let path = file.path();
                let meta = file.metadata().map_err(io_error("inspect", &path))?;
                if !meta.is_file() {
                    continue;
                }
                let modified = meta.modified().map_err(io_error("inspect", &path))?;
                out.push(BlobEntry { key, modified });
            }
        }
    }
    out.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(out)
}

/// Makes the written temporary file durable and moves it into place durably (replacing
/// the file there, for a re-encrypted blob).
fn commit(
    file: fs::File,
    temp: &Path,
    root: &Path,
    final_path: &Path,
    fresh: bool,
) -> Result<(), BlobError> {
    file.sync_all().map_err(io_error("sync", temp))?;
    drop(file);
    let (Some(shard2), Some(shard1)) = (
        final_path.parent(),
        final_path.parent().and_then(Path::parent),
    ) else {
        return Err(io_error("place", final_path)(io::Error::other(
            "blob path has no parent",
        )));
    };
    make_dir(shard1)?;
    make_dir(shard2)?;
    fs::rename(temp, final_path).map_err(io_error("rename into place", final_path))?;
    // Sync the whole chain every time: a directory made concurrently by another upload
    // is not known to be durable yet.
    let synced = [shard2, shard1, root].into_iter().try_for_each(sync_dir);
    if let Err(e) = synced {
        // The caller will not record a new blob; do not leave it behind either. A
        // re-encrypted one replaced the only copy and stays.
        if fresh {
            let _ = fs::remove_file(final_path);
        }
        return Err(e);
    }
    Ok(())
}

impl BlobStore for DirStore {
    fn put<'a>(
        &'a self,
        data: UploadStream<'a>,
        limit: u64,
    ) -> BoxFuture<'a, Result<StoredBlob, BlobError>> {
        Box::pin(self.put_stream(data, limit))
    }

    fn open<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<BlobReader, BlobError>> {
        Box::pin(self.open_blob(key))
    }

    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<bool, BlobError>> {
        Box::pin(self.delete_blob(key))
    }

    fn reencrypt<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<bool, BlobError>> {
        Box::pin(self.reencrypt_blob(key))
    }

    fn list(&self) -> BoxFuture<'_, Result<Vec<BlobEntry>, BlobError>> {
        let root = self.root.clone();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || list_blobs(&root))
                .await
                .map_err(BlobError::Task)?
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn upload(data: Vec<u8>) -> UploadStream<'static> {
        Box::pin(futures_util::stream::iter([Ok(Bytes::from(data))]))
    }

    #[tokio::test]
    async fn files_land_in_two_level_shards_with_owner_only_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let store = DirStore::new(dir.path().join("blobs"), Key::generate()).unwrap();
        let blob = store.put(upload(b"abc".to_vec()), 10).await.unwrap();
        let path = store.blob_path(&blob.key).unwrap();
        let rel = path.strip_prefix(store.root()).unwrap();
        let parts: Vec<_> = rel
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        assert_eq!(parts, [&blob.key[..2], &blob.key[2..4], &blob.key[..]]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let shown = format!("{store:?}");
        assert!(shown.contains("<redacted>"), "{shown}");
        let on_disk = fs::read(&path).unwrap();
        assert!(
            !on_disk.windows(3).any(|w| w == b"abc"),
            "plaintext on disk"
        );
    }

    #[tokio::test]
    async fn a_dropped_upload_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = DirStore::new(dir.path(), Key::generate()).unwrap();
        // A stream that yields one piece and then never ends, like a stalled client.
        let stalled = futures_util::stream::iter([Ok(Bytes::from_static(b"partial"))])
            .chain(futures_util::stream::pending());
        let put = store.put(Box::pin(stalled), 1 << 20);
        let timed_out = tokio::time::timeout(std::time::Duration::from_millis(200), put).await;
        assert!(timed_out.is_err());
        assert_eq!(fs::read_dir(store.temp_dir()).unwrap().count(), 0);
    }

    #[tokio::test]
    async fn list_gives_every_blob_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let store = DirStore::new(dir.path(), Key::generate()).unwrap();
        assert!(store.list().await.unwrap().is_empty());
        let a = store.put(upload(b"a".to_vec()), 10).await.unwrap();
        let b = store.put(upload(b"b".to_vec()), 10).await.unwrap();
        fs::write(store.temp_dir().join("0123.part"), b"x").unwrap();
        fs::write(dir.path().join("stray.txt"), b"x").unwrap();
        let mut want = vec![a.key.clone(), b.key.clone()];
        want.sort();
        let listed: Vec<String> = store
            .list()
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.key)
            .collect();
        assert_eq!(listed, want);
        assert!(store.delete(&a.key).await.unwrap());
        assert_eq!(store.list().await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn remove_temp_files_clears_leftovers_only() {
        let dir = tempfile::tempdir().unwrap();
        let store = DirStore::new(dir.path(), Key::generate()).unwrap();
        fs::write(store.temp_dir().join("0123.part"), b"x").unwrap();
        fs::write(store.temp_dir().join("keep.txt"), b"x").unwrap();
        assert_eq!(store.remove_temp_files().await.unwrap(), 1);
        assert!(store.temp_dir().join("keep.txt").exists());
    }
}
