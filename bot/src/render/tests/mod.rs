//! Tests of the render module: the story's examples exact, every card and formatter.

mod fixtures;
mod formatters;
mod labels;
mod lists;
mod markup;
mod misc;
mod profile;
mod report;
mod risk;
mod segment;
mod story;
