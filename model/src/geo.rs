//! Distances on the earth, for the 200 m of a duplicate and the stations' circles.

/// The mean earth radius, in metres.
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// The length of one degree of latitude (and of longitude at the equator), in metres.
pub const METRES_PER_DEGREE: f64 = EARTH_RADIUS_M * std::f64::consts::PI / 180.0;

/// The nearest and farthest a "distance from a station" filter may reach, in metres.
pub const NEAR_RANGE_M: std::ops::RangeInclusive<f64> = 1.0..=50_000.0;

/// A rider's speed in town, for "minutes away": 15 km/h, in metres a minute.
pub const RIDING_M_PER_MIN: f64 = 15_000.0 / 60.0;

/// The service circle: a station this many riding minutes away is within reach.
pub const CIRCLE_MINUTES: u32 = 15;

/// Whole riding minutes to cover `distance_m` (rounded up; at least 1).
pub fn riding_minutes(distance_m: f64) -> u32 {
    (distance_m.max(0.0) / RIDING_M_PER_MIN).ceil().max(1.0) as u32
}

/// The `items` with a position, nearest to `from` first: (distance in metres, item). Equal
/// distances keep their order.
pub fn nearest_first<T>(
    from: (f64, f64),
    items: impl IntoIterator<Item = T>,
    at: impl Fn(&T) -> (f64, f64),
) -> Vec<(f64, T)> {
    let mut out: Vec<(f64, T)> = items
        .into_iter()
        .map(|item| (distance_m(from, at(&item)), item))
        .collect();
    out.sort_by(|a, b| a.0.total_cmp(&b.0));
    out
}

/// The great-circle distance between two WGS-84 points, in metres (haversine).
pub fn distance_m((lat1, lon1): (f64, f64), (lat2, lon2): (f64, f64)) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = (lat2 - lat1).to_radians();
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * a.sqrt().min(1.0).asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn riding_minutes_round_up_at_15_kmh() {
        assert_eq!(riding_minutes(0.0), 1);
        assert_eq!(riding_minutes(250.0), 1);
        assert_eq!(riding_minutes(251.0), 2);
        // 3.75 km is the edge of the 15-minute circle.
        assert_eq!(riding_minutes(3_750.0), CIRCLE_MINUTES);
        assert_eq!(riding_minutes(3_751.0), CIRCLE_MINUTES + 1);
    }

    #[test]
    fn nearest_first_sorts_by_distance() {
        let here = (28.84, 108.77);
        let places = [
            ("far", 28.86, 108.77),
            ("near", 28.841, 108.77),
            ("mid", 28.85, 108.77),
        ];
        let sorted = nearest_first(here, places, |p| (p.1, p.2));
        let names: Vec<&str> = sorted.iter().map(|(_, p)| p.0).collect();
        assert_eq!(names, ["near", "mid", "far"]);
        assert!(sorted.windows(2).all(|w| w[0].0 <= w[1].0));
    }

    #[test]
    fn known_distances() {
        assert_eq!(distance_m((28.84, 108.77), (28.84, 108.77)), 0.0);
        // One thousandth of a degree of latitude is about 111 m anywhere.
        let d = distance_m((28.84, 108.77), (28.841, 108.77));
        assert!((d - 111.2).abs() < 0.5, "{d}");
        // 酉阳 to 汉阴: about 460 km.
        let d = distance_m((28.84, 108.77), (32.89, 108.51));
        assert!((449_000.0..452_000.0).contains(&d), "{d}");
    }
}
