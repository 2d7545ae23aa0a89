//! [`SyncConn`]: the model's sans-IO client core driven over a tokio-tungstenite WebSocket.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use model::client::{Effect, SyncClient};
use tokio::net::TcpStream;
use tokio_tungstenite::{
    MaybeTlsStream, WebSocketStream,
    tungstenite::{Message, client::IntoClientRequest, http::HeaderValue},
};

use super::{Session, TestApp};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// One device's client connected to the relay.
pub struct SyncConn {
    pub client: SyncClient,
    pub ws: Ws,
    /// Every effect seen, in order, for assertions.
    pub seen: Vec<Effect>,
    /// Payload bytes sent and received on this connection.
    pub sent_bytes: usize,
    pub received_bytes: usize,
}

/// Opens `/sync` with a session cookie and the given `Origin`.
pub async fn open(app: &TestApp, session: &Session, peer: &str, origin: &str) -> Result<Ws, u16> {
    let mut req = format!("ws://{}/sync?peer={peer}", app.addr)
        .into_client_request()
        .unwrap();
    req.headers_mut()
        .insert("cookie", HeaderValue::from_str(&session.cookie).unwrap());
    req.headers_mut()
        .insert("origin", HeaderValue::from_str(origin).unwrap());
    match tokio_tungstenite::connect_async(req).await {
        Ok((ws, _)) => Ok(ws),
        Err(tokio_tungstenite::tungstenite::Error::Http(res)) => Err(res.status().as_u16()),
        Err(e) => panic!("websocket: {e}"),
    }
}

impl SyncConn {
    /// Connects `client` as `session`'s device and completes the handshake.
    pub async fn connect(app: &TestApp, session: &Session, mut client: SyncClient) -> SyncConn {
        let origin = format!("http://{}", app.addr);
        let ws = open(app, session, client.peer_id(), &origin)
            .await
            .expect("upgrade");
        let join = client.connected();
        let mut conn = SyncConn {
            client,
            ws,
            seen: Vec::new(),
            sent_bytes: 0,
            received_bytes: 0,
        };
        conn.apply(join).await;
        conn.until(|c| c.is_ready()).await;
        conn
    }

    /// Connects a fresh client of `session` on device `device` that follows its rider doc.
    pub async fn rider(app: &TestApp, session: &Session, device: &str) -> SyncConn {
        let mut client = SyncClient::new(session.peer(device));
        client.add_doc(session.rider_doc(), automerge::Automerge::new(), None);
        let mut conn = Self::connect(app, session, client).await;
        let doc = session.rider_doc();
        conn.until(|c| c.doc(&doc).is_some_and(|d| !d.get_heads().is_empty()))
            .await;
        conn
    }

    /// Sends what the effects ask to send.
    pub async fn apply(&mut self, effects: Vec<Effect>) {
        for e in effects {
            if let Effect::Send(b) = &e {
                self.sent_bytes += b.len();
                self.ws
                    .send(Message::Binary(b.clone().into()))
                    .await
                    .expect("send");
            }
            self.seen.push(e);
        }
    }

    /// Pumps frames until `cond` holds (panics after 10 s).
    pub async fn until(&mut self, cond: impl Fn(&SyncClient) -> bool) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while !cond(&self.client) {
            let frame = tokio::time::timeout_at(deadline, self.ws.next())
                .await
                .expect("condition not reached in time")
                .expect("socket closed")
                .expect("socket error");
            if let Message::Binary(b) = frame {
                self.received_bytes += b.len();
                let effects = self.client.receive(&b).expect("a valid frame");
                self.apply(effects).await;
            }
        }
    }

    /// Pumps frames until none arrives for `quiet`.
    pub async fn settle(&mut self, quiet: Duration) {
        while let Ok(Some(Ok(frame))) = tokio::time::timeout(quiet, self.ws.next()).await {
            if let Message::Binary(b) = frame {
                self.received_bytes += b.len();
                let effects = self.client.receive(&b).expect("a valid frame");
                self.apply(effects).await;
            }
        }
    }

    /// Adds a report to the rider doc, sends it, and waits until the relay holds it.
    pub async fn file(&mut self, doc: &str, report: &model::Report) {
        let (hash, effects) = self
            .client
            .change(doc, |d| model::rider_doc::put_report(d, report))
            .expect("change");
        self.apply(effects).await;
        if let Some(hash) = hash {
            self.until(|c| c.relay_has(doc, &hash)).await;
        }
    }
}

/// A valid report with the given note.
pub fn report(note: &str) -> model::Report {
    model::Report {
        id: model::ReportId::new().to_string(),
        category: "fire_lane".into(),
        note: note.into(),
        lat: 28.84,
        lon: 108.77,
        accuracy_m: Some(15.0),
        location_source: "gps".into(),
        place: String::new(),
        created_at: server::db::now_ms(),
        photos: vec![],
        photo_taken_at: None,
        photo_lat: None,
        photo_lon: None,
    }
}
