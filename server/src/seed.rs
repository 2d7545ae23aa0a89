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

/// The demo stations of a county, as (id, station): 60 for 酉阳 (three named ones by the bus
/// station, and more around the county town and in its towns) and 24 for 汉阴; none elsewhere.
/// Made up: no name, place or number is a real station's.
pub fn demo_stations(county: &str) -> Vec<(String, Station)> {
    match county {
        "youyang" => {
            let mut all = youyang_named();
            all.extend(made_up(
                &YOUYANG_PLACES,
                "yy",
                (28.8410, 108.7690),
                "023-7555-",
                57,
            ));
            all
        }
        "hanyin" => made_up(&HANYIN_PLACES, "hy", (32.8930, 108.5090), "0915-521-", 24),
        _ => Vec::new(),
    }
}

/// Street and landmark names for made-up stations, with the towns (and their centres) some of
/// them stand in.
struct Places {
    streets: &'static [&'static str],
    landmarks: &'static [&'static str],
    towns: &'static [(&'static str, f64, f64)],
}

const YOUYANG_PLACES: Places = Places {
    streets: &[
        "桃花源大道",
        "民族路",
        "钟多大道",
        "酉州大道",
        "人民路",
        "城南路",
        "渝怀路",
        "金银山路",
        "二酉路",
        "龙潭路",
        "板溪路",
        "小坝路",
    ],
    landmarks: &[
        "农贸市场",
        "中医院",
        "实验中学",
        "客运中心",
        "万达广场",
        "邮政支行",
        "农商银行",
        "加油站",
        "社区服务中心",
        "工会大楼",
        "物流园",
        "体育馆",
        "菜市场",
        "商业街",
        "新区公园",
    ],
    towns: &[
        ("龙潭镇", 28.9610, 108.9760),
        ("麻旺镇", 28.8880, 108.9080),
        ("酉酬镇", 29.0290, 108.6500),
        ("大溪镇", 28.8780, 108.5500),
    ],
};

const HANYIN_PLACES: Places = Places {
    streets: &[
        "月河大道",
        "三沈路",
        "文化路",
        "凤台路",
        "北城街",
        "南大街",
        "汉江路",
        "新民路",
    ],
    landmarks: &[
        "汽车站",
        "人民医院",
        "中学",
        "邮政所",
        "信用社",
        "加油站",
        "便民超市",
        "社区中心",
        "菜市场",
        "物流站",
    ],
    towns: &[("涧池镇", 32.8620, 108.4470)],
};

/// `n` made-up stations: three in four on a ring 2.4–6 km around `centre` (so that the named
/// ones by the bus station stay the nearest to it), the rest in the towns. The same every time.
fn made_up(
    places: &Places,
    prefix: &str,
    centre: (f64, f64),
    phone: &str,
    n: usize,
) -> Vec<(String, Station)> {
    // The names of `model::api::STATION_KINDS`, in its order.
    const KIND_NAMES: [&str; 4] = ["爱心驿站", "暖新驿站", "小哥驿站", "星空补给站"];
    const KINDS: [&str; 4] = model::api::STATION_KINDS;
    const HOSTS: [&str; 6] = model::api::STATION_HOSTS;
    // Weekly hours, Monday first, with the words the county uses for them.
    const WEEKS: [(&str, [&str; 7]); 5] = [
        ("24 小时", ["24h"; 7]),
        ("07:00–22:00", ["07:00-22:00"; 7]),
        (
            "周一至周五 08:30–17:30",
            [
                "08:30-17:30",
                "08:30-17:30",
                "08:30-17:30",
                "08:30-17:30",
                "08:30-17:30",
                "",
                "",
            ],
        ),
        ("09:00–21:00", ["09:00-21:00"; 7]),
        ("20:00–次日 06:00", ["20:00-06:00"; 7]),
    ];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15 ^ prefix.len() as u64;
    let mut next = move || {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    let facilities = model::api::FACILITIES;
    (0..n)
        .map(|i| {
            let (kind, kind_name) = (KINDS[i % KINDS.len()], KIND_NAMES[i % KINDS.len()]);
            let host = HOSTS[(i / 2) % HOSTS.len()];
            let in_town = i % 4 == 3 && !places.towns.is_empty();
            let (lat, lon, area) = if in_town {
                let (town, lat, lon) = places.towns[(i / 4) % places.towns.len()];
                let (dlat, dlon) = ((next() - 0.5) * 0.02, (next() - 0.5) * 0.02);
                (lat + dlat, lon + dlon, town)
            } else {
                let angle = next() * std::f64::consts::TAU;
                let metres = 2_400.0 + next() * 3_600.0;
                let dlat = metres * angle.cos() / model::geo::METRES_PER_DEGREE;
                let dlon = metres * angle.sin()
                    / (model::geo::METRES_PER_DEGREE * centre.0.to_radians().cos());
                (centre.0 + dlat, centre.1 + dlon, "")
            };
            let street = places.streets[i % places.streets.len()];
            let landmark = places.landmarks[(i * 7 + 3) % places.landmarks.len()];
            let (hours, week) = WEEKS[(i * 3 + 1) % WEEKS.len()];
            // Water and charging nearly everywhere; the rest by chance.
            let mut have: Vec<String> = Vec::new();
            for (j, f) in facilities.iter().enumerate() {
                let odds = if j < 2 { 0.9 } else { 0.35 };
                if next() < odds {
                    have.push((*f).to_owned());
                }
            }
            // Kind, street and landmark cycle at different lengths: no two names alike.
            let name = format!("{kind_name}（{area}{street}{landmark}）");
            let address = format!("{area}{street}{}号{landmark}旁", 10 + (i * 37) % 290);
            let station = Station {
                name,
                address,
                lat: (lat * 10_000.0).round() / 10_000.0,
                lon: (lon * 10_000.0).round() / 10_000.0,
                hours: hours.to_owned(),
                week: week.iter().map(|d| (*d).to_owned()).collect(),
                facilities: have,
                kind: kind.to_owned(),
                host: host.to_owned(),
                phone: format!("{phone}{:04}", 1_000 + i),
                status: String::new(),
                updated: None,
            };
            (format!("{prefix}-{:03}", i + 1), station)
        })
        .collect()
}

/// The three named demo stations of 酉阳, by the bus station.
fn youyang_named() -> Vec<(String, Station)> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_stations_are_many_distinct_and_inside_their_county() {
        for (county, n) in [("youyang", 60), ("hanyin", 24)] {
            let stations = demo_stations(county);
            assert_eq!(stations.len(), n, "{county}");
            let (_, b) = known_county(county).unwrap();
            let names: std::collections::BTreeSet<&str> =
                stations.iter().map(|(_, s)| s.name.as_str()).collect();
            let ids: std::collections::BTreeSet<&str> =
                stations.iter().map(|(id, _)| id.as_str()).collect();
            assert_eq!((names.len(), ids.len()), (n, n), "{county}");
            for (id, s) in &stations {
                let form = s.form();
                assert!(
                    form.checked(Some(&b)).is_ok(),
                    "{county} {id} does not hold: {s:?}"
                );
            }
        }
        // The named three stay the nearest to the bus station.
        let bus = (28.8367, 108.7644);
        let all = demo_stations("youyang");
        let near = model::geo::nearest_first(bus, all, |(_, s)| (s.lat, s.lon));
        let first: Vec<&str> = near
            .iter()
            .take(3)
            .map(|(_, (id, _))| id.as_str())
            .collect();
        assert_eq!(first, ["yy-bus", "yy-taohuayuan", "yy-night"]);
        assert!(near[3].0 > 1_700.0, "{}", near[3].0);
    }
}
