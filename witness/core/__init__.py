"""Cross-cutting helpers: time, access control, errors."""
