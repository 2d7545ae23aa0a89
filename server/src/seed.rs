//! Demo accounts for the embedded default, made on first start.

use model::stations_doc::{District, Station};

use crate::{
    accounts::{NewAccount, create_user},
    db::{Bounds, Names, Role},
    state::AppState,
};

/// The demo accounts' password.
pub const DEMO_PASSWORD: &str = "nuanxin-demo";

/// The demo accounts: login, name, role.
pub const DEMO_USERS: [(&str, &str, Role); 4] = [
    ("13800000001", "张师傅", Role::Rider),
    ("13800000002", "李师傅", Role::Rider),
    ("grid-youyang", "王网格员", Role::Supervisor),
    ("station-youyang", "驿站刘姐", Role::Station),
];

/// The names and area of the counties Nuanxin knows, recorded with a county when it is first
/// used.
pub fn known_county(county: &str) -> Option<(Names, Bounds)> {
    let known = |zh: &str, en: &str, south, west, north, east| {
        let names = Names {
            zh: zh.into(),
            en: en.into(),
        };
        Some((
            names,
            Bounds {
                south,
                west,
                north,
                east,
            },
        ))
    };
    match county {
        // 酉阳土家族苗族自治县, Chongqing.
        "youyang" => known("酉阳县", "Youyang County", 28.32, 108.30, 29.25, 109.32),
        // 汉阴县, Ankang, Shaanxi.
        "hanyin" => known("汉阴县", "Hanyin County", 32.70, 108.18, 33.15, 108.75),
        // 青阳县, Chizhou, Anhui.
        "qingyang" => known("青阳县", "Qingyang County", 30.35, 117.65, 30.90, 118.10),
        _ => None,
    }
}

/// The demo stations of a county (only the demo county has any), as (id, station).
pub fn demo_stations(county: &str) -> Vec<(String, Station)> {
    if county != "youyang" {
        return Vec::new();
    }
    // Demo data, made up: the names, places and numbers are no real station's.
    let s = |id: &str, name: &str, address: &str, lat, lon, hours: &str, f: &[&str]| {
        // The weekly hours the words say: every day alike.
        let day = match hours {
            "24 小时" => "24h",
            "07:00–22:00" => "07:00-22:00",
            _ => "20:00-06:00",
        };
        let station = Station {
            name: name.into(),
            address: address.into(),
            lat,
            lon,
            hours: hours.into(),
            week: vec![day.to_owned(); 7],
            facilities: f.iter().map(|x| (*x).to_owned()).collect(),
            ..Station::default()
        };
        (id.to_owned(), station)
    };
    let host = |(id, station): (String, Station), kind: &str, host: &str, phone: &str| {
        let station = Station {
            kind: kind.into(),
            host: host.into(),
            phone: phone.into(),
            ..station
        };
        (id, station)
    };
    vec![
        host(
            s(
                "yy-taohuayuan",
                "酉新驿站（桃花源广场）",
                "桃花源街道桃花源广场东侧",
                28.8412,
                108.7721,
                "24 小时",
                &[
                    "water",
                    "charging",
                    "microwave",
                    "first_aid",
                    "toilet",
                    "battery_swap",
                    "air_conditioning",
                    "heating",
                ],
            ),
            "nuanxin",
            "community",
            "023-7555-0101",
        ),
        host(
            s(
                "yy-bus",
                "小哥驿站（汽车站）",
                "钟多街道汽车站旁",
                28.8367,
                108.7644,
                "07:00–22:00",
                &["water", "charging", "toilet"],
            ),
            "xiaoge",
            "post",
            "023-7555-0102",
        ),
        host(
            s(
                "yy-night",
                "星空补给站（城北超市）",
                "城北路超市一楼",
                28.8489,
                108.7689,
                "20:00–次日 06:00",
                &["water", "microwave", "first_aid"],
            ),
            "xingkong",
            "supermarket",
            "023-7555-0103",
        ),
    ]
}

/// The towns and subdistricts of a county the server knows, with approximate centres, for
/// riders whose phone gives no position: (id, district).
pub fn districts(county: &str) -> Vec<(String, District)> {
    let list: &[(&str, &str, f64, f64)] = match county {
        "youyang" => &[
            ("zhongduo", "钟多街道", 28.8390, 108.7660),
            ("taohuayuan", "桃花源街道", 28.8440, 108.7750),
            ("longtan", "龙潭镇", 28.9610, 108.9760),
            ("mawang", "麻旺镇", 28.8880, 108.9080),
            ("youchou", "酉酬镇", 29.0290, 108.6500),
            ("daxi", "大溪镇", 28.8780, 108.5500),
        ],
        "hanyin" => &[
            ("chengguan", "城关镇", 32.8930, 108.5090),
            ("jianchi", "涧池镇", 32.8620, 108.4470),
        ],
        _ => &[],
    };
    list.iter()
        .map(|(id, name, lat, lon)| {
            let district = District {
                name: (*name).to_owned(),
                lat: *lat,
                lon: *lon,
            };
            ((*id).to_owned(), district)
        })
        .collect()
}

/// Creates the demo accounts if the database has no account yet; returns whether it did.
pub async fn seed_demo(state: &AppState) -> anyhow::Result<bool> {
    if state.db.user_count().await? > 0 {
        return Ok(false);
    }
    for (login, name, role) in DEMO_USERS {
        let account = NewAccount {
            login,
            name,
            role,
            county: "youyang",
            password: DEMO_PASSWORD,
        };
        create_user(&state.db, &state.relay, &state.acl, account).await?;
    }
    Ok(true)
}
