//! The brains that turn a staff message into tool calls and a reply: the LLM brain
//! ([`llm`]) and the conversation memory it reads and writes ([`memory`]).

pub mod bound;
pub mod command;
pub mod engine;
pub mod llm;
pub mod memory;
pub mod pending;
pub mod prompt;
mod turn;
