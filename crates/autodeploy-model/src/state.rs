//! State that lives between invocations: resource variables.
//!
//! Streaming models keep state in resource variables. A VAR_HANDLE operator
//! names a variable by (container, shared name) and outputs a handle
//! tensor; READ_VARIABLE and ASSIGN_VARIABLE take that handle as input 0.
//! The handle tensor itself has no shape or type that says what the variable
//! holds, so the variable is typed and shaped by the values assigned to it
//! and read from it. Every handle with the same name, in any subgraph, is the
//! same variable (the init subgraph assigns it, subgraph 0 reads it).

use std::collections::HashMap;

use serde::Serialize;

use crate::error::ModelError;
use crate::graph::Graph;
use crate::op::OpKind;
use crate::quant::Quantization;
use crate::tensor::ElementType;

/// One resource variable, resolved to the values it holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Variable {
    /// Position in [`Variable`] order: first VAR_HANDLE seen, subgraph 0 first.
    pub id: usize,
    pub container: String,
    pub shared_name: String,
    pub dtype: ElementType,
    pub shape: Vec<usize>,
    /// The quantization of the first value assigned or read.
    #[serde(skip)]
    pub quant: Option<Quantization>,
    pub bytes: usize,
}

/// A handle tensor of one subgraph, and the variable it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Handle {
    pub subgraph: usize,
    pub tensor: usize,
    pub variable: usize,
}

/// Every resource variable of a model and the handle tensors naming them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ModelState {
    pub variables: Vec<Variable>,
    pub handles: Vec<Handle>,
    /// The subgraphs CALL_ONCE runs on the first invocation, in order.
    pub init_subgraphs: Vec<usize>,
}

impl ModelState {
    /// The variable a handle tensor of `subgraph` names.
    pub fn variable_of(&self, subgraph: usize, tensor: usize) -> Option<&Variable> {
        self.handles
            .iter()
            .find(|h| h.subgraph == subgraph && h.tensor == tensor)
            .map(|h| &self.variables[h.variable])
    }

    /// Bytes of all variables together.
    pub fn bytes(&self) -> usize {
        self.variables.iter().map(|v| v.bytes).sum()
    }
}

struct Use {
    subgraph: usize,
    layer: usize,
    op: &'static str,
    dtype: ElementType,
    shape: Vec<usize>,
    quant: Option<Quantization>,
}

/// Resolves the variables of the given subgraphs (the ones that run).
pub(crate) fn resolve(graphs: &[(usize, &Graph)]) -> Result<ModelState, ModelError> {
    let mut names: HashMap<(String, String), usize> = HashMap::new();
    let mut state = ModelState::default();
    for &(s, graph) in graphs {
        for op in &graph.operators {
            if let OpKind::VarHandle {
                container,
                shared_name,
            } = &op.kind
            {
                let key = (container.clone(), shared_name.clone());
                let next = names.len();
                let variable = *names.entry(key).or_insert(next);
                let Some(&tensor) = op.outputs.first() else {
                    return Err(bad_operator(op.index, "VAR_HANDLE", "has no output"));
                };
                state.handles.push(Handle {
                    subgraph: s,
                    tensor,
                    variable,
                });
            }
        }
    }
    let mut uses: Vec<Vec<Use>> = (0..names.len()).map(|_| Vec::new()).collect();
    for &(s, graph) in graphs {
        for op in &graph.operators {
            let (name, value) = match op.kind {
                OpKind::ReadVariable => ("READ_VARIABLE", op.outputs.first().copied()),
                OpKind::AssignVariable => ("ASSIGN_VARIABLE", op.input(1)),
                _ => continue,
            };
            let (Some(handle), Some(value)) = (op.input(0), value) else {
                return Err(bad_operator(
                    op.index,
                    name,
                    "needs a handle input and a value tensor",
                ));
            };
            let Some(h) = state
                .handles
                .iter()
                .find(|h| h.subgraph == s && h.tensor == handle)
            else {
                return Err(ModelError::UnresolvedVariable {
                    subgraph: s,
                    layer: op.index,
                    op: name.into(),
                    tensor: graph.tensor(handle).label(),
                });
            };
            let t = graph.tensor(value);
            uses[h.variable].push(Use {
                subgraph: s,
                layer: op.index,
                op: name,
                dtype: t.dtype,
                shape: t.shape.clone(),
                quant: t.quant.clone(),
            });
        }
    }
    let mut by_id: Vec<(String, String)> = vec![Default::default(); names.len()];
    for (key, id) in names {
        by_id[id] = key;
    }
    for (id, ((container, shared_name), uses)) in by_id.into_iter().zip(uses).enumerate() {
        let Some(first) = uses.first() else {
            return Err(ModelError::UntypedVariable {
                container,
                shared_name,
            });
        };
        if let Some(other) = uses
            .iter()
            .find(|u| u.dtype != first.dtype || u.shape != first.shape)
        {
            return Err(ModelError::VariableMismatch {
                shared_name,
                first: format!(
                    "subgraph {} layer {} {} uses {} {:?}",
                    first.subgraph, first.layer, first.op, first.dtype, first.shape
                ),
                other: format!(
                    "subgraph {} layer {} {} uses {} {:?}",
                    other.subgraph, other.layer, other.op, other.dtype, other.shape
                ),
            });
        }
        let elements: usize = first.shape.iter().product();
        let Some(bytes) = first.dtype.bytes_for(elements) else {
            return Err(ModelError::VariableMismatch {
                shared_name,
                first: format!("layer {} {}", first.layer, first.op),
                other: format!("element type {} has no fixed size", first.dtype),
            });
        };
        state.variables.push(Variable {
            id,
            container,
            shared_name,
            dtype: first.dtype,
            shape: first.shape.clone(),
            quant: first.quant.clone(),
            bytes,
        });
    }
    Ok(state)
}

fn bad_operator(layer: usize, op: &str, problem: &str) -> ModelError {
    ModelError::BadOperator {
        layer,
        op: op.into(),
        problem: problem.into(),
    }
}
