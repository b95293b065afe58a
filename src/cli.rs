//! TODO owner
