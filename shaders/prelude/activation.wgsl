// Prelude part `activation`: the activation functions and their derivatives, with the codes of
// src/activation.rs (1 relu, 2 tanh, 3 sigmoid, 4 gelu); any other code is the identity. The
// formulas are those of the CPU reference, operation for operation.

// erf by Abramowitz & Stegun 7.1.26, |error| < 1.5e-7 (same formula as src/activation.rs).
fn erf_approx(x: f32) -> f32 {
    let t = 1.0 / (1.0 + 0.3275911 * abs(x));
    let poly = t * (0.2548296 + t * (-0.28449674 + t * (1.4214137 + t * (-1.4531521 + t * 1.0614054))));
    let y = 1.0 - poly * exp(-x * x);
    return select(y, -y, x < 0.0);
}

// tanh from exp of a non-positive argument, which never overflows (unlike some native lowerings).
fn stable_tanh(x: f32) -> f32 {
    let e = exp(-2.0 * abs(x));
    let t = (1.0 - e) / (1.0 + e);
    return select(t, -t, x < 0.0);
}

fn sigmoid(x: f32) -> f32 {
    return 1.0 / (1.0 + exp(-x));
}

// The activation with code `code` at x.
fn activate(code: u32, x: f32) -> f32 {
    switch code {
        case 1u: { return max(x, 0.0); }
        case 2u: { return stable_tanh(x); }
        case 3u: { return sigmoid(x); }
        case 4u: { return 0.5 * x * (1.0 + erf_approx(x * 0.70710678118654752)); }
        default: { return x; }
    }
}

// The derivative of activation `code` at its input x.
fn activate_derivative(code: u32, x: f32) -> f32 {
    switch code {
        case 1u: { return select(0.0, 1.0, x > 0.0); }
        case 2u: {
            let t = stable_tanh(x);
            return 1.0 - t * t;
        }
        case 3u: {
            let s = sigmoid(x);
            return s * (1.0 - s);
        }
        case 4u: {
            // d/dx x·Φ(x) = Φ(x) + x·φ(x)
            let cdf = 0.5 * (1.0 + erf_approx(x * 0.70710678118654752));
            let pdf = 0.39894228040143268 * exp(-0.5 * x * x);
            return cdf + x * pdf;
        }
        default: { return 1.0; }
    }
}
