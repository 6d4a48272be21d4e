"""Technology demands (技术需求) posted by enterprises."""
