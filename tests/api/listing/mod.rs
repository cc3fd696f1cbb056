//! HTTP tests of the list language (filters, sorting, paging, and/or), as
//! specified in `spec/filtering.md`.

mod columns;
mod helpers;
mod relations;
mod sort_and_page;
