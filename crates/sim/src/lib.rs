//! The scenario lab.
