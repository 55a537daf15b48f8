//! Dropout layers and their sites: each layer gets its own site from the [`ParamBuilder`] at
//! build time, so no two layers of a model draw the same masks.

use super::{Forward, Mode, ParamBuilder};
use crate::Result;
use crate::autograd::Var;

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
    fn seed(&self, seed: u64) -> u64 {
        seed ^ self.0.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15)
    }
}

/// Inverted dropout at `rate` while training, the identity at inference (Keras `Dropout`).
#[derive(Debug, Clone)]
pub struct Dropout {
    rate: f32,
    site: DropoutSite,
}

impl Dropout {
    /// A layer at `rate` with the builder's next site.
    pub fn new(params: &mut ParamBuilder, rate: f32) -> Dropout {
        Dropout {
            rate,
            site: params.dropout_site(),
        }
    }

    /// The layer's site.
    pub fn site(&self) -> &DropoutSite {
        &self.site
    }

    /// Applies the layer: in training, masks drawn from (run seed, site, step counter).
    pub fn forward(&self, f: &Forward<'_>, x: &Var) -> Result<Var> {
        match f.mode {
            Mode::Train {
                counter,
                slot,
                seed,
            } => f
                .tape
                .dropout(x, self.rate, self.site.seed(seed), counter, slot),
            Mode::Eval => Ok(x.clone()),
        }
    }
}
