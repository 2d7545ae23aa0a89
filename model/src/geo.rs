//! Distances on the earth, for the 200 m of a duplicate and the stations' circles.

/// The mean earth radius, in metres.
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// The length of one degree of latitude (and of longitude at the equator), in metres.
pub const METRES_PER_DEGREE: f64 = EARTH_RADIUS_M * std::f64::consts::PI / 180.0;

/// The nearest and farthest a "distance from a station" filter may reach, in metres.
pub const NEAR_RANGE_M: std::ops::RangeInclusive<f64> = 1.0..=50_000.0;

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
