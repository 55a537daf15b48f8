//! The tape: nodes, variables, and the reverse walk.

use std::cell::{Cell, RefCell};

use crate::ops::{self, BinaryOp};
use crate::{AtbError, Result, Tensor};

/// A backward rule: from the gradient of a node's output, the gradients of its parents in
/// order (`None` where a parent needs none).
pub(crate) type Backward = Box<dyn Fn(&Tensor) -> Result<Vec<Option<Tensor>>>>;

struct Node {
    parents: Vec<Option<usize>>,
    backward: Option<Backward>,
    param: Option<usize>,
}

/// A value in a computation: a tensor, and the tape node that produced it when it needs a
/// gradient. Cloning is cheap.
#[derive(Clone)]
pub struct Var {
    value: Tensor,
    node: Option<usize>,
}

impl Var {
    /// The value.
    pub fn value(&self) -> &Tensor {
        &self.value
    }

    /// The value's shape.
    pub fn shape(&self) -> &[usize] {
        self.value.shape()
    }

    /// True when gradients flow through this value.
    pub fn requires_grad(&self) -> bool {
        self.node.is_some()
    }
}

impl std::fmt::Debug for Var {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Var({:?}, node {:?})", self.value, self.node)
    }
}

/// The gradients of parameters, by parameter id.
#[derive(Default, Debug)]
pub struct Gradients {
    by_param: Vec<Option<Tensor>>,
}

impl Gradients {
    /// The gradient of parameter `id`, if it took part in the loss.
    pub fn get(&self, id: usize) -> Option<&Tensor> {
        self.by_param.get(id).and_then(Option::as_ref)
    }

    /// Number of parameters with a gradient.
    pub fn len(&self) -> usize {
        self.by_param.iter().filter(|g| g.is_some()).count()
    }

    /// True when no parameter received a gradient.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Records operations for one forward pass; reset (or drop) it between steps.
pub struct Tape {
    nodes: RefCell<Vec<Node>>,
    recording: Cell<bool>,
}

impl Default for Tape {
    fn default() -> Self {
        Tape::new()
    }
}

impl Tape {
    /// An empty tape that records.
    pub fn new() -> Tape {
        Tape {
            nodes: RefCell::new(Vec::new()),
            recording: Cell::new(true),
        }
    }

    /// A value that needs no gradient (inputs, targets).
    pub fn constant(&self, value: Tensor) -> Var {
        Var { value, node: None }
    }

    /// A parameter leaf: `backward` reports its gradient under `param_id`.
    pub fn param(&self, value: Tensor, param_id: usize) -> Var {
        if !self.recording.get() {
            return Var { value, node: None };
        }
        let mut nodes = self.nodes.borrow_mut();
        nodes.push(Node {
            parents: Vec::new(),
            backward: None,
            param: Some(param_id),
        });
        Var {
            value,
            node: Some(nodes.len() - 1),
        }
    }

    /// Records an operation's output. Nothing is recorded (and `backward` is dropped) when
    /// the tape is paused or no input needs a gradient.
    pub(crate) fn record(
        &self,
        value: Tensor,
        inputs: &[&Var],
        backward: impl Fn(&Tensor) -> Result<Vec<Option<Tensor>>> + 'static,
    ) -> Var {
        if !self.recording.get() || inputs.iter().all(|v| v.node.is_none()) {
            return Var { value, node: None };
        }
        let mut nodes = self.nodes.borrow_mut();
        nodes.push(Node {
            parents: inputs.iter().map(|v| v.node).collect(),
            backward: Some(Box::new(backward)),
            param: None,
        });
        Var {
            value,
            node: Some(nodes.len() - 1),
        }
    }

    /// Runs `f` without recording anything (inference).
    pub fn no_grad<R>(&self, f: impl FnOnce() -> R) -> R {
        let was = self.recording.replace(false);
        let out = f();
        self.recording.set(was);
        out
    }

    /// Number of recorded nodes.
    pub fn len(&self) -> usize {
        self.nodes.borrow().len()
    }

    /// True when nothing is recorded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets every record (start of a new step).
    pub fn reset(&self) {
        self.nodes.borrow_mut().clear();
    }

    /// Gradients of a one-element `loss` with respect to every parameter leaf it depends on.
    /// Gradients of values used several times are summed.
    pub fn backward(&self, loss: &Var) -> Result<Gradients> {
        if loss.value.len() != 1 {
            return Err(AtbError::Shape {
                op: "backward",
                detail: format!(
                    "the loss must have one element, got shape {:?}",
                    loss.shape()
                ),
            });
        }
        let Some(root) = loss.node else {
            return Ok(Gradients::default());
        };
        let nodes = self.nodes.borrow();
        let mut grads: Vec<Option<Tensor>> = vec![None; root + 1];
        grads[root] = Some(ops::fill(&loss.value.device(), loss.shape(), 1.0)?);
        let mut out = Gradients::default();
        for index in (0..=root).rev() {
            let Some(grad) = grads[index].take() else {
                continue;
            };
            let node = &nodes[index];
            if let Some(id) = node.param {
                if out.by_param.len() <= id {
                    out.by_param.resize(id + 1, None);
                }
                out.by_param[id] = Some(match out.by_param[id].take() {
                    Some(prev) => ops::binary(BinaryOp::Add, &prev, &grad)?,
                    None => grad.clone(),
                });
            }
            let Some(backward) = &node.backward else {
                continue;
            };
            let parent_grads = backward(&grad)?;
            for (parent, g) in node.parents.iter().zip(parent_grads) {
                if let (Some(p), Some(g)) = (parent, g) {
                    grads[*p] = Some(match grads[*p].take() {
                        Some(prev) => ops::binary(BinaryOp::Add, &prev, &g)?,
                        None => g,
                    });
                }
            }
        }
        Ok(out)
    }
}
