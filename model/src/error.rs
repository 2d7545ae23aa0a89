//! The model crate's one error type.

/// What can go wrong when reading or changing a document, or speaking the wire protocol.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("automerge: {0}")]
    Automerge(#[from] automerge::AutomergeError),
    #[error("reconcile: {0}")]
    Reconcile(#[from] autosurgeon::ReconcileError),
    #[error("hydrate: {0}")]
    Hydrate(#[from] autosurgeon::HydrateError),
    #[error("the document is not a rider document of schema v1: {0}")]
    NotRiderDoc(String),
    #[error("invalid report: {0}")]
    Invalid(String),
    #[error("wire message: {0}")]
    Wire(String),
    #[error("sync message: {0}")]
    Sync(String),
}
