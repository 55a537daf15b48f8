//! Causal indicators over a series: the value at `t` reads only indices `≤ t`.
//!
//! Each returns a vector as long as its input, NaN where the history is too short. Windowed
//! statistics are computed from the window itself (no running sums), so a value depends only on
//! the bars in its window, bit for bit. EMA and Wilder smoothing are recursive from the first bar.

/// `f(x[t], x[t-k])` for `t ≥ k`, NaN before.
pub(crate) fn lagged(x: &[f64], k: usize, f: impl Fn(f64, f64) -> f64) -> Vec<f64> {
    (0..x.len())
        .map(|t| if t >= k { f(x[t], x[t - k]) } else { f64::NAN })
        .collect()
}

/// `x[t-k]`, NaN for `t < k`.
pub(crate) fn shift(x: &[f64], k: usize) -> Vec<f64> {
    lagged(x, k, |_, past| past)
}

/// `f(window)` over the `w` values ending at `t`, NaN for `t < w - 1`.
pub(crate) fn rolling(x: &[f64], w: usize, f: impl Fn(&[f64]) -> f64) -> Vec<f64> {
    (0..x.len())
        .map(|t| {
            if t + 1 >= w {
                f(&x[t + 1 - w..=t])
            } else {
                f64::NAN
            }
        })
        .collect()
}

/// Mean of a window.
pub(crate) fn mean(w: &[f64]) -> f64 {
    w.iter().sum::<f64>() / w.len() as f64
}

/// Population standard deviation of a window (divides by n, as pandas' `std(ddof=0)`).
pub(crate) fn std_dev(w: &[f64]) -> f64 {
    let m = mean(w);
    (w.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / w.len() as f64).sqrt()
}

/// Exponential moving average with `alpha = 2 / (span + 1)`, seeded with `x[0]`
/// (pandas' `ewm(span, adjust=False)`).
pub(crate) fn ema(x: &[f64], span: usize) -> Vec<f64> {
    let alpha = 2.0 / (span as f64 + 1.0);
    let mut out = Vec::with_capacity(x.len());
    let mut state = f64::NAN;
    for (t, &v) in x.iter().enumerate() {
        state = if t == 0 {
            v
        } else {
            alpha * v + (1.0 - alpha) * state
        };
        out.push(state);
    }
    out
}

/// Wilder smoothing of `x[1..]`: at `t = n` the mean of `x[1..=n]`, then
/// `s[t] = (s[t-1]·(n-1) + x[t]) / n`. NaN for `t < n`. (`x[0]` is unused: it has no previous bar.)
pub(crate) fn wilder(x: &[f64], n: usize) -> Vec<f64> {
    let mut out = vec![f64::NAN; x.len()];
    if x.len() <= n {
        return out;
    }
    let mut state = mean(&x[1..=n]);
    out[n] = state;
    for t in n + 1..x.len() {
        state = (state * (n as f64 - 1.0) + x[t]) / n as f64;
        out[t] = state;
    }
    out
}

/// Wilder's RSI over `n` bars (0–100); 50 when the window has no move at all.
pub(crate) fn rsi(close: &[f64], n: usize) -> Vec<f64> {
    let change = lagged(close, 1, |now, past| now - past);
    let gains: Vec<f64> = change.iter().map(|c| c.max(0.0)).collect();
    let losses: Vec<f64> = change.iter().map(|c| (-c).max(0.0)).collect();
    let (avg_gain, avg_loss) = (wilder(&gains, n), wilder(&losses, n));
    avg_gain
        .iter()
        .zip(&avg_loss)
        .map(|(&g, &l)| {
            if g.is_nan() || l.is_nan() {
                f64::NAN
            } else if l == 0.0 {
                if g == 0.0 { 50.0 } else { 100.0 }
            } else {
                100.0 - 100.0 / (1.0 + g / l)
            }
        })
        .collect()
}

/// Wilder's average true range over `n` bars.
pub(crate) fn atr(high: &[f64], low: &[f64], close: &[f64], n: usize) -> Vec<f64> {
    let true_range: Vec<f64> = (0..close.len())
        .map(|t| {
            if t == 0 {
                high[0] - low[0]
            } else {
                let prev = close[t - 1];
                (high[t] - low[t])
                    .max((high[t] - prev).abs())
                    .max((low[t] - prev).abs())
            }
        })
        .collect();
    wilder(&true_range, n)
}
