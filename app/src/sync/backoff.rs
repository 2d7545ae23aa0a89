//! The reconnect delay: capped exponential backoff.

/// First delay after a failure.
pub const MIN_MS: u32 = 1_000;
/// Longest delay: a rider back in coverage waits at most this long.
pub const MAX_MS: u32 = 30_000;

/// Delays of 1 s, 2 s, 4 s … up to 30 s; reset once a connection succeeds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backoff {
    next_ms: u32,
}

impl Backoff {
    pub fn new() -> Self {
        Self { next_ms: MIN_MS }
    }

    /// The delay before the next attempt; each call doubles the one after, up to the cap.
    pub fn next_delay(&mut self) -> u32 {
        let d = self.next_ms;
        self.next_ms = d.saturating_mul(2).min(MAX_MS);
        d
    }

    /// Back to the shortest delay.
    pub fn reset(&mut self) {
        self.next_ms = MIN_MS;
    }
}

impl Default for Backoff {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn doubles_up_to_the_cap_and_resets() {
        let mut b = Backoff::new();
        let delays: Vec<u32> = (0..7).map(|_| b.next_delay()).collect();
        assert_eq!(delays, [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
        b.reset();
        assert_eq!(b.next_delay(), 1_000);
    }
}
