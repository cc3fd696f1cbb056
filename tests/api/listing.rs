//! HTTP tests of the list language (filters, sorting, paging, and/or).
