//! Broken cache files in whole cycles.
