//! Training callbacks, as the guide's `get_model_callbacks(model_type, patience)`: early
//! stopping on the validation loss (restoring the best weights), best-checkpoint tracking and
//! reducing the learning rate on a plateau.

use serde::{Deserialize, Serialize};

/// What the fit loop should do after an epoch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EpochDecision {
    /// The validation loss improved: keep (checkpoint) the current weights as the best.
    pub save_best: bool,
    /// Stop training (the best weights are restored by the fit loop).
    pub stop: bool,
    /// The learning rate for the next epoch.
    pub learning_rate: f64,
}

/// Callback settings (Keras defaults where the guide is silent).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Callbacks {
    /// Epochs without improvement before stopping.
    pub patience: usize,
    /// Smallest decrease of the validation loss that counts as an improvement.
    pub min_delta: f64,
    /// Epochs without improvement before the learning rate is multiplied by `lr_factor`.
    pub lr_patience: usize,
    /// Factor applied to the learning rate on a plateau.
    pub lr_factor: f64,
    /// Lower bound of the learning rate.
    pub min_lr: f64,
}

/// The callbacks of a model type: early stopping with `patience`, a best checkpoint, and
/// reduce-LR-on-plateau after a third of the patience (at least 2 epochs), halving down to 1e-6.
pub fn get_model_callbacks(_model_type: &str, patience: usize) -> Callbacks {
    Callbacks {
        patience: patience.max(1),
        min_delta: 0.0,
        lr_patience: (patience / 3).max(2),
        lr_factor: 0.5,
        min_lr: 1e-6,
    }
}

/// The state of the callbacks during one fit (saved in a checkpoint).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallbackState {
    settings: Callbacks,
    best: f64,
    since_best: usize,
    since_lr_change: usize,
    learning_rate: f64,
}

impl CallbackState {
    /// Starts tracking with the initial learning rate.
    pub fn new(settings: Callbacks, learning_rate: f64) -> CallbackState {
        CallbackState {
            settings,
            best: f64::INFINITY,
            since_best: 0,
            since_lr_change: 0,
            learning_rate,
        }
    }

    /// The best validation loss so far.
    pub fn best(&self) -> f64 {
        self.best
    }

    /// Feeds one epoch's validation loss and decides what happens next. A non-finite loss
    /// never counts as an improvement.
    pub fn after_epoch(&mut self, val_loss: f64) -> EpochDecision {
        let improved = val_loss.is_finite() && val_loss < self.best - self.settings.min_delta;
        if improved {
            self.best = val_loss;
            self.since_best = 0;
            self.since_lr_change = 0;
        } else {
            self.since_best += 1;
            self.since_lr_change += 1;
            if self.since_lr_change >= self.settings.lr_patience {
                self.learning_rate =
                    (self.learning_rate * self.settings.lr_factor).max(self.settings.min_lr);
                self.since_lr_change = 0;
            }
        }
        EpochDecision {
            save_best: improved,
            stop: self.since_best >= self.settings.patience,
            learning_rate: self.learning_rate,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stops_after_patience_epochs_without_improvement() {
        let mut state = CallbackState::new(get_model_callbacks("tcn", 3), 1e-3);
        let losses = [1.0, 0.8, 0.9, 0.85, 0.81];
        let decisions: Vec<_> = losses.iter().map(|&l| state.after_epoch(l)).collect();
        assert!(decisions[0].save_best && decisions[1].save_best);
        assert!(!decisions[2].save_best && !decisions[2].stop);
        assert!(!decisions[3].stop);
        assert!(decisions[4].stop, "three epochs without beating 0.8");
        assert_eq!(state.best(), 0.8);
    }

    #[test]
    fn halves_the_learning_rate_on_a_plateau_down_to_the_floor() {
        let settings = Callbacks {
            patience: 100,
            min_delta: 0.0,
            lr_patience: 2,
            lr_factor: 0.5,
            min_lr: 2e-4,
        };
        let mut state = CallbackState::new(settings, 1e-3);
        state.after_epoch(1.0);
        let rates: Vec<f64> = (0..8)
            .map(|_| state.after_epoch(1.0).learning_rate)
            .collect();
        assert_eq!(rates[0], 1e-3);
        assert_eq!(rates[1], 5e-4);
        assert_eq!(rates[3], 2.5e-4);
        assert_eq!(rates[5], 2e-4, "never below min_lr");
        assert!(state.after_epoch(0.5).save_best);
    }

    #[test]
    fn nan_losses_are_never_best() {
        let mut state = CallbackState::new(get_model_callbacks("tcn", 2), 1e-3);
        assert!(!state.after_epoch(f64::NAN).save_best);
        assert!(state.after_epoch(f64::NAN).stop);
    }
}
