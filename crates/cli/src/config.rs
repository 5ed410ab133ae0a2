//! Configuration in layers: defaults, a TOML file, `CLEARINGHOUSE_*` environment variables,
//! then flags. Validated at start-up: a bad value stops the program with its name.

use anyhow::{bail, Context, Result};
use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};
use service::SecuritySettings;
use std::path::PathBuf;

/// Flags every data-touching command takes.
#[derive(clap::Args, Debug, Clone)]
pub struct ConfigArgs {
    /// Directory for the SQLite database and files; created on first run.
    #[arg(
        long,
        global = true,
        env = "CLEARINGHOUSE_DATA_DIR",
        value_name = "DIR"
    )]
    pub data_dir: Option<PathBuf>,
    /// Database URL: sqlite://PATH or postgres://USER@HOST/DB (default: SQLite in the data directory).
    #[arg(
        long,
        global = true,
        env = "CLEARINGHOUSE_DATABASE_URL",
        value_name = "URL"
    )]
    pub database_url: Option<String>,
    /// A TOML configuration file.
    #[arg(long, global = true, env = "CLEARINGHOUSE_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub listen: String,
    pub data_dir: PathBuf,
    pub database_url: Option<String>,
    /// Mark cookies Secure. Turn off only when serving plain HTTP on a trusted network.
    pub secure_cookies: bool,
    /// Trust X-Forwarded-For (only behind a reverse proxy that sets it).
    pub trust_forwarded_for: bool,
    /// With `trust_forwarded_for`: the addresses of further proxies in front of the one
    /// that connects, skipped when reading `X-Forwarded-For` from the right.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// `text` or `json`.
    pub log_format: String,
    pub security: SecuritySettings,
    pub files: FileSettings,
    pub jobs: JobSettings,
    pub http: HttpSettings,
    pub metrics: MetricsSettings,
    /// The number printed on missing-child posters ("If you have information, call …").
    pub hotline: String,
    /// Watchlists (issue 24): how long a watch lasts, and the SMTP server that tells
    /// watchers of new notifications (`[watchlists.smtp]`: host, port, tls = "none" |
    /// "starttls" | "tls", username, password, from, base_url).
    pub watchlists: service::WatchlistSettings,
    /// Retention (issue 25): days a closed record is kept after its last change, by type
    /// (`unsubstantiated_tips_days`, `closed_reports_days`, `closed_cases_days`,
    /// `closed_plans_days`). A type left out is kept for ever, the default.
    pub retention: domain::retention::RetentionPolicy,
}

/// Where uploaded evidence files are kept, and the key they are encrypted under.
/// `Debug` hides the keys.
#[derive(Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FileSettings {
    /// `dir` (the default): encrypted files in `files.dir`; `s3`: encrypted objects in the
    /// bucket that `[files.s3]` names. Either way under the same `files.key`.
    pub backend: FileBackend,
    /// Directory of the encrypted files (default: `files` in the data directory).
    pub dir: Option<PathBuf>,
    /// The 256-bit encryption key, base64 or 64 hex characters. Set it from a secret store
    /// (`CLEARINGHOUSE_FILES__KEY`). When unset, a key is generated on first run into
    /// `file.key` in the data directory, readable by the owner only.
    pub key: Option<String>,
    /// Master keys used before the current `key`, kept while `clearinghouse admin
    /// rotate-key` moves what they encrypted to the current one: files and secrets under
    /// them still open, nothing new is written under them. Remove them once the command
    /// reports nothing left.
    pub previous_keys: Vec<String>,
    /// The largest file a provider may upload, in bytes.
    pub max_bytes: u64,
    /// The object store, for `backend = "s3"`.
    pub s3: S3Settings,
}

impl std::fmt::Debug for FileSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hidden = |set: bool| if set { "<redacted>" } else { "<none>" };
        f.debug_struct("FileSettings")
            .field("backend", &self.backend)
            .field("dir", &self.dir)
            .field("key", &hidden(self.key.is_some()))
            .field(
                "previous_keys",
                &format!("<{} redacted>", self.previous_keys.len()),
            )
            .field("max_bytes", &self.max_bytes)
            .field("s3", &self.s3)
            .finish()
    }
}

impl Default for FileSettings {
    fn default() -> Self {
        FileSettings {
            backend: FileBackend::Dir,
            dir: None,
            key: None,
            previous_keys: Vec::new(),
            max_bytes: 512 * 1024 * 1024,
            s3: S3Settings::default(),
        }
    }
}

