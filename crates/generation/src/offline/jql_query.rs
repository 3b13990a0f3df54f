//! `jql_query` offline: SCAFFOLD, to be written.

use super::OfflineTask;
use crate::task::JqlQueryInput;

impl OfflineTask for JqlQueryInput {
    fn generate_offline(&self) -> Self::Output {
        todo!("offline jql_query")
    }
}
