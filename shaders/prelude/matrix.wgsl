// Prelude part `matrix`: the uniform parameter block of kernels over a row-major rows × cols
// matrix (16 bytes, as the launchers' `Params { rows, cols, 0, 0 }`).

struct MatrixParams {
    rows: u32,
    cols: u32,
    _pad0: u32,
    _pad1: u32,
}