/// Which kind of store keeps the evidence files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileBackend {
    /// A directory of the local file system (`files.dir`).
    Dir,
    /// A bucket of an S3-compatible object store (`[files.s3]`).
    S3,
}

/// An S3-compatible object store (AWS S3, Garage, MinIO, Ceph RGW, ...) for the evidence
/// files. `Debug` hides the secret; set it from a secret store through
/// `CLEARINGHOUSE_FILES__S3__SECRET_ACCESS_KEY` rather than in the file.
#[derive(Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct S3Settings {
    /// The service's URL, like `https://s3.eu-west-1.amazonaws.com` or `http://10.0.0.5:3900`.
    pub endpoint: Option<String>,
    /// The bucket; it must exist (the server does not create it).
    pub bucket: Option<String>,
    /// The region requests are signed for.
    pub region: String,
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<String>,
    /// Path before the objects' names, like `clearinghouse/blobs`.
    pub prefix: String,
    /// Allow a plain-HTTP endpoint (a service on a trusted network only).
    pub allow_http: bool,
    /// Path-style requests (`endpoint/bucket/key`), as self-hosted services expect;
    /// `false` for virtual-hosted style (`bucket.endpoint/key`).
    pub path_style: bool,
}

impl Default for S3Settings {
    fn default() -> Self {
        S3Settings {
            endpoint: None,
            bucket: None,
            region: "us-east-1".into(),
            access_key_id: None,
            secret_access_key: None,
            prefix: "blobs".into(),
            allow_http: false,
            path_style: true,
        }
    }
}

impl std::fmt::Debug for S3Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Settings")
            .field("endpoint", &self.endpoint)
            .field("bucket", &self.bucket)
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id)
            .field(
                "secret_access_key",
                &self.secret_access_key.as_ref().map(|_| "<redacted>"),
            )
            .field("prefix", &self.prefix)
            .field("allow_http", &self.allow_http)
            .field("path_style", &self.path_style)
            .finish()
    }
}

impl S3Settings {
    /// The store's settings, or which required one is missing.
    pub fn to_config(&self) -> Result<blob::S3Config> {
        let required = |value: &Option<String>, name: &str, example: &str| -> Result<String> {
            match value.as_deref().map(str::trim) {
                Some(v) if !v.is_empty() => Ok(v.to_owned()),
                _ => bail!(
                    "files.backend = \"s3\" needs files.s3.{name}: {example} \
                     (or CLEARINGHOUSE_FILES__S3__{})",
                    name.to_ascii_uppercase()
                ),
            }
        };
        let endpoint = required(
            &self.endpoint,
            "endpoint",
            "give the object store's URL, like \"https://s3.eu-west-1.amazonaws.com\"",
        )?;
        let bucket = required(
            &self.bucket,
            "bucket",
            "give the name of an existing bucket",
        )?;
        let mut config = blob::S3Config::new(endpoint, bucket);
        config.access_key_id = required(
            &self.access_key_id,
            "access_key_id",
            "give the id of an access key that may read, write, list and delete in the bucket",
        )?;
        config.secret_access_key = required(
            &self.secret_access_key,
            "secret_access_key",
            "give that key's secret, from a secret store",
        )?;
        config.region = self.region.clone();
        config.prefix = self.prefix.clone();
        config.allow_http = self.allow_http;
        config.path_style = self.path_style;
        Ok(config)
    }
}

/// Durable background work (linking reports and tips after they are stored).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct JobSettings {
    /// Run the background worker in this process. Turn it off only where another process
    /// runs the jobs (several web servers on one PostgreSQL database, one of them with the
    /// worker), or to test recovery: jobs wait in the database until a worker runs them.
    pub worker: bool,
}

impl Default for JobSettings {
    fn default() -> Self {
        JobSettings { worker: true }
    }
}

/// Limits on the server's connections, against clients that hold them open.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpSettings {
    /// A connection that has not sent all of a request's headers this many seconds after
    /// it began is closed.
    pub header_read_timeout_seconds: u64,
    /// A request body from which nothing arrives for this many seconds is abandoned and its connection closed.
    pub body_read_timeout_seconds: u64,
    /// Connections served at once; more wait until one closes.
    pub max_connections: usize,
}

