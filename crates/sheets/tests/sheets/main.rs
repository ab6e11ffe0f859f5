//! Tests of the Excel template: round trips, every structural error with its cell, field →
//! cell mapping, and a catalog of the size the issue asks to import (500 entries × 10 items).

mod book;
mod errors;
mod locate;
mod round_trip;
