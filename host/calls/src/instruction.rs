//! What Switchyard tells the telephony platform to do next with a call: the body of every
//! answer to a call event and of every pushed update.

use serde::{Deserialize, Serialize};
use switchyard_directory::{AgentId, CompanyId, DepartmentId};

use super::policy_io::RingMode;

/// One agent to ring, with this company's extension.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    /// The agent.
    pub agent_id: AgentId,
    /// The agent's extension in the call's company (another company's may differ).
    pub extension: String,
    /// Ring for at most this long, then post `no-answer`.
    pub timeout_ms: u32,
}

/// The next step for a call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "kebab-case")]
pub enum Instruction {
    /// Ring these agents now (all at once if `mode` is simultaneous, otherwise the one listed;
    /// the next comes in the answer to its outcome).
    Ring {
        /// `simultaneous` or `sequential`.
        mode: RingMode,
        /// Agents to ring now.
        targets: Vec<Target>,
    },
    /// The call is connected to `agent_id`; stop ringing everyone in `withdraw`.
    Connected {
        /// Who answered.
        agent_id: AgentId,
        /// Their extension in this company.
        extension: String,
        /// Offers of this call to withdraw.
        withdraw: Vec<AgentId>,
    },
    /// Keep ringing the agents still offered; nothing new to ring.
    KeepRinging {
        /// Agents still ringing for this call.
        agents: Vec<AgentId>,
    },
    /// Keep the caller waiting (music on hold); a pushed update follows.
    Queue {
        /// Longest wait before overflow is decided again.
        max_wait_ms: u32,
        /// Queue priority (higher first).
        priority: u8,
    },
    /// Forward to an external number.
    ForwardNumber {
        /// E.164 number.
        number: String,
    },
    /// Send the caller to voicemail.
    Voicemail {
        /// Mailbox (may be empty: the company's default).
        mailbox: String,
    },
    /// Refuse the call.
    Reject {
        /// Why (for the platform's logs).
        reason: String,
    },
    /// Nothing more to do: the call is over.
    Done,
}

impl Instruction {
    /// Whether the call is finished once this instruction is carried out.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            Instruction::ForwardNumber { .. }
                | Instruction::Voicemail { .. }
                | Instruction::Reject { .. }
                | Instruction::Done
        )
    }
}

/// The answer to a call event, and the payload of a pushed update.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallUpdate {
    /// The telephony platform's call id.
    pub call_id: String,
    /// Company the call belongs to.
    pub company_id: CompanyId,
    /// Department currently handling it.
    pub department_id: DepartmentId,
    /// Id of the decision trace behind this instruction (`GET /v1/traces/{id}`).
    pub trace_id: Option<String>,
    /// This instruction's number among the call's instructions (1, 2, ...; answers and pushed
    /// updates alike): a platform drops a pushed update whose step is not above the latest it
    /// acted on (it was decided before, and delivered late).
    #[serde(default)]
    pub step: u32,
    /// What to do now.
    pub instruction: Instruction,
}

impl CallUpdate {
    /// Agents this update concerns: those to ring, the one connected and those withdrawn.
    pub fn agents(&self) -> Vec<AgentId> {
        match &self.instruction {
            Instruction::Ring { targets, .. } => targets.iter().map(|t| t.agent_id).collect(),
            Instruction::Connected {
                agent_id, withdraw, ..
            } => {
                let mut v = vec![*agent_id];
                v.extend(withdraw);
                v
            }
            Instruction::KeepRinging { agents } => agents.clone(),
            _ => Vec::new(),
        }
    }
}
