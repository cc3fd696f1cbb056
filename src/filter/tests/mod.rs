//! Tests of the filter module.

mod fixture;
mod narrow_tests;
mod parse_tests;
mod prop_tests;
mod py_tests;
mod reference_eval;
mod sql_tests;
