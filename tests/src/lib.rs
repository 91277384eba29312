//! Helpers shared by the data-driven and end-to-end tests.
