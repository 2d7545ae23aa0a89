//! The command line: `serve` (the default), and account and invite administration.
//!
//! Administration commands print one line per result and exit non-zero with a message on bad
//! input (clap's own errors exit with 2, refused operations with 1).

use clap::{Parser, Subcommand, ValueEnum};
use rand::Rng;

use crate::{Config, build_state, db::Db, db::Role, db::now_ms, seed};

/// Nuanxin server.
#[derive(Debug, Parser)]
#[command(name = "nuanxin", version, about = "暖新 relay, API and app server")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// What to do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the app, the API and the relay (the default).
    Serve,
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage invite codes.
    #[command(subcommand)]
    Invite(InviteCommand),
    /// Manage stored photos.
    #[command(subcommand)]
    Photos(PhotosCommand),
    /// Print the JSON API's OpenAPI document (docs/openapi.json).
    Openapi,
}

/// Photo commands.
#[derive(Debug, Subcommand)]
pub enum PhotosCommand {
    /// List stored photos that no report lists (one hash per line), optionally deleting them.
    Orphans {
        /// Only photos stored at least this many hours ago: a fresh upload may belong to a
        /// report that has not reached the index yet.
        #[arg(long, default_value_t = 24, value_parser = clap::value_parser!(i64).range(0..=87_600))]
        min_age_hours: i64,
        /// Delete them from the photo store.
        #[arg(long)]
        delete: bool,
    },
}

/// Account commands.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account (supervisors and admins are made only here).
    Add {
        /// Phone number or account name.
        #[arg(long)]
        login: String,
        #[arg(long)]
        name: String,
        #[arg(long, value_enum)]
        role: RoleArg,
        /// County code, e.g. youyang.
        #[arg(long)]
        county: String,
        /// At least 8 characters; or set NUANXIN_NEW_PASSWORD.
        #[arg(long, env = "NUANXIN_NEW_PASSWORD", hide_env_values = true)]
        password: String,
    },
    /// Disable an account: its sessions stop working and it cannot log in.
    Disable { login: String },
    /// Enable a disabled account again.
    Enable { login: String },
    /// End every session of an account (each device must log in again; nothing unsent is lost).
    Logout { login: String },
    /// Set a new password; every session of the account ends.
    Password {
        login: String,
        /// At least 8 characters; or set NUANXIN_NEW_PASSWORD.
        #[arg(long, env = "NUANXIN_NEW_PASSWORD", hide_env_values = true)]
        password: String,
    },
}

/// Invite-code commands.
#[derive(Debug, Subcommand)]
pub enum InviteCommand {
    /// Create an invite code for a county.
    Create {
        #[arg(long)]
        county: String,
        /// How many riders may register with it.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(i64).range(1..=10_000))]
        uses: i64,
        /// Days until it expires.
        #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(i64).range(1..=3650))]
        days: i64,
        /// Where it is printed, e.g. a station's name.
        #[arg(long, default_value = "")]
        note: String,
    },
    /// List invite codes.
    List,
    /// Revoke an invite code.
    Revoke { code: String },
}

/// A role on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RoleArg {
    Rider,
    Supervisor,
    Admin,
    /// Station staff: hands rewards over (pickup codes) in their county, nothing else.
    Station,
}

impl From<RoleArg> for Role {
    fn from(r: RoleArg) -> Role {
        match r {
            RoleArg::Rider => Role::Rider,
            RoleArg::Supervisor => Role::Supervisor,
            RoleArg::Admin => Role::Admin,
            RoleArg::Station => Role::Station,
        }
    }
}

/// Invite codes avoid look-alike characters (0/O, 1/I/L), since riders type them from paper.
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// A fresh 8-character invite code.
pub fn new_invite_code() -> String {
    let mut rng = rand::rng();
    (0..8)
        .map(|_| CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())] as char)
        .collect()
}

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::from_env();
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::User(cmd) => user(config, cmd).await,
        Command::Invite(cmd) => invite(config, cmd).await,
        Command::Photos(cmd) => photos(config, cmd).await,
        Command::Openapi => {
            print!("{}", crate::openapi::json());
            Ok(())
        }
    }
}

async fn photos(config: Config, cmd: PhotosCommand) -> anyhow::Result<()> {
    let PhotosCommand::Orphans {
        min_age_hours,
        delete,
    } = cmd;
    let db = Db::connect(&config.database_url).await?;
    let store = crate::photos::PhotoStore::open(&config)?;
    let listed = db.photo_hashes_in_reports().await?;
    let fresh = db
        .photos_stored_since(now_ms() - min_age_hours * 3_600_000)
        .await?;
    let mut count = 0;
    for sha in store.list().await? {
        if listed.contains(&sha) || fresh.contains(&sha) {
            continue;
        }
        if delete {
            store.delete(&sha).await?;
            db.photo_forget(&sha).await?;
        }
        println!("{sha}");
        count += 1;
    }
    let verb = if delete { "deleted" } else { "found" };
    eprintln!("{count} orphan photo(s) {verb}");
    Ok(())
}

