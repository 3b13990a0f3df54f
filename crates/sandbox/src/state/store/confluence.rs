//! Confluence rules: spaces, pages and the version check on update.

use chrono::{DateTime, Utc};

use super::{NewPage, Store};
use crate::state::StoreError;
use crate::state::model::{Page, PageVersion, Space};

impl Store {
    // ----- Confluence --------------------------------------------------------------------

    /// All spaces.
    pub fn spaces(&self) -> &[Space] {
        &self.spaces
    }

    /// A space by id or key.
    pub fn space(&self, id_or_key: &str) -> Option<&Space> {
        self.spaces
            .iter()
            .find(|s| s.id == id_or_key || s.key == id_or_key)
    }

    /// Adds a space; returns its id.
    pub fn add_space(
        &mut self,
        key: &str,
        name: &str,
        description: &str,
        author: &str,
        now: DateTime<Utc>,
    ) -> String {
        let id = (98000 + self.spaces.len() as u64 * 1000 + 304).to_string();
        self.spaces.push(Space {
            id: id.clone(),
            key: key.into(),
            name: name.into(),
            description: description.into(),
            homepage_id: None,
            author_id: author.into(),
            created_at: now,
        });
        id
    }

    /// All pages in id order.
    pub fn pages(&self) -> impl Iterator<Item = &Page> {
        self.pages.values()
    }

    /// A page by id.
    pub fn page(&self, id: &str) -> Option<&Page> {
        id.parse::<u64>().ok().and_then(|n| self.pages.get(&n))
    }

    /// Creates a page at version 1; returns its id.
    pub fn create_page(
        &mut self,
        new: NewPage,
        author: &str,
        now: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        if self.space(&new.space_id).is_none() {
            return Err(StoreError::NotFound(format!(
                "Space {} not found",
                new.space_id
            )));
        }
        let space_id = self
            .space(&new.space_id)
            .map(|s| s.id.clone())
            .expect("checked");
        let id = self.next_page_id;
        self.next_page_id += 1;
        self.pages.insert(
            id,
            Page {
                id: id.to_string(),
                space_id: space_id.clone(),
                parent_id: new.parent_id,
                status: "current".into(),
                author_id: author.into(),
                created_at: now,
                versions: vec![PageVersion {
                    number: 1,
                    message: String::new(),
                    minor_edit: false,
                    author_id: author.into(),
                    created_at: now,
                    title: new.title,
                    storage: new.storage,
                }],
            },
        );
        if let Some(space) = self.spaces.iter_mut().find(|s| s.id == space_id)
            && space.homepage_id.is_none()
        {
            space.homepage_id = Some(id.to_string());
        }
        Ok(id.to_string())
    }

    /// Stores a new page version. The version number must be exactly current + 1, as
    /// Confluence requires; anything else is a 409 conflict.
    #[allow(clippy::too_many_arguments)]
    pub fn update_page(
        &mut self,
        id: &str,
        title: &str,
        storage: String,
        version: u32,
        message: String,
        author: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let Some(page) = id.parse::<u64>().ok().and_then(|n| self.pages.get_mut(&n)) else {
            return Err(StoreError::NotFound(format!("Page {id} not found")));
        };
        let current = page.current().number;
        if version != current + 1 {
            return Err(StoreError::Conflict(format!(
                "Version must be incremented on update. Current version is: {current}"
            )));
        }
        if title.trim().is_empty() {
            return Err(StoreError::invalid_field("title", "Title cannot be empty."));
        }
        page.versions.push(PageVersion {
            number: version,
            message,
            minor_edit: false,
            author_id: author.into(),
            created_at: now,
            title: title.into(),
            storage,
        });
        Ok(())
    }
}
