//! Field reports (phản ánh hiện trường): what a resident sees on the street, sent with photos
//! and the place to the city's operations centre.

pub mod photo;
