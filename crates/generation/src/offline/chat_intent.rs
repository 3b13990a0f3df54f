//! `chat_intent` offline: SCAFFOLD, to be written.

use super::OfflineTask;
use crate::task::ChatIntentInput;

impl OfflineTask for ChatIntentInput {
    fn generate_offline(&self) -> Self::Output {
        todo!("offline chat_intent")
    }
}
