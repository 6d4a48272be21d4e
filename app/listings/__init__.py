"""What patents, technology demands and service offers share: moderation states, fields, indicators."""
