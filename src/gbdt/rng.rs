//! The seeded, counter-based random numbers of feature and row sampling.
//!
//! Every draw is a pure function of (seed, stream, counter) (SplitMix64 finaliser), so the CPU
//! and GPU trainers, which both sample on the host, draw exactly the same features and rows.

/// A SplitMix64 hash of `(seed, stream, counter)` as a uniform `u64`.
pub fn hash3(seed: u64, stream: u64, counter: u64) -> u64 {
    let mut z = seed
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(stream.wrapping_mul(0xD1B5_4A32_D192_ED03))
        .wrapping_add(counter.wrapping_mul(0x8CB9_2BA7_2F3D_8DD7))
        .wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A uniform `f64` in `[0, 1)` from [`hash3`] (53 random bits).
pub fn uniform(seed: u64, stream: u64, counter: u64) -> f64 {
    (hash3(seed, stream, counter) >> 11) as f64 / (1u64 << 53) as f64
}

/// `k` distinct indices out of `0..n`, sorted, drawn by a partial Fisher–Yates shuffle.
pub fn choose_subset(n: usize, k: usize, seed: u64, stream: u64) -> Vec<usize> {
    let k = k.min(n);
    let mut all: Vec<usize> = (0..n).collect();
    for i in 0..k {
        let j = i + (hash3(seed, stream, i as u64) % (n - i) as u64) as usize;
        all.swap(i, j);
    }
    let mut chosen = all[..k].to_vec();
    chosen.sort_unstable();
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_are_reproducible_uniform_and_distinct() {
        assert_eq!(hash3(1, 2, 3), hash3(1, 2, 3));
        assert_ne!(hash3(1, 2, 3), hash3(1, 2, 4));
        assert_ne!(hash3(1, 2, 3), hash3(2, 2, 3));
        let mean = (0..10_000).map(|i| uniform(7, 0, i)).sum::<f64>() / 10_000.0;
        assert!((mean - 0.5).abs() < 0.02, "mean {mean}");
        let s = choose_subset(10, 4, 3, 1);
        assert_eq!(s.len(), 4);
        assert!(s.windows(2).all(|w| w[0] < w[1]) && s[3] < 10);
        assert_eq!(s, choose_subset(10, 4, 3, 1));
        assert_eq!(choose_subset(3, 9, 0, 0), vec![0, 1, 2]);
    }
}
