//! `requirement_analysis` offline: SCAFFOLD, to be written.

use super::OfflineTask;
use crate::task::RequirementAnalysisInput;

impl OfflineTask for RequirementAnalysisInput {
    fn generate_offline(&self) -> Self::Output {
        todo!("offline requirement_analysis")
    }
}
