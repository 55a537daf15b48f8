//! A dropout layer's site: its identity within its model, from which its masks are seeded.

/// A dropout layer's identity within its model (handed out in build order, 0, 1, 2, …).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DropoutSite(u64);

impl DropoutSite {
    /// The site numbered `index` (only the parameter builder hands sites out).
    pub(super) fn new(index: u64) -> DropoutSite {
        DropoutSite(index)
    }

    /// The site's number.
    pub fn index(&self) -> u64 {
        self.0
    }

    /// The mask seed of this site in a run seeded `seed`.
    pub(super) fn seed(&self, seed: u64) -> u64 {
        seed ^ self.0.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15)
    }
}