/// Prometheus metrics at `/metrics`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetricsSettings {
    /// The token a scraper sends as `Authorization: Bearer …`; at least 32 characters.
    /// Without it `/metrics` is not served. Better `CLEARINGHOUSE_METRICS__TOKEN` from a
    /// secret store.
    pub token: Option<String>,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            header_read_timeout_seconds: 10,
            body_read_timeout_seconds: 30,
            max_connections: 1024,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("clearinghouse-data"),
            database_url: None,
            secure_cookies: true,
            trust_forwarded_for: false,
            trusted_proxies: Vec::new(),
            log_format: "text".into(),
            security: SecuritySettings::default(),
            files: FileSettings::default(),
            jobs: JobSettings::default(),
            http: HttpSettings::default(),
            metrics: MetricsSettings::default(),
            hotline: service::cases::DEFAULT_HOTLINE.to_owned(),
            watchlists: service::WatchlistSettings::default(),
            retention: domain::retention::RetentionPolicy::default(),
        }
    }
}

/// Environment keys the configuration reads; other CLEARINGHOUSE_* variables (the test
/// harness's, the log filter) are not configuration.
const ENV_KEYS: &[&str] = &[
    "listen",
    "data_dir",
    "database_url",
    "secure_cookies",
    "trust_forwarded_for",
    "log_format",
    "hotline",
];

impl Config {
    pub fn figment(args: &ConfigArgs, base: Config) -> Result<Figment> {
        let mut fig = Figment::from(Serialized::defaults(base));
        if let Some(path) = &args.config {
            if !path.is_file() {
                bail!(
                    "config file {} does not exist: check --config or CLEARINGHOUSE_CONFIG",
                    path.display()
                );
            }
            fig = fig.merge(Toml::file(path));
        }
        fig = fig.merge(
            Env::prefixed("CLEARINGHOUSE_")
                .filter(|k| {
                    let k = k.as_str().to_ascii_lowercase();
                    ENV_KEYS.contains(&k.as_str())
                        || k.starts_with("security__")
                        || k.starts_with("files__")
                        || k.starts_with("jobs__")
                        || k.starts_with("http__")
                        || k.starts_with("metrics__")
                        || k.starts_with("watchlists__")
                        || k.starts_with("retention__")
                })
                .split("__"),
        );
        if let Some(d) = &args.data_dir {
            fig = fig.merge(Serialized::default("data_dir", d));
        }
        if let Some(u) = &args.database_url {
            fig = fig.merge(Serialized::default("database_url", u));
        }
        Ok(fig)
    }

    pub fn load(args: &ConfigArgs, listen: Option<String>) -> Result<Config> {
        Self::load_over(args, listen, Config::default())
    }

