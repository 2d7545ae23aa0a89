//! [`TestApp`]: a server on a random port over a SQLite file in a temporary folder (or a
//! PostgreSQL schema of its own, see [`super::database_url`]).

use std::{net::SocketAddr, path::PathBuf, sync::Arc, time::Duration};

use serde_json::Value;
use server::{AppState, Config, build_state, seed};
use tokio::{sync::oneshot, task::JoinHandle};

/// A running server.
pub struct TestApp {
    pub addr: SocketAddr,
    pub state: AppState,
    dir: Arc<tempfile::TempDir>,
    tweak: Tweak,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

/// Changes a test server's configuration before it starts.
pub type Tweak = Arc<dyn Fn(&mut Config) + Send + Sync>;

/// A logged-in user: the session cookie and what `/api/me` said.
#[derive(Clone, Debug)]
pub struct Session {
    pub cookie: String,
    pub me: Value,
}

impl Session {
    /// The user's rider document id.
    pub fn rider_doc(&self) -> String {
        self.me["docs"]["rider"]
            .as_str()
            .expect("a rider document")
            .to_owned()
    }

    /// A peer id of this user, for device `device`.
    pub fn peer(&self, device: &str) -> String {
        format!("{}{device}", self.me["peer_prefix"].as_str().unwrap())
    }
}

impl TestApp {
    /// A fresh server with the demo accounts.
    pub async fn start() -> TestApp {
        Self::start_with(|_| {}).await
    }

    /// A fresh server with the demo accounts and a configuration changed by `tweak`.
    pub async fn start_with(tweak: impl Fn(&mut Config) + Send + Sync + 'static) -> TestApp {
        let dir = Arc::new(tempfile::tempdir().expect("temp dir"));
        Self::start_in(dir, Arc::new(tweak)).await
    }

    async fn start_in(dir: Arc<tempfile::TempDir>, tweak: Tweak) -> TestApp {
        let data: PathBuf = dir.path().to_path_buf();
        let mut config = Config {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            database_url: super::database_url(&data),
            photos_url: super::photos_url(&data),
            dist_dir: data.join("dist"),
            data_dir: data,
            max_frame_bytes: 4 * 1024 * 1024,
            max_doc_bytes: 16 * 1024 * 1024,
            // Few enough that the demo accounts share shards and more than one is used.
            max_reports_per_day: 50,
            max_photo_bytes: 2 * 1024 * 1024,
            max_photo_side: 8000,
            account_check_every: Duration::from_millis(200),
            secure_cookies: false,
            seed_demo: true,
            limits: Default::default(),
            login_max_per_pair: 10,
            login_max_per_ip: 50,
            login_slow_after: 10,
            login_window: std::time::Duration::from_secs(2),
        };
        tweak(&mut config);
        let state = build_state(config).await.expect("state");
        seed::seed_demo(&state).await.expect("seed");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let serving = state.clone();
        let task = tokio::spawn(async move {
            server::listen::serve(listener, serving, async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
        });
        TestApp {
            addr,
            state,
            dir,
            tweak,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// Another server process on this one's database and photos (a second node behind the
    /// same address; on PostgreSQL only, where several processes may share a database).
    pub async fn another_node(&self) -> TestApp {
        Self::start_in(self.dir.clone(), self.tweak.clone()).await
    }

    /// Stops this server and starts a new one on the same database.
    pub async fn restart(mut self) -> TestApp {
        self.shutdown().await;
        Self::start_in(self.dir.clone(), self.tweak.clone()).await
    }

    /// Stops the server, the relay and the database.
    pub async fn shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
            let _ = task.await;
        }
        self.state.relay.stop().await;
        self.state.db.close().await;
    }

    /// A pool on the server's database, for a test's own SQL.
    pub async fn raw_pool(&self) -> sqlx::AnyPool {
        super::raw_pool(&self.state.config.database_url).await
    }

    /// The data folder (SQLite file and photo folder).
    pub fn data_dir(&self) -> &std::path::Path {
        self.dir.path()
    }

    /// `http://addr` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Logs in and returns the session.
    pub async fn login(&self, login: &str) -> Session {
        self.try_login(login, seed::DEMO_PASSWORD)
            .await
            .expect("login")
    }

    /// Tries to log in.
    pub async fn try_login(&self, login: &str, password: &str) -> Result<Session, u16> {
        let res = reqwest::Client::new()
            .post(self.url("/api/login"))
            .json(&serde_json::json!({ "login": login, "password": password }))
            .send()
            .await
            .unwrap();
        if !res.status().is_success() {
            return Err(res.status().as_u16());
        }
        let cookie = res
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .expect("a session cookie")
            .to_owned();
        let me = res.json().await.unwrap();
        Ok(Session { cookie, me })
    }

    /// Reads document `id` as the server stores it, through `f` (panics when it is missing).
    pub async fn read_doc<R>(&self, id: &str, f: impl FnOnce(&automerge::Automerge) -> R) -> R {
        self.state
            .relay
            .read(id, f)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("document {id} is missing"))
            .value
    }

    /// Runs one SQL statement with one bound text on the database behind the server's back, as
    /// damage or a crash would leave it.
    pub async fn tamper(&self, sql: &str, bind: &str) {
        let pool = self.raw_pool().await;
        sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
            .bind(bind)
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    }

    /// GET with a session; returns status and JSON body.
    pub async fn get(&self, session: Option<&Session>, path: &str) -> (u16, Value) {
        let mut req = reqwest::Client::new().get(self.url(path));
        if let Some(s) = session {
            req = req.header("cookie", &s.cookie);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// POST JSON with a session; returns status and JSON body.
    pub async fn post(&self, session: Option<&Session>, path: &str, body: Value) -> (u16, Value) {
        let mut req = reqwest::Client::new().post(self.url(path)).json(&body);
        if let Some(s) = session {
            req = req.header("cookie", &s.cookie);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// Makes an account (with the demo password) as the CLI would, and logs it in.
    pub async fn add_account(&self, login: &str, role: server::db::Role, county: &str) -> Session {
        let s = &self.state;
        let account = server::accounts::NewAccount {
            login,
            name: login,
            role,
            county,
            password: server::seed::DEMO_PASSWORD,
        };
        server::accounts::create_user(&s.db, &s.relay, &s.acl, account)
            .await
            .expect("account");
        self.login(login).await
    }

    /// PUT a JSON body with a session; returns status and JSON body.
    pub async fn put(&self, session: Option<&Session>, path: &str, body: Value) -> (u16, Value) {
        let mut req = reqwest::Client::new().put(self.url(path)).json(&body);
        if let Some(s) = session {
            req = req.header("cookie", &s.cookie);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// Polls the supervisor list until `pred` holds on it, or panics after `secs`.
    pub async fn wait_for_reports(
        &self,
        supervisor: &Session,
        secs: u64,
        pred: impl Fn(&[Value]) -> bool,
    ) -> Vec<Value> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
        loop {
            let (status, body) = self.get(Some(supervisor), "/api/reports").await;
            assert_eq!(status, 200, "{body}");
            let rows = body["reports"].as_array().cloned().unwrap_or_default();
            if pred(&rows) {
                return rows;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "reports never matched: {rows:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
        // Its connections go back to the database server at once (a PostgreSQL server has
        // room for 100 in all), and its background tasks stop.
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            let db = self.state.db.clone();
            rt.spawn(async move { db.close().await });
        }
    }
}
