//! The command line, as the contract fixes it. Every flag has an `EA_` environment variable.

use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "entity-account",
    version,
    about = "Entity Account: one account for an organisation's dealings with e-services"
)]
pub struct Cli {
    #[command(flatten)]
    pub common: Common,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Clone)]
pub struct Common {
    /// A TOML file with any of the settings below (flag and variable names in snake_case);
    /// flags and `EA_` variables override it.
    #[arg(long, env = "EA_CONFIG", global = true)]
    pub config: Option<std::path::PathBuf>,
    /// `sqlite://PATH` or `postgres://…`; migrations run at start.
    #[arg(long, env = "EA_DATABASE_URL", default_value = "sqlite://data/entity-account.db", global = true)]
    pub database_url: String,
    /// The master key (32 bytes, hex) that seals personal data and checkpoints the audit
    /// log; created on first start. Keep it outside the database and back it up separately.
    #[arg(long, env = "EA_KEY_FILE", default_value = "data/master.key", global = true)]
    pub key_file: std::path::PathBuf,
}

#[derive(Subcommand)]
pub enum Command {
    /// Start everything: web, API, background SMS delivery.
    Serve(ServeArgs),
    /// Apply the database migrations and exit.
    Migrate,
    /// Counter operators.
    Operator {
        #[command(subcommand)]
        command: OperatorCommand,
    },
    /// The audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// The e-service catalogue and its OpenID Connect clients.
    Eservice {
        #[command(subcommand)]
        command: EserviceCommand,
    },
    /// The OpenID Connect provider's signing keys.
    Oidc {
        #[command(subcommand)]
        command: OidcCommand,
    },
    /// An online, consistent backup of the database to a new file (SQLite: `VACUUM INTO`;
    /// PostgreSQL: `pg_dump` custom format). The master key is not in it: keep it apart.
    Backup {
        /// The file to write; it must not exist.
        path: std::path::PathBuf,
    },
    /// Restores a backup into a new SQLite file or an empty PostgreSQL database, then
    /// verifies the audit chain with the key file (exit 0 only if it verifies).
    Restore {
        /// A file written by `backup`.
        path: std::path::PathBuf,
    },
    /// The reference mobile app (advanced e-ID, R23): a client that speaks only the public
    /// API; it opens no database.
    App(AppArgs),
}

#[derive(Args)]
pub struct AppArgs {
    /// The app's state file (base URL, session token, TOTP secret), kept with mode 0600.
    #[arg(long, env = "EA_APP_STATE", default_value = "app-state.json", global = true)]
    pub state: std::path::PathBuf,
    #[command(subcommand)]
    pub command: AppCommand,
}

