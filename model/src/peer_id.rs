//! Peer ids: `u<user id>.<device>`, where the device part is 1–64 letters, digits, `-` or `_`.
//! One rule, read here, for the app that makes them, the routes that bind a connection to one,
//! and the relay's share table that decides by the user in it.

use std::fmt;

/// A well-formed peer id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PeerId {
    text: String,
    user_id: i64,
}

/// Letters and digits, for the device part of the ids [`PeerId::new`] makes.
const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

impl PeerId {
    /// Reads a peer id; `None` unless it is `u<digits>.<1–64 letters, digits, - or _>`.
    pub fn parse(s: &str) -> Option<PeerId> {
        let (user, device) = s.strip_prefix('u')?.split_once('.')?;
        if user.is_empty()
            || !user.bytes().all(|b| b.is_ascii_digit())
            || !(1..=64).contains(&device.len())
            || !device
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return None;
        }
        Some(PeerId {
            text: s.to_owned(),
            user_id: user.parse().ok()?,
        })
    }

    /// A new peer id of `user_id`, its device part 12 letters and digits taken from `random`
    /// (12 bytes or more).
    pub fn new(user_id: i64, random: &[u8]) -> PeerId {
        let device: String = random
            .iter()
            .take(12)
            .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
            .collect();
        PeerId {
            text: format!("{}{device}", Self::prefix(user_id)),
            user_id,
        }
    }

    /// `u<id>.`: how every peer id of a user starts.
    pub fn prefix(user_id: i64) -> String {
        format!("u{user_id}.")
    }

    /// The user whose device this is.
    pub fn user_id(&self) -> i64 {
        self.user_id
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for PeerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_one_rule() {
        let p = PeerId::parse("u12.phone-1_A").unwrap();
        assert_eq!((p.user_id(), p.as_str()), (12, "u12.phone-1_A"));
        for bad in [
            "u12", "u12.", "u.x", "ux.y", "u1x.abc", "12.abc", "u1.a b", "u1.a.b", "relay-x",
        ] {
            assert_eq!(PeerId::parse(bad), None, "{bad}");
        }
        assert!(PeerId::parse(&format!("u1.{}", "a".repeat(64))).is_some());
        assert!(PeerId::parse(&format!("u1.{}", "a".repeat(65))).is_none());
        let made = PeerId::new(7, &[0, 61, 62, 255, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        assert_eq!(made.as_str(), "u7.A9AHBCDEFGHI");
        assert_eq!(PeerId::parse(made.as_str()), Some(made));
    }
}
