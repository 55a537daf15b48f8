//! Checks that more than one architecture's configuration shares.

use crate::{AtbError, Result};

/// The check shared by the attention architectures: the heads must divide the width the
/// attention block sees.
pub(super) fn check_heads(heads: usize, width: usize) -> Result<()> {
    if !width.is_multiple_of(heads) {
        return Err(AtbError::Config(format!(
            "invalid value for 'num_attention_heads': {heads} does not divide the attention width {width} \
             (each head's output is width / heads wide, so the residual connection adds up)"
        )));
    }
    Ok(())
}