#[derive(Subcommand)]
pub enum AppCommand {
    /// Sign in as a login and keep its session; the password is read from standard input.
    Login {
        /// The server's base URL, e.g. `https://account.example.mo`.
        #[arg(long)]
        base_url: String,
        #[arg(long)]
        entity_number: String,
        #[arg(long)]
        username: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Request an enrolment and make a new security-code secret: prints the QR payload alone
    /// on standard output and draws the QR code on standard error.
    Enrol {
        /// Also write the QR code as a PNG file.
        #[arg(long)]
        png: Option<std::path::PathBuf>,
    },
    /// Print the current 6-digit security verification code.
    Code,
    /// Face recognition.
    Face {
        #[command(subcommand)]
        command: FaceCommand,
    },
}

#[derive(Subcommand)]
pub enum FaceCommand {
    /// Switch face recognition off (only the counter switches it back on).
    Off,
}

#[derive(Subcommand)]
pub enum EserviceCommand {
    /// Register an e-service and its OpenID Connect client; prints `{code, client_id,
    /// client_secret, …}` (the secret is shown only here).
    Add(Box<EserviceAddArgs>),
    /// One JSON object a line: every e-service and its client's URIs (no secrets).
    List,
    /// A new client secret; the old one stops working at once. Prints `{client_id, client_secret}`.
    RotateSecret {
        #[arg(long)]
        code: String,
    },
}

#[derive(Args)]
pub struct EserviceAddArgs {
    #[arg(long)]
    pub code: String,
    #[arg(long)]
    pub name_zh: String,
    #[arg(long)]
    pub name_pt: String,
    #[arg(long)]
    pub name_en: String,
    #[arg(long)]
    pub department: String,
    /// `basic` or `advanced` (R21).
    #[arg(long, default_value = "basic")]
    pub assurance: String,
    /// Entities must register with the e-service before their logins are assigned it (R19).
    #[arg(long)]
    pub requires_registration: bool,
    /// An assignment takes effect only when a second administrator approves it (R31).
    #[arg(long)]
    pub four_eyes: bool,
    /// Entities may act for others on it under a mandate (R34).
    #[arg(long)]
    pub allows_intermediaries: bool,
    /// How often entities review who may use it, 30 to 180 days (R30; default 180).
    #[arg(long)]
    pub review_days: Option<i64>,
    /// Exact redirect URIs (repeat the flag for more).
    #[arg(long = "redirect-uri", required = true)]
    pub redirect_uris: Vec<String>,
    #[arg(long = "post-logout-redirect-uri")]
    pub post_logout_redirect_uris: Vec<String>,
    #[arg(long)]
    pub backchannel_logout_uri: Option<String>,
    /// A JWKS file of the client's public keys: the client authenticates with
    /// `private_key_jwt` and gets no secret.
    #[arg(long)]
    pub jwks_file: Option<std::path::PathBuf>,
}

#[derive(Subcommand)]
pub enum OidcCommand {
    /// Make a new signing key the signer now; the old one stays published until the ID
    /// tokens it signed expire. Prints the new key id.
    RotateKey,
}

#[derive(Subcommand)]
pub enum OperatorCommand {
    /// Create a counter operator; the password is read from standard input.
    Add {
        #[arg(long)]
        username: String,
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Exit 0 only when the whole audit chain and its checkpoint verify.
    Verify,
}

#[derive(Args)]
pub struct ServeArgs {
    #[arg(long, env = "EA_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// `file:PATH` (development, tests) or `webhook:URL` (the SMS gateway).
    #[arg(long, env = "EA_SMS_SINK", default_value = "file:data/sms.jsonl")]
    pub sms_sink: String,
    /// At most this many SMS a second from this node to the gateway, after a burst of as many.
    #[arg(long, env = "EA_SMS_RATE", default_value_t = server::sms_worker::DEFAULT_RATE, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub sms_rate: u32,
    /// The server's base URL, the OpenID Connect issuer.
    #[arg(long, env = "EA_PUBLIC_URL", default_value = "http://127.0.0.1:8080")]
    pub public_url: String,
    /// How long activation codes live, in seconds (R9: at least 600).
    #[arg(long, env = "EA_ACTIVATION_CODE_TTL_SECS", default_value_t = 72 * 3600)]
    pub activation_code_ttl_secs: i64,
    /// Minimum password length (R11).
    #[arg(long, env = "EA_PASSWORD_MIN_CHARS", default_value_t = 15)]
    pub password_min_chars: usize,
    /// Load balancers whose `X-Forwarded-For` names the client (comma-separated IPs). The
    /// client address feeds the audit log and per-source throttling (R13).
    #[arg(long, env = "EA_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// `text` or `json`.
    #[arg(long, env = "EA_LOG_FORMAT", default_value = "text")]
    pub log_format: String,
    /// OpenID Connect ID-token lifetime; a retired signing key stays published this long.
    #[arg(long, env = "EA_ID_TOKEN_TTL_SECS", default_value_t = 300)]
    pub id_token_ttl_secs: i64,
    /// OpenID Connect access-token lifetime.
    #[arg(long, env = "EA_ACCESS_TOKEN_TTL_SECS", default_value_t = 300)]
    pub access_token_ttl_secs: i64,
    /// OpenID Connect refresh-token lifetime.
    #[arg(long, env = "EA_REFRESH_TOKEN_TTL_SECS", default_value_t = 8 * 3600)]
    pub refresh_token_ttl_secs: i64,
    /// How long a second-factor step-up lasts within a session (R21).
    #[arg(long, env = "EA_STEP_UP_TTL_SECS", default_value_t = 900)]
    pub step_up_ttl_secs: i64,
    /// The face verification service: its URL, or `dev` (development only: matches the
    /// capture reference `dev-match`; refused with an https public URL). Without it, face
    /// recognition cannot be used for step-up.
    #[arg(long, env = "EA_FACE_VERIFIER")]
    pub face_verifier: Option<String>,
    /// This node's name for SMS delivery leases, unique among the nodes on one database and
    /// the same across its restarts (a restarted node takes back its leases). Default:
    /// `hostname/listen address`.
    #[arg(long, env = "EA_NODE_ID")]
    pub node_id: Option<String>,
}
