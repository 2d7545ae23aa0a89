//! Hazard categories, their labels and default awards.

/// What a hazard report is about. The code (`fire_lane`, ...) is what documents store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Category {
    FireLane,
    FoodSafety,
    StreetLight,
    RoadDamage,
    Garbage,
    Other,
}

impl Category {
    /// Every category, in the order the report form shows them.
    pub const ALL: [Category; 6] = [
        Category::FireLane,
        Category::FoodSafety,
        Category::StreetLight,
        Category::RoadDamage,
        Category::Garbage,
        Category::Other,
    ];

    /// The code stored in documents.
    pub fn code(self) -> &'static str {
        match self {
            Category::FireLane => "fire_lane",
            Category::FoodSafety => "food_safety",
            Category::StreetLight => "street_light",
            Category::RoadDamage => "road_damage",
            Category::Garbage => "garbage",
            Category::Other => "other",
        }
    }

    /// Reads a stored code; unknown codes are `None` (and flagged by the indexer).
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == code)
    }

    /// The Chinese label shown to riders and supervisors.
    pub fn label_zh(self) -> &'static str {
        match self {
            Category::FireLane => "消防通道堵塞",
            Category::FoodSafety => "食品安全问题",
            Category::StreetLight => "路灯损坏",
            Category::RoadDamage => "道路破损",
            Category::Garbage => "垃圾堆积",
            Category::Other => "其他隐患",
        }
    }

    /// The English label.
    pub fn label_en(self) -> &'static str {
        match self {
            Category::FireLane => "Blocked fire lane",
            Category::FoodSafety => "Food-safety problem",
            Category::StreetLight => "Broken street light",
            Category::RoadDamage => "Damaged road",
            Category::Garbage => "Piled garbage",
            Category::Other => "Other hazard",
        }
    }

    /// The default award for a first valid report, in points.
    pub fn default_points(self) -> u32 {
        match self {
            Category::FireLane => 20,
            Category::FoodSafety => 15,
            Category::StreetLight | Category::RoadDamage => 10,
            Category::Garbage | Category::Other => 5,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for c in Category::ALL {
            assert_eq!(Category::from_code(c.code()), Some(c));
        }
        assert_eq!(Category::from_code("fire"), None);
    }
}
