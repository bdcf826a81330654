//! End-to-end tests: one binary, a module per feature.

mod constraints;
mod demo;
mod engine;
mod generator;
mod insights;
mod intelligence;
mod llm;
mod migrations;
mod notes_tags;
mod owner_activity;
mod profile;
mod report;
mod report_rollup;
mod search;
mod segment;
mod serve;
mod vocabulary;
