//! Parity with the Python Operator (issue 16): one commitment from two files, brain-dump
//! patterns, and service checks, on real files, real child processes and real sockets.

mod dumps;
mod merge;
mod services;
