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

/// The riding speeds a rider may pick for "minutes away", in km/h (15 is the default).
pub const RIDING_SPEEDS_KMH: [u32; 4] = [10, 15, 20, 25];

/// Whole riding minutes to cover `distance_m` at 15 km/h (rounded up; at least 1).
pub fn riding_minutes(distance_m: f64) -> u32 {
    riding_minutes_at(distance_m, 15)
}

/// Whole riding minutes to cover `distance_m` at `kmh` (rounded up; at least 1).
pub fn riding_minutes_at(distance_m: f64, kmh: u32) -> u32 {
    let per_min = f64::from(kmh.max(1)) * 1000.0 / 60.0;
    (distance_m.max(0.0) / per_min).ceil().max(1.0) as u32
}

/// The radius of the service circle at `kmh`, in metres: 15 riding minutes.
pub fn circle_m(kmh: u32) -> f64 {
    f64::from(kmh.max(1)) * 1000.0 / 60.0 * f64::from(CIRCLE_MINUTES)
}

/// A grid over points (stations), for the nearest of many without measuring to each: the
/// points are kept in cells of [`Grid::CELL_DEG`] degrees, and a query looks at the cells in
/// rings around its own until no nearer point can be outside them. The phone's station list and
/// the server's coverage view both ask it.
#[derive(Debug, Clone, Default)]
pub struct Grid {
    points: Vec<(f64, f64)>,
    cells: std::collections::HashMap<(i32, i32), Vec<u32>>,
    /// The smallest and largest cell indices holding a point: (row, column) each.
    min: (i32, i32),
    max: (i32, i32),
}

impl Grid {
    /// A cell's side in degrees: about 2.2 km of latitude.
    pub const CELL_DEG: f64 = 0.02;

    /// A grid over `points` (latitude, longitude); the index of each is its place in the list.
    /// Points whose coordinates are not finite are never found.
    pub fn new(points: impl IntoIterator<Item = (f64, f64)>) -> Grid {
        let mut grid = Grid {
            min: (i32::MAX, i32::MAX),
            max: (i32::MIN, i32::MIN),
            ..Grid::default()
        };
        for (i, at) in points.into_iter().enumerate() {
            grid.points.push(at);
            if !(at.0.is_finite() && at.1.is_finite()) {
                continue;
            }
            let cell = Self::cell(at);
            grid.min = (grid.min.0.min(cell.0), grid.min.1.min(cell.1));
            grid.max = (grid.max.0.max(cell.0), grid.max.1.max(cell.1));
            grid.cells.entry(cell).or_default().push(i as u32);
        }
        grid
    }

    fn cell((lat, lon): (f64, f64)) -> (i32, i32) {
        (
            (lat / Self::CELL_DEG).floor() as i32,
            (lon / Self::CELL_DEG).floor() as i32,
        )
    }

    /// How many points it holds.
    pub fn len(&self) -> usize {
        self.points.len()
    }

    /// Whether it holds no point.
    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// The `k` nearest points to `from` that `keep` accepts (by index), nearest first, as
    /// (distance in metres, index); equal distances by index. Exactly what measuring every
    /// point and sorting would give.
    pub fn nearest(
        &self,
        from: (f64, f64),
        k: usize,
        keep: impl Fn(usize) -> bool,
    ) -> Vec<(f64, usize)> {
        let mut found: Vec<(f64, usize)> = Vec::new();
        if k == 0 || self.cells.is_empty() || !(from.0.is_finite() && from.1.is_finite()) {
            return found;
        }
        let centre = Self::cell(from);
        // The rings needed to cover every cell that holds a point.
        let last = [
            centre.0 - self.min.0,
            self.max.0 - centre.0,
            centre.1 - self.min.1,
            self.max.1 - centre.1,
        ]
        .into_iter()
        .max()
        .unwrap_or(0)
        .max(0);
        let mut visited = 0usize;
        for ring in 0..=last {
            // Past as many cells as there are points, measuring every point is cheaper.
            if visited > self.cells.len() {
                return self.scan(from, k, keep);
            }
            for cell in ring_cells(centre, ring) {
                visited += 1;
                let Some(ids) = self.cells.get(&cell) else {
                    continue;
                };
                for &i in ids {
                    let i = i as usize;
                    if keep(i) {
                        found.push((distance_m(from, self.points[i]), i));
                    }
                }
            }
            // Every point outside the rings so far is at least `ring` whole cells away.
            if found.len() >= k {
                found.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                found.truncate(k);
                if found[k - 1].0 <= self.ring_reach(from, ring) {
                    return found;
                }
            }
        }
        found.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        found.truncate(k);
        found
    }