    pub fn load_over(args: &ConfigArgs, listen: Option<String>, base: Config) -> Result<Config> {
        let mut fig = Self::figment(args, base)?;
        if let Some(l) = listen {
            fig = fig.merge(Serialized::default("listen", l));
        }
        let config: Config = fig.extract().map_err(|e| anyhow::anyhow!(describe(e)))?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<()> {
        if self.listen.parse::<std::net::SocketAddr>().is_err() {
            bail!("invalid configuration value listen = {:?}: use HOST:PORT with a numeric address, like 127.0.0.1:8080 or 0.0.0.0:8080", self.listen);
        }
        if !matches!(self.log_format.as_str(), "text" | "json") {
            bail!(
                "invalid configuration value log_format = {:?}: use \"text\" or \"json\"",
                self.log_format
            );
        }
        if let Some(url) = &self.database_url {
            store::Backend::from_url(url)
                .map_err(|e| anyhow::anyhow!("invalid configuration value database_url: {e}"))?;
        }
        if self.data_dir.as_os_str().is_empty() {
            bail!("invalid configuration value data_dir: it is empty; give a directory");
        }
        self.previous_keys()?;
        if let Some(k) = &self.files.key {
            blob::Key::parse(k)
                .map_err(|e| anyhow::anyhow!("invalid configuration value files.key: {e}"))?;
        }
        self.watchlists
            .validate()
            .map_err(|e| anyhow::anyhow!("invalid configuration value {e}"))?;
        self.retention
            .validate()
            .map_err(|e| anyhow::anyhow!("invalid configuration value {e}"))?;
        if self.files.backend == FileBackend::S3 {
            let s3 = self.files.s3.to_config()?;
            // Checks the values (URL scheme, prefix) without contacting anything.
            blob::S3Store::new(&s3, blob::Key::generate()).map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        if self.files.max_bytes == 0 {
            bail!("invalid configuration value files.max_bytes = 0: give the largest upload in bytes, like 536870912");
        }
        if !(1..=300).contains(&self.http.header_read_timeout_seconds) {
            bail!(
                "invalid configuration value http.header_read_timeout_seconds = {}: give 1 to 300 seconds, like 10",
                self.http.header_read_timeout_seconds
            );
        }
        if !(1..=600).contains(&self.http.body_read_timeout_seconds) {
            bail!(
                "invalid configuration value http.body_read_timeout_seconds = {}: give 1 to 600 seconds, like 30",
                self.http.body_read_timeout_seconds
            );
        }
        if let Some(t) = &self.metrics.token {
            if t.trim().len() < 32 || t.trim() != t {
                bail!("invalid configuration value metrics.token: give at least 32 characters without spaces around them, e.g. the output of `openssl rand -hex 32`");
            }
        }
        if self.http.max_connections == 0 {
            bail!("invalid configuration value http.max_connections = 0: give how many connections to serve at once, like 1024");
        }
        self.security
            .validate()
            .map_err(|e| anyhow::anyhow!("invalid configuration value {e}"))?;
        Ok(())
    }

    /// Creates the data directory, owner-only (it holds the database and, by default, the
    /// file key).
    fn create_data_dir(&self) -> Result<()> {
        let mut b = std::fs::DirBuilder::new();
        b.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
        b.create(&self.data_dir)
            .with_context(|| format!("creating the data directory {}", self.data_dir.display()))
    }

    /// What a deployment should hear at start about settings that are allowed but weaken
    /// it. The demo says these things on its pages instead.
    pub fn start_warnings(&self, demo: bool) -> Vec<String> {
        let mut out = Vec::new();
        if demo {
            return out;
        }
        if !self.security.require_second_factor {
            out.push("security.require_second_factor = false: staff sign in with a password alone, which the CJIS Security Policy does not allow for anyone who sees case data; turn it on before real use".to_owned());
        }
        out
    }

    /// The database URL; for the SQLite default, creates the data directory.
    pub fn database_url(&self) -> Result<String> {
        if let Some(url) = &self.database_url {
            return Ok(url.clone());
        }
        self.create_data_dir()?;
        let db = self.data_dir.join("clearinghouse.db");
        // SQLite gives its -wal and -shm files the database file's mode: created here
        // owner-only, none of the three is readable by other accounts.
        if !db.exists() {
            let mut opts = std::fs::OpenOptions::new();
            opts.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
            match opts.open(&db) {
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => {
                    return Err(e)
                        .with_context(|| format!("creating the database {}", db.display()))
                }
            }
        }
        Ok(format!("sqlite://{}?mode=rwc", db.display()))
    }

    /// Where uploaded files are kept.
    pub fn files_dir(&self) -> std::path::PathBuf {
        self.files
            .dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("files"))
    }

    /// The file key as configured or as kept in the data directory, without generating
    /// one: `None` when there is none yet.
    pub fn existing_key(&self) -> Result<Option<blob::Key>> {
        if self.files.key.is_some() || self.data_dir.join("file.key").exists() {
            return self.file_key().map(Some);
        }
        Ok(None)
    }

    /// The blob store for uploaded files: the configured key, or one generated on first
    /// run and kept in the data directory (owner-only).
    pub async fn file_store(&self) -> Result<service::Files> {
        let key = self.file_key()?;
        if self.files.backend == FileBackend::S3 {
            let settings = self.files.s3.to_config()?;
            let store =
                blob::S3Store::new(&settings, key)?.with_previous_keys(self.previous_keys()?);
            // Fail at start, naming the setting at fault, not at the first upload.
            store.check().await?;
            tracing::info!(
                endpoint = %settings.endpoint,
                bucket = %settings.bucket,
                prefix = %settings.prefix,
                "evidence files are kept in the object store"
            );
            return Ok(service::Files {
                store: std::sync::Arc::new(store),
                max_bytes: self.files.max_bytes,
            });
        }
        let dir = self.files_dir();
        let store = blob::DirStore::new(&dir, key)
            .with_context(|| format!("opening the file store in {}", dir.display()))?
            .with_previous_keys(self.previous_keys()?);
        // Half-written uploads of a crashed run: no row names them.
        let stale = store
            .remove_temp_files()
            .await
            .with_context(|| format!("cleaning the file store in {}", dir.display()))?;
        if stale > 0 {
            tracing::info!(
                count = stale,
                "removed unfinished uploads left by an earlier run"
            );
        }
        Ok(service::Files {
            store: std::sync::Arc::new(store),
            max_bytes: self.files.max_bytes,
        })
    }

    /// The file key: the configured one, or the one generated on first run.
    pub fn file_key(&self) -> Result<blob::Key> {
        match &self.files.key {
            Some(k) => blob::Key::parse(k)
                .map_err(|e| anyhow::anyhow!("invalid configuration value files.key: {e}")),
            None => self.generated_key(),
        }
    }

    /// The master keys before the current one (`files.previous_keys`), for a rotation.
    pub fn previous_keys(&self) -> Result<Vec<blob::Key>> {
        self.files
            .previous_keys
            .iter()
            .enumerate()
            .map(|(i, k)| {
                blob::Key::parse(k).map_err(|e| {
                    anyhow::anyhow!(
                        "invalid configuration value files.previous_keys[{i}]: {e}; give each \
                         previous key as it was in files.key"
                    )
                })
            })
            .collect()
    }

    /// What seals secrets in database columns: the current key, opening values sealed
    /// under previous ones too.
    pub fn sealer(&self) -> Result<blob::Sealer> {
        Ok(blob::Sealer::new(&self.file_key()?).with_previous(&self.previous_keys()?))
    }

    /// The key that signs pre-login CSRF tokens, derived from the file key: every server
    /// of a deployment has that one already, so a token one hands out is good at another.
    pub fn csrf_key(&self) -> Result<web::ServerKey> {
        let tag = service::crypto::tag(
            self.file_key()?.to_base64().as_bytes(),
            b"clearinghouse: pre-login CSRF tokens",
        );
        Ok(web::ServerKey::new(tag.into_bytes()))
    }

    fn generated_key(&self) -> Result<blob::Key> {
        let path = self.data_dir.join("file.key");
        if path.exists() {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("reading the file key {}", path.display()))?;
            return blob::Key::parse(text.trim()).map_err(|e| {
                anyhow::anyhow!(
                    "the file key {} is not valid ({e}); restore it from your backup",
                    path.display()
                )
            });
        }
        self.create_data_dir()?;
        let key = blob::Key::generate();
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        use std::io::Write;
        let mut f = opts
            .open(&path)
            .with_context(|| format!("creating the file key {}", path.display()))?;
        f.write_all(key.to_base64().as_bytes())?;
        f.sync_all()?;
        tracing::warn!(path = %path.display(), "generated an encryption key for uploaded files; back it up, and in production set files.key from a secret store instead");
        Ok(key)
    }

