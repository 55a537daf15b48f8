//! Per-leaf histograms: for every feature and bin, the fixed-point sums of gradients and
//! hessians and the row count, as `i32` (see [`mod@super::quantise`] for why they cannot overflow).

use super::binning::BIN_STRIDE;

/// Channels per bin: quantised gradient sum, quantised hessian sum, row count.
pub const CHANNELS: usize = 3;

/// The histogram of one leaf: `features × BIN_STRIDE × CHANNELS` integers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Histogram {
    features: usize,
    data: Vec<i32>,
}

/// The totals of one bin or bin range, in fixed point.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BinSums {
    /// Quantised gradient sum.
    pub grad: i64,
    /// Quantised hessian sum.
    pub hess: i64,
    /// Row count.
    pub count: i64,
}

impl std::ops::Add for BinSums {
    type Output = BinSums;

    fn add(self, o: BinSums) -> BinSums {
        BinSums {
            grad: self.grad + o.grad,
            hess: self.hess + o.hess,
            count: self.count + o.count,
        }
    }
}

impl std::ops::Sub for BinSums {
    type Output = BinSums;

    fn sub(self, o: BinSums) -> BinSums {
        BinSums {
            grad: self.grad - o.grad,
            hess: self.hess - o.hess,
            count: self.count - o.count,
        }
    }
}

impl Histogram {
    /// An all-zero histogram.
    pub fn zeros(features: usize) -> Histogram {
        Histogram {
            features,
            data: vec![0; features * BIN_STRIDE * CHANNELS],
        }
    }

    /// Wraps raw data (`features × BIN_STRIDE × CHANNELS`; longer input, e.g. a GPU buffer
    /// padded to whole words, is truncated). `None` when it is too short.
    pub fn from_raw(features: usize, mut data: Vec<i32>) -> Option<Histogram> {
        let len = features * BIN_STRIDE * CHANNELS;
        if data.len() < len {
            return None;
        }
        data.truncate(len);
        Some(Histogram { features, data })
    }

    /// Number of features.
    pub fn features(&self) -> usize {
        self.features
    }

    /// The raw integers.
    pub fn data(&self) -> &[i32] {
        &self.data
    }

    /// Mutable raw integers (for the CPU builder).
    pub fn data_mut(&mut self) -> &mut [i32] {
        &mut self.data
    }

    /// The sums of bin `bin` of `feature`.
    pub fn bin(&self, feature: usize, bin: usize) -> BinSums {
        let i = (feature * BIN_STRIDE + bin) * CHANNELS;
        BinSums {
            grad: i64::from(self.data[i]),
            hess: i64::from(self.data[i + 1]),
            count: i64::from(self.data[i + 2]),
        }
    }

    /// The leaf's totals, from the bins of feature 0 (every row lies in one bin of each).
    pub fn totals(&self) -> BinSums {
        (0..BIN_STRIDE).fold(BinSums::default(), |acc, b| acc + self.bin(0, b))
    }

    /// `self - child`: the sibling's histogram from the parent's (exact in integers).
    pub fn subtract(&self, child: &Histogram) -> Histogram {
        Histogram {
            features: self.features,
            data: self
                .data
                .iter()
                .zip(&child.data)
                .map(|(p, c)| p.wrapping_sub(*c))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subtraction_and_totals() {
        let mut parent = Histogram::zeros(2);
        let mut child = Histogram::zeros(2);
        for (i, v) in parent.data_mut().iter_mut().enumerate() {
            *v = (i % 7) as i32;
        }
        child.data_mut()[3] = 2;
        let sibling = parent.subtract(&child);
        assert_eq!(sibling.bin(0, 1).grad, parent.bin(0, 1).grad - 2);
        assert_eq!(
            sibling.totals() + child.totals(),
            parent.totals(),
            "sibling + child = parent"
        );
        assert!(Histogram::from_raw(2, vec![0; 10]).is_none());
    }
}
