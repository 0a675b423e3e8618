//! Tests of the hash module: Go JSON encoding, hashes observed from upstream controllers, semantic
//! equality, and the upstream `get rollout` fixtures.

mod corpus;
mod encoding;
mod equality;
mod fixtures;
mod known_hashes;
