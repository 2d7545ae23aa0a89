//! Bench (run by `bash .ci/bench`, ignored by the tests): a province's stations on the phone.
//! 12,000 made-up stations spread over Zhejiang's towns (as many as the province has): the
//! stations document's size on the wire and saved, the time to open it on the phone (load and
//! read, as the engine does, and the list's grid), and the nearest-stations query with filters
//! on, as the 驿站 tab runs it, in Chromium.

use app::pages::station::{Filters, nearest_list};
use automerge::{Automerge, sync::SyncDoc};
use model::{geo::Grid, stations_doc::Station};
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// A made-up province: `n` stations in 600 towns between 27.0–31.2 N and 118.0–122.9 E.
fn province(n: usize) -> Vec<(String, Station)> {
    let mut seed = 0x5eed_u64;
    let mut next = move || {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    let towns: Vec<(f64, f64)> = (0..600)
        .map(|_| (27.0 + next() * 4.2, 118.0 + next() * 4.9))
        .collect();
    let facilities = model::api::FACILITIES;
    let weeks = ["24h", "07:00-22:00", "08:30-17:30", "20:00-06:00"];
    (0..n)
        .map(|i| {
            let (lat, lon) = towns[i % towns.len()];
            let have: Vec<String> = facilities
                .iter()
                .enumerate()
                .filter(|(j, _)| next() < if *j < 2 { 0.9 } else { 0.35 })
                .map(|(_, f)| (*f).to_owned())
                .collect();
            let station = Station {
                name: format!("暖新驿站（第 {i} 号）"),
                address: format!("某某路 {} 号", i % 500),
                lat: lat + (next() - 0.5) * 0.06,
                lon: lon + (next() - 0.5) * 0.06,
                hours: String::new(),
                week: vec![weeks[i % weeks.len()].to_owned(); 7],
                facilities: have,
                kind: "nuanxin".into(),
                host: "community".into(),
                phone: format!("0571-8800-{:04}", i % 10_000),
                status: String::new(),
                updated: None,
            };
            (format!("zj-{i:05}"), station)
        })
        .collect()
}

fn now() -> f64 {
    web_sys::window()
        .expect("window")
        .performance()
        .expect("performance")
        .now()
}

/// Lets the browser answer the test driver between the long steps.
async fn breathe() {
    gloo_timers::future::TimeoutFuture::new(0).await;
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

#[wasm_bindgen_test]
#[ignore = "a bench: bash .ci/bench runs it"]
async fn a_province_of_stations_on_the_phone() {
    let t0 = now();
    let stations = province(12_000);
    let mut doc = model::stations_doc::new_doc("zhejiang", &stations).expect("doc");
    let saved = doc.save();
    console_log!(
        "made the document (as the server does) in {:.0} ms",
        now() - t0
    );
    breathe().await;

    // The wire: a phone that has nothing syncs the whole document from the relay.
    let mut phone = Automerge::new();
    let (mut at_relay, mut at_phone) =
        (automerge::sync::State::new(), automerge::sync::State::new());
    let mut wire = 0usize;
    let mut receiving = 0.0;
    for _ in 0..20 {
        let mut quiet = true;
        if let Some(m) = doc.generate_sync_message(&mut at_relay) {
            let bytes = m.encode();
            wire += bytes.len();
            let t0 = now();
            let m = automerge::sync::Message::decode(&bytes).expect("decode");
            phone
                .receive_sync_message(&mut at_phone, m)
                .expect("receive");
            receiving += now() - t0;
            quiet = false;
        }
        if let Some(m) = phone.generate_sync_message(&mut at_phone) {
            let bytes = m.encode();
            wire += bytes.len();
            let m = automerge::sync::Message::decode(&bytes).expect("decode");
            doc.receive_sync_message(&mut at_relay, m).expect("receive");
            quiet = false;
        }
        if quiet {
            break;
        }
        breathe().await;
    }
    assert_eq!(phone.get_heads(), doc.get_heads());

    // Opening it on the phone: load the saved bytes, read the stations, make the grid.
    let mut opens = Vec::new();
    let mut read = Vec::new();
    for _ in 0..5 {
        let t0 = now();
        let loaded = Automerge::load(&saved).expect("load");
        let all = model::stations_doc::stations(&loaded).expect("stations");
        let grid = Grid::new(all.iter().map(|(_, s)| (s.lat, s.lon)));
        opens.push(now() - t0);
        assert_eq!((all.len(), grid.len()), (12_000, 12_000));
        read = all;
        breathe().await;
    }
    opens.sort_by(f64::total_cmp);
    let grid = Grid::new(read.iter().map(|(_, s)| (s.lat, s.lon)));

    // The query, as the 驿站 tab runs it: the nearest 30 with water and charging, open now.
    let wanted = ["water", "charging"];
    let filters = Filters {
        wanted: &wanted,
        open_only: true,
        now: (2, 13 * 60),
    };
    let mut seed = 42u64;
    let mut times = Vec::new();
    for _ in 0..300 {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        let a = (seed >> 11) as f64 / (1u64 << 53) as f64;
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        let b = (seed >> 11) as f64 / (1u64 << 53) as f64;
        let from = (27.0 + a * 4.2, 118.0 + b * 4.9);
        let t0 = now();
        let (rows, _) = nearest_list(&grid, &read, Some(from), &filters, 30);
        times.push(now() - t0);
        assert_eq!(rows.len(), 30);
        breathe().await;
    }
    times.sort_by(f64::total_cmp);
    console_log!("stations: 12000");
    console_log!(
        "stations doc saved: {} B; on the wire to an empty phone: {} B",
        saved.len(),
        wire
    );
    console_log!(
        "first sync on the phone (decode and apply the relay's messages): {receiving:.0} ms"
    );
    console_log!(
        "open (load, read, grid): median {:.1} ms, max {:.1} ms",
        percentile(&opens, 0.5),
        opens[opens.len() - 1]
    );
    console_log!(
        "nearest 30 (water, charging, open now) over 300 places: p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms",
        percentile(&times, 0.5),
        percentile(&times, 0.95),
        times[times.len() - 1]
    );
    assert!(percentile(&times, 0.95) <= 20.0, "p95 over 20 ms");
}
