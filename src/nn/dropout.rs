//! Dropout layers and their sites: each layer gets its own site from the [`ParamBuilder`] at
//! build time, so no two layers of a model draw the same masks.

use super::dropout_site::DropoutSite;
use super::network::{Forward, Mode};
use super::params::ParamBuilder;
use crate::Result;
use crate::autograd::Var;

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
