//! End-to-end tests: one binary, a module per feature.

mod constraints;
mod demo;
mod generator;
mod migrations;
