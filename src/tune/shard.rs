//! `--shard K/N`: the K-th of N disjoint slices of a grid, so that N machines (a Slurm job
//! array, a Kubernetes Indexed Job) each score a part and `tune merge` joins them.
//!
//! Configuration `i` (1-based, grid order) belongs to shard `(i − 1) mod N + 1`: round robin,
//! so neighbouring configurations, which often differ only in size, spread over the shards.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::grid::Configuration;
use crate::{AtbError, Result};

/// One slice of a grid: `index` of `count`, 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// Which slice, 1 ..= `count`.
    pub index: usize,
    /// How many slices.
    pub count: usize,
}

impl FromStr for Shard {
    type Err = AtbError;

    /// Parses `K/N` with 1 ≤ K ≤ N.
    fn from_str(text: &str) -> Result<Shard> {
        let invalid = || {
            AtbError::Config(format!(
                "--shard '{text}': expected K/N with 1 <= K <= N, e.g. 2/3 for the second of three"
            ))
        };
        let (k, n) = text.split_once('/').ok_or_else(invalid)?;
        let (index, count) = (
            k.trim().parse::<usize>().map_err(|_| invalid())?,
            n.trim().parse::<usize>().map_err(|_| invalid())?,
        );
        if index == 0 || index > count {
            return Err(invalid());
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// True when configuration `index` (1-based) is this shard's.
    pub fn owns(self, index: usize) -> bool {
        (index.saturating_sub(1)) % self.count + 1 == self.index
    }

    /// This shard's configurations, in grid order.
    pub fn take(self, configurations: Vec<Configuration>) -> Vec<Configuration> {
        configurations
            .into_iter()
            .filter(|c| self.owns(c.index))
            .collect()
    }

    /// The folder a shard writes under `--out`: `shard-K-of-N`.
    pub fn folder_name(self) -> String {
        format!("shard-{}-of-{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::Shard;

    #[test]
    fn shards_partition_the_configurations() {
        let shards: Vec<Shard> = (1..=3).map(|k| Shard { index: k, count: 3 }).collect();
        for i in 1..=10 {
            assert_eq!(shards.iter().filter(|s| s.owns(i)).count(), 1, "{i}");
        }
        assert!(shards[0].owns(1) && shards[1].owns(2) && shards[2].owns(3) && shards[0].owns(4));
    }

    #[test]
    fn parses_k_of_n_and_rejects_the_rest() {
        assert_eq!(
            "2/3".parse::<Shard>().unwrap(),
            Shard { index: 2, count: 3 }
        );
        for bad in ["0/3", "4/3", "3", "a/b", "1/0", ""] {
            let err = bad.parse::<Shard>().unwrap_err().to_string();
            assert!(err.contains("--shard"), "{bad}: {err}");
        }
    }
}