async fn user(config: Config, cmd: UserCommand) -> anyhow::Result<()> {
    match cmd {
        UserCommand::Add {
            login,
            name,
            role,
            county,
            password,
        } => {
            let login = login.trim();
            if login.is_empty() || county.trim().is_empty() {
                anyhow::bail!("login and county must not be empty");
            }
            let Some(name) = model::validate::person_name(&name) else {
                anyhow::bail!(
                    "the name must have 1 to 20 visible characters, and no control or \
                     direction-changing character"
                );
            };
            if password.chars().count() < 8 {
                anyhow::bail!("the password must have at least 8 characters");
            }
            let state = build_state(config).await?;
            if state.db.user_by_login(login).await?.is_some() {
                state.relay.stop().await;
                anyhow::bail!("an account with login {login} already exists");
            }
            let account = crate::accounts::NewAccount {
                login,
                name,
                role: role.into(),
                county: county.trim(),
                password: &password,
            };
            let created =
                crate::accounts::create_user(&state.db, &state.relay, &state.acl, account).await;
            state.relay.stop().await;
            let u = created?;
            println!(
                "created {} ({}, {}) id {}",
                u.login,
                u.role.code(),
                u.county,
                u.id
            );
            Ok(())
        }
        UserCommand::Disable { login } => set_disabled(&config, &login, true).await,
        UserCommand::Enable { login } => set_disabled(&config, &login, false).await,
        UserCommand::Logout { login } => {
            let db = Db::connect(&config.database_url).await?;
            let Some((user, _)) = db.user_by_login(&login).await? else {
                anyhow::bail!("no account with login {login}");
            };
            db.sessions_expire_user(user.id).await?;
            println!("ended every session of {login}");
            Ok(())
        }
        UserCommand::Password { login, password } => {
            if !(8..=128).contains(&password.chars().count()) {
                anyhow::bail!("the password must have 8 to 128 characters");
            }
            let db = Db::connect(&config.database_url).await?;
            let Some((user, _)) = db.user_by_login(&login).await? else {
                anyhow::bail!("no account with login {login}");
            };
            let hash = crate::auth::hash_password(&password)?;
            db.user_set_password(user.id, &hash, None).await?;
            println!("set a new password for {login}; every session of it ended");
            Ok(())
        }
    }
}

async fn set_disabled(config: &Config, login: &str, disabled: bool) -> anyhow::Result<()> {
    let db = Db::connect(&config.database_url).await?;
    if !db.user_set_disabled(login, disabled).await? {
        anyhow::bail!("no account with login {login}");
    }
    println!("{} {login}", if disabled { "disabled" } else { "enabled" });
    Ok(())
}

async fn invite(config: Config, cmd: InviteCommand) -> anyhow::Result<()> {
    let db = Db::connect(&config.database_url).await?;
    match cmd {
        InviteCommand::Create {
            county,
            uses,
            days,
            note,
        } => {
            let county = county.trim();
            if county.is_empty() {
                anyhow::bail!("county must not be empty");
            }
            let code = new_invite_code();
            let expires_at = now_ms() + days * 24 * 3600 * 1000;
            db.invite_insert(&code, county, uses, expires_at, &note)
                .await?;
            println!("{code}  county {county}, {uses} use(s), expires in {days} day(s)");
        }
        InviteCommand::List => {
            let now = now_ms();
            for i in db.invites().await? {
                let state = if i.revoked {
                    "revoked"
                } else if i.expires_at <= now {
                    "expired"
                } else if i.uses_left == 0 {
                    "used up"
                } else {
                    "active"
                };
                println!(
                    "{}  {:<10} {:>5} left  {:<8} {}",
                    i.code, i.county, i.uses_left, state, i.note
                );
            }
        }
        InviteCommand::Revoke { code } => {
            if !db.invite_revoke(code.trim()).await? {
                anyhow::bail!("no invite code {}", code.trim());
            }
            println!("revoked {}", code.trim());
        }
    }
    Ok(())
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let seed_demo = config.seed_demo;
    let addr = config.addr;
    let state = build_state(config).await?;
    if seed_demo && seed::seed_demo(&state).await? {
        println!("Demo accounts (password {}):", seed::DEMO_PASSWORD);
        for (login, name, role) in seed::DEMO_USERS {
            println!("  {login:<14} {name} ({})", role.code());
        }
    }
    let listener = tokio::net::TcpListener::bind(addr).await?;
    println!("暖新 Nuanxin serving at http://{}", listener.local_addr()?);
    let relay = state.relay.clone();
    crate::listen::serve(listener, state, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    relay.stop().await;
    Ok(())
}
