//! The rules engine: difficulty groups, pace, priority, forecast and donor/recipient bounds.
//!
//! TODO(rules helper): implement.
