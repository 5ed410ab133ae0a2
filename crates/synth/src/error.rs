//! The one error type of the crate. Each variant names the path involved and tells the user
//! what to do, because the CLI prints it as is.

use std::io;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    #[error(
        "cannot write {path}: {source}; check that the directory is writable and the disk has space"
    )]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error(
        "output directory {path} is not empty; give a new or empty directory, so that files of \
         an older world cannot mix with the new one"
    )]
    NotEmpty { path: PathBuf },
    #[error("{path} exists and is not a directory; give a directory to write the world into")]
    NotADirectory { path: PathBuf },
    #[error(
        "internal error while generating {what}: {detail}; this is a bug in synth, please report \
         it with the seed and scale"
    )]
    Internal { what: String, detail: String },
}

impl SynthError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: io::Error) -> SynthError {
        SynthError::Io {
            path: path.into(),
            source,
        }
    }
}
