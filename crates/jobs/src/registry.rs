//! The set of job kinds a worker can run: one [`JobHandler`] per kind.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::handler::JobHandler;

/// Handlers by kind. Cheap to clone.
#[derive(Clone, Default)]
pub struct Registry {
    handlers: BTreeMap<&'static str, Arc<dyn JobHandler>>,
}

/// Two handlers claimed the same kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a handler for job kind `{0}` is already registered")]
pub struct DuplicateKind(pub &'static str);

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("kinds", &self.kinds())
            .finish()
    }
}

impl Registry {
    /// No handlers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a handler; fails if its kind is taken.
    pub fn register(&mut self, handler: impl JobHandler) -> Result<&mut Self, DuplicateKind> {
        self.register_shared(Arc::new(handler))
    }

    /// Adds a shared handler; fails if its kind is taken.
    pub fn register_shared(
        &mut self,
        handler: Arc<dyn JobHandler>,
    ) -> Result<&mut Self, DuplicateKind> {
        let kind = handler.kind();
        if self.handlers.contains_key(kind) {
            return Err(DuplicateKind(kind));
        }
        self.handlers.insert(kind, handler);
        Ok(self)
    }

    /// Builder form of [`Self::register`].
    pub fn with(mut self, handler: impl JobHandler) -> Result<Self, DuplicateKind> {
        self.register(handler)?;
        Ok(self)
    }

    /// The handler for `kind`.
    pub fn get(&self, kind: &str) -> Option<&Arc<dyn JobHandler>> {
        self.handlers.get(kind)
    }

    /// Every registered kind, sorted.
    pub fn kinds(&self) -> Vec<&'static str> {
        self.handlers.keys().copied().collect()
    }

    /// No handler registered.
    pub fn is_empty(&self) -> bool {
        self.handlers.is_empty()
    }
}
