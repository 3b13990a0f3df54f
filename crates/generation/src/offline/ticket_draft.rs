//! `ticket_draft` offline: SCAFFOLD, to be written.

use super::OfflineTask;
use crate::task::TicketDraftInput;

impl OfflineTask for TicketDraftInput {
    fn generate_offline(&self) -> Self::Output {
        todo!("offline ticket_draft")
    }
}
