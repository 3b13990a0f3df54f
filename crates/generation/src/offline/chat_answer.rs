//! `chat_answer` offline: SCAFFOLD, to be written.

use super::OfflineTask;
use crate::task::ChatAnswerInput;

impl OfflineTask for ChatAnswerInput {
    fn generate_offline(&self) -> Self::Output {
        todo!("offline chat_answer")
    }
}