    /// The nearest point that `keep` accepts within `radius_m` of `from`, if any.
    pub fn nearest_within(
        &self,
        from: (f64, f64),
        radius_m: f64,
        keep: impl Fn(usize) -> bool,
    ) -> Option<(f64, usize)> {
        self.nearest(from, 1, keep)
            .into_iter()
            .next()
            .filter(|(d, _)| *d <= radius_m)
    }

    /// The shortest distance from `from` to any point outside the square of rings 0..=`ring`
    /// around its cell, a little short of it to stay on the safe side of rounding.
    fn ring_reach(&self, from: (f64, f64), ring: i32) -> f64 {
        let cells = f64::from(ring) * Self::CELL_DEG;
        // A degree of longitude is shortest at the latitude farthest from the equator.
        let far_lat = (from.0.abs() + cells + Self::CELL_DEG).min(89.9);
        let lon_m = cells * METRES_PER_DEGREE * far_lat.to_radians().cos();
        (cells * METRES_PER_DEGREE).min(lon_m) * 0.995
    }

    fn scan(&self, from: (f64, f64), k: usize, keep: impl Fn(usize) -> bool) -> Vec<(f64, usize)> {
        let mut all: Vec<(f64, usize)> = self
            .points
            .iter()
            .enumerate()
            .filter(|(i, at)| at.0.is_finite() && at.1.is_finite() && keep(*i))
            .map(|(i, at)| (distance_m(from, *at), i))
            .collect();
        all.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        all.truncate(k);
        all
    }
}

/// The cells of ring `ring` (Chebyshev distance) around `centre`.
fn ring_cells(centre: (i32, i32), ring: i32) -> impl Iterator<Item = (i32, i32)> {
    let (r0, c0) = centre;
    (-ring..=ring).flat_map(move |dr| {
        let edge = dr.abs() == ring;
        let cols: Box<dyn Iterator<Item = i32>> = if edge {
            Box::new(-ring..=ring)
        } else {
            Box::new([-ring, ring].into_iter())
        };
        cols.map(move |dc| (r0 + dr, c0 + dc))
    })
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
    fn speed_changes_minutes_and_circle() {
        assert_eq!(riding_minutes_at(3_750.0, 15), 15);
        assert_eq!(riding_minutes_at(3_750.0, 25), 9);
        assert_eq!(circle_m(15), 3_750.0);
        assert_eq!(circle_m(20), 5_000.0);
    }

    #[test]
    fn ring_cells_are_each_cell_once() {
        for ring in 0..4 {
            let cells: Vec<_> = ring_cells((10, -3), ring).collect();
            let set: std::collections::BTreeSet<_> = cells.iter().copied().collect();
            assert_eq!(cells.len(), set.len());
            assert_eq!(cells.len(), if ring == 0 { 1 } else { 8 * ring as usize });
            assert!(
                cells
                    .iter()
                    .all(|(r, c)| (r - 10).abs().max((c + 3).abs()) == ring)
            );
        }
    }

    #[test]
    fn grid_finds_what_measuring_everything_finds() {
        // A made-up county of 3,000 stations, clustered in towns, and queries anywhere around.
        let mut seed = 7u64;
        let mut next = move || {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        let towns: Vec<(f64, f64)> = (0..12)
            .map(|_| (28.3 + next() * 0.9, 108.3 + next() * 1.0))
            .collect();
        let points: Vec<(f64, f64)> = (0..3_000)
            .map(|i| {
                let t = towns[i % towns.len()];
                (t.0 + (next() - 0.5) * 0.1, t.1 + (next() - 0.5) * 0.1)
            })
            .collect();
        let grid = Grid::new(points.iter().copied());
        for q in 0..200 {
            let from = (28.0 + next() * 1.5, 108.0 + next() * 1.6);
            let keep = |i: usize| q % 3 == 0 || i.is_multiple_of(q % 5 + 1);
            let want: Vec<(f64, usize)> = {
                let mut all: Vec<(f64, usize)> = points
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| keep(*i))
                    .map(|(i, p)| (distance_m(from, *p), i))
                    .collect();
                all.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                all.truncate(25);
                all
            };
            assert_eq!(grid.nearest(from, 25, keep), want, "query {q}");
        }
        assert!(grid.nearest_within(towns[0], 10.0, |_| false).is_none());
        assert!(grid.nearest_within(towns[0], 20_000.0, |_| true).is_some());
        assert!(Grid::new([]).nearest((0.0, 0.0), 3, |_| true).is_empty());
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
