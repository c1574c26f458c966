//! `dlgen import`: a hand-written stack into a spec.

pub mod yaml_out;
