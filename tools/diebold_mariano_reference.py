#!/usr/bin/env python3
"""Independent reference for src/eval/diebold_mariano.rs.

Computes the Diebold-Mariano test (squared-error loss, horizon h, Harvey-Leybourne-Newbold
small-sample correction, two-sided p-value from Student's t with n-1 degrees of freedom) with
numpy and scipy on the fixed error series the Rust unit tests use, and prints the numbers those
tests pin. Written from Harvey, Leybourne and Newbold (1997), "Testing the equality of
prediction mean squared errors", eqs. (2)-(9), not from the Rust code.

    python3 tools/diebold_mariano_reference.py
"""
import numpy as np
from scipy import stats


def dm_hln(e1, e2, h=1):
    d = e1 ** 2 - e2 ** 2
    n = d.size
    d_bar = d.mean()
    # Autocovariances of d at lags 0..h-1 (divisor n), as in DM (1995) eq. (5).
    gammas = [np.sum((d[k:] - d_bar) * (d[: n - k] - d_bar)) / n for k in range(h)]
    var_d_bar = (gammas[0] + 2.0 * sum(gammas[1:])) / n
    dm = d_bar / np.sqrt(var_d_bar)
    correction = np.sqrt((n + 1 - 2 * h + h * (h - 1) / n) / n)
    stat = dm * correction
    p = 2.0 * stats.t.sf(abs(stat), df=n - 1)
    return d_bar, stat, p


def series(case, n=60):
    t = np.arange(n, dtype=np.float64)
    naive = np.cos(0.45 * t) * 1.1
    if case == "close":
        model = np.sin(0.7 * t + 0.3) * (1.0 + 0.005 * t)
    elif case == "better":
        model = 0.5 * naive + 0.05 * np.sin(1.3 * t)
    elif case == "worse":
        model, naive = naive, 0.5 * naive + 0.05 * np.sin(1.3 * t)
    else:
        raise ValueError(case)
    return model, naive


if __name__ == "__main__":
    for case in ("close", "better", "worse"):
        model, naive = series(case)
        d_bar, stat, p = dm_hln(model, naive)
        print(f"{case:7s} mean_loss_difference={float(d_bar)!r} statistic={float(stat)!r} p_value={float(p)!r}")
