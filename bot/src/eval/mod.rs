//! How well a brain understands what staff say: the phrase corpus
//! (`testdata/understanding/*.jsonl`, see its README) run through a brain and scored.

pub mod corpus;
pub mod llm;
pub mod score;

pub use corpus::{Case, Corpus};
pub use score::{Outcome, Score};

#[cfg(test)]
mod tests;
