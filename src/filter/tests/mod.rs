//! Tests of the filter module.

mod fixture;
mod parse_tests;
mod prop_tests;
mod py_tests;
mod sql_tests;
