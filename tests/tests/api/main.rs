//! End-to-end tests: one binary, a module per feature.

mod campaigns;
mod command_facts;
mod command_writes;
mod consent;
mod constraints;
mod demo;
mod engine;
mod generator;
mod insights;
mod intelligence;
mod llm;
mod loyalty;
mod migrations;
mod notes_tags;
mod owner_activity;
mod profile;
mod report;
mod report_rollup;
mod roles;
mod search;
mod segment;
mod serve;
mod staff_lifecycle;
mod summaries;
mod unusual_input;
mod vocabulary;
