//! The model crate's one error type.

/// What can go wrong when reading or changing a document, or speaking the wire protocol.
/// Library errors are kept as text: callers show or log them, none branches on their detail,
/// and a small error keeps every `Result` cheap to return.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("automerge: {0}")]
    Automerge(String),
    #[error("writing the document: {0}")]
    Reconcile(String),
    #[error("reading the document: {0}")]
    Hydrate(String),
    #[error("the document is not a rider document of schema v1: {0}")]
    NotRiderDoc(String),
    #[error("invalid report: {0}")]
    Invalid(String),
    #[error("wire message: {0}")]
    Wire(String),
    #[error("sync message: {0}")]
    Sync(String),
}

impl From<automerge::AutomergeError> for ModelError {
    fn from(e: automerge::AutomergeError) -> Self {
        ModelError::Automerge(e.to_string())
    }
}

impl From<autosurgeon::ReconcileError> for ModelError {
    fn from(e: autosurgeon::ReconcileError) -> Self {
        ModelError::Reconcile(e.to_string())
    }
}

impl From<autosurgeon::HydrateError> for ModelError {
    fn from(e: autosurgeon::HydrateError) -> Self {
        ModelError::Hydrate(e.to_string())
    }
}
