//! Tests of the protobuf decoder: hand-encoded objects, bodies captured from kubectl, the
//! special apimachinery types, and a fuzz run over arbitrary input.

mod encoder;
mod fuzz;
mod hand;
mod kubectl;
mod wellknown;