    /// The database URL without a password, for messages.
    pub fn redacted_database_url(&self) -> String {
        match &self.database_url {
            None => format!("{}", self.data_dir.join("clearinghouse.db").display()),
            Some(u) => match (u.find("://"), u.rfind('@')) {
                (Some(s), Some(at)) if at > s => {
                    let creds = &u[s + 3..at];
                    let user = creds.split(':').next().unwrap_or("");
                    format!("{}://{}@{}", &u[..s], user, &u[at + 1..])
                }
                _ => u.clone(),
            },
        }
    }
}

/// Turns figment's error into one line per problem, naming the setting and the source.
fn describe(e: figment::Error) -> String {
    e.into_iter()
        .map(|e| {
            let key = if e.path.is_empty() {
                String::from("(top level)")
            } else {
                e.path.join(".")
            };
            let source = e
                .metadata
                .as_ref()
                .map(|m| match &m.source {
                    Some(s) => format!(" (from {} {s})", m.name),
                    None => format!(" (from {})", m.name),
                })
                .unwrap_or_default();
            format!("invalid configuration value {key}{source}: {}", e.kind)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deployment_without_second_factor_is_warned_but_the_demo_is_not() {
        let mut c = Config::default();
        assert!(c.start_warnings(false).is_empty());
        c.security.require_second_factor = false;
        let w = c.start_warnings(false);
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("security.require_second_factor = false"));
        assert!(c.start_warnings(true).is_empty());
    }

    #[test]
    fn a_short_metrics_token_is_refused_with_its_name() {
        let c = Config {
            metrics: MetricsSettings {
                token: Some("short".into()),
            },
            ..Config::default()
        };
        let e = c.validate().unwrap_err().to_string();
        assert!(e.contains("metrics.token"), "{e}");
    }

    #[test]
    fn the_smtp_server_is_read_from_toml_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(
            &path,
            "[watchlists]\nwatch_days = 30\n[watchlists.smtp]\nhost = \"smtp.example\"\n\
             tls = \"tls\"\nport = 465\nfrom = \"Clearinghouse <alerts@hotline.example>\"\n\
             base_url = \"https://ch.example\"\n",
        )
        .unwrap();
        let args = ConfigArgs {
            data_dir: None,
            database_url: None,
            config: Some(path),
        };
        let c = Config::load(&args, None).unwrap();
        assert_eq!(c.watchlists.watch_days, 30);
        let smtp = c.watchlists.smtp.clone().unwrap();
        assert_eq!((smtp.port, smtp.tls), (465, service::SmtpTls::Tls));
        let mut bad = c.clone();
        bad.watchlists.smtp.as_mut().unwrap().base_url = "ch.example".into();
        let e = bad.validate().unwrap_err().to_string();
        assert!(e.contains("watchlists.smtp.base_url"), "{e}");
        assert!(!format!("{smtp:?}").contains("password: Some(\"")); // redacted in logs
    }

    #[test]
    fn retention_periods_are_read_from_toml_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        let args = ConfigArgs {
            data_dir: None,
            database_url: None,
            config: Some(path.clone()),
        };
        std::fs::write(&path, "").unwrap();
        let c = Config::load(&args, None).unwrap();
        assert_eq!(c.retention, domain::retention::RetentionPolicy::default());
        std::fs::write(
            &path,
            "[retention]\nunsubstantiated_tips_days = 90\nclosed_reports_days = 3650\n",
        )
        .unwrap();
        let c = Config::load(&args, None).unwrap();
        assert_eq!(c.retention.unsubstantiated_tips_days, Some(90));
        assert_eq!(c.retention.closed_reports_days, Some(3650));
        assert_eq!(c.retention.closed_cases_days, None);
        std::fs::write(&path, "[retention]\nclosed_cases_days = 0\n").unwrap();
        let e = Config::load(&args, None).unwrap_err().to_string();
        assert!(e.contains("retention.closed_cases_days = 0"), "{e}");
        std::fs::write(&path, "[retention]\nclosed_case_days = 5\n").unwrap();
        assert!(
            Config::load(&args, None).is_err(),
            "a misspelt setting is refused"
        );
    }

    #[test]
    fn the_s3_file_store_is_read_from_toml_checked_and_its_secret_hidden() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        let args = ConfigArgs {
            data_dir: None,
            database_url: None,
            config: Some(path.clone()),
        };
        std::fs::write(&path, "").unwrap();
        assert_eq!(
            Config::load(&args, None).unwrap().files.backend,
            FileBackend::Dir
        );
        let settings = "[files]\nbackend = \"s3\"\n[files.s3]\n\
             endpoint = \"https://s3.example.org\"\nbucket = \"evidence\"\n\
             access_key_id = \"AKID\"\nsecret_access_key = \"very-secret-value\"\n\
             prefix = \"ch/blobs\"\npath_style = false\n";
        std::fs::write(&path, settings).unwrap();
        let c = Config::load(&args, None).unwrap();
        assert_eq!(c.files.backend, FileBackend::S3);
        let s3 = c.files.s3.to_config().unwrap();
        assert_eq!(
            (s3.region.as_str(), s3.prefix.as_str(), s3.path_style),
            ("us-east-1", "ch/blobs", false)
        );
        for shown in [format!("{c:?}"), format!("{s3:?}")] {
            assert!(!shown.contains("very-secret-value"), "{shown}");
        }
        let keys = FileSettings {
            key: Some("current-key-material".into()),
            previous_keys: vec!["old-key-material".into()],
            ..FileSettings::default()
        };
        let shown = format!("{keys:?}");
        assert!(!shown.contains("key-material"), "{shown}");
        assert!(shown.contains("<1 redacted>"), "{shown}");

        std::fs::write(&path, settings.replace("bucket = \"evidence\"\n", "")).unwrap();
        let e = Config::load(&args, None).unwrap_err().to_string();
        assert!(e.contains("files.s3.bucket"), "{e}");
        let plain = settings.replace("https://", "http://");
        std::fs::write(&path, &plain).unwrap();
        let e = Config::load(&args, None).unwrap_err().to_string();
        assert!(e.contains("allow_http"), "{e}");
        std::fs::write(&path, plain + "allow_http = true\n").unwrap();
        assert!(Config::load(&args, None).is_ok());
    }

    #[test]
    fn redacts_passwords() {
        let c = Config {
            database_url: Some("postgres://app:secret@db.example/ch".into()),
            ..Config::default()
        };
        assert_eq!(c.redacted_database_url(), "postgres://app@db.example/ch");
    }
}
