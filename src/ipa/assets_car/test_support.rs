//! Builders for synthetic catalogs.
