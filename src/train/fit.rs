//! The fit loop: device-resident data, a compiled step per batch (forward, MSE, backward,
//! clipped Adam, on-device loss sums), one host readback per epoch, validation, callbacks.

use std::time::Instant;

use super::callbacks::{CallbackState, Callbacks};
use super::checkpoint::{Checkpoint, CheckpointPlan};
use super::compiled_step::CompiledStep;
use super::dataset::DeviceDataset;
use super::history::{EpochMetrics, History};
use super::optimizer::Optimizer;
use crate::autograd::Tape;
use crate::nn::{self, Forward, HostTensor, InitRng, Mode, Network, Params};
use crate::ops::{
    self, Accumulator, AdamConfig, AdamMoments, BinaryOp, ReduceAxis, ReduceOp, RowIndices,
    StepCounter, UnaryOp,
};
use crate::{AtbError, Result};

/// Counter slots: the batch number within the epoch, the global step (dropout masks).
const BATCH_SLOT: u32 = 0;
const STEP_SLOT: u32 = 1;

/// How to fit.
#[derive(Debug, Clone, PartialEq)]
pub struct FitConfig {
    /// Maximum number of epochs.
    pub epochs: usize,
    /// Samples per step (the last partial batch of each shuffled epoch is skipped).
    pub batch_size: usize,
    /// Adam settings (learning rate, betas, epsilon, weight decay).
    pub adam: AdamConfig,
    /// Global gradient-norm clip.
    pub clip_norm: Option<f32>,
    /// Shuffling and dropout seed.
    pub seed: u64,
    /// Early stopping, best checkpoint, LR on plateau.
    pub callbacks: Callbacks,
    /// Checkpoint after every epoch (and resume from one), or not.
    pub checkpoint: Option<CheckpointPlan>,
}

/// What a fit produced.
#[derive(Debug, Clone)]
pub struct FitOutcome {
    /// Metrics of every epoch.
    pub history: History,
    /// The epoch (0-based) whose weights were kept.
    pub best_epoch: Option<usize>,
    /// GPU dispatches in one compiled step (0 on the CPU).
    pub dispatches_per_step: usize,
    /// True when early stopping ended the fit.
    pub stopped_early: bool,
}

/// Validation chunk size (samples per inference pass).
const EVAL_CHUNK: usize = 256;

/// Mean MSE and MAE of `net` over `data`, in chunks, without recording gradients.
pub fn evaluate(net: &dyn Network, params: &Params, data: &DeviceDataset) -> Result<(f64, f64)> {
    let predictions = predict(net, params, data)?;
    let targets = data.targets()?;
    let n = targets.len().max(1) as f64;
    let mse = predictions
        .iter()
        .zip(&targets)
        .map(|(p, t)| (f64::from(*p) - f64::from(*t)).powi(2))
        .sum::<f64>()
        / n;
    let mae = predictions
        .iter()
        .zip(&targets)
        .map(|(p, t)| (f64::from(*p) - f64::from(*t)).abs())
        .sum::<f64>()
        / n;
    Ok((mse, mae))
}

/// One prediction per sample of `data`, in order (chunks through [`nn::predict`]).
pub fn predict(net: &dyn Network, params: &Params, data: &DeviceDataset) -> Result<Vec<f32>> {
    let mut out = Vec::with_capacity(data.len());
    let mut start = 0;
    while start < data.len() {
        let len = EVAL_CHUNK.min(data.len() - start);
        out.extend(nn::predict(net, params, &data.samples(start, len)?)?);
        start += len;
    }
    Ok(out)
}

fn shuffled(n: usize, rng: &mut InitRng) -> Vec<u32> {
    let mut order: Vec<u32> = (0..n as u32).collect();
    for i in (1..n).rev() {
        let j = (rng.next_u64() % (i as u64 + 1)) as usize;
        order.swap(i, j);
    }
    order
}

/// The body of one training step (the part a GPU captures and replays).
#[allow(clippy::too_many_arguments)]
fn train_step(
    net: &dyn Network,
    params: &mut Params,
    optimizer: &mut Optimizer,
    train: &DeviceDataset,
    indices: &RowIndices,
    counter: &StepCounter,
    sums: &Accumulator,
    batch: usize,
    seed: u64,
) -> Result<()> {
    let tape = Tape::new();
    let (x, y) = train.batch(&tape, indices, counter, BATCH_SLOT, batch)?;
    let forward = Forward {
        tape: &tape,
        params,
        mode: Mode::Train {
            counter,
            slot: STEP_SLOT,
            seed,
        },
    };
    let pred = net.forward(&forward, &x)?;
    let loss = tape.mse(&pred, &y)?;
    let grads = params.gather_gradients(&tape.backward(&loss)?)?;
    optimizer.step(params, &grads)?;
    let error = ops::binary(BinaryOp::Sub, pred.value(), y.value())?;
    let abs = ops::unary(UnaryOp::Abs, &error.reshape(&[1, batch])?)?;
    let mae = ops::reduce(&abs, ReduceOp::Mean, ReduceAxis::Last)?;
    sums.add(&ops::concat(&[loss.value(), &mae], 0)?)?;
    counter.advance(BATCH_SLOT, 1)?;
    counter.advance(STEP_SLOT, 1)
}

