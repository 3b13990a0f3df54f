//! `ticket_update` offline: SCAFFOLD, to be written.

use super::OfflineTask;
use crate::task::TicketUpdateInput;

impl OfflineTask for TicketUpdateInput {
    fn generate_offline(&self) -> Self::Output {
        todo!("offline ticket_update")
    }
}
