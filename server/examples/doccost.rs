//! What one more report costs the relay in a rider document that already holds many: CPU time
//! and stored bytes for the relay's own work on it (apply the rider's sync message, make the
//! chunk to store, answer, and the indexer's read of what changed), on an empty document and on
//! one of 5,000 reports. Run by `bash .ci/bench load`; prints one table.
//!
//! ```text
//! doccost [--reports 5000] [--rounds 200]
//! ```

use std::time::{Duration, Instant};

use model::{
    client::{Effect, SyncClient},
    relay::{Access, DocRelay},
    rider_doc,
    wire::Message,
};

fn report(i: usize) -> model::Report {
    model::Report {
        id: model::ReportId::new().to_string(),
        category: model::Category::ALL[i % model::Category::ALL.len()]
            .code()
            .to_owned(),
        note: format!("压测 第 {i} 条：路灯不亮"),
        lat: 28.84 + (i % 100) as f64 * 0.001,
        lon: 108.77,
        accuracy_m: Some(15.0),
        location_source: "gps".into(),
        place: String::new(),
        created_at: 1_790_000_000_000 + i as i64,
        photos: Vec::new(),
        photo_taken_at: None,
        photo_lat: None,
        photo_lon: None,
    }
}

/// The `data` of the sync frames in `effects`.
fn sync_data(effects: Vec<Effect>) -> Vec<Vec<u8>> {
    effects
        .into_iter()
        .filter_map(|e| match e {
            Effect::Send(b) => match Message::decode(&b).ok()? {
                Message::Sync { data, .. } | Message::Request { data, .. } => Some(data),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

/// Delivers everything between a client and the relay until both are quiet.
fn settle(client: &mut SyncClient, relay: &mut DocRelay, first: Vec<Vec<u8>>) {
    let mut to_relay = first;
    for _ in 0..20 {
        let mut to_client = Vec::new();
        for data in to_relay.drain(..) {
            relay.receive(1, &data).expect("relay receives");
            if let Some((_, heads)) = relay.unsaved() {
                relay.saved(heads);
            }
            to_client.extend(relay.outgoing().into_iter().map(|(_, f)| f));
        }
        if to_client.is_empty() {
            return;
        }
        for f in to_client {
            let effects = client.receive(&f).expect("client receives");
            to_relay.extend(sync_data(effects));
        }
    }
}

type Cost = (Duration, usize, usize, [Duration; 4]);

/// Per report: the relay's CPU time (in all, and for applying the message, making the chunk,
/// answering and the indexer's read), and the bytes it stores, over `rounds` reports.
fn measure(existing: usize, rounds: usize) -> Cost {
    let doc = rider_doc::new_doc("1", None).expect("doc");
    let mut relay = DocRelay::new("d", "relay", doc.fork());
    relay.join(1, "u1.phone", Access::ReadWrite);
    let mut phone = SyncClient::new("u1.phone");
    phone.add_doc("d", doc, None);
    let mut frames = phone.connected();
    frames.extend(
        phone
            .receive(
                &Message::Peer {
                    sender_id: "relay".into(),
                    target_id: "u1.phone".into(),
                    selected_protocol_version: "1".into(),
                    storage_id: None,
                }
                .encode(),
            )
            .expect("peer"),
    );
    settle(&mut phone, &mut relay, sync_data(frames));
    if existing > 0 {
        let (_, effects) = phone
            .change("d", |d| {
                for i in 0..existing {
                    rider_doc::put_report(d, &report(i))?;
                }
                Ok(())
            })
            .expect("bulk");
        settle(&mut phone, &mut relay, sync_data(effects));
    }
    let mut read_at = relay.doc().get_heads();
    let mut spent = Duration::ZERO;
    let mut stored = 0;
    let mut parts = [Duration::ZERO; 4];
    for i in 0..rounds {
        let (_, effects) = phone
            .change("d", |d| rider_doc::put_report(d, &report(existing + i)))
            .expect("report");
        let data = sync_data(effects);
        let t0 = Instant::now();
        let mut answers = 0;
        for d in &data {
            relay.receive(1, d).expect("receive");
            parts[0] += t0.elapsed();
            let t1 = Instant::now();
            if let Some((chunk, heads)) = relay.unsaved() {
                stored += chunk.len();
                relay.saved(heads);
            }
            parts[1] += t1.elapsed();
            let t2 = Instant::now();
            answers += relay.outgoing().len();
            parts[2] += t2.elapsed();
        }
        let t3 = Instant::now();
        let fresh = rider_doc::reports_since(relay.doc(), &read_at).expect("read");
        parts[3] += t3.elapsed();
        read_at = relay.doc().get_heads();
        spent += t0.elapsed();
        assert_eq!(fresh.len(), 1, "the indexer reads exactly the new report");
        assert!(answers > 0, "the relay answers");
        // The phone hears the answer, as it would, outside the measured time.
        settle(&mut phone, &mut relay, Vec::new());
    }
    let size = relay.doc().save().len();
    let parts = parts.map(|p| p / rounds as u32);
    (spent / rounds as u32, stored / rounds, size, parts)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let get = |name: &str, default: usize| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let existing = get("--reports", 5000);
    let rounds = get("--rounds", 200);
    let empty = measure(0, rounds);
    let full = measure(existing, rounds);
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    println!(
        "| document | saved size | relay CPU per added report: all (apply / chunk / answer / index read) | stored bytes per added report |"
    );
    println!("|---|---|---|---|");
    for (name, (t, b, size, p)) in [
        ("empty".to_owned(), empty),
        (format!("{existing} reports"), full),
    ] {
        println!(
            "| {name} | {size} B | {:.0} µs ({:.0} / {:.0} / {:.0} / {:.0}) | {b} B |",
            us(t),
            us(p[0]),
            us(p[1]),
            us(p[2]),
            us(p[3])
        );
    }
    println!(
        "ratio: {:.2}× CPU, {:.2}× bytes",
        full.0.as_secs_f64() / empty.0.as_secs_f64().max(1e-9),
        full.1 as f64 / empty.1.max(1) as f64
    );
}
