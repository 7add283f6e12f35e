//! Markdown format (being written).