/// The state of training one network: optimizer, shuffled order, device counters and loss
/// sums, and the compiled step.
pub struct Trainer<'a> {
    net: &'a dyn Network,
    train: &'a DeviceDataset,
    optimizer: Optimizer,
    indices: RowIndices,
    counter: StepCounter,
    sums: Accumulator,
    step: CompiledStep,
    rng: InitRng,
    batch: usize,
    seed: u64,
    steps_this_epoch: usize,
}

impl<'a> Trainer<'a> {
    /// Prepares training of `net` (parameters `params`) on `train` with `config`.
    pub fn new(
        net: &'a dyn Network,
        params: &Params,
        train: &'a DeviceDataset,
        config: &FitConfig,
    ) -> Result<Trainer<'a>> {
        let batch = config.batch_size;
        if batch == 0 || train.len() < batch {
            return Err(AtbError::Config(format!(
                "batch size {batch} needs at least that many training samples, got {}",
                train.len()
            )));
        }
        let device = params.device().clone();
        let mut rng = InitRng::new(config.seed);
        Ok(Trainer {
            net,
            train,
            optimizer: Optimizer::new(params, &config.adam, config.clip_norm)?,
            indices: RowIndices::new(&device, shuffled(train.len(), &mut rng))?,
            counter: StepCounter::new(&device, 2)?,
            sums: Accumulator::new(&device, 2)?,
            step: CompiledStep::new(&device),
            rng,
            batch,
            seed: config.seed,
            steps_this_epoch: 0,
        })
    }

    /// Full batches in one epoch.
    pub fn steps_per_epoch(&self) -> usize {
        self.train.len() / self.batch
    }

    /// Starts an epoch: a new shuffled order (except for the very first) and batch 0.
    pub fn start_epoch(&mut self, first: bool) -> Result<()> {
        if !first {
            self.indices
                .set(&shuffled(self.train.len(), &mut self.rng))?;
        }
        self.steps_this_epoch = 0;
        self.counter.set(BATCH_SLOT, 0)
    }

    /// One training step on the next batch (recorded, not waited for).
    pub fn step(&mut self, params: &mut Params) -> Result<()> {
        if self.steps_this_epoch >= self.steps_per_epoch() {
            return Err(AtbError::Config(
                "the epoch has no batch left; start a new epoch".to_string(),
            ));
        }
        let Trainer {
            net,
            train,
            optimizer,
            indices,
            counter,
            sums,
            step,
            batch,
            seed,
            ..
        } = self;
        step.run(|| {
            train_step(
                *net, params, optimizer, train, indices, counter, sums, *batch, *seed,
            )
        })?;
        self.steps_this_epoch += 1;
        Ok(())
    }

    /// Mean training loss and MAE of the epoch's steps (one readback), then resets the sums.
    pub fn finish_epoch(&mut self) -> Result<(f64, f64)> {
        let totals = self.sums.take()?;
        let steps = self.steps_this_epoch.max(1) as f64;
        Ok((totals[0] / steps, totals[1] / steps))
    }

    /// The learning rate of the following steps.
    pub fn set_learning_rate(&mut self, learning_rate: f32) -> Result<()> {
        self.optimizer.set_learning_rate(learning_rate)
    }

    /// GPU dispatches in one compiled step (0 on the CPU or before the first step).
    pub fn dispatches_per_step(&self) -> usize {
        self.step.dispatches()
    }

    /// The shuffling generator, the global step and Adam's state (for a checkpoint).
    fn snapshot(&self) -> Result<(u64, u32, AdamMoments)> {
        Ok((
            self.rng.state(),
            self.counter.get(STEP_SLOT)?,
            self.optimizer.moments()?,
        ))
    }

    /// Continues from a checkpoint's generator, global step and Adam state.
    fn restore(&mut self, checkpoint: &Checkpoint) -> Result<()> {
        self.rng = InitRng::from_state(checkpoint.rng_state);
        self.counter.set(STEP_SLOT, checkpoint.global_step)?;
        self.optimizer.restore(&checkpoint.adam)
    }
}

