"""Patents (专利) posted by university and institute tech-transfer offices."""
