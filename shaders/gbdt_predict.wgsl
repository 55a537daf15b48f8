// Prediction of a boosted tree ensemble over binned rows: one thread per row walks every tree.
//
// Layout:
//   bins:   row-major packed bins, `words_per_row` u32 per row (feature f: byte f % 4 of word
//           f / 4), as in gbdt_histogram.wgsl.
//   nodes:  6 u32 per internal node, all trees back to back: feature, threshold_bin (last bin
//           going left), nan_bin (the feature's missing-value bin), default_left (0/1),
//           left child, right child (as i32: >= 0 an internal node of the same tree, < 0 the
//           leaf ~child).
//   trees:  2 u32 per tree: first node, first leaf (in `leaves`). A tree whose first node
//           equals the next tree's is a single leaf.
//   leaves: leaf values (f32, shrinkage applied).
//   out:    out[r] = base_score + Σ_t leaf value reached in tree t, added in tree order.
// Grid: one thread per row, 64-thread workgroups, 2D when the row count needs it.

// prelude: grid

struct Params {
    num_rows: u32,
    words_per_row: u32,
    num_trees: u32,
    total_nodes: u32,
    base_score: f32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> bins: array<u32>;
@group(0) @binding(2) var<storage, read> nodes: array<u32>;
@group(0) @binding(3) var<storage, read> trees: array<u32>;
@group(0) @binding(4) var<storage, read> leaves: array<f32>;
@group(0) @binding(5) var<storage, read_write> out: array<f32>;

override WORKGROUP: u32 = 64u;

const NODE_WORDS: u32 = 6u;

fn bin_of(row: u32, feature: u32) -> u32 {
    let word = bins[row * params.words_per_row + feature / 4u];
    return (word >> (8u * (feature % 4u))) & 0xffu;
}

@compute @workgroup_size(WORKGROUP)
fn predict_rows(ids: GridIds) {
    let row = flat_index(ids, WORKGROUP);
    if row >= params.num_rows {
        return;
    }
    var sum = params.base_score;
    for (var t = 0u; t < params.num_trees; t++) {
        let first_node = trees[2u * t];
        let first_leaf = trees[2u * t + 1u];
        var next_node = params.total_nodes;
        if t + 1u < params.num_trees {
            next_node = trees[2u * t + 2u];
        }
        var leaf = 0u;
        if next_node > first_node {
            var node: i32 = 0;
            loop {
                let base = (first_node + u32(node)) * NODE_WORDS;
                let bin = bin_of(row, nodes[base]);
                var left = bin <= nodes[base + 1u];
                if bin == nodes[base + 2u] {
                    left = nodes[base + 3u] != 0u;
                }
                if left {
                    node = bitcast<i32>(nodes[base + 4u]);
                } else {
                    node = bitcast<i32>(nodes[base + 5u]);
                }
                if node < 0 {
                    leaf = u32(~node);
                    break;
                }
            }
        }
        sum += leaves[first_leaf + leaf];
    }
    out[row] = sum;
}