/// (name, values) pairs of host tensors, as `Params::load` takes them.
fn named_values(weights: &[HostTensor]) -> Vec<(String, Vec<f32>)> {
    weights
        .iter()
        .map(|h| (h.name.clone(), h.values.clone()))
        .collect()
}

/// Fails when an epoch's loss or validation loss is NaN or infinite: the weights diverged, and
/// every later epoch would only repeat it.
fn check_finite_epoch(epoch: usize, config: &FitConfig, m: &EpochMetrics) -> Result<()> {
    if [m.loss, m.val_loss, m.mae, m.val_mae]
        .iter()
        .all(|v| v.is_finite())
    {
        return Ok(());
    }
    Err(AtbError::NonFinite(format!(
        "epoch {} of {}: training loss {}, validation loss {}; the weights diverged at \
         learning rate {:e}: try a lower --learning-rate",
        epoch + 1,
        config.epochs,
        m.loss,
        m.val_loss,
        m.learning_rate
    )))
}

/// Trains `net` on `train`, validating on `validation` after every epoch. Ends with the
/// best epoch's weights in `params`. `on_epoch` sees each epoch's metrics as it ends.
pub fn fit(
    net: &dyn Network,
    params: &mut Params,
    train: &DeviceDataset,
    validation: &DeviceDataset,
    config: &FitConfig,
    mut on_epoch: impl FnMut(usize, &EpochMetrics),
) -> Result<FitOutcome> {
    if validation.is_empty() {
        return Err(AtbError::Config("the validation set is empty".to_string()));
    }
    let resumed = match &config.checkpoint {
        Some(plan) if plan.resume => Some(Checkpoint::read(&plan.dir, &plan.key)?),
        _ => None,
    };
    if let Some(checkpoint) = &resumed {
        params.load(&named_values(&checkpoint.params))?;
    }
    let mut trainer = Trainer::new(net, params, train, config)?;
    let mut callbacks = CallbackState::new(config.callbacks, f64::from(config.adam.learning_rate));
    let mut history = History::default();
    let mut best: Option<(usize, Vec<HostTensor>)> = None;
    let mut stopped_early = false;
    let mut learning_rate = f64::from(config.adam.learning_rate);
    let mut first_epoch = 0;
    if let Some(checkpoint) = resumed {
        trainer.restore(&checkpoint)?;
        callbacks = checkpoint.callbacks;
        history = checkpoint.history;
        best = checkpoint.best;
        stopped_early = checkpoint.stopped_early;
        learning_rate = checkpoint.learning_rate;
        first_epoch = if stopped_early {
            config.epochs
        } else {
            checkpoint.epochs_done
        };
    }
    for epoch in first_epoch..config.epochs {
        let started = Instant::now();
        trainer.start_epoch(epoch == 0)?;
        for _ in 0..trainer.steps_per_epoch() {
            trainer.step(params)?;
        }
        let (loss, mae) = trainer.finish_epoch()?;
        let (val_loss, val_mae) = evaluate(net, params, validation)?;
        let metrics = EpochMetrics {
            loss,
            val_loss,
            rmse: loss.sqrt(),
            val_rmse: val_loss.sqrt(),
            mae,
            val_mae,
            learning_rate,
            seconds: started.elapsed().as_secs_f64(),
        };
        history.epochs.push(metrics);
        on_epoch(epoch, &metrics);
        check_finite_epoch(epoch, config, &metrics)?;
        let decision = callbacks.after_epoch(val_loss);
        if decision.save_best {
            best = Some((epoch, params.to_host()?));
        }
        if decision.learning_rate != learning_rate {
            learning_rate = decision.learning_rate;
            trainer.set_learning_rate(learning_rate as f32)?;
        }
        if let Some(plan) = &config.checkpoint {
            let (rng_state, global_step, adam) = trainer.snapshot()?;
            Checkpoint {
                key: plan.key.clone(),
                epochs_done: epoch + 1,
                stopped_early: decision.stop,
                params: params.to_host()?,
                best: best.clone(),
                adam,
                rng_state,
                global_step,
                learning_rate,
                callbacks: callbacks.clone(),
                history: history.clone(),
            }
            .write(&plan.dir)?;
        }
        if decision.stop {
            stopped_early = true;
            break;
        }
    }
    if let Some((_, weights)) = &best {
        params.load(&named_values(weights))?;
    }
    Ok(FitOutcome {
        history,
        best_epoch: best.map(|(epoch, _)| epoch),
        dispatches_per_step: trainer.dispatches_per_step(),
        stopped_early,
    })
}
