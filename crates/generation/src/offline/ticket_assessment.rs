//! `ticket_assessment` offline: SCAFFOLD, to be written.

use super::OfflineTask;
use crate::task::TicketAssessmentInput;

impl OfflineTask for TicketAssessmentInput {
    fn generate_offline(&self) -> Self::Output {
        todo!("offline ticket_assessment")
    }
}
