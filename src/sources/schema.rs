//! DDL of the foreign schemas (Oura cache, WorkOS cache) used by the demo and tests to write files in the real shapes.
