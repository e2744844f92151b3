//! Layers whose output shares bytes with an input under an in-place scheme
//! of the memory plan ([`InPlace`]): the call must go to a kernel that
//! honours the scheme's contract (see `crate::plan::InPlace`).
//!
//! Aliases need no call and are handled by the caller. A scheme without a
//! kernel here is refused, so a plan is never emitted with a plain kernel
//! that would corrupt shared bytes.

use autodeploy_reference::layer::Layer;

use super::layer::{EmittedLayer, Emitter, LayerError};
use crate::plan::InPlace;
use crate::CodegenError;

/// The layer's code if its plan entry is an in-place scheme (other than
/// an alias), `None` if it runs a plain kernel.
pub fn emit(emitter: &mut Emitter<'_>, layer: &Layer) -> Result<Option<EmittedLayer>, LayerError> {
    match &emitter.plan.in_place[layer.index] {
        InPlace::None | InPlace::Alias { .. } => Ok(None),
        scheme => Err(LayerError::Other(CodegenError::Model(format!(
            "layer {} {}: the memory plan uses in-place scheme '{}', which no C kernel implements yet; \
             plan without it",
            layer.index,
            layer.op,
            scheme.name()
        )))),
    }
}
