//! The reallocation proposal: the model of DOMAIN.md section 4 solved per pool, exact to the đồng.
//!
//! TODO(optimiser helper): implement.
