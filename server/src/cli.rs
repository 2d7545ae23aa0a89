//! The command line: `serve` (the default) and account commands.

use clap::{Parser, Subcommand};

use crate::{Config, app, build_state, db::Role, seed};

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
    /// Create an account.
    UserAdd {
        /// Phone number or account name.
        #[arg(long)]
        login: String,
        #[arg(long)]
        name: String,
        /// rider, supervisor or admin.
        #[arg(long)]
        role: String,
        /// County code, e.g. youyang.
        #[arg(long)]
        county: String,
        #[arg(long, env = "NUANXIN_NEW_PASSWORD")]
        password: String,
    },
}

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::from_env();
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::UserAdd {
            login,
            name,
            role,
            county,
            password,
        } => {
            let role = Role::from_code(&role)
                .ok_or_else(|| anyhow::anyhow!("role must be rider, supervisor or admin"))?;
            if password.chars().count() < 8 {
                anyhow::bail!("the password must have at least 8 characters");
            }
            let state = build_state(config).await?;
            let account = crate::accounts::NewAccount {
                login: &login,
                name: &name,
                role,
                county: &county,
                password: &password,
            };
            let u =
                crate::accounts::create_user(&state.db, &state.repo, &state.acl, account).await?;
            println!("created {} ({}) id {}", u.login, u.role.code(), u.id);
            state.repo.stop().await;
            Ok(())
        }
    }
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
    let repo = state.repo.clone();
    axum::serve(listener, app(state))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    repo.stop().await;
    Ok(())
}
